"""The per-document function every executor runs, :func:`run_task`, and what it is built
from: :class:`ScreenConfig` (sent once per worker) and :class:`Worker`, the
:class:`~contract_review.pipeline.Reviewer` a worker process builds once and the review
of one task (or, for an extractor with ``extract_batch``, of several together) around it."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..budget import time_budget
from ..errors import DocumentError, ExtractionError, plain_message
from ..schema import ErrorInfo, ReviewResult
from ..settings import Settings
from .cache import playbook_json
from .tasks import IndexPayload, Outcome, Task

if TYPE_CHECKING:  # pragma: no cover
    from ..chunking import Chunk
    from ..extract import Extraction
    from ..loaders import Document
    from ..store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScreenConfig:
    """What every worker needs to build its :class:`Reviewer` (picklable, sent once per worker)."""

    settings: Settings
    extractor: str = "rules"
    playbook: Any = None  # a Playbook (loaded once in the main process)
    index: bool = False
    embed_only: bool = False  # workers return embeddings; the main process writes the store
    threads_per_worker: int | None = None
    prompt_version: str | None = None  # the extractor's, for rows the main process writes itself

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(
            json.dumps(
                [
                    self.settings.model_dump(mode="json", exclude={"openai_api_key"}),
                    self.extractor,
                    playbook_json(self.playbook),
                    self.index,
                    self.embed_only,
                    self.threads_per_worker,
                ],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()[:16]


class EmbedOnlyStore:
    """Stands in for :class:`~contract_review.store.Store` in a worker: embeds the chunks and
    keeps them for the main process, which writes them to the embedded store."""

    def __init__(self, settings: Settings):
        from ..store import LocalEmbeddings

        self.embeddings = LocalEmbeddings.for_settings(settings)
        self.pending: IndexPayload | None = None

    def index(self, doc: Document, chunks: list[Chunk]) -> int:
        if not chunks:
            return 0
        self.pending = IndexPayload(
            sha256=doc.sha256,
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[c.metadata(doc) for c in chunks],
            embeddings=self.embeddings.embed_documents([c.text for c in chunks]),
        )
        return len(chunks)

    def take(self) -> IndexPayload | None:
        p, self.pending = self.pending, None
        return p


@dataclass
class _Prepared:
    """A document of a :meth:`Worker.run_batch` loaded, chunked and (when asked) indexed."""

    doc: Document
    chunks: list[Chunk]
    payload: IndexPayload | None


class Worker:
    """A :class:`Reviewer` built once per process, and the per-document function around it."""

    def __init__(self, config: ScreenConfig):
        from ..pipeline import Reviewer

        settings = config.settings
        if config.threads_per_worker:
            limit_threads(config.threads_per_worker)
            if not settings.embedding_threads:  # the encoder (semantic layer, index) keeps to its share of cores
                settings = settings.model_copy(update={"embedding_threads": config.threads_per_worker})
        self.config = config
        self.collector = EmbedOnlyStore(settings) if config.embed_only else None
        self.reviewer = Reviewer(
            settings,
            extractor=config.extractor,
            playbook=config.playbook,
            index=config.index,
            store=self.collector,
        )
        freeze_long_lived()
        if config.index:  # load the model (and open the store) while the first document is parsed
            store = None if config.embed_only else self.reviewer.store
            threading.Thread(target=_warm_up, args=(settings, store), daemon=True).start()

    def run(self, task: Task) -> Outcome:
        t0 = time.perf_counter()
        try:
            if task.part is not None:
                return self._read_part(task, t0)
            result = self._review(task)
        except Exception as e:  # a bug on one document must not stop a batch of thousands
            result = self._internal_error(task, e)
        return Outcome(
            task=task.without_content(), result=result, seconds=time.perf_counter() - t0, payload=self._take()
        )

    def _review(self, task: Task) -> ReviewResult:
        if task.texts is not None:
            assert task.sha256 is not None  # a split document was read (and hashed) by the main process
            return self.reviewer.review_pages(task.path, task.sha256, task.texts, index=task.index)
        return self.reviewer.review(task.path, data=task.data, index=task.index)

    def _read_part(self, task: Task, t0: float) -> Outcome:
        """Read one page range of a large PDF; a document error is the whole document's."""
        from ..loaders import load_pdf

        assert task.part is not None and task.data is not None
        try:
            with time_budget(self.config.settings.time_budget):
                texts = load_pdf(task.data, self.config.settings, pages=range(*task.part))
        except DocumentError as e:
            result = self._error_result(task, e.code, e.message)
            return Outcome(task=task.without_content(), result=result, seconds=time.perf_counter() - t0)
        return Outcome(task=task.without_content(), result=None, seconds=time.perf_counter() - t0, texts=texts)

    @property
    def batch_size(self) -> int:
        """Documents per :meth:`run_batch`: an extractor with ``extract_batch`` (the LLM)
        gets enough to keep its ``llm_concurrency`` calls busy; others go one by one."""
        if hasattr(self.reviewer.extractor, "extract_batch"):
            return max(1, 2 * int(getattr(self.config.settings, "llm_concurrency", 1) or 1))
        return 1

    def run_batch(self, tasks: list[Task]) -> list[Outcome]:
        """Review ``tasks`` together so the extractor's ``extract_batch`` runs the model calls
        concurrently. The pipeline is unchanged: each document still goes through
        :meth:`Reviewer.review_document`, which is handed the batch's extraction for it. When
        the whole ``extract_batch`` call fails, nothing is asked again one document at a time:
        with an :class:`ExtractionError` every document of the batch gets that typed error,
        with any other exception (a bug in the extractor) ``internal_error`` and the traceback
        in the log, and the batch goes on."""
        t0 = time.perf_counter()
        prepared: dict[int, _Prepared] = {}
        for i, task in enumerate(tasks):
            p = self._prepare(task)
            if p is not None:
                prepared[i] = p
        answers = self._extract_batch(prepared)
        outcomes = []
        for i, task in enumerate(tasks):
            if i in prepared:
                outcomes.append(self._review_prepared(task, prepared[i], answers[i]))
            else:
                outcomes.append(self.run(task))  # the typed error of a document that cannot be read
        for o in outcomes:
            o.seconds = (time.perf_counter() - t0) / max(len(tasks), 1)
        return outcomes

    def _prepare(self, task: Task) -> _Prepared | None:
        try:
            doc = self.reviewer.load(task.path, task.data)
        except DocumentError:
            return None  # run() gives its typed error result
        chunks = self.reviewer.prepare(doc, index=task.index)
        return _Prepared(doc, chunks, self._take())

    def _extract_batch(self, prepared: dict[int, _Prepared]) -> dict[int, Extraction | Exception]:
        """The extractor's answer for each prepared document (by its index in the batch)."""
        if not prepared:
            return {}
        items = [(p.doc, p.chunks) for p in prepared.values()]
        try:
            answers = self.reviewer.extractor.extract_batch(items)  # type: ignore[attr-defined]
        except ExtractionError as e:  # the call as a whole failed: each document has that error
            log.error("extract_batch failed for %d document(s): %s", len(items), e.message)
            answers = [e] * len(items)
        except Exception as e:  # a bug in the extractor is no document's fault: reported for each, not re-run
            log.error("extract_batch raised for %d document(s):\n%s", len(items), traceback.format_exc())
            answers = [e] * len(items)
        return dict(zip(prepared, answers, strict=True))  # one answer per document, or a bug

    def _review_prepared(self, task: Task, prepared: _Prepared, answer: Extraction | Exception) -> Outcome:
        if isinstance(answer, Exception) and not isinstance(answer, ExtractionError):
            result = self._error_result(task, "internal_error", f"{type(answer).__name__}: {answer}")
            return Outcome(task=task.without_content(), result=result, payload=None)
        try:
            result = self.reviewer.review_document(prepared.doc, chunks=prepared.chunks, extraction=answer)
        except Exception as e:  # a bug on one document must not stop a batch of thousands
            result = self._internal_error(task, e)
        return Outcome(task=task.without_content(), result=result, payload=prepared.payload)

    def _take(self) -> IndexPayload | None:
        """The chunks and embeddings the collector holds for the main process (embed-only)."""
        return self.collector.take() if self.collector is not None else None

    def _internal_error(self, task: Task, e: Exception) -> ReviewResult:
        log.error("internal error on %s:\n%s", task.path, traceback.format_exc())
        return self._error_result(task, "internal_error", f"{type(e).__name__}: {e}")

    def _error_result(self, task: Task, code: str, message: str) -> ReviewResult:
        message = plain_message(message)  # an internal error's text may hold an object repr
        return ReviewResult(
            file=Path(task.path).name,
            path=task.path,
            sha256=task.sha256,
            status="error",
            error=ErrorInfo(code=code, message=message),
            extractor=self.reviewer.extractor.name,
            prompt_version=self.reviewer.extractor.prompt_version,
            playbook=self.reviewer.playbook.name,
        )


def _warm_up(settings: Settings, store: Store | None = None) -> None:
    from ..store import LocalEmbeddings

    with contextlib.suppress(Exception):  # the real call reports any failure
        LocalEmbeddings.for_settings(settings).model  # noqa: B018 - loads the encoder
        if store is not None:
            store.collection  # noqa: B018 - opens the client (imports chromadb) and the collection


def freeze_long_lived() -> None:
    """What a worker has imported lives as long as it does: keep it out of the garbage
    collector's full passes, which parsing a PDF triggers many times (they made pypdf ~50%
    slower once torch was loaded). A run in the calling process unfreezes at its end: a
    long-lived caller such as the UI must not keep its objects out of the collector for good."""
    gc.collect()
    gc.freeze()


def limit_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


_WORKERS: dict[str, Worker] = {}


def run_task(config: ScreenConfig, task: Task) -> Outcome:
    """Review one document in this process, building the worker on first use. The same
    function runs in a pool process, in a Ray task and in-process."""
    return worker_for(config).run(task)


def worker_for(config: ScreenConfig) -> Worker:
    """This process's worker for ``config`` (built on first use)."""
    worker = _WORKERS.get(config.digest)
    if worker is None:
        worker = _WORKERS[config.digest] = Worker(config)
    return worker
