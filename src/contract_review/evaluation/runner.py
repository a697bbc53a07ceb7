"""Review the labelled documents with the same pipeline as ``screen``
(:class:`~contract_review.pipeline.Reviewer`), in parallel worker processes, and check
while each document is still loaded that every citation in the result is verbatim text
of it (:func:`~contract_review.grounding.is_verbatim`)."""

from __future__ import annotations

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
    result = reviewer.review_document(doc)
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
    return Reviewed(ReviewResult(
        file=row.file, path=str(docs / row.file), status="error",
        error=ErrorInfo(code=MISSING_FILE, message=f"labelled file not found in {docs}"),
    ))


def review_labelled(
    rows: list[LabelRow], docs_dir: str | Path, reviewer_kwargs: dict, workers: int = 1,
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


def _review_iter(todo: dict[int, str], kwargs: dict, workers: int) -> Iterator[tuple[int, Reviewed]]:
    if workers <= 1 or len(todo) <= 1:
        reviewer = Reviewer(**kwargs)
        for i, path in todo.items():
            yield i, review_one(reviewer, path)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_init_worker,
                             initargs=(kwargs,)) as pool:
        futures = {pool.submit(_work, path): i for i, path in todo.items()}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
