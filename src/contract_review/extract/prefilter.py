"""Cheap tests that rule text out before a costly pattern runs over it.

Python's ``re`` tries a case-insensitive alternation at every position of the text, and a
pattern that starts with ``\\b`` or a case-insensitive word gets no fast scan for its first
character: the document-wide patterns and the money pattern were most of a review of a
contract with a long insurance section. Each of those patterns can only match text that holds
one of a few plain words (the "needles" beside it in :mod:`.lexicon`), and a plain ``in`` test
on the lower-cased text is a fast byte search. When no needle is there, the pattern cannot
match and is not run; when one is, the pattern runs as before, so every answer is the same.

A needle test on ``text.lower()`` finds what ``re.IGNORECASE`` finds in ``text`` only when
lower-casing keeps every offset and the text lacks the two letters that ``re.IGNORECASE``
equates with an ASCII letter while ``str.lower`` does not (dotless "ı" with "i", long "ſ" with
"s"): :func:`caseless` gives the lower-cased text only then, and callers without it run the
pattern.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

#: Letters ``re.IGNORECASE`` matches to an ASCII letter that ``str.lower`` leaves alone
#: (U+0130 "İ" lowers to two characters, which the length test catches).
_FOLD_APART = ("\u0131", "\u017f")


def caseless(text: str, lower: str | None = None) -> str | None:
    """``text.lower()`` (``lower`` when the caller has it already) when a search of it for
    lower-case ASCII needles (and characters without case) finds what a case-insensitive
    search of ``text`` finds, at the same offsets; None otherwise."""
    low = text.lower() if lower is None else lower
    if len(low) != len(text) or any(c in text for c in _FOLD_APART):
        return None
    return low


def occurrences(text: str, word: str) -> Iterator[int]:
    """Where ``word`` starts in ``text``, each offset in order (overlapping ones too): the
    places a pattern that starts with ``word`` can match, found by a plain find instead of
    the pattern tried at every position."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def holds_any(low: str | None, needles: Iterable[str], start: int = 0, end: int | None = None) -> bool:
    """Some needle lies wholly within ``low[start:end]``; True when ``low`` is None (the
    text could not be folded: the caller must run its pattern)."""
    if low is None:
        return True
    text = low if start == 0 and end is None else low[start:end]  # a slice and ``in``: half a find's cost
    for n in needles:
        if n in text:
            return True
    return False
