"""Batch screening: many files, parallel workers, one JSON line per document, resumable.

How a run goes (:func:`screen_files`, carried out by :class:`~.run.Screening`):

1. :func:`discover` lists the files (folders recursively, sorted).
2. The main process reads and hashes each file (SHA-256, fast) and looks it up, in this
   order, in the output journal of an interrupted run (same path, same bytes, same
   extractor and playbook; :mod:`.journal`) and in the result cache
   (``settings.cache_path/screen``, keyed by :func:`cache_key`: file hash + extractor +
   prompt version + playbook content + package version and source + the settings that
   change a result; :mod:`.cache`). What is found is not recomputed.
3. The rest are :class:`Task` objects (:mod:`.tasks`) run by an *executor* from the
   :data:`EXECUTORS` registry (:mod:`.executors`; ``local``: worker processes, or
   in-process with one worker; ``ray``: Ray tasks). Every executor runs the same
   per-document function, :func:`run_task` (:mod:`.worker`), whose
   :class:`~contract_review.pipeline.Reviewer` is built once per worker process. With
   several workers, a long PDF (more than ``2 x split_pdf_pages`` pages) is read in page
   ranges by all workers at once, then reviewed whole by one of them (:class:`TaskQueue`);
   the result is the same as reading it in one piece.
4. Each result is appended to the journal as one complete JSON line, flushed and fsynced,
   and stored in the cache. A ``kill -9`` loses at most the documents in flight; the same
   command run again finishes the rest, without duplicates. :class:`Progress` and
   :class:`ScreenOutput` show and write the results.

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

from .cache import CACHE_FORMAT, CACHEABLE_ERRORS, RESULT_SETTINGS, ResultCache, cache_key, package_fingerprint
from .discovery import discover
from .executors import EXECUTORS, Executor, available_executors, register_executor
from .journal import Journal, JournalBusy
from .output import ScreenOutput
from .progress import Progress
from .run import Listener, Screening, ScreenRun, ScreenStats, default_workers, screen_files, screen_iter
from .tasks import WAIT, IndexPayload, Outcome, Task, TaskQueue
from .worker import ScreenConfig, run_task

__all__ = [
    "CACHEABLE_ERRORS",
    "CACHE_FORMAT",
    "EXECUTORS",
    "RESULT_SETTINGS",
    "WAIT",
    "Executor",
    "IndexPayload",
    "Journal",
    "JournalBusy",
    "Listener",
    "Outcome",
    "Progress",
    "ResultCache",
    "ScreenConfig",
    "ScreenOutput",
    "ScreenRun",
    "ScreenStats",
    "Screening",
    "Task",
    "TaskQueue",
    "available_executors",
    "cache_key",
    "default_workers",
    "discover",
    "package_fingerprint",
    "register_executor",
    "run_task",
    "screen_files",
    "screen_iter",
]
