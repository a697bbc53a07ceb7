"""Search quality of an embedding backend on labelled contracts: recall@k of the insurance
clauses.

For each labelled contract with evidence quotes, and each labelled term that has some: the
query is the term's name (:data:`TERM_QUERIES`), the candidates are the contract's own
chunks (as the pipeline chunks it), ranked by cosine similarity to the query, and the
relevant chunks are those holding (part of) a labelled evidence quote, matched without
whitespace, case, quote or dash variants. recall@k of a query is the number of its relevant
chunks among the first k over the most there could be (``min(relevant, k)``); the score is
the mean over queries. The ranking is exact (numpy),
so it measures the encoder, not Chroma's approximate index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..chunking import Chunk, chunk_document
from ..errors import DocumentError
from ..loaders import Document, load_document, searchable
from ..settings import Settings
from .labels import DocIndex, LabelRow

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: The name a lawyer would search for each labelled term.
TERM_QUERIES = {
    "insurance_required": "insurance requirements",
    "has_minimum_limits": "minimum insurance limits",
    "additional_insured": "additional insured",
    "waiver_of_subrogation": "waiver of subrogation",
    "primary_noncontributory": "primary and non-contributory insurance",
    "coi_required": "certificate of insurance",
    "cancellation_notice": "notice of cancellation of insurance",
    "vague_language": "adequate insurance",
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", searchable(text)).lower()


@dataclass
class Query:
    file: str
    term: str
    text: str
    relevant: set[int]  # indexes into the document's chunks


@dataclass
class RecallSet:
    """The chunks of every labelled contract and the queries over them."""

    docs: list[tuple[Document, list[Chunk]]] = field(default_factory=list)
    queries: list[list[Query]] = field(default_factory=list)  # per document

    @property
    def chunk_count(self) -> int:
        return sum(len(c) for _, c in self.docs)

    @property
    def query_count(self) -> int:
        return sum(len(q) for q in self.queries)


def relevant_chunks(chunks: Sequence[Chunk], quotes: Sequence[str], min_chars: int = 20) -> set[int]:
    """Chunks holding a quote, or (for a quote longer than a chunk or cut by its edges) a
    sentence-long piece of one."""
    texts = [_squash(c.text) for c in chunks]
    found: set[int] = set()
    for quote in quotes:
        pieces = [_squash(quote)] + [_squash(p) for p in re.split(r"(?<=[.;:])\s+", quote)]
        for piece in pieces:
            if len(piece) < min_chars:
                continue
            hit = {i for i, t in enumerate(texts) if piece in t or (len(piece) > 120 and piece[:120] in t)}
            found |= hit
            if hit and piece is pieces[0]:
                break
    return found


def build_recall_set(rows: Sequence[LabelRow], docs_dir: str | Path, settings: Settings | None = None) -> RecallSet:
    """Load, chunk and make the queries of each labelled contract that has evidence."""
    settings = settings or Settings()
    index = DocIndex(docs_dir, [".pdf"])
    out = RecallSet()
    for row in rows:
        evidence = row.data.get("evidence") or {}
        terms = [t for t in TERM_QUERIES if evidence.get(t) and row.has(t)]
        path = index.resolve(row.file)
        if not terms or path is None:
            continue
        try:
            doc = load_document(path, settings)
        except DocumentError:
            continue
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
        queries = []
        for term in terms:
            rel = relevant_chunks(chunks, evidence[term])
            if rel:
                queries.append(Query(row.file, term, TERM_QUERIES[term], rel))
        if queries:
            out.docs.append((doc, chunks))
            out.queries.append(queries)
    return out


def recall_at_k(rs: RecallSet, encode: Callable[[list[str]], np.ndarray], k: int = 5) -> tuple[float, dict[str, float]]:
    """Mean recall@k over the queries, and per term."""
    import numpy as np

    per_term: dict[str, list[float]] = {}
    scores: list[float] = []
    qtexts = sorted({q.text for qs in rs.queries for q in qs})
    qvec = dict(zip(qtexts, encode(qtexts), strict=True))
    for (_, chunks), queries in zip(rs.docs, rs.queries, strict=True):
        vecs = encode([c.text for c in chunks])
        for q in queries:
            top = np.argsort(-(vecs @ qvec[q.text]), kind="stable")[:k]
            r = len(q.relevant & {int(i) for i in top}) / min(len(q.relevant), k)
            scores.append(r)
            per_term.setdefault(q.term, []).append(r)
    mean = float(np.mean(scores)) if scores else 0.0
    return mean, {t: float(np.mean(v)) for t, v in per_term.items()}
