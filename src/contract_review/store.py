"""The vector store: chunks embedded with the bundled all-MiniLM-L6-v2 into Chroma.

Embedded ``PersistentClient`` under ``$CONTRACT_REVIEW_HOME/chroma`` by default, or a Chroma
server when ``CHROMA_URL`` is set. One collection per embedding model; chunk ids are
``<sha256>:<n>`` so re-indexing the same file adds nothing. Telemetry is off and no
embedding function of Chroma's own is ever used (it would download a model): we always
pass embeddings in, from :mod:`contract_review.encoders` (torch or ONNX, see
``embedding_backend``).

A document is indexed all or nothing: its chunks are written with the id of the indexing
run, then one marker record (in the ``<collection>-docs`` collection) says the document is
complete. Search ignores the chunks of a document without its marker, and indexing it again
removes them and writes it whole; a process killed half-way leaves a document that is simply
not indexed yet. (Chunks written before markers existed carry no run id and count as
indexed.)
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from .chunking import Chunk
from .encoders import BUNDLED_MODELS, HEAVY_IMPORTS, Encoder, get_encoder
from .loaders import Document
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import chromadb

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

__all__ = ["BUNDLED_MODELS", "Hit", "LocalEmbeddings", "Store", "load_model"]

_HEAVY_IMPORTS = HEAVY_IMPORTS  # the name batch code and older callers use


def load_model(name: str, backend: str = "torch", cache: Path | None = None, threads: int = 0) -> Encoder:
    """The process's one encoder of the model (built on first use, under a lock)."""
    return get_encoder(name, backend, cache if cache is not None else Settings().encoder_cache_dir, threads)


class LocalEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over the bundled model, on the chosen backend (no network)."""

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        batch_size: int = 8,
        backend: str = "torch",
        cache: Path | None = None,
        threads: int = 0,
    ):
        self.model_name = model
        self.batch_size = batch_size
        self.backend = backend
        self.cache = cache
        self.threads = threads

    @classmethod
    def for_settings(cls, settings: Settings) -> LocalEmbeddings:
        return cls(
            settings.embedding_model,
            settings.embedding_batch_size,
            settings.embedding_backend,
            settings.encoder_cache_dir,
            settings.embedding_threads,
        )

    @property
    def model(self) -> Encoder:
        return load_model(self.model_name, self.backend, self.cache, self.threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.model.encode(list(texts), batch_size=self.batch_size).tolist()

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
    with HEAVY_IMPORTS:
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
        self.embeddings = LocalEmbeddings.for_settings(settings)
        self._client = None
        self._collection = None
        self._markers = None
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

    @property
    def markers(self):
        """One record per completely indexed document (id: its SHA-256)."""
        if self._markers is None:
            client = self.client
            with self._opening:
                if self._markers is None:
                    self._markers = client.get_or_create_collection(
                        collection_name(self.settings.embedding_model) + "-docs", embedding_function=None
                    )
        return self._markers

    def is_indexed(self, sha256: str) -> bool:
        """True when the document is completely indexed (its marker is written, or its
        chunks predate markers)."""
        if self.markers.get(ids=[sha256], include=[])["ids"]:
            return True
        got = self.collection.get(where={"sha256": sha256}, limit=1, include=["metadatas"])
        return bool(got["ids"]) and "run" not in (got["metadatas"] or [{}])[0]

    def index(self, doc: Document, chunks: list[Chunk]) -> int:
        """Add ``doc``'s chunks unless that file (by SHA-256) is already indexed. Returns the
        number of chunks added."""
        if not chunks or self.is_indexed(doc.sha256):
            return 0
        vectors = self.embeddings.embed_documents([c.text for c in chunks])
        return self.write(
            doc.sha256,
            [c.id for c in chunks],
            [c.text for c in chunks],
            [c.metadata(doc) for c in chunks],
            vectors,
            file=doc.name,
        )

    def write(
        self,
        sha256: str,
        ids: list[str],
        documents: list[str],
        metadatas: list[dict],
        embeddings: list[list[float]],
        file: str = "",
    ) -> int:
        """Write one document's chunks all or nothing: remove what an interrupted run left,
        upsert the chunks under a new run id, then write the document's marker. Returns the
        number of chunks written (0 when the document is indexed already)."""
        if not ids or self.is_indexed(sha256):
            return 0
        run = uuid.uuid4().hex
        self.collection.delete(where={"sha256": sha256})  # a killed run's chunks
        step = max(1, min(5000, self.client.get_max_batch_size()))
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i : i + step],
                embeddings=embeddings[i : i + step],
                documents=documents[i : i + step],
                metadatas=[dict(m, run=run) for m in metadatas[i : i + step]],
            )
        self.markers.upsert(
            ids=[sha256], embeddings=[[1.0]], metadatas=[{"run": run, "chunks": len(ids), "file": file}]
        )
        return len(ids)

    def search(self, query: str, top_k: int = 5, sha256: str | None = None) -> list[Hit]:
        """The ``top_k`` chunks closest to ``query`` among completely indexed documents."""
        total = self.collection.count()
        if total == 0:
            return []
        vector = self.embeddings.embed_query(query)
        n = top_k
        while True:
            res = self.collection.query(
                query_embeddings=[vector],
                n_results=min(n, total),
                where={"sha256": sha256} if sha256 else None,
                include=["documents", "metadatas", "distances"],
            )
            rows = list(zip(res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True))
            done = self._complete({m.get("sha256", ""): m.get("run") for _, m, _ in rows})
            kept = [r for r in rows if r[1].get("sha256", "") in done]
            if len(kept) >= top_k or len(rows) < n or n >= total:
                return [_hit(*r) for r in kept[:top_k]]
            n *= 4  # a partly indexed document took places: look further

    def _complete(self, runs: dict[str, str | None]) -> set[str]:
        """Which of these documents (SHA-256 -> a chunk's run id) are completely indexed."""
        legacy = {sha for sha, run in runs.items() if run is None}
        marked = set(self.markers.get(ids=[s for s in runs if s not in legacy], include=[])["ids"]) if runs else set()
        return legacy | marked

    def indexed_documents(self) -> int:
        return self.markers.count()


def _hit(text: str, meta: dict, dist: float) -> Hit:
    return Hit(
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
