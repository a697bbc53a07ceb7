"""What the user sees while a screen run goes on: :class:`Progress`, a rich bar on a
terminal or one plain line per document on any other stderr."""

from __future__ import annotations

import sys
from typing import IO

from ..fmt import printable
from ..schema import ReviewResult
from .run import ScreenStats


class Progress:
    """What the user sees while a batch runs: a rich bar on a terminal (documents, pages/s,
    ETA, pages OCR'd and their time, errors so far), one plain line per document on a
    non-terminal stderr, or nothing."""

    def __init__(self, total: int, mode: str = "auto", stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "lines"
        self.mode = mode
        self.total = total
        self._bar = None
        if mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("screening"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} pages/s"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("{task.fields[ocr]}"),
                TextColumn("[red]{task.fields[errors]} error(s)"),
                console=Console(file=self.stream),
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,  # JSON lines go to the real stdout
            )
            self._task = self._bar.add_task("screen", total=total, rate="-", eta="-", ocr="", errors=0)

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    @staticmethod
    def _eta(stats: ScreenStats) -> str:
        if not stats.computed:
            return "-"
        left = (stats.total - stats.done) * stats.elapsed / max(stats.computed, 1)
        m, s = divmod(int(left), 60)
        return f"{m}:{s:02d}"

    @staticmethod
    def _ocr(stats: ScreenStats) -> str:
        return f"OCR {stats.ocr_pages}p {stats.ocr_seconds:.0f}s" if stats.ocr_pages else ""

    def __call__(self, result: ReviewResult, source: str, stats: ScreenStats) -> None:
        rate = stats.pages_computed / stats.elapsed if stats.elapsed > 0 else 0.0
        if self._bar:
            self._bar.update(
                self._task,
                completed=stats.done,
                rate=f"{rate:.1f}",
                eta=self._eta(stats),
                ocr=self._ocr(stats),
                errors=stats.errors,
            )
        elif self.mode == "lines":
            error = result.error if result.status == "error" else None
            what = f"error {error.code}" if error else "ok"
            extra = f" ({source})" if source != "computed" else ""
            pages = f" {result.pages}p" if result.pages else ""
            if result.ocr_pages:
                pages += f" (OCR {len(result.ocr_pages)}p {sum(o.seconds for o in result.ocr_pages):.1f}s)"
            print(
                f"screen [{stats.done}/{stats.total}] {what}{extra}{pages} {printable(result.path)}"
                + (f": {printable(error.message)}" if error else ""),
                file=self.stream,
                flush=True,
            )
