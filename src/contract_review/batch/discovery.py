"""Which files a screen run reads: :func:`discover` turns the files and folders given on the
command line (or in the UI) into the list of documents, in a stable order, with what could
not be listed or is not to be read reported, never dropped (:class:`Discovered`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import DocumentError, UnreadableDocument, UnsupportedType
from ..loaders import supported_extensions


class Discovered(list[str]):
    """The paths of a run, in order. ``problems`` holds the entries that get an error row
    instead of a review (their paths are in the list too, where they were met): a folder
    that cannot be read, a symbolic link out of the folder it is in."""

    def __init__(self, paths: Iterable[str] = (), problems: dict[str, DocumentError] | None = None) -> None:
        super().__init__(paths)
        self.problems: dict[str, DocumentError] = dict(problems or {})


def discover(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> Discovered:
    """Files named directly are kept whatever their type (an unsupported one, or one that
    is no regular file, gets its typed error); folders are walked recursively for supported
    extensions (case-insensitive, trailing spaces after the extension allowed), skipping
    hidden files and folders and Office lock files (``~$x.docx``). Sorted within each
    folder, no duplicates.

    A sub-folder that cannot be read is an ``unreadable`` entry. A symbolic link (to a file
    or a folder) whose target is outside the folder given is an ``unsupported_type`` entry
    unless ``follow_symlinks``; links inside it are read (each target once)."""
    found = Discovered()
    for given in paths:
        given = str(given)
        if os.path.isdir(given):
            _walk(given, found, follow_symlinks)
        else:
            found.append(given)
    unique = Discovered(problems=found.problems)
    seen: set[str] = set()
    for p in found:
        key = os.path.normpath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _walk(top: str, found: Discovered, follow: bool) -> None:
    exts = set(supported_extensions())
    root_real = os.path.realpath(top)
    visited: set[str] = set()  # real paths of the folders walked (a followed link may loop)

    def unreadable(e: OSError) -> None:
        path = str(e.filename or top)
        found.append(path)
        found.problems[path] = UnreadableDocument(f"cannot read folder: {e.strerror or e}")

    for root, dirs, files in os.walk(top, onerror=unreadable, followlinks=follow):
        real = os.path.realpath(root)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        keep = []
        for d in sorted(x for x in dirs if not x.startswith(".")):
            path = os.path.join(root, d)
            if os.path.islink(path) and not follow:
                _report_link(path, root_real, found)  # os.walk does not go into it
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            if name.startswith((".", "~$")) or Path(name).suffix.lower().rstrip() not in exts:
                continue
            path = os.path.join(root, name)
            if os.path.islink(path) and not follow and not _inside(os.path.realpath(path), root_real):
                _report_link(path, root_real, found)
            else:
                found.append(path)


def _report_link(path: str, root_real: str, found: Discovered) -> None:
    """A symbolic link met in a walk without ``follow_symlinks``: one out of the folder is
    an error entry; a folder link inside it is nothing (its files are listed where they are)."""
    target = os.path.realpath(path)
    if _inside(target, root_real):
        return
    found.append(path)
    found.problems[path] = UnsupportedType(
        f"a symbolic link to {target}, outside the folder being screened: not followed "
        "(pass --follow-symlinks to read it)"
    )


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
