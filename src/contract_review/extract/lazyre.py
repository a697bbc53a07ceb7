"""Regular expressions compiled on first use (Django's ``_lazy_re_compile`` idea).

The rules extractor's vocabulary is some 150 patterns; compiling them all was most of the
time it took to import the checker (~70 ms). The 100 that :mod:`..lexicon` builds with its
``_c`` helper, and the term reader's (:mod:`.rules.contract_term`), are lazy
(:class:`LazyPattern`): a 30-page contract without an insurance section compiles a handful
of them, one with an insurance section most of the lexicon's. A lazy pattern keeps the source and
compiles it the first time a method or attribute is used; from then on its methods are the
compiled pattern's own bound methods, so a call costs what it costs on a compiled pattern.

A one-shot ``review`` waits for its document while PDFium parses it in a thread; it compiles
the patterns not yet compiled in that wait (:func:`compile_pending`), so that a contract with
an insurance section does not compile them after its parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: What a compiled pattern has that a lazy one hands over once compiled.
_FORWARD = (
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "split",
    "sub",
    "subn",
    "scanner",
    "flags",
    "groups",
    "groupindex",
)


#: Every lazy pattern made, in the order made (that of the lexicon, then the term reader).
_MADE: list[LazyPattern] = []


class LazyPattern:
    """``re.compile(pattern, flags)`` when first used. ``pattern`` is there without
    compiling (patterns are built from each other's source); anything else compiles it.
    Not an :class:`re.Pattern`: give ``.compiled`` to ``re`` functions that want one."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self._flags = flags
        _MADE.append(self)

    @property
    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        done = self.__dict__.get("_compiled")
        if done is None:
            done = re.compile(self.pattern, self._flags)  # a bad pattern raises re.error here
            for name in _FORWARD:  # instance attributes: later look-ups never reach __getattr__
                self.__dict__[name] = getattr(done, name)
            self.__dict__["_compiled"] = done
        return done

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet
        if name.startswith("__") or name not in _FORWARD:
            raise AttributeError(name)
        return getattr(self.compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self._flags})"


def compile_pending(busy: Callable[[], bool]) -> int:
    """Compile the lazy patterns not compiled yet, one at a time, while ``busy()`` (for
    instance while a thread loads the document): time the caller would spend waiting. Return
    how many it compiled. A bad pattern is left for its first use to raise."""
    done = 0
    for p in list(_MADE):
        if not busy():
            break
        if "_compiled" not in p.__dict__:
            try:
                p.compiled  # noqa: B018 - compiling is the point
            except re.error:
                continue
            done += 1
    return done
