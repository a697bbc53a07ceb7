"""Batch screening: many files, parallel workers, one JSON line per document, resumable.

How a run goes (:func:`screen_files`):

1. :func:`discover` lists the files (folders recursively, sorted).
2. The main process reads and hashes each file (SHA-256, fast) and looks it up, in this
   order, in the output journal of an interrupted run (same path, same bytes, same
   extractor and playbook) and in the result cache (``settings.cache_path/screen``, keyed by
   :func:`cache_key`: file hash + extractor + prompt version + playbook content + package
   version and source + the settings that change a result). What is found is not recomputed.
3. The rest are :class:`Task` objects run by an *executor* from the :data:`EXECUTORS`
   registry (``local``: worker processes, or in-process with one worker; ``ray``: Ray
   tasks). Every executor runs the same per-document function, :func:`run_task`, whose
   :class:`~contract_review.pipeline.Reviewer` is built once per worker process. With
   several workers, a long PDF (more than ``2 x split_pdf_pages`` pages) is read in page
   ranges by all workers at once, then reviewed whole by one of them (:class:`TaskQueue`);
   the result is the same as reading it in one piece.
4. Each result is appended to the journal as one complete JSON line, flushed and fsynced,
   and stored in the cache. A ``kill -9`` loses at most the documents in flight; the same
   command run again finishes the rest, without duplicates.

With ``--index`` and the embedded Chroma store, worker processes only compute the
embeddings; the main process is the single writer of the store (embedded Chroma is not
safe for several writing processes). With a Chroma server (``CHROMA_URL``) workers write
to it directly.

A bug that raises inside one document gives that document ``status: "error"`` with code
``internal_error`` (and the traceback in the log); a worker process that dies gives
``worker_crashed`` for the document it was reading. Neither stops the batch, and both make
the exit status 2.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError
from .loaders import supported_extensions
from .schema import SEVERITY_ORDER, ErrorInfo, ReviewResult
from .settings import Settings

log = logging.getLogger(__name__)

#: Error codes that depend only on the file's bytes and the settings, so they are cached.
#: ``llm_failed``, ``internal_error`` and ``worker_crashed`` may not happen next time.
CACHEABLE_ERRORS = frozenset({"encrypted", "no_text_layer", "unreadable", "unsupported_type", "too_large"})

#: Settings that change a result, hence part of the cache key. (Not: home, URLs, keys, timeouts.)
RESULT_SETTINGS = (
    "max_bytes",
    "max_pages",
    "min_chars_per_page",
    "pdf_parser",
    "chunk_size",
    "chunk_overlap",
    "embedding_model",
    "llm_model",
    "llm_token_budget",
    "llm_top_k",
)

CACHE_FORMAT = 1


# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Files named directly are kept whatever their type (an unsupported one gets its typed
    error); folders are walked recursively for supported extensions (case-insensitive,
    trailing spaces after the extension allowed), skipping hidden files and folders and
    Office lock files (``~$x.docx``). Sorted within each folder, no duplicates."""
    exts = set(supported_extensions())
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        given = str(given)
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith((".", "~$")):
                        continue
                    if Path(name).suffix.lower().rstrip() in exts:
                        out.append(os.path.join(root, name))
        else:
            out.append(given)
    unique = []
    for p in out:
        key = os.path.normpath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --------------------------------------------------------------------------- run configuration


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
                    _playbook_json(self.playbook),
                    self.index,
                    self.embed_only,
                    self.threads_per_worker,
                ],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()[:16]


def _playbook_json(playbook: Any) -> str:
    if playbook is None:
        return ""
    dump = getattr(playbook, "model_dump_json", None)
    return dump() if dump else json.dumps(playbook, sort_keys=True, default=str)


@dataclass
class Task:
    """One document to review. ``data`` is the file's bytes when the main process could read
    them (so a worker on another machine needs no shared file system).

    A large PDF with several workers becomes *part* tasks (``part``: a 0-based page range,
    whose outcome carries those pages' texts) and, once every part is back, one task with
    ``texts`` (all pages, in order) that reviews the assembled document."""

    path: str
    data: bytes | None = None
    sha256: str | None = None
    key: str | None = None  # cache key
    index: bool = False
    attempts: int = 0
    part: tuple[int, int] | None = None
    texts: list[str] | None = None


@dataclass
class IndexPayload:
    """Chunks and their embeddings, computed in a worker, written to the store by the main process."""

    sha256: str
    ids: list[str]
    documents: list[str]
    metadatas: list[dict]
    embeddings: list[list[float]]


