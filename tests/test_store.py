"""Real Chroma on disk with the bundled MiniLM model: index once per SHA-256, search by meaning."""

from __future__ import annotations

import pytest

from contract_review.chunking import chunk_document
from contract_review.loaders import Document
from contract_review.settings import Settings
from contract_review.store import Store

pytestmark = pytest.mark.xdist_group("embedding")

INSURANCE = (
    "12. INSURANCE\nContractor waives all rights of recovery against Owner and shall cause its insurers "
    "to waive subrogation against Owner under all policies required by this Section."
)
PAYMENT = "5. FEES AND PAYMENT\nClient shall pay each undisputed invoice within thirty days of receipt."
LAW = "20. GOVERNING LAW\nThis Agreement is governed by the laws of the State of Delaware."


def test_index_is_idempotent_and_search_returns_page_and_section(tmp_path):
    settings = Settings(home=tmp_path / "home")
    store = Store(settings)
    doc = Document.from_page_texts("msa.txt", "a" * 64, [PAYMENT, LAW, INSURANCE], "text")
    chunks = chunk_document(doc)
    assert store.index(doc, chunks) == len(chunks) > 0
    assert store.index(doc, chunks) == 0  # same SHA-256: nothing added
    other = Document.from_page_texts("other.txt", "b" * 64, [LAW], "text")
    store.index(other, chunk_document(other))

    # A new process-level client on the same folder sees the same data (it is on disk).
    hits = Store(settings).search("waiver of subrogation", top_k=2)
    assert hits[0].file == "msa.txt" and hits[0].page == 3 and hits[0].section == "12. INSURANCE"
    assert "waives all rights of recovery" in hits[0].text
    assert hits[0].score > hits[-1].score or len(hits) == 1
    only_other = Store(settings).search("insurance", top_k=5, sha256="b" * 64)
    assert {h.sha256 for h in only_other} == {"b" * 64}
    assert (tmp_path / "home" / "chroma").is_dir()


def test_search_on_an_empty_store_returns_nothing(tmp_path):
    assert Store(Settings(home=tmp_path / "h")).search("anything") == []


# --------------------------------------------------------------------------- all or nothing

# A real process indexes a document and is SIGKILLed after writing part of its chunks (the
# script writes the first half of the upsert, says so, and waits to be killed).
KILLED_MID_INDEX = r"""
import sys, time
from contract_review.chunking import chunk_document
from contract_review.loaders import Document
from contract_review.settings import Settings
from contract_review.store import Store

class Stalling:
    def __init__(self, real):
        self.real = real
    def __getattr__(self, name):
        return getattr(self.real, name)
    def upsert(self, ids, embeddings, documents, metadatas):
        half = len(ids) // 2
        self.real.upsert(ids=ids[:half], embeddings=embeddings[:half], documents=documents[:half], metadatas=metadatas[:half])
        print("PARTIAL", half, flush=True)
        time.sleep(300)

class KilledStore(Store):
    @property
    def collection(self):
        return Stalling(Store.collection.fget(self))

doc = Document.from_page_texts("long.txt", "c" * 64, [sys.argv[1]] * 6, "text")
KilledStore(Settings()).index(doc, chunk_document(doc))
"""


def test_a_document_killed_mid_index_is_not_searchable_and_a_rerun_completes_it(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    body = " ".join([INSURANCE, PAYMENT, LAW] * 4)
    env = dict(os.environ, CONTRACT_REVIEW_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MID_INDEX, body], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PARTIAL"), line
        written = int(line.split()[1])
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()

    settings = Settings(home=tmp_path / "home")
    doc = Document.from_page_texts("long.txt", "c" * 64, [body] * 6, "text")
    chunks = chunk_document(doc)
    store = Store(settings)
    # the killed run left chunks on disk, but the document is not indexed and search ignores them
    assert 0 < written < len(chunks)
    assert len(store.collection.get(where={"sha256": "c" * 64}, include=[])["ids"]) == written
    assert not store.is_indexed("c" * 64)
    assert store.search("waiver of subrogation", top_k=5) == []

    # a rerun writes it whole, once
    assert store.index(doc, chunks) == len(chunks)
    assert store.is_indexed("c" * 64) and store.index(doc, chunks) == 0
    assert sorted(store.collection.get(where={"sha256": "c" * 64}, include=[])["ids"]) == sorted(c.id for c in chunks)
    hits = Store(settings).search("waiver of subrogation", top_k=3)
    assert hits and all(h.file == "long.txt" for h in hits) and "waives all rights" in hits[0].text


def test_search_skips_a_partly_indexed_document_and_still_fills_top_k(tmp_path):
    """A partial document's chunks rank first for the query; the complete ones are still returned."""
    store = Store(Settings(home=tmp_path / "home"))
    whole = Document.from_page_texts("whole.txt", "d" * 64, [INSURANCE, PAYMENT, LAW], "text")
    store.index(whole, chunk_document(whole))
    partial = Document.from_page_texts("partial.txt", "e" * 64, [INSURANCE] * 3, "text")
    chunks = chunk_document(partial)
    vectors = store.embeddings.embed_documents([c.text for c in chunks])
    store.collection.upsert(  # what a killed run leaves: chunks under a run id, no marker
        ids=[c.id for c in chunks],
        embeddings=vectors,
        documents=[c.text for c in chunks],
        metadatas=[dict(c.metadata(partial), run="killed") for c in chunks],
    )
    hits = store.search("waiver of subrogation", top_k=2)
    assert [h.file for h in hits] == ["whole.txt", "whole.txt"]
    assert not store.is_indexed("e" * 64)
