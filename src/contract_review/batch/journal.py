"""The JSONL output of a screen run as a crash-safe, resumable record: :class:`Journal`
appends one complete, fsynced line per document and, on opening, gives back the usable
results of an interrupted run."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from ..errors import ConfigError
from ..schema import ReviewResult

log = logging.getLogger(__name__)


class JournalBusy(ConfigError):
    """Another ``screen`` is writing the same output file."""


class Journal:
    """The JSONL output as a crash-safe, resumable record: one complete line per document,
    appended, flushed and fsynced. :meth:`open` drops a partial last line (a crash in the
    middle of a write) and anything that does not parse, and holds an exclusive lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh: IO[str] | None = None
        self.lines = 0

    def open(self, keep: Callable[[ReviewResult], bool] | None = None, fresh: bool = False) -> dict[str, ReviewResult]:
        """Open for appending; return the usable results already there, by path (the last
        line for a path wins). With ``fresh`` the file starts empty."""
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+", encoding="utf-8", newline="\n")
        except OSError as e:
            raise ConfigError(f"cannot write the output {self.path}: {e.strerror or e}") from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise JournalBusy(f"{self.path} is being written by another screen run") from None
        self._fh = fh
        existing: dict[str, ReviewResult] = {}
        if not fresh:
            fh.seek(0)
            raw = fh.read()
            complete = raw[: raw.rfind("\n") + 1] if "\n" in raw else ""
            dirty = len(complete) != len(raw)
            n = 0
            for line in complete.splitlines():
                if not line.strip():
                    continue
                n += 1
                try:
                    r = ReviewResult.model_validate_json(line)
                except ValueError:
                    dirty = True
                    continue
                if keep is not None and not keep(r):
                    dirty = True
                    continue
                if r.path in existing:
                    dirty = True
                    existing.pop(r.path)
                existing[r.path] = r
            if dirty or fresh:
                self._rewrite(existing.values())
            if n:
                log.info("resuming %s: %d usable result(s) of %d line(s)", self.path, len(existing), n)
        else:
            self._rewrite([])
        self.lines = len(existing)
        return existing

    def _rewrite(self, results: Iterable[ReviewResult]) -> None:
        from ..report import to_json_line

        assert self._fh is not None
        self._fh.seek(0)
        self._fh.truncate()
        for r in results:
            self._fh.write(to_json_line(r) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def append(self, result: ReviewResult) -> None:
        from ..report import to_json_line

        assert self._fh is not None
        self._fh.write(to_json_line(result) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.lines += 1

    def compact(self, results: Iterable[ReviewResult]) -> None:
        """Rewrite with exactly ``results`` (after stale lines were superseded)."""
        results = list(results)
        self._rewrite(results)
        self.lines = len(results)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
