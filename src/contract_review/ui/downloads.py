"""The files the page offers for download, built as bytes when a button is clicked: a
batch as CSV, XLSX or JSONL (the CLI's formats), one review as its Markdown report, JSON,
or a Word file (the reviewed draft for a DOCX upload, the review memo otherwise)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from ..checks.drafting import Audience
from ..redline import DEFAULT_AUTHOR, reviewed_docx
from ..report import render_text, to_json_line, write_csv, write_xlsx
from ..schema import ReviewResult


def jsonl_bytes(results: Iterable[ReviewResult]) -> bytes:
    """One JSON object per line, as ``contract-review screen --format jsonl`` writes them."""
    return "".join(to_json_line(r) + "\n" for r in results).encode("utf-8")


def report_markdown(result: ReviewResult) -> bytes:
    """The review as the Markdown report the CLI prints with ``--format md``."""
    return render_text(result, markdown=True).encode("utf-8")


def csv_bytes(results: list[ReviewResult]) -> bytes:
    buf = io.StringIO(newline="")
    write_csv(results, buf)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(results: list[ReviewResult]) -> bytes:
    buf = io.BytesIO()
    write_xlsx(results, buf)
    return buf.getvalue()


def word_download(result: ReviewResult, data: bytes | None) -> tuple[str, str]:
    """The label and file name of a review's Word download."""
    stem = result.file.rsplit(".", 1)[0]
    if data is not None and result.file.lower().endswith(".docx"):
        return "Reviewed draft (DOCX)", f"{stem}-reviewed.docx"
    return "Review memo (DOCX)", f"{stem}-review-memo.docx"


def word_bytes(result: ReviewResult, data: bytes | None, author: str = "", audience: Audience = "internal") -> bytes:
    """The reviewed draft with comments and tracked changes (a DOCX upload), else the memo."""
    return reviewed_docx(data, result, author=author.strip() or DEFAULT_AUTHOR, audience=audience)
