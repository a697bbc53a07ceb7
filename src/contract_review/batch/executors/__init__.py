"""Executors run a screen run's tasks somewhere and stream their outcomes back: the
:data:`EXECUTORS` registry (``local``, ``ray``, and any plugin's), and what those with
workers elsewhere share: :class:`SubmitWindow`, the submit-and-wait loop, and
:func:`crash_outcome`, the result of a document whose worker died."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from ...registry import Registry
from ...schema import ErrorInfo, ReviewResult
from ..tasks import WAIT, Outcome, Task, check_drained
from ..worker import ScreenConfig

#: ``executor(config, tasks, workers, options)`` yields one outcome per task, in any order.
#: ``tasks`` is a :class:`~contract_review.batch.tasks.TaskQueue`: it may give ``WAIT``.
Executor = Callable[[ScreenConfig, Iterator[Task], int, dict], Iterator[Outcome]]

#: Executors by name. Built-in ones register exactly as a plugin's would (entry-point group
#: ``contract_review.executors``); the Ray one imports Ray only when it runs, so that
#: ``--executor ray`` without Ray says how to install it.
EXECUTORS: Registry[Executor] = Registry(
    "executor",
    builtins=("contract_review.batch.executors.local", "contract_review.batch.executors.ray"),
    group="executors",
)


def register_executor(name: str) -> Callable[[Executor], Executor]:
    """Register ``fn(config, tasks, workers, options) -> outcomes`` under ``name``."""
    return EXECUTORS.register(name)


def available_executors() -> list[str]:
    return EXECUTORS.names()


H = TypeVar("H")  # what a submission gives back to wait on: a future, a Ray object ref


class SubmitWindow(ABC, Generic[H]):
    """The loop of an executor whose workers run elsewhere: submit tasks in queue order, at
    most ``width`` in flight, wait for some to finish and yield their outcomes. ``WAIT``
    from the queue means: submit nothing more until the next outcome (whose recording may
    push the task it waits for). Subclasses say how to submit, wait and collect."""

    def __init__(self, width: int):
        self.width = width
        self.inflight: dict[H, Task] = {}

    @abstractmethod
    def submit(self, task: Task) -> H: ...

    @abstractmethod
    def wait(self) -> Iterable[H]:
        """Block until at least one of :attr:`inflight` has finished; the finished ones."""

    @abstractmethod
    def collect(self, done: list[tuple[H, Task]]) -> Iterator[Outcome]:
        """The outcomes of finished submissions (already out of :attr:`inflight`)."""

    def run(self, tasks: Iterator[Task]) -> Iterator[Outcome]:
        exhausted = False
        while True:
            exhausted = self._fill(tasks, exhausted)
            if not self.inflight:
                check_drained(exhausted)
                return
            done = [(h, self.inflight.pop(h)) for h in self.wait()]
            yield from self.collect(done)

    def _fill(self, tasks: Iterator[Task], exhausted: bool) -> bool:
        """Submit until the window is full, the queue says WAIT or is used up (returns True)."""
        while not exhausted and len(self.inflight) < self.width:
            task = next(tasks, None)
            if task is None:
                return True
            if task is WAIT:
                break
            self.inflight[self.submit(task)] = task
        return exhausted


def crash_outcome(config: ScreenConfig, task: Task, message: str, code: str = "worker_crashed") -> Outcome:
    """``worker_crashed`` (or ``code``) for ``task``: its worker died, or was stopped (the
    main process writes this row)."""
    result = ReviewResult(
        file=Path(task.path).name,
        path=task.path,
        sha256=task.sha256,
        status="error",
        error=ErrorInfo(code=code, message=message),
        extractor=config.extractor,
        prompt_version=config.prompt_version,
        playbook=getattr(config.playbook, "name", None),
    )
    return Outcome(task=task.without_content(), result=result)
