"""Review the labelled documents with the same pipeline as ``screen``
(:class:`~contract_review.pipeline.Reviewer`), in parallel worker processes, and check
while each document is still loaded that every citation in the result is verbatim text
of it (:func:`~contract_review.grounding.is_verbatim`).

This is a small runner of its own rather than ``batch.screen_files`` because the grounding
check needs the loaded document, and loading (PDF parsing) is most of the cost: reloading
every document afterwards would double an eval's time. What it shares with ``screen``: the
per-document pipeline, typed document errors, ``internal_error`` for a bug on one document
(logged with its traceback, reported, never silent: it fails the gate), and largest files
first so that no big file runs alone at the end. It does not use the result cache: an eval
measures the code as it is now.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError
from ..grounding import is_verbatim
from ..loaders import supported_extensions
from ..pipeline import Reviewer
from ..schema import Citation, ErrorInfo, ReviewResult
from .labels import DocIndex, LabelError, LabelRow

MISSING_FILE = "missing_file"
INTERNAL_ERROR = "internal_error"

log = logging.getLogger(__name__)


@dataclass
class Reviewed:
    """One labelled document after review."""

    result: ReviewResult
    citations: int = 0
    verbatim: int = 0
    not_verbatim: list[str] = field(default_factory=list)


def result_citations(result: ReviewResult) -> list[Citation]:
    """Every citation the result shows a user: the profile's and the findings'."""
    cites = result.profile.all_citations() if result.profile else []
    for f in result.findings:
        cites.extend(f.evidence)
    return cites


def review_one(reviewer: Reviewer, path: str) -> Reviewed:
    try:
        doc = reviewer.load(path)
    except DocumentError:
        # Let the pipeline build its own typed error result, exactly as ``screen`` shows it.
        return Reviewed(reviewer.review(path))
    try:
        result = reviewer.review_document(doc)
    except Exception as e:  # a bug on one document is reported for it; the eval goes on
        log.error("internal error on %s:\n%s", path, traceback.format_exc())
        return Reviewed(
            ReviewResult(
                file=doc.name,
                path=doc.path,
                sha256=doc.sha256,
                pages=len(doc.pages),
                status="error",
                extractor=reviewer.extractor.name,
                prompt_version=reviewer.extractor.prompt_version,
                playbook=reviewer.playbook.name,
                error=ErrorInfo(code=INTERNAL_ERROR, message=f"{type(e).__name__}: {e}"),
            )
        )
    out = Reviewed(result)
    for c in result_citations(result):
        out.citations += 1
        if is_verbatim(doc, c):
            out.verbatim += 1
        else:
            out.not_verbatim.append(c.quote)
    return out


_WORKER: Reviewer | None = None


def _init_worker(kwargs: dict) -> None:
    global _WORKER
    _WORKER = Reviewer(**kwargs)


def _work(path: str) -> Reviewed:
    assert _WORKER is not None
    return review_one(_WORKER, path)


def _missing(row: LabelRow, docs: Path) -> Reviewed:
    return Reviewed(
        ReviewResult(
            file=row.file,
            path=str(docs / row.file),
            status="error",
            error=ErrorInfo(code=MISSING_FILE, message=f"labelled file not found in {docs}"),
        )
    )


def review_labelled(
    rows: list[LabelRow],
    docs_dir: str | Path,
    reviewer_kwargs: dict,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[LabelRow, Reviewed]]:
    """Review the document of every row; rows come back in label order. A labelled file
    that is not in ``docs_dir`` gives an error result with code ``missing_file``; when no
    labelled file is there at all the labels and folder do not belong together
    (:class:`LabelError`)."""
    docs = Path(docs_dir)
    exts = [".pdf", ".docx", *[e for e in supported_extensions() if e not in (".pdf", ".docx")]]
    index = DocIndex(docs, exts)
    paths = {i: index.resolve(row.file) for i, row in enumerate(rows)}
    todo = {i: str(p) for i, p in paths.items() if p is not None}
    if not todo:
        raise LabelError(f"none of the {len(rows)} labelled files is in {docs}")
    done: dict[int, Reviewed] = {i: _missing(rows[i], docs) for i, p in paths.items() if p is None}
    for n, (i, reviewed) in enumerate(_review_iter(todo, reviewer_kwargs, workers), 1):
        done[i] = reviewed
        if progress:
            progress(n, len(todo))
    return [(row, done[i]) for i, row in enumerate(rows)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _review_iter(todo: dict[int, str], kwargs: dict, workers: int) -> Iterator[tuple[int, Reviewed]]:
    if workers <= 1 or len(todo) <= 1:
        reviewer = Reviewer(**kwargs)
        for i, path in todo.items():
            yield i, review_one(reviewer, path)
        return
    largest_first = sorted(todo.items(), key=lambda item: -_size(item[1]))
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_init_worker, initargs=(kwargs,)) as pool:
        futures = {pool.submit(_work, path): i for i, path in largest_first}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
