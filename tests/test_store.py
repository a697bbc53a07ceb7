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
