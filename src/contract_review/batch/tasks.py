"""The units of work of a screen run and their order: :class:`Task` (one document, or one
page range of a large PDF), :class:`Outcome` (what a worker sends back), the
:class:`TaskQueue` executors read, and :class:`SplitDocuments`, the large PDFs being read
in parts."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DocumentError
from ..schema import ReviewResult
from ..settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store


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

    def without_content(self) -> Task:
        """The task without its bytes or texts (it travels back to the main process)."""
        return Task(
            path=self.path, sha256=self.sha256, key=self.key, index=self.index, attempts=self.attempts, part=self.part
        )


@dataclass
class IndexPayload:
    """Chunks and their embeddings, computed in a worker, written to the store by the main process."""

    sha256: str
    ids: list[str]
    documents: list[str]
    metadatas: list[dict]
    embeddings: list[list[float]]

    def write_to(self, store: Store) -> int:
        """Write into ``store`` (all or nothing) unless that file is indexed already; the
        number of chunks added."""
        file = self.metadatas[0].get("file", "") if self.metadatas else ""
        return store.write(self.sha256, self.ids, self.documents, self.metadatas, self.embeddings, file=file)


@dataclass
class Outcome:
    """What a worker sends back: the document's ``result``, or for a part task that read
    its pages, their ``texts`` (and no result; a part that fails has an error result)."""

    task: Task
    result: ReviewResult | None
    seconds: float = 0.0
    payload: IndexPayload | None = None
    texts: list[str] | None = None


def page_ranges(task: Task, settings: Settings, size: int) -> list[tuple[int, int]] | None:
    """Page ranges of ``size`` pages for a PDF of more than ``2 x size`` pages, else None.
    Counting pages takes milliseconds; a file that cannot be opened is not split (its
    worker gives the typed error)."""
    from ..loaders import pdf_page_count

    if size <= 0 or task.data is None or Path(task.path).suffix.lower().rstrip() != ".pdf":
        return None
    try:
        n = pdf_page_count(task.data, settings)
    except DocumentError:
        return None
    if n <= 2 * size:
        return None
    return [(start, min(start + size, n)) for start in range(0, n, size)]


@dataclass
class _Split:
    """A large PDF being read in parts: the document's task and the texts received so far."""

    task: Task
    count: int
    parts: dict[int, list[str]] = field(default_factory=dict)
    done: bool = False


class SplitDocuments:
    """The large PDFs of a run being read in page ranges by all workers at once (one
    150-page filing would otherwise keep one worker busy long after the others have
    finished). ``pending`` counts those not settled yet."""

    def __init__(self) -> None:
        self._docs: dict[str, _Split] = {}
        self.pending = 0

    def split(self, task: Task, ranges: list[tuple[int, int]]) -> list[Task]:
        """Register ``task`` as read in ``ranges``; the part tasks."""
        self._docs[task.path] = _Split(task=task.without_content(), count=len(ranges))
        self.pending += 1
        return [dataclasses.replace(task, part=r) for r in ranges]

    def settle(self, outcome: Outcome) -> bool:
        """A part that failed: True the first time (its error result is the whole document's
        verdict, to record), False once the document is settled already."""
        split = self._docs[outcome.task.path]
        if split.done:
            return False
        self._finish(split)
        return True

    def add(self, outcome: Outcome) -> Task | None:
        """A part that was read: keep its texts; once every part is, the task that reviews
        the whole document (its pages in order). Nothing once the document is settled."""
        split = self._docs[outcome.task.path]
        if split.done:  # another part already failed
            return None
        assert outcome.task.part is not None
        split.parts[outcome.task.part[0]] = outcome.texts or []
        if len(split.parts) < split.count:
            return None
        self._finish(split)
        from ..loaders import join_parts

        texts = join_parts(split.parts[start] for start in sorted(split.parts))
        return dataclasses.replace(split.task, texts=texts)

    def _finish(self, split: _Split) -> None:
        split.done = True
        self.pending -= 1


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

    def __init__(self, planned: Iterable[Task], splits: SplitDocuments | None = None):
        self._planned: Iterator[Task] | None = iter(planned)
        self._ready: deque[Task] = deque()
        self._splits = splits

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
        if self._splits is not None and self._splits.pending:
            return WAIT
        raise StopIteration

    def push(self, task: Task) -> None:
        self._ready.append(task)


def check_drained(exhausted: bool) -> None:
    """An executor got :data:`WAIT` with nothing in flight: unless the queue is used up, no
    outcome can ever bring the follow-up."""
    if not exhausted:
        raise RuntimeError("screen: the task queue is waiting for parts but none is being read")
