"""The two text formatters every human-readable output shares: a quote shortened to one
line, and an amount of money."""

from __future__ import annotations


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
