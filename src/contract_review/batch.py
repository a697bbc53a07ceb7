"""Batch screening: many files, parallel workers, one JSON line per document."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from .loaders import supported_extensions
from .pipeline import Reviewer
from .schema import ReviewResult


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Files named directly are kept whatever their type (an unsupported one gets its typed
    error); folders are walked recursively for supported extensions. Sorted, no duplicates."""
    exts = set(supported_extensions())
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        given = str(given)
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs.sort()
                for name in sorted(files):
                    if Path(name).suffix.lower().rstrip() in exts:
                        out.append(os.path.join(root, name))
        else:
            out.append(given)
    return [p for p in out if not (p in seen or seen.add(p))]


_WORKER: Reviewer | None = None


def _init_worker(kwargs: dict) -> None:
    global _WORKER
    _WORKER = Reviewer(**kwargs)


def _review_in_worker(path: str) -> ReviewResult:
    assert _WORKER is not None
    return _WORKER.review(path)


def screen_iter(files: list[str], reviewer_kwargs: dict, workers: int = 1) -> Iterator[ReviewResult]:
    """Yield one result per file as it finishes (in completion order when parallel)."""
    if workers <= 1 or len(files) <= 1:
        reviewer = Reviewer(**reviewer_kwargs)
        for f in files:
            yield reviewer.review(f)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(reviewer_kwargs,)) as pool:
        futures = {pool.submit(_review_in_worker, f): f for f in files}
        for fut in as_completed(futures):
            yield fut.result()
