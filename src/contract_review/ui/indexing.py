"""Indexing a session's uploads for search in the background, after their findings are shown.

One :class:`BackgroundIndexer` per session: a queue of indexing jobs run one after another
by a daemon thread (started when a job arrives, ended when the queue is empty). The page
never waits for it; the Search tab asks :meth:`BackgroundIndexer.pending` to say which
uploads are still being indexed. The thread holds the jobs, never the session's workspace,
so a session that ends is still freed; :meth:`stop` drops the jobs not yet started, and a
job that fails (its session's folder deleted under it, say) is recorded, not raised: the
server and the other sessions go on. The store writes a document all or nothing, so a job
cut short leaves that document unindexed, never half-indexed.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: deque[tuple[str, Callable[[], object]]] = deque()
        self._running: str | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.errors: list[str] = []
        self.done: list[str] = []

    def submit(self, name: str, job: Callable[[], object]) -> None:
        """Run ``job`` (indexing the upload ``name``) after the jobs already queued."""
        with self._lock:
            if self._stopped:
                return
            self._queue.append((name, job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="contract-review-indexer", daemon=True)
                self._thread.start()

    def pending(self) -> list[str]:
        """The uploads still being indexed or waiting to be, in order."""
        with self._lock:
            return ([self._running] if self._running else []) + [name for name, _ in self._queue]

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to index (``False`` on timeout)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._thread is None, timeout)

    def stop(self) -> None:
        """Drop the jobs not started yet; the one running finishes or fails on its own."""
        with self._lock:
            self._stopped = True
            self._queue.clear()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._stopped:
                    self._running, self._thread = None, None
                    self._idle.notify_all()
                    return
                name, job = self._queue.popleft()
                self._running = name
            try:
                job()
            except Exception as e:  # noqa: BLE001 - a failed background index must not take the server down
                if not self._stopped:  # a session that ended took its store with it: nothing to report
                    log.warning("indexing %s for search failed: %s", name, e, exc_info=True)
                    with self._lock:
                        self.errors.append(f"{name}: {type(e).__name__}: {e}")
            else:
                with self._lock:
                    self.done.append(name)
            with self._lock:
                self._running = None
