"""Which files a screen run reads: :func:`discover` turns the files and folders given on the
command line (or in the UI) into the list of documents, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..loaders import supported_extensions


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Files named directly are kept whatever their type (an unsupported one gets its typed
    error); folders are walked recursively for supported extensions (case-insensitive,
    trailing spaces after the extension allowed), skipping hidden files and folders and
    Office lock files (``~$x.docx``). Sorted within each folder, no duplicates."""
    exts = set(supported_extensions())
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        given = str(given)
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith((".", "~$")):
                        continue
                    if Path(name).suffix.lower().rstrip() in exts:
                        out.append(os.path.join(root, name))
        else:
            out.append(given)
    unique = []
    for p in out:
        key = os.path.normpath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
