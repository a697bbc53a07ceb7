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

Most of the lexicon's patterns are alternations whose every branch starts with ``\\b``
("``\\bFDIC\\b|\\bdeposit\\s+insurance|...``"). Python's parser already writes such a shared
first item once, before the alternation, so that a position inside a word fails once
instead of once per branch; but not when a branch hides its ``\\b`` in a group, as the
case-sensitive ones do (``(?-i:\\bInsurance\\s+Company)``), and then ``re`` tries every branch
at every position (the non-requirement context, tried on every insurance unit, took 2.6×
as long). :func:`boundary_first` moves those too (``\\b(?:FDIC\\b|(?-i:Insurance...)|...)``).
``\\b`` takes no characters and does not depend on the case flag, so the two patterns match
the same text at the same positions, with the same groups; a lazy pattern compiles the
moved form.
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
            done = re.compile(boundary_first(self.pattern), self._flags)  # a bad pattern raises re.error here
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


def top_level_branches(pattern: str) -> list[str]:
    """``pattern`` cut at each ``|`` that is outside every group and character class
    (one piece when there is none)."""
    branches, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2  # an escape: the next character is literal
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":  # a "]" first in a class is a member
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


#: How a branch may start with the boundary: bare, or first inside a case-sensitive group.
_LEADS = ("\\b", "(?-i:\\b")


def boundary_first(pattern: str) -> str:
    """``pattern`` with the ``\\b`` that starts each of its top-level branches written once,
    before them all; ``pattern`` itself when it has one branch or a branch starts otherwise."""
    branches = top_level_branches(pattern)
    if len(branches) < 2:
        return pattern
    rest = []
    for b in branches:
        lead = next((lead for lead in _LEADS if b.startswith(lead)), None)
        if lead is None:
            return pattern
        rest.append(b[: len(lead) - 2] + b[len(lead) :])  # "(?-i:\\bX" -> "(?-i:X"
    return "\\b(?:" + "|".join(rest) + ")"


def first_char_groups(alternatives: list[str]) -> str:
    """The alternation of ``alternatives`` (literal-led regex fragments, in order), written
    so that ``re`` tries far fewer of them at a position: grouped by their first character
    (``USD|US\\$|CAD`` -> ``U(?:SD|S\\$)|CAD``), after a look-ahead for one of those
    characters. It matches what ``(?:alt1|alt2|...)`` matches, with the same preference:
    at a position only one group can start, and a group keeps its members in their order.
    The first characters must not be the same letter in two cases (under ``re.IGNORECASE``
    two groups could then start at one position): a :class:`ValueError` says so."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        n = 2 if alt.startswith("\\") else 1  # an escape ("\\$") is one character
        if (
            not alt
            or alt[0] in "()[]{}.^$|?*+"
            or (n == 2 and alt[1:2].isalnum())
            or alt[n : n + 1] in ("?", "*", "+", "{")  # a quantified first character is no prefix
            or len(top_level_branches(alt)) > 1
        ):
            raise ValueError(f"not one branch led by a literal character: {alt!r}")
        groups.setdefault(alt[:n], []).append(alt[n:])
    firsts = list(groups)
    chars = [f[-1] for f in firsts]  # the character itself ("$" of "\\$")
    for i, a in enumerate(chars):  # the same letter to re.IGNORECASE (also "s" and "\u017f")
        if any(re.fullmatch(re.escape(a), b, re.IGNORECASE) for b in chars[i + 1 :]):
            raise ValueError(f"a first letter in two cases: {firsts}")
    in_class = "".join("\\" + f if f in "-\\" else f for f in firsts)  # "-" would make a range
    parts = [f + (rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")") for f, rest in groups.items()]
    return "(?=[" + in_class + "])(?:" + "|".join(parts) + ")"


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
