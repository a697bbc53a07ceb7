"""The ``local`` executor: in the calling process with one worker (documents in batches
when the extractor has ``extract_batch``), else a pool of spawned worker processes that
replaces one that dies and finds the document that killed it."""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from ..tasks import WAIT, Outcome, Task, check_drained
from ..worker import ScreenConfig, freeze_long_lived, limit_threads, run_task, worker_for
from . import SubmitWindow, crash_outcome, register_executor

log = logging.getLogger(__name__)


@register_executor("local")
def local_executor(config: ScreenConfig, tasks: Iterator[Task], workers: int, options: dict) -> Iterator[Outcome]:
    """In-process with one worker; otherwise a pool of ``workers`` processes (spawned, so no
    thread or client state of the main process is forked), at most ``2 x workers`` documents
    in flight. A process that dies is replaced; the documents it may have been reading are
    re-run one at a time in a fresh process to find the one that kills it (``worker_crashed``)."""
    if workers <= 1:
        yield from run_in_process(config, tasks)
        return
    pool = ProcessPoolWindow(config, workers)
    try:
        yield from pool.run(tasks)
    finally:
        pool.close()


def run_in_process(config: ScreenConfig, tasks: Iterator[Task]) -> Iterator[Outcome]:
    """Every task in this process, one after the other (or a batch at a time), with the GC
    frozen while the run goes on."""
    worker = worker_for(config)
    if not gc.get_freeze_count():  # a worker built by an earlier run, which unfroze at its end
        freeze_long_lived()
    try:
        if worker.batch_size > 1:
            while batch := list(itertools.islice(tasks, worker.batch_size)):
                yield from worker.run_batch(batch)
        else:
            for task in tasks:
                if task is WAIT:  # in-process, every outcome is recorded before the next task
                    check_drained(False)
                yield worker.run(task)
    finally:
        gc.unfreeze()


def _pool_init(config: ScreenConfig) -> None:
    if config.threads_per_worker:
        limit_threads(config.threads_per_worker)
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _pool_run(config: ScreenConfig, task: Task) -> Outcome:
    return run_task(config, task)


class ProcessPoolWindow(SubmitWindow[Future]):
    """Tasks submitted to a :class:`ProcessPoolExecutor`, ``2 x workers`` in flight. When a
    process dies the pool is broken: every document in flight is re-run alone, then a new
    pool takes over."""

    def __init__(self, config: ScreenConfig, workers: int):
        super().__init__(2 * workers)
        self.config = config
        self.workers = workers
        self._ctx = multiprocessing.get_context("spawn")
        self.pool = self.new_pool(workers)
        self._started: dict[Future, float] = {}  # when each future was seen running

    def new_pool(self, n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=self._ctx, initializer=_pool_init, initargs=(self.config,))

    def submit(self, task: Task) -> Future:
        return self.pool.submit(_pool_run, self.config, task)

    def wait(self) -> Iterable[Future]:
        """The finished futures. With a time budget, a document still running well past it
        (stuck where the worker's own timer cannot interrupt it) gets its worker processes
        killed: the pool breaks and every document in flight is re-run alone, the stuck
        one with a deadline (:func:`run_isolated`)."""
        limit = hard_limit(self.config)
        while True:
            done, _ = wait(list(self.inflight), timeout=limit and min(limit / 4, 5.0), return_when=FIRST_COMPLETED)
            if done or limit is None:
                return done
            now = time.monotonic()
            for fut in self.inflight:
                if fut.running():
                    self._started.setdefault(fut, now)
            if any(now - t > limit for f, t in self._started.items() if f in self.inflight):
                log.error("a document has run for more than %.0f s: stopping its worker processes", limit)
                kill_processes(self.pool)

    def collect(self, done: list[tuple[Future, Task]]) -> Iterator[Outcome]:
        crashed: list[Task] = []
        for fut, task in done:
            self._started.pop(fut, None)
            try:
                outcome = fut.result()
            except BrokenProcessPool:
                crashed.append(task)
            else:
                yield outcome
        if crashed:
            yield from self._recover(crashed)

    def _recover(self, crashed: list[Task]) -> Iterator[Outcome]:
        crashed.extend(self.inflight.values())  # every future of a broken pool fails
        self.inflight.clear()
        self._started.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        log.warning("a worker process died; re-running %d document(s) one at a time", len(crashed))
        for task in crashed:
            yield run_isolated(self.new_pool, self.config, task)
        self.pool = self.new_pool(self.workers)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def run_isolated(new_pool: Callable[[int], ProcessPoolExecutor], config: ScreenConfig, task: Task) -> Outcome:
    """``task`` alone in a fresh process: its outcome, ``worker_crashed`` if that dies too,
    or ``timeout`` if it runs past the hard limit (:func:`hard_limit`; its process is killed)."""
    solo = new_pool(1)
    try:
        return solo.submit(_pool_run, config, task).result(timeout=hard_limit(config))
    except BrokenProcessPool:
        log.error("the worker process died while reading %s", task.path)
        return crash_outcome(config, task, "the worker process died while reading this document (a parser crash?)")
    except FutureTimeout:
        log.error("%s was still running after %.0f s: its worker process is stopped", task.path, hard_limit(config))
        kill_processes(solo)
        budget = config.settings.time_budget
        return crash_outcome(
            config,
            task,
            f"not done within the per-document budget of {budget:g} s (time_budget); its worker process was stopped",
            code="timeout",
        )
    finally:
        solo.shutdown(wait=True, cancel_futures=True)


def hard_limit(config: ScreenConfig) -> float | None:
    """How long a document may run in a worker process before the process is killed: well
    past ``time_budget``, which the worker enforces itself whenever it can; None without one."""
    budget = config.settings.time_budget
    return budget * 1.5 + 10 if budget and budget > 0 else None


def kill_processes(pool: ProcessPoolExecutor) -> None:
    """Kill the worker processes of ``pool`` (which then reports itself broken).
    ``_processes`` is the executor's own table of them; there is no public one."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()
