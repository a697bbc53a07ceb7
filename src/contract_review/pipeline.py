"""The review pipeline for one document: load -> (chunk) -> extract -> ground -> check ->
:class:`~contract_review.schema.ReviewResult`, then (index).

Findings never wait for the search index: the document is chunked and added to the store
before extraction only when the extractor reads the store (``needs_store``) or its chunks
(``needs_chunks``, true unless an extractor says otherwise); otherwise indexing comes after
the findings are decided, as a :class:`PendingIndex` that the caller runs when it likes
(the CLI after printing, the UI in a background thread).

A :class:`Reviewer` holds what is expensive to build (the extractor, the playbook, the
store and its embedding model) so a worker process builds it once and reviews many files.
Document errors become ``status: "error"`` results; nothing else is swallowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .budget import time_budget
from .checks import load_playbook, rule_settings, run_checks
from .chunking import Chunk
from .errors import DocumentError, ExtractionError
from .extract import Extraction, get_extractor
from .grounding import ground_profile
from .loaders import Document, document_from_pages, load_document, sha256_bytes
from .parties import defined_parties
from .playbook import Playbook
from .revisions import insurance_revisions
from .schema import ErrorInfo, ReviewResult
from .sections import insurance_section
from .settings import Settings


class ChunkIndex(Protocol):
    """Where a :class:`Reviewer` adds a document's chunks: the :class:`~contract_review.store.Store`,
    or a stand-in (a batch worker's collector that only computes the embeddings)."""

    def index(self, doc: Document, chunks: list[Chunk]) -> int: ...


@dataclass
class PendingIndex:
    """Adding one reviewed document to the store, left for after its findings. Calling it
    chunks the document (unless the review had) and indexes it; returns the chunks added
    (0 when the document was indexed already)."""

    reviewer: Reviewer
    doc: Document
    chunks: list[Chunk] | None = None

    def __call__(self) -> int:
        if self.chunks is None:
            self.chunks = self.reviewer.chunk(self.doc)
        return self.reviewer.store.index(self.doc, self.chunks)


class Reviewer:
    """Reviews documents with one extractor and one playbook.

    ``index`` is the default of every review: add the document's chunks to the store.
    ``store`` is the store to add them to; without one, a :class:`~contract_review.store.Store`
    of ``settings`` is opened on first use."""

    def __init__(
        self,
        settings: Settings | None = None,
        extractor: str = "rules",
        playbook: Playbook | str | None = None,
        index: bool = False,
        store: ChunkIndex | None = None,
    ):
        self.settings = settings or Settings()
        self.extractor = get_extractor(extractor, self.settings)
        if isinstance(playbook, Playbook):
            rule_settings(playbook)  # a playbook built in code is checked against the rules, as a loaded one is
            self.playbook = playbook
        else:
            self.playbook = load_playbook(playbook)
        self.index = index
        self._store = store

    @property
    def store(self) -> ChunkIndex:
        if self._store is None:
            from .store import Store

            self._store = Store(self.settings)
        return self._store

    def load(self, path: str | Path, data: bytes | None = None) -> Document:
        return load_document(path, self.settings, data=data)

    def review(self, path: str | Path, data: bytes | None = None, *, index: bool | None = None) -> ReviewResult:
        """Review one file. Document and extraction errors give an error result. ``index``
        overrides the reviewer's default for this file; the document is indexed after its
        findings are decided."""
        result, pending = self.review_deferred(path, data, index=index)
        if pending is not None:
            pending()
        return result

    def review_deferred(
        self,
        path: str | Path,
        data: bytes | None = None,
        *,
        index: bool | None = None,
        load: Callable[[], Document | None] | None = None,
    ) -> tuple[ReviewResult, PendingIndex | None]:
        """:meth:`review` without the indexing: the result, and the indexing still to do
        (``None`` when there is none: no indexing asked, an error result, or the extractor
        indexed it already). ``load`` gives the file's document when the caller is loading
        it already (the CLI parses in a thread while it imports the checker), or ``None``
        when that failed (the file is then loaded here, for its typed error); it is called
        within the per-document budget, like the loading it stands for."""

        def load_it() -> Document:
            doc = load() if load is not None else None
            return doc if doc is not None else self.load(path, data)

        return self._review(
            str(path),
            load_it,
            lambda: sha256_bytes(data) if data is not None else None,
            index,
        )

    def review_pages(
        self, path: str | Path, sha256: str, texts: list[str], kind: str = "pdf", *, index: bool | None = None
    ) -> ReviewResult:
        """Review a document whose pages were read elsewhere (a large PDF parsed in page
        ranges by several batch workers): the same checks and result as :meth:`review`."""
        result, pending = self._review(
            str(path), lambda: document_from_pages(path, sha256, texts, kind, self.settings), lambda: sha256, index
        )
        if pending is not None:
            pending()
        return result

    def _review(
        self, path: str, load: Callable[[], Document], sha256: Callable[[], str | None], index: bool | None
    ) -> tuple[ReviewResult, PendingIndex | None]:
        """``load`` the document and review it within the per-document budget
        (``time_budget``); a document error, or running out of time, is the result (with
        the file's SHA-256 when it is known). The indexing left for after is not timed."""
        doc: Document | None = None
        try:
            with time_budget(self.settings.time_budget):
                doc = load()
                return self.review_document_deferred(doc, self._new_result(path), index=index)
        except DocumentError as e:
            result = self._new_result(path)  # a fresh one: out of time, the review may be half done
            result.status, result.error = "error", ErrorInfo(code=e.code, message=e.message)
            result.sha256 = doc.sha256 if doc is not None else sha256()
            return result, None

    def _new_result(self, path: str) -> ReviewResult:
        return ReviewResult(
            file=Path(path).name,
            path=path,
            extractor=self.extractor.name,
            prompt_version=self.extractor.prompt_version,
            playbook=self.playbook.name,
        )

    def chunk(self, doc: Document) -> list[Chunk]:
        from .chunking import chunk_document  # langchain's splitter: not on the way to a rules review's findings

        return chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap)

    def prepare(self, doc: Document, *, index: bool | None = None) -> list[Chunk]:
        """The document's chunks, added to the store now when indexing (``index``, default
        the reviewer's) or when the extractor retrieves from the store."""
        chunks = self.chunk(doc)
        if (self.index if index is None else index) or self.extractor.needs_store:
            self.store.index(doc, chunks)
        return chunks

    def review_document(
        self,
        doc: Document,
        result: ReviewResult | None = None,
        *,
        chunks: list[Chunk] | None = None,
        extraction: Extraction | ExtractionError | None = None,
        index: bool | None = None,
    ) -> ReviewResult:
        """Review a loaded document. ``chunks`` are its chunks from :meth:`prepare` when the
        caller made them (and indexed them as it asked); else they are made when needed and
        the document is indexed per ``index`` after its findings. ``extraction`` is the
        extractor's answer for it when it was computed elsewhere (a batch worker's
        ``extract_batch``): an :class:`Extraction`, or the :class:`ExtractionError` that
        becomes the error result; else the extractor is called here."""
        result, pending = self.review_document_deferred(doc, result, chunks=chunks, extraction=extraction, index=index)
        if pending is not None:
            pending()
        return result

    def review_document_deferred(
        self,
        doc: Document,
        result: ReviewResult | None = None,
        *,
        chunks: list[Chunk] | None = None,
        extraction: Extraction | ExtractionError | None = None,
        index: bool | None = None,
    ) -> tuple[ReviewResult, PendingIndex | None]:
        """:meth:`review_document` without the indexing: the result, and the indexing
        still to do (``None`` when there is none)."""
        wanted = chunks is None and (self.index if index is None else index)
        if chunks is None and (self.extractor.needs_store or getattr(self.extractor, "needs_chunks", True)):
            chunks = self.prepare(doc, index=False)  # indexed now only when the extractor reads the store
        result = self._decide(doc, result, chunks, extraction)
        done = self.extractor.needs_store  # the extractor indexed it to read it
        pending = PendingIndex(self, doc, chunks) if wanted and not done else None
        return result, pending

    def _decide(
        self,
        doc: Document,
        result: ReviewResult | None,
        chunks: list[Chunk] | None,
        extraction: Extraction | ExtractionError | None,
    ) -> ReviewResult:
        result = result or self._new_result(doc.path)
        result.sha256, result.pages = doc.sha256, len(doc.pages)
        result.ocr_pages = doc.ocr_pages
        if extraction is None:
            try:
                extraction = self.extractor.extract(doc, chunks if chunks is not None else [])
            except ExtractionError as e:
                extraction = e
        if isinstance(extraction, ExtractionError):
            result.status, result.error = "error", ErrorInfo(code=extraction.code, message=extraction.message)
            return result
        result.prompt_version = extraction.prompt_version or result.prompt_version
        result.usage = extraction.usage
        result.notes = list(extraction.notes)
        if doc.unread_scans:
            from .ocr import unavailable

            pages = ", ".join(str(n) for n in doc.unread_scans)
            result.notes.append(
                f"page(s) {pages} look scanned and were not read by OCR: {unavailable(self.settings) or 'OCR failed'}"
            )
        result.profile = ground_profile(doc, extraction.profile)
        result.profile.contract_parties = defined_parties(doc.norm)
        result.profile.revisions = insurance_revisions(doc, result.profile)
        result.profile.insurance_section = insurance_section(doc, result.profile)
        result.findings = run_checks(result.profile, self.playbook)
        return result
