"""Where the results of a screen run go: :class:`ScreenOutput` streams JSON lines, keeps
the :class:`~contract_review.batch.journal.Journal` of an output file and renders CSV or
XLSX from the complete set at the end."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO

from ..errors import ConfigError
from ..schema import ReviewResult
from .journal import Journal
from .run import Listener, ScreenStats


class ScreenOutput:
    """Where results go, per format:

    * ``jsonl`` to a file: the file is the :class:`Journal` (appended as documents finish,
      resumed by the next run);
    * ``jsonl`` to standard output: one line per document as it finishes (resume comes
      from the cache);
    * ``csv``/``xlsx`` to a file: a journal ``FILE.partial.jsonl`` while running, then the
      file is rendered from the complete set in discovery order (atomically) and the
      journal removed, so an interrupted and resumed run gives the same file;
    * ``csv``/``xlsx`` to standard output: rendered at the end.
    """

    def __init__(self, fmt: str, output: str | Path | None, stream: IO | None = None):
        if fmt not in ("jsonl", "csv", "xlsx"):
            raise ConfigError(f"unknown format {fmt!r}; choose jsonl, csv or xlsx")
        self.fmt = fmt
        self.output = Path(output) if output else None
        self.stream = stream if stream is not None else sys.stdout
        self.journal: Journal | None = None
        if self.output is not None:
            self.journal = Journal(self.output if fmt == "jsonl" else self.partial_path(self.output))

    @staticmethod
    def partial_path(output: Path) -> Path:
        return output.with_name(output.name + ".partial.jsonl")

    def listener(self, then: Listener | None = None) -> Listener:
        """A listener that streams JSON lines to standard output when that is the target."""
        from ..report import to_json_line

        stream_lines = self.fmt == "jsonl" and self.output is None

        def on_result(result: ReviewResult, source: str, stats: ScreenStats) -> None:
            if stream_lines:
                self.stream.write(to_json_line(result) + "\n")
                self.stream.flush()
            if then is not None:
                then(result, source, stats)

        return on_result

    def finish(self, results: list[ReviewResult]) -> None:
        """Render CSV/XLSX from the complete set (no-op for JSONL)."""
        from ..report import write_csv, write_xlsx

        if self.fmt == "jsonl":
            return
        if self.output is None:
            if self.fmt == "csv":
                write_csv(results, self.stream)
            else:
                buf = getattr(self.stream, "buffer", self.stream)
                write_xlsx(results, buf)
                buf.flush()
            return
        tmp = self.output.with_name(f".{self.output.name}.{os.getpid()}.tmp")
        try:
            if self.fmt == "csv":
                with open(tmp, "w", newline="", encoding="utf-8") as fh:
                    write_csv(results, fh)
            else:
                write_xlsx(results, str(tmp))
            os.replace(tmp, self.output)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if self.journal is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal.path)