@dataclass
class Outcome:
    """What a worker sends back: the document's ``result``, or for a part task that read
    its pages, their ``texts`` (and no result; a part that fails has an error result)."""

    task: Task
    result: ReviewResult | None
    seconds: float = 0.0
    payload: IndexPayload | None = None
    texts: list[str] | None = None


# --------------------------------------------------------------------------- cache


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """Package version plus a digest of its source, playbooks and prompts: a result cached by
    one build of the rules is never served by another (an editable install keeps its version)."""
    import contract_review

    root = Path(contract_review.__file__).parent
    h = hashlib.sha256(getattr(contract_review, "__version__", "0").encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".yaml", ".yml", ".txt", ".md", ".json", ".jinja", ".j2"):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return f"{getattr(contract_review, '__version__', '0')}+{h.hexdigest()[:12]}"


def cache_key(sha256: str, *, extractor: str, prompt_version: str | None, playbook: Any, settings: Settings) -> str:
    parts = {
        "format": CACHE_FORMAT,
        "sha256": sha256,
        "extractor": extractor,
        "prompt_version": prompt_version,
        "playbook": hashlib.sha256(_playbook_json(playbook).encode()).hexdigest(),
        "package": package_fingerprint(),
        "settings": {k: getattr(settings, k, None) for k in RESULT_SETTINGS},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class ResultCache:
    """One JSON file per key under ``root``; written atomically (temp file + rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> ReviewResult | None:
        try:
            text = self._file(key).read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            return ReviewResult.model_validate_json(text)
        except ValueError:  # a damaged or older entry is a miss
            return None

    def put(self, key: str, result: ReviewResult) -> None:
        if result.status == "error" and (result.error is None or result.error.code not in CACHEABLE_ERRORS):
            return
        f = self._file(key)
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f"{f.name}.{os.getpid()}.tmp")
        tmp.write_text(result.model_dump_json(), encoding="utf-8")
        os.replace(tmp, f)


# --------------------------------------------------------------------------- journal (the JSONL output)


class JournalBusy(ConfigError):
    """Another ``screen`` is writing the same output file."""


class Journal:
    """The JSONL output as a crash-safe, resumable record: one complete line per document,
    appended, flushed and fsynced. :meth:`open` drops a partial last line (a crash in the
    middle of a write) and anything that does not parse, and holds an exclusive lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh: IO[str] | None = None
        self.lines = 0

    def open(self, keep: Callable[[ReviewResult], bool] | None = None, fresh: bool = False) -> dict[str, ReviewResult]:
        """Open for appending; return the usable results already there, by path (the last
        line for a path wins). With ``fresh`` the file starts empty."""
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+", encoding="utf-8", newline="\n")
        except OSError as e:
            raise ConfigError(f"cannot write the output {self.path}: {e.strerror or e}") from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise JournalBusy(f"{self.path} is being written by another screen run") from None
        self._fh = fh
        existing: dict[str, ReviewResult] = {}
        if not fresh:
            fh.seek(0)
            raw = fh.read()
            complete = raw[: raw.rfind("\n") + 1] if "\n" in raw else ""
            dirty = len(complete) != len(raw)
            n = 0
            for line in complete.splitlines():
                if not line.strip():
                    continue
                n += 1
                try:
                    r = ReviewResult.model_validate_json(line)
                except ValueError:
                    dirty = True
                    continue
                if keep is not None and not keep(r):
                    dirty = True
                    continue
                if r.path in existing:
                    dirty = True
                    existing.pop(r.path)
                existing[r.path] = r
            if dirty or fresh:
                self._rewrite(existing.values())
            if n:
                log.info("resuming %s: %d usable result(s) of %d line(s)", self.path, len(existing), n)
        else:
            self._rewrite([])
        self.lines = len(existing)
        return existing

    def _rewrite(self, results: Iterable[ReviewResult]) -> None:
        from .report import to_json_line

        assert self._fh is not None
        self._fh.seek(0)
        self._fh.truncate()
        for r in results:
            self._fh.write(to_json_line(r) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def append(self, result: ReviewResult) -> None:
        from .report import to_json_line

        assert self._fh is not None
        self._fh.write(to_json_line(result) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.lines += 1

    def compact(self, results: Iterable[ReviewResult]) -> None:
        """Rewrite with exactly ``results`` (after stale lines were superseded)."""
        results = list(results)
        self._rewrite(results)
        self.lines = len(results)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# --------------------------------------------------------------------------- the per-document function


class _EmbedOnlyStore:
    """Stands in for :class:`~contract_review.store.Store` in a worker: embeds the chunks and
    keeps them for the main process, which writes them to the embedded store."""

    def __init__(self, settings: Settings):
        from .store import LocalEmbeddings

        self.embeddings = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
        self.pending: IndexPayload | None = None

    def index(self, doc, chunks) -> int:
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


class _Worker:
    """A :class:`Reviewer` built once per process, and the per-document function around it."""

    def __init__(self, config: ScreenConfig):
        from .pipeline import Reviewer

        if config.threads_per_worker:
            _limit_threads(config.threads_per_worker)
        self.config = config
        self.reviewer = Reviewer(
            config.settings, extractor=config.extractor, playbook=config.playbook, index=config.index
        )
        self.collector = None
        if config.embed_only:
            self.collector = _EmbedOnlyStore(config.settings)
            self.reviewer._store = self.collector  # Reviewer.store returns it
        _freeze_long_lived()
        if config.index:  # load the model (and open the store) while the first document is parsed
            store = None if config.embed_only else self.reviewer.store
            threading.Thread(target=_warm_up, args=(config.settings.embedding_model, store), daemon=True).start()

    def run(self, task: Task) -> Outcome:
        t0 = time.perf_counter()
        self.reviewer.index = task.index
        try:
            if task.part is not None:
                return self._read_part(task, t0)
            if task.texts is not None:
                result = self.reviewer.review_pages(task.path, task.sha256, task.texts)
            else:
                result = self.reviewer.review(task.path, data=task.data)
        except Exception as e:  # a bug on one document must not stop a batch of thousands
            log.error("internal error on %s:\n%s", task.path, traceback.format_exc())
            result = _error_result(task, self.reviewer, "internal_error", f"{type(e).__name__}: {e}")
        payload = self.collector.take() if self.collector is not None else None
        return Outcome(task=_strip(task), result=result, seconds=time.perf_counter() - t0, payload=payload)

    def _read_part(self, task: Task, t0: float) -> Outcome:
        """Read one page range of a large PDF; a document error is the whole document's."""
        from .errors import DocumentError
        from .loaders import load_pdf

        try:
            texts = load_pdf(task.data, self.config.settings, pages=range(*task.part))
        except DocumentError as e:
            result = _error_result(task, self.reviewer, e.code, e.message)
            return Outcome(task=_strip(task), result=result, seconds=time.perf_counter() - t0)
        return Outcome(task=_strip(task), result=None, seconds=time.perf_counter() - t0, texts=texts)

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
        :meth:`Reviewer.review_document`, which is handed the batch's extraction for it."""
        from .chunking import chunk_document
        from .errors import DocumentError

        ext, settings = self.reviewer.extractor, self.config.settings
        t0 = time.perf_counter()
        docs: dict[int, tuple] = {}
        for i, task in enumerate(tasks):
            try:
                doc = self.reviewer.load(task.path, task.data)
            except DocumentError:
                continue  # run() below gives its typed error result
            chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
            if task.index or ext.needs_store:
                self.reviewer.index = task.index
                self.reviewer.store.index(doc, chunks)
            docs[i] = (doc, chunks)
        try:
            answers = ext.extract_batch([docs[i] for i in docs]) if docs else []
        except Exception:  # not one document's fault: fall back to one by one, each reported
            log.error("extract_batch failed; reviewing one document at a time:\n%s", traceback.format_exc())
            return [self.run(t) for t in tasks]
        self.reviewer.extractor = _Replay(ext, {id(docs[i][0]): a for i, a in zip(docs, answers)})
        try:
            outcomes = []
            for i, task in enumerate(tasks):
                if i not in docs:
                    outcomes.append(self.run(task))
                    continue
                self.reviewer.index = task.index
                try:
                    result = self.reviewer.review_document(docs[i][0])
                except Exception as e:
                    log.error("internal error on %s:\n%s", task.path, traceback.format_exc())
                    result = _error_result(task, self.reviewer, "internal_error", f"{type(e).__name__}: {e}")
                payload = self.collector.take() if self.collector is not None else None
                outcomes.append(Outcome(task=_strip(task), result=result, payload=payload))
        finally:
            self.reviewer.extractor = ext
        for o in outcomes:
            o.seconds = (time.perf_counter() - t0) / max(len(tasks), 1)
        return outcomes


class _Replay:
    """The extractor as seen by ``review_document`` inside :meth:`_Worker.run_batch`: it
    returns (or raises) what ``extract_batch`` already produced for that document."""

    def __init__(self, inner, answers: dict[int, Any]):
        self.inner, self.answers = inner, answers
        self.name, self.prompt_version, self.needs_store = inner.name, inner.prompt_version, inner.needs_store

    def extract(self, doc, chunks):
        answer = self.answers[id(doc)]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _strip(task: Task) -> Task:
    """The task without its bytes or texts (it travels back to the main process)."""
    return Task(
        path=task.path, sha256=task.sha256, key=task.key, index=task.index, attempts=task.attempts, part=task.part
    )


def _error_result(task: Task, reviewer, code: str, message: str) -> ReviewResult:
    return ReviewResult(
        file=Path(task.path).name,
        path=task.path,
        sha256=task.sha256,
        status="error",
        error=ErrorInfo(code=code, message=message),
        extractor=reviewer.extractor.name,
        prompt_version=reviewer.extractor.prompt_version,
        playbook=reviewer.playbook.name,
    )


def _warm_up(model: str, store=None) -> None:
    from .store import _load_model

    with contextlib.suppress(Exception):  # the real call reports any failure
        _load_model(model)
        if store is not None:
            store.collection  # noqa: B018 - opens the client (imports chromadb) and the collection


def _freeze_long_lived() -> None:
    """What a worker has imported lives as long as it does: keep it out of the garbage
    collector's full passes, which parsing a PDF triggers many times (they made pypdf ~50%
    slower once torch was loaded). A run in the calling process unfreezes at its end: a
    long-lived caller such as the UI must not keep its objects out of the collector for good."""
    gc.collect()
    gc.freeze()


def _limit_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


_WORKERS: dict[str, _Worker] = {}


def run_task(config: ScreenConfig, task: Task) -> Outcome:
    """Review one document in this process, building the worker on first use. The same
    function runs in a pool process, in a Ray task and in-process."""
    return _worker_for(config).run(task)


def _worker_for(config: ScreenConfig) -> _Worker:
    worker = _WORKERS.get(config.digest)
    if worker is None:
        worker = _WORKERS[config.digest] = _Worker(config)
    return worker


# --------------------------------------------------------------------------- executors (a registry)

#: What a :class:`TaskQueue` gives when no task is ready yet but some will be (the parts of
#: a large PDF are still being read): submit nothing more until the next outcome.
WAIT: Any = type("Wait", (), {"__repr__": lambda self: "WAIT"})()


class TaskQueue:
    """The tasks of a run as an executor reads them: follow-ups first (the review of a large
    PDF whose parts are all read, pushed while the run goes on), then the planned tasks.
    ``next()`` gives :data:`WAIT` when the plan is used up but split documents are still
    being read, and stops when nothing is left. Executors submit in order, at most a few
    tasks ahead of the workers, and handle :data:`WAIT` by waiting for an outcome (whose
    recording may push the follow-up)."""

    def __init__(self, planned: Iterable[Task]):
        from collections import deque

        self._planned: Iterator[Task] | None = iter(planned)
        self._ready: deque[Task] = deque()
        self.splits_pending = 0

    def __iter__(self) -> TaskQueue:
        return self

    def __next__(self) -> Task:
        if self._ready:
            return self._ready.popleft()
        if self._planned is not None:
            task = next(self._planned, None)
            if task is not None:
                return task
            self._planned = None
        if self.splits_pending:
            return WAIT
        raise StopIteration

    def push(self, task: Task) -> None:
        self._ready.append(task)


def _check_drained(exhausted: bool) -> None:
    if not exhausted:  # WAIT with nothing in flight: no outcome can ever bring the follow-up
        raise RuntimeError("screen: the task queue is waiting for parts but none is being read")


Executor = Callable[[ScreenConfig, Iterator[Task], int, dict], Iterator[Outcome]]
EXECUTORS: dict[str, Executor] = {}


def register_executor(name: str):
    def deco(fn: Executor) -> Executor:
        EXECUTORS[name] = fn
        return fn

    return deco


def _pool_init(config: ScreenConfig) -> None:
    if config.threads_per_worker:
        _limit_threads(config.threads_per_worker)
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _pool_run(config: ScreenConfig, task: Task) -> Outcome:
    return run_task(config, task)


@register_executor("local")
def _local_executor(config: ScreenConfig, tasks: Iterator[Task], workers: int, options: dict) -> Iterator[Outcome]:
    """In-process with one worker; otherwise a pool of ``workers`` processes (spawned, so no
    thread or client state of the main process is forked), at most ``2 x workers`` documents
    in flight. A process that dies is replaced; the documents it may have been reading are
    re-run one at a time in a fresh process to find the one that kills it (``worker_crashed``)."""
    if workers <= 1:
        worker = _worker_for(config)
        if not gc.get_freeze_count():  # a worker built by an earlier run, which unfroze at its end
            _freeze_long_lived()
        try:
            if worker.batch_size > 1:
                while batch := list(itertools.islice(tasks, worker.batch_size)):
                    yield from worker.run_batch(batch)
            else:
                for task in tasks:
                    if task is WAIT:  # in-process, every outcome is recorded before the next task
                        _check_drained(False)
                    yield worker.run(task)
        finally:
            gc.unfreeze()
        return

    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")

    def new_pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_pool_init, initargs=(config,))

    pool = new_pool(workers)
    inflight: dict[Any, Task] = {}
    exhausted = False
    try:
        while True:
            while not exhausted and len(inflight) < 2 * workers:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                elif task is WAIT:
                    break
                else:
                    inflight[pool.submit(_pool_run, config, task)] = task
            if not inflight:
                _check_drained(exhausted)
                return
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            crashed: list[Task] = []
            for fut in done:
                task = inflight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    crashed.append(task)
            if crashed:
                crashed.extend(inflight.values())  # every future of a broken pool fails
                inflight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                log.warning("a worker process died; re-running %d document(s) one at a time", len(crashed))
                for task in crashed:
                    yield _run_isolated(new_pool, config, task)
                pool = new_pool(workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_isolated(new_pool, config: ScreenConfig, task: Task) -> Outcome:
    from concurrent.futures.process import BrokenProcessPool

    solo = new_pool(1)
    try:
        return solo.submit(_pool_run, config, task).result()
    except BrokenProcessPool:
        log.error("the worker process died while reading %s", task.path)
        return _crash_outcome(config, task, "the worker process died while reading this document (a parser crash?)")
    finally:
        solo.shutdown(wait=True)


def _crash_outcome(config: ScreenConfig, task: Task, message: str) -> Outcome:
    result = ReviewResult(
        file=Path(task.path).name,
        path=task.path,
        sha256=task.sha256,
        status="error",
        error=ErrorInfo(code="worker_crashed", message=message),
        extractor=config.extractor,
        prompt_version=config.prompt_version,
        playbook=getattr(config.playbook, "name", None),
    )
    return Outcome(task=_strip(task), result=result)


def _ray_run(config: ScreenConfig, task: Task) -> Outcome:
    return run_task(config, task)


@register_executor("ray")
def _ray_executor(config: ScreenConfig, tasks: Iterator[Task], workers: int, options: dict) -> Iterator[Outcome]:
    """The same per-document function as Ray tasks. ``options["ray_address"]`` joins a
    cluster (``auto`` or ``ray://host:10001``; the package must be installed on its nodes);
    without it a local Ray is started for the run with ``workers`` CPUs and stopped after.
    Usage statistics are off. Results stream back as they finish (at most ``2 x workers``
    in flight), so the writer and the resume logic are the same as with local processes."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'contract-review[ray]' (ray[default])") from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started = False
    if not ray.is_initialized():
        address = options.get("ray_address")
        common = dict(logging_level=logging.WARNING, log_to_driver=False, configure_logging=True)
        if address:
            _check_reachable(address)  # screen_files checked it already; a direct caller may not have
            try:
                ray.init(address=address, **common)
            except ConnectionError as e:
                raise ConfigError(f"cannot join the Ray cluster at {address}: {e}") from None
        else:
            ray.init(num_cpus=max(1, workers), include_dashboard=False, **common)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_ray_run)
        cfg = ray.put(config)
        cpus = int(ray.cluster_resources().get("CPU", workers)) if options.get("ray_address") else workers
        width = 2 * max(1, cpus)
        inflight: dict[Any, Task] = {}
        exhausted = False
        while True:
            while not exhausted and len(inflight) < width:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                elif task is WAIT:
                    break
                else:
                    inflight[remote.remote(cfg, task)] = task
            if not inflight:
                _check_drained(exhausted)
                return
            done, _ = ray.wait(list(inflight), num_returns=1)
            for ref in done:
                task = inflight.pop(ref)
                try:
                    yield ray.get(ref)
                except (
                    ray.exceptions.WorkerCrashedError,
                    ray.exceptions.NodeDiedError,
                    ray.exceptions.OutOfMemoryError,
                ) as e:
                    log.error("Ray worker died on %s: %s", task.path, e)
                    yield _crash_outcome(
                        config, task, f"the Ray worker died while reading this document ({type(e).__name__})"
                    )
    finally:
        if started:
            ray.shutdown()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with a clear message, when a Ray address cannot be reached (Ray itself
    retries a dead address for about a quarter of an hour before giving up). ``auto`` and
    addresses without a port are left to Ray."""
    import socket
    from urllib.parse import urlparse

    if address == "auto":
        return
    u = urlparse(address if "://" in address else f"ray-gcs://{address}")
    try:
        host, port = u.hostname, u.port
    except ValueError:
        raise ConfigError(f"--ray-address {address!r} is not host:port or ray://host:port") from None
    if not host or not port:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address} ({e.strerror or e}): is `ray start --head` running "
            "there, and is the port open?"
        ) from None


def available_executors() -> list[str]:
    return sorted(EXECUTORS)


# --------------------------------------------------------------------------- the run


@dataclass
class ScreenStats:
    total: int = 0
    done: int = 0
    computed: int = 0
    cached: int = 0
    resumed: int = 0
    errors: int = 0
    pages_computed: int = 0
    chunks_indexed: int = 0
    split: int = 0  # large PDFs read in page ranges by several workers
    parts: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


Listener = Callable[[ReviewResult, str, ScreenStats], None]  # result, "computed"|"cached"|"resumed", stats


@dataclass
class ScreenRun:
    """The complete set of results of a run, in discovery order, and its statistics."""

    results: list[ReviewResult]
    stats: ScreenStats

    @property
    def errors(self) -> int:
        return sum(r.status == "error" for r in self.results)

    def worst_severity(self) -> str | None:
        sev = [f.severity for r in self.results for f in r.findings]
        return min(sev, key=SEVERITY_ORDER.__getitem__) if sev else None

    def has_findings_at(self, threshold: str) -> bool:
        limit = SEVERITY_ORDER[threshold]
        return any(SEVERITY_ORDER[f.severity] <= limit for r in self.results for f in r.findings)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def screen_files(
    files: list[str],
    settings: Settings,
    *,
    extractor: str = "rules",
    playbook: Any = None,
    index: bool = False,
    workers: int = 1,
    executor: str = "local",
    executor_options: dict | None = None,
    journal: Journal | None = None,
    force: bool = False,
    listener: Listener | None = None,
) -> ScreenRun:
    """Review ``files``; see the module docstring. ``journal`` is the output JSONL (append,
    resume); without one, results are only cached. ``force`` ignores the journal and cache
    (and overwrites both). ``listener`` is called in the main process for every result as it
    is recorded. Raises :class:`ConfigError` for an unknown executor or extractor."""
    from .pipeline import Reviewer
    from .playbook import Playbook, load_playbook

    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}; choose one of: {', '.join(available_executors())}")
    if executor == "ray" and (executor_options or {}).get("ray_address"):
        _check_reachable(executor_options["ray_address"])  # before the output is opened
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    main = Reviewer(settings, extractor=extractor, playbook=pb, index=False)  # cheap; validates the extractor
    ext = main.extractor
    if ext.needs_store and not settings.chroma_url and (workers > 1 or executor != "local"):
        log.warning("the %s extractor reads the embedded store, which one process must own: using 1 worker", ext.name)
        workers, executor = 1, "local"
    remote = executor != "local" or workers > 1
    embed_only = index and remote and not settings.chroma_url
    cpus = default_workers()
    config = ScreenConfig(
        settings=settings,
        extractor=extractor,
        playbook=pb,
        index=index,
        embed_only=embed_only,
        threads_per_worker=max(1, cpus // workers) if workers > 1 and executor == "local" else None,
        prompt_version=ext.prompt_version,
    )
    store = main.store if index else None  # the main process's store: is_indexed checks, embed-only writes
    cache = ResultCache(settings.cache_path / "screen")
    stats = ScreenStats(total=len(files))
    by_path: dict[str, ReviewResult] = {}
    superseded = False

    def key_of(sha: str) -> str:
        return cache_key(sha, extractor=ext.name, prompt_version=ext.prompt_version, playbook=pb, settings=settings)

    wanted = set(files)

    def keep(r: ReviewResult) -> bool:
        return r.path in wanted and r.extractor == ext.name and r.playbook == pb.name

    previous = journal.open(keep=keep, fresh=force) if journal else {}

    def record(result: ReviewResult, source: str, outcome: Outcome | None = None) -> None:
        nonlocal superseded
        if outcome is not None and outcome.task.key and source == "computed":
            cache.put(outcome.task.key, result)  # before the journal: a line always has its cache entry
        if source != "resumed" and journal is not None:
            if result.path in previous:
                superseded = True
            journal.append(result)
        if outcome is not None and outcome.payload is not None and store is not None:
            stats.chunks_indexed += _upsert(store, outcome.payload)
        by_path[result.path] = result
        stats.done += 1
        stats.errors += result.status == "error"
        setattr(stats, source, getattr(stats, source) + 1)
        if source == "computed":
            stats.pages_computed += result.pages or 0
        if listener:
            listener(result, source, stats)

    def needs_index(sha: str | None) -> bool:
        return bool(index and sha and not store.is_indexed(sha))

    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    # With several workers, the largest files go first so that no big file is left running
    # alone at the end (longest-processing-time-first scheduling). Outputs keep their order.
    order = sorted(files, key=size, reverse=True) if remote else files

    def plan() -> Iterator[Task]:
        for path in order:
            data = sha = None
            try:
                if os.path.getsize(path) <= settings.max_bytes:
                    with open(path, "rb") as fh:
                        data = fh.read()
                    sha = hashlib.sha256(data).hexdigest()
            except OSError:
                pass  # the worker raises the typed error (unreadable, unsupported...)
            key = key_of(sha) if sha else None
            if not force and sha:
                # The cache key covers everything that changes a result (code, settings,
                # playbook...), so a line of an interrupted run is reused only with a cache hit.
                hit = cache.get(key)
                if hit is not None and not needs_index(sha):
                    old = previous.get(path)
                    if old is not None and old.sha256 == sha:
                        record(old, "resumed")
                    else:
                        record(hit.model_copy(update={"file": Path(path).name, "path": path}), "cached")
                    continue
            # A worker that writes the store checks it before embedding; one that only embeds
            # (several processes, embedded store) is told here, so nothing is embedded twice.
            task = Task(
                path=path,
                data=data,
                sha256=sha,
                key=key,
                index=index and (not embed_only or not sha or needs_index(sha)),
            )
            ranges = _page_ranges(task, settings, split_pages)
            if ranges:
                splits[path] = _Split(task=_strip(task), count=len(ranges))
                queue.splits_pending += 1
                stats.split += 1
                stats.parts += len(ranges)
                for r in ranges:
                    yield dataclasses.replace(task, part=r)
            else:
                yield task

    def collect(outcome: Outcome) -> None:
        """A part of a split PDF is back: keep its texts; when all are, queue the review of
        the whole document. A part that failed is the document's verdict."""
        split = splits[outcome.task.path]
        if split.done:  # another part already failed
            return
        if outcome.result is not None:
            split.done = True
            queue.splits_pending -= 1
            record(outcome.result, "computed", outcome)
            return
        split.parts[outcome.task.part[0]] = outcome.texts or []
        if len(split.parts) == split.count:
            split.done = True
            queue.splits_pending -= 1
            texts = [t for start in sorted(split.parts) for t in split.parts[start]]
            queue.push(dataclasses.replace(split.task, texts=texts))

    # A large PDF is read in page ranges by all workers at once (one 150-page filing would
    # otherwise keep one worker busy long after the others have finished).
    split_pages = settings.split_pdf_pages if remote else 0
    splits: dict[str, _Split] = {}
    queue = TaskQueue(plan())
    try:
        for outcome in EXECUTORS[executor](config, queue, workers, executor_options or {}):
            if outcome.task.part is not None:
                collect(outcome)
            else:
                record(outcome.result, "computed", outcome)
        if journal is not None and (superseded or journal.lines != len(by_path)):
            journal.compact(by_path[p] for p in files if p in by_path)
    finally:
        if journal is not None:
            journal.close()
    return ScreenRun(results=[by_path[p] for p in files if p in by_path], stats=stats)


@dataclass
class _Split:
    """A large PDF being read in parts: the document's task and the texts received so far."""

    task: Task
    count: int
    parts: dict[int, list[str]] = field(default_factory=dict)
    done: bool = False


def _page_ranges(task: Task, settings: Settings, size: int) -> list[tuple[int, int]] | None:
    """Page ranges of ``size`` pages for a PDF of more than ``2 x size`` pages, else None.
    Counting pages takes milliseconds; a file that cannot be opened is not split (its
    worker gives the typed error)."""
    from .errors import DocumentError
    from .loaders import pdf_page_count

    if size <= 0 or task.data is None or Path(task.path).suffix.lower().rstrip() != ".pdf":
        return None
    try:
        n = pdf_page_count(task.data, settings)
    except DocumentError:
        return None
    if n <= 2 * size:
        return None
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def _upsert(store, payload: IndexPayload) -> int:
    if store.is_indexed(payload.sha256):
        return 0
    step = max(1, min(5000, store.client.get_max_batch_size()))
    for i in range(0, len(payload.ids), step):
        store.collection.upsert(
            ids=payload.ids[i : i + step],
            embeddings=payload.embeddings[i : i + step],
            documents=payload.documents[i : i + step],
            metadatas=payload.metadatas[i : i + step],
        )
    return len(payload.ids)


def screen_iter(files: list[str], reviewer_kwargs: dict, workers: int = 1) -> Iterator[ReviewResult]:
    """Yield one result per file (discovery order), computed or from the cache. Kept for
    callers of the first API; :func:`screen_files` is the full one."""
    kw = dict(reviewer_kwargs)
    settings = kw.pop("settings", None) or Settings()
    yield from screen_files(files, settings, workers=workers, **kw).results


# --------------------------------------------------------------------------- progress


class Progress:
    """What the user sees while a batch runs: a rich bar on a terminal (documents, pages/s,
    ETA, errors so far), one plain line per document on a non-terminal stderr, or nothing."""

    def __init__(self, total: int, mode: str = "auto", stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "lines"
        self.mode = mode
        self.total = total
        self._bar = None
        if mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("screening"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} pages/s"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("[red]{task.fields[errors]} error(s)"),
                console=Console(file=self.stream),
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,  # JSON lines go to the real stdout
            )
            self._task = self._bar.add_task("screen", total=total, rate="-", eta="-", errors=0)

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    @staticmethod
    def _eta(stats: ScreenStats) -> str:
        if not stats.computed:
            return "-"
        left = (stats.total - stats.done) * stats.elapsed / max(stats.computed, 1)
        m, s = divmod(int(left), 60)
        return f"{m}:{s:02d}"

    def __call__(self, result: ReviewResult, source: str, stats: ScreenStats) -> None:
        rate = stats.pages_computed / stats.elapsed if stats.elapsed > 0 else 0.0
        if self._bar:
            self._bar.update(
                self._task, completed=stats.done, rate=f"{rate:.1f}", eta=self._eta(stats), errors=stats.errors
            )
        elif self.mode == "lines":
            what = f"error {result.error.code}" if result.status == "error" else "ok"
            extra = f" ({source})" if source != "computed" else ""
            pages = f" {result.pages}p" if result.pages else ""
            print(
                f"screen [{stats.done}/{stats.total}] {what}{extra}{pages} {result.path}"
                + (f": {result.error.message}" if result.status == "error" else ""),
                file=self.stream,
                flush=True,
            )


# --------------------------------------------------------------------------- outputs


class ScreenOutput:
    """Where results go, per format:

    * ``jsonl`` to a file: the file is the :class:`Journal` (appended as documents finish,
      resumed by the next run);
    * ``jsonl`` to standard output: one line per document as it finishes (resume comes
      from the cache);
    * ``csv``/``xlsx`` to a file: a journal ``FILE.partial.jsonl`` while running, then the
      file is rendered from the complete set in discovery order (atomically) and the
      journal removed, so an interrupted and resumed run gives the same file;
    * ``csv``/``xlsx`` to standard output: rendered at the end.
    """

    def __init__(self, fmt: str, output: str | Path | None, stream: IO | None = None):
        if fmt not in ("jsonl", "csv", "xlsx"):
            raise ConfigError(f"unknown format {fmt!r}; choose jsonl, csv or xlsx")
        self.fmt = fmt
        self.output = Path(output) if output else None
        self.stream = stream if stream is not None else sys.stdout
        self.journal: Journal | None = None
        if self.output is not None:
            self.journal = Journal(self.output if fmt == "jsonl" else self.partial_path(self.output))

    @staticmethod
    def partial_path(output: Path) -> Path:
        return output.with_name(output.name + ".partial.jsonl")

    def listener(self, then: Listener | None = None) -> Listener:
        """A listener that streams JSON lines to standard output when that is the target."""
        from .report import to_json_line

        stream_lines = self.fmt == "jsonl" and self.output is None

        def on_result(result: ReviewResult, source: str, stats: ScreenStats) -> None:
            if stream_lines:
                self.stream.write(to_json_line(result) + "\n")
                self.stream.flush()
            if then is not None:
                then(result, source, stats)

        return on_result

    def finish(self, results: list[ReviewResult]) -> None:
        """Render CSV/XLSX from the complete set (no-op for JSONL)."""
        from .report import write_csv, write_xlsx

        if self.fmt == "jsonl":
            return
        if self.output is None:
            if self.fmt == "csv":
                write_csv(results, self.stream)
            else:
                buf = getattr(self.stream, "buffer", self.stream)
                write_xlsx(results, buf)
                buf.flush()
            return
        tmp = self.output.with_name(f".{self.output.name}.{os.getpid()}.tmp")
        try:
            if self.fmt == "csv":
                with open(tmp, "w", newline="", encoding="utf-8") as fh:
                    write_csv(results, fh)
            else:
                write_xlsx(results, str(tmp))
            os.replace(tmp, self.output)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if self.journal is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal.path)
