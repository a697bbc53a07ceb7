"""A screen run from start to end: :func:`screen_files` builds a :class:`Screening` (the
run as an object with named steps: plan, record, collect the parts of split PDFs) and
returns its :class:`ScreenRun`, the results in discovery order and their
:class:`ScreenStats`."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DocumentError
from ..loaders import open_regular
from ..schema import SEVERITY_ORDER, ErrorInfo, ReviewResult
from ..settings import Settings
from .cache import ResultCache, cache_key
from .executors import EXECUTORS
from .journal import Journal
from .tasks import Outcome, SplitDocuments, Task, TaskQueue, page_ranges
from .worker import ScreenConfig

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

log = logging.getLogger(__name__)

#: Where a recorded result comes from (the :class:`ScreenStats` counter of each).
COMPUTED, CACHED, RESUMED = "computed", "cached", "resumed"


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
    ocr_pages: int = 0  # pages read by OCR (computed results), and the time it took
    ocr_seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def count(self, result: ReviewResult, source: str) -> None:
        """One more result, from ``source`` (computed, cached or resumed)."""
        self.done += 1
        self.errors += result.status == "error"
        setattr(self, source, getattr(self, source) + 1)
        if source == COMPUTED:
            self.pages_computed += result.pages or 0
            self.ocr_pages += len(result.ocr_pages)
            self.ocr_seconds += sum(o.seconds for o in result.ocr_pages)


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


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Screening:
    """One run of :func:`screen_files`, built from its arguments (which it checks: the
    executor, the Ray address, the playbook and the extractor) and carried out by
    :meth:`run`: open the journal, :meth:`plan` the tasks, let the executor run them and
    :meth:`record` every result as it comes back."""

    def __init__(
        self,
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
    ):
        from ..checks import load_playbook
        from ..pipeline import Reviewer
        from ..playbook import Playbook

        self.execute = EXECUTORS.get_or_fail(executor)
        self.executor_options = executor_options or {}
        if executor == "ray" and self.executor_options.get("ray_address"):
            from .executors.ray import check_reachable

            check_reachable(self.executor_options["ray_address"])  # before the output is opened
        self.files, self.settings, self.index, self.force = files, settings, index, force
        self._wanted = set(files)
        self.journal, self.listener = journal, listener
        self.playbook = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
        self.extractor = Reviewer(settings, extractor=extractor, playbook=self.playbook).extractor  # validates it
        if self.extractor.needs_store and not settings.chroma_url and (workers > 1 or executor != "local"):
            log.warning(
                "the %s extractor reads the embedded store, which one process must own: using 1 worker",
                self.extractor.name,
            )
            workers, executor = 1, "local"
            self.execute = EXECUTORS[executor]
        self.workers = workers
        self.remote = executor != "local" or workers > 1
        self.config = self._config(extractor, executor)
        self.store = self._main_store()
        self.cache = ResultCache(settings.cache_path / "screen")
        self.stats = ScreenStats(total=len(files))
        self.by_path: dict[str, ReviewResult] = {}
        self.previous: dict[str, ReviewResult] = {}  # the usable lines of an interrupted run
        self.superseded = False  # a line of the interrupted run was replaced: compact at the end
        # A large PDF is read in page ranges by all workers at once (only with several).
        self.split_pages = settings.split_pdf_pages if self.remote else 0
        self.splits = SplitDocuments()

    def _config(self, extractor: str, executor: str) -> ScreenConfig:
        cpus = default_workers()
        return ScreenConfig(
            settings=self.settings,
            extractor=extractor,
            playbook=self.playbook,
            index=self.index,
            embed_only=self.index and self.remote and not self.settings.chroma_url,
            threads_per_worker=max(1, cpus // self.workers) if self.workers > 1 and executor == "local" else None,
            prompt_version=self.extractor.prompt_version,
        )

    def _main_store(self) -> Store | None:
        """The main process's store: ``is_indexed`` checks and the writes of embed-only workers."""
        if not self.index:
            return None
        from ..store import Store

        return Store(self.settings)

    # -- the run ------------------------------------------------------------------------
    def run(self) -> ScreenRun:
        self.previous = self.journal.open(keep=self._keep, fresh=self.force) if self.journal else {}
        queue = TaskQueue(self.plan(), self.splits)
        try:
            for outcome in self.execute(self.config, queue, self.workers, self.executor_options):
                if outcome.task.part is not None:
                    self._collect_part(outcome, queue)
                else:
                    assert outcome.result is not None  # only a part that was read has none
                    self.record(outcome.result, COMPUTED, outcome)
            if self.journal is not None and (self.superseded or self.journal.lines != len(self.by_path)):
                self.journal.compact(self._in_order())
        finally:
            if self.journal is not None:
                self.journal.close()
        return ScreenRun(results=list(self._in_order()), stats=self.stats)

    def _in_order(self) -> Iterator[ReviewResult]:
        return (self.by_path[p] for p in self.files if p in self.by_path)

    def _keep(self, r: ReviewResult) -> bool:
        """A line of an interrupted run that can be resumed: a file of this run, reviewed
        with the same extractor and playbook."""
        return r.path in self._wanted and r.extractor == self.extractor.name and r.playbook == self.playbook.name

    # -- planning -----------------------------------------------------------------------
    def plan(self) -> Iterator[Task]:
        """The tasks of the files not found in the journal or the cache (those are recorded
        as they are met). With several workers, the largest files go first so that no big
        file is left running alone at the end (longest-processing-time-first scheduling);
        outputs keep their order."""
        order = sorted(self.files, key=_size, reverse=True) if self.remote else self.files
        problems = getattr(self.files, "problems", {})  # what discovery reports instead of reading
        for path in order:
            if path in problems:
                self.record(self._problem(path, problems[path]), COMPUTED)
                continue
            data, sha = self._read(path)
            key = self._key(sha) if sha else None
            if not self.force and sha and key and self._reuse(path, sha, key):
                continue
            # A worker that writes the store checks it before embedding; one that only embeds
            # (several processes, embedded store) is told here, so nothing is embedded twice.
            task = Task(
                path=path,
                data=data,
                sha256=sha,
                key=key,
                index=self.index and (not self.config.embed_only or not sha or self._needs_index(sha)),
            )
            ranges = page_ranges(task, self.settings, self.split_pages)
            if ranges:
                self.stats.split += 1
                self.stats.parts += len(ranges)
                yield from self.splits.split(task, ranges)
            else:
                yield task

    def _read(self, path: str) -> tuple[bytes | None, str | None]:
        """The file's bytes and SHA-256, or nothing: a worker raises the typed error
        (unreadable, too large, unsupported...)."""
        try:
            _n, data = open_regular(path, self.settings.max_bytes)  # never opens a FIFO or a device
        except (OSError, DocumentError):
            return None, None
        return (data, hashlib.sha256(data).hexdigest()) if data is not None else (None, None)

    def _problem(self, path: str, error: DocumentError) -> ReviewResult:
        """The error row of an entry discovery reported (an unreadable folder...)."""
        return ReviewResult(
            file=Path(path).name,
            path=path,
            status="error",
            error=ErrorInfo(code=error.code, message=error.message),
            extractor=self.extractor.name,
            prompt_version=self.extractor.prompt_version,
            playbook=self.playbook.name,
        )

    def _key(self, sha: str) -> str:
        ext = self.extractor
        return cache_key(
            sha, extractor=ext.name, prompt_version=ext.prompt_version, playbook=self.playbook, settings=self.settings
        )

    def _reuse(self, path: str, sha: str, key: str) -> bool:
        """Record the file's result from the interrupted run or the cache, if there is one.
        The cache key covers everything that changes a result (code, settings, playbook...),
        so a line of an interrupted run is reused only with a cache hit."""
        hit = self.cache.get(key)
        if hit is None or self._needs_index(sha):
            return False
        old = self.previous.get(path)
        if old is not None and old.sha256 == sha:
            self.record(old, RESUMED)
        else:
            self.record(hit.model_copy(update={"file": Path(path).name, "path": path}), CACHED)
        return True

    def _needs_index(self, sha: str | None) -> bool:
        return bool(self.index and sha and self.store is not None and not self.store.is_indexed(sha))

    # -- results ------------------------------------------------------------------------
    def record(self, result: ReviewResult, source: str, outcome: Outcome | None = None) -> None:
        """Keep one document's result: in the cache (computed ones, before the journal, so
        a line always has its cache entry), the journal, the store (an embed-only worker's
        chunks), the statistics and the listener."""
        if outcome is not None and outcome.task.key and source == COMPUTED:
            self.cache.put(outcome.task.key, result)
        if source != RESUMED and self.journal is not None:
            if result.path in self.previous:
                self.superseded = True
            self.journal.append(result)
        if outcome is not None and outcome.payload is not None and self.store is not None:
            self.stats.chunks_indexed += outcome.payload.write_to(self.store)
        self.by_path[result.path] = result
        self.stats.count(result, source)
        if self.listener:
            self.listener(result, source, self.stats)

    def _collect_part(self, outcome: Outcome, queue: TaskQueue) -> None:
        """A part of a split PDF is back: a part that failed is the document's verdict; once
        every part is read, the review of the whole document is queued."""
        if outcome.result is not None:
            if self.splits.settle(outcome):
                self.record(outcome.result, COMPUTED, outcome)
        elif (whole := self.splits.add(outcome)) is not None:
            queue.push(whole)


def screen_files(files: list[str], settings: Settings, **options: Any) -> ScreenRun:
    """Review ``files``; see :mod:`contract_review.batch`. The options are
    :class:`Screening`'s: ``extractor``, ``playbook``, ``index``, ``workers``, ``executor``,
    ``executor_options``, ``journal`` (the output JSONL: append, resume; without one, results
    are only cached), ``force`` (ignore the journal and cache, and overwrite both) and
    ``listener`` (called in the main process for every result as it is recorded). Raises
    :class:`ConfigError` for an unknown executor or extractor."""
    return Screening(files, settings, **options).run()


def screen_iter(files: list[str], reviewer_kwargs: dict, workers: int = 1) -> Iterator[ReviewResult]:
    """Yield one result per file (discovery order), computed or from the cache. Kept for
    callers of the first API; :func:`screen_files` is the full one."""
    kw = dict(reviewer_kwargs)
    settings = kw.pop("settings", None) or Settings()
    yield from screen_files(files, settings, workers=workers, **kw).results
