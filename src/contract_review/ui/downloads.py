"""The files the page offers for download, built as bytes when a button is clicked: a
batch as CSV, XLSX or JSONL (the CLI's formats), one review as its Markdown report or JSON."""

from __future__ import annotations

import io
from collections.abc import Iterable

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
