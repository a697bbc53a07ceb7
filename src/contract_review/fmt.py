"""The text formatters every human-readable output shares: a quote shortened to one line,
an amount of money, and a file name or message made safe to print on one line."""

from __future__ import annotations

import unicodedata


def short(text: str, n: int = 200) -> str:
    """``text`` on one line (runs of whitespace collapsed), cut to ``n`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def money(amount: float | None, currency: str | None, redacted: bool = False, *, unknown_currency: str = "") -> str:
    """``USD 1,000,000``; cents only when there are some (``EUR 2,500.50``); a redacted or
    missing amount is ``[redacted]``. ``unknown_currency`` stands in for a missing currency."""
    if redacted or amount is None:
        return f"{currency or ''} [redacted]".strip()
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{currency or unknown_currency} {text}".strip()


# control, format (bidi overrides, zero-width), line and paragraph separators, surrogates
# (an undecodable byte of a file name), private-use and unassigned characters
_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def printable(text: str) -> str:
    """``text`` with every control or format character escaped (``\\n``, ``\\x1b``,
    ``\\u202e``) and backslashes doubled, so that a file name cannot start a new line, forge
    a progress line or move the terminal's cursor; other characters, accents included, are
    kept as they are."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) in _ESCAPED:
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
