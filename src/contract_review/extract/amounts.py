"""Money amounts in contract text: one parser for every extractor. :func:`find_amounts`
finds each amount in a text with its value, ISO currency, redaction and span (figures
"$5,000,000", "EUR 1.000.000", "$5m", words "five million dollars ($5,000,000)", redactions
"$[***]"); :func:`parse_amount` reads the first one as ``(value, currency, redacted)``;
:func:`document_dollar` tells what a bare "$" means in a document. The patterns are in
:mod:`.lexicon`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon as lx
from .prefilter import holds_any

__all__ = [
    "Amount",
    "currency_code",
    "document_dollar",
    "cell_amounts",
    "figures_in",
    "find_amounts",
    "parse_amount",
    "words_to_number",
]


@dataclass(frozen=True)
class Amount:
    """One money amount found in the text (``value`` None when redacted); ``start`` and
    ``end`` are offsets in the text searched, the end taking in figures in parentheses
    after an amount in words ("one million dollars ($1,000,000)")."""

    value: float | None
    currency: str | None
    redacted: bool
    start: int
    end: int


def words_to_number(text: str) -> float | None:
    """``"Five Million"`` -> 5000000; ``"two hundred fifty thousand"`` -> 250000; None when
    a word is not a number word."""
    total, current, seen = 0.0, 0.0, False
    for tok in lx.NUMBER_TOKEN.findall(text.lower()):
        if tok == "and":
            continue
        if tok == "half":
            current += 0.5
            seen = True
        elif tok in lx.UNITS:
            current += lx.UNITS[tok]
            seen = True
        elif tok == "hundred":
            current = (current or 1) * 100
            seen = True
        elif tok in lx.SCALES:
            total += (current or 1) * lx.SCALES[tok]
            current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


def currency_code(written: str | None) -> str | None:
    """The ISO code of a currency as written ("US$" -> "USD", "pounds sterling" -> "GBP",
    "C$" -> "CAD"); None when it is none that :data:`lexicon.CURRENCY_CODES` knows."""
    if not written:
        return None
    key = lx.SPACES.sub(" ", written.strip().lower())
    if key in lx.CURRENCY_CODES:
        return lx.CURRENCY_CODES[key]
    key = key.replace(" ", "")
    return lx.CURRENCY_CODES.get(key, lx.CURRENCY_CODES.get(key.rstrip("s"), "USD" if "$" in key else None))


def document_dollar(text: str, low: str | None = None) -> str:
    """The currency a bare "$" or "dollars" means in this document: "USD" unless it declares
    other dollars ("all amounts are in Canadian dollars" -> "CAD"). ``low``, the text's
    :func:`~.prefilter.caseless` form when the caller has it, spares the search of a
    document that names no other dollars."""
    if not holds_any(low, lx.DOC_CURRENCY_NEEDLES):
        return "USD"
    m = lx.DOC_CURRENCY.search(text)
    if not m:
        return "USD"
    return lx.DOC_CURRENCY_CODES.get(lx.SPACES.sub(" ", m.group(1).lower()), "USD")


def find_amounts(
    text: str, start: int = 0, end: int | None = None, dollar: str = "USD", low: str | None = None
) -> list[Amount]:
    """Money amounts in ``text[start:end]``: digits, words, currencies and redactions, in
    the order of the text, with offsets in ``text``.

    "one million dollars ($1,000,000)" is one amount; a bare redaction ("[***]") counts only
    where the text says an amount goes there ("limits of [***]", "[***] per occurrence"),
    not before a period ("[***] days"); ``dollar`` is the currency a bare "$" or "dollars"
    means in this document (see :func:`document_dollar`); ``low``, the text's
    :func:`~.prefilter.caseless` form when the caller has it, spares the search of a span
    that holds no currency and no redaction."""
    end = len(text) if end is None else end
    if not holds_any(low, lx.AMOUNT_NEEDLES, start, end):
        return []
    out: list[Amount] = []
    pos = start
    while True:
        m = lx.AMOUNT.search(text, pos, end)
        if not m:
            break
        read = _read(text, m, start, end)
        if read is None:
            pos = m.end()
            continue  # "at least [***] days' notice" is a period, not an amount
        value, cur, redacted, a_end = read
        cur = _local_dollar(cur, m, dollar)
        if redacted or value is not None:
            out.append(Amount(None if redacted else value, cur, redacted, m.start(), a_end))
        pos = max(a_end, m.start() + 1)
    return out


def figures_in(text: str, dollar: str = "USD") -> set[float]:
    """Every amount written in ``text``, with or without a currency: the values
    :func:`find_amounts` reads, and bare figures ("limits of 1,000,000", "2 million", "$5M",
    "1.5 mm", "250k", "twenty-five thousand"). The LLM extractor keeps a proposed limit only
    when its amount is one of these in the policy's quoted text; currency is not compared."""
    found = {a.value for a in find_amounts(text, dollar=dollar) if a.value is not None}
    for m in lx.BARE_FIGURE.finditer(text):
        value = _bare_figure(m)
        if value is not None:
            found.add(value)
    return found


STATUTORY = re.compile(r"^\W*(?:statutory|stat(?:ute)?\.?|per\s+statute|wc\s+statutory)\W*$", re.I)


def cell_amounts(text: str, dollar: str = "USD") -> list[Amount] | None:
    """The amounts of a form's limit box, where figures need no currency sign:
    ``"$1,000,000"``, ``"1,000,000"``, ``"1M"``, ``"1MM"``, ``"$1M/$2M"`` (two amounts, in
    order); a bare figure is in ``dollar``. ``"Statutory"`` (or "Stat.", "Per statute") is
    ``None``: a limit set by law, not an amount. An empty list when the box holds none."""
    if STATUTORY.match(text):
        return None
    found = find_amounts(text, dollar=dollar)
    if found:
        return [a for a in found if a.value is not None or a.redacted]
    out = []
    for m in lx.BARE_FIGURE.finditer(text):
        value = _bare_figure(m)
        if value is not None and m.group("num"):
            out.append(Amount(value, dollar, False, m.start(), m.end()))
    return out


def _bare_figure(m: re.Match[str]) -> float | None:
    scale = lx.BARE_SCALES.get((m.group("scale") or m.group("wscale") or "").lower(), 1.0)
    if m.group("num"):
        digits = m.group("num")
        if lx.GROUPED_DIGITS.fullmatch(digits):  # "1,000,000", "1.000.000", "5 000 000": thousands groups
            return float(re.sub(r"[,.\s]", "", digits)) * scale
        try:
            return float(digits.replace(",", "")) * scale
        except ValueError:  # "1.000.0005": no reading is safe
            return None
    words = m.group("words").lower().replace("-", " ").split()
    for n in range(len(words), 0, -1):  # the longest tail of number words: "of two" -> "two"
        value = words_to_number(" ".join(words[-n:]))
        if value is not None:
            return value * scale
    return None


def parse_amount(text: str, dollar: str = "USD") -> tuple[float | None, str | None, bool] | None:
    """The first money amount in ``text`` as ``(value, currency, redacted)``, None when there
    is none: ``"$5 million per occurrence"`` -> ``(5000000.0, "USD", False)``, ``"US$[***]"``
    -> ``(None, "USD", True)``, ``"two million pounds"`` -> ``(2000000.0, "GBP", False)``.
    The same reading as :func:`find_amounts`."""
    found = find_amounts(text, dollar=dollar)
    if not found:
        return None
    a = found[0]
    return a.value, a.currency, a.redacted


def _digits_value(text: str) -> float | None:
    """The value of figures with an optional magnitude after them ("1.000.000,00", "2.5m")."""
    m = lx.DIGITS_VALUE.match(text)
    if not m:
        return None
    num = m.group(1)
    if lx.CONTINENTAL_DIGITS.fullmatch(num):  # 1.000.000,00
        num = num.replace(".", "").replace(",", ".")
    try:
        value = float(num.replace(",", "").replace(" ", ""))
    except ValueError:
        return None
    mag = m.group(2).lower()
    if mag in lx.MAGNITUDES:
        value *= lx.MAGNITUDES[mag]
    return value


def _paren_figures(text: str, a_end: int, cur: str | None) -> tuple[str | None, int]:
    """After an amount in words or a redaction, take in "(US$5,000,000)": its currency, if
    it names one, wins, and the amount's span runs to the closing parenthesis."""
    paren = lx.PAREN_FIGURES.match(text, a_end)
    if not paren:
        return cur, a_end
    inner_cur = lx.PAREN_CURRENCY.match(paren.group(0))
    return (currency_code(inner_cur.group(1)) if inner_cur else cur), paren.end()


def _read(text: str, m: re.Match[str], start: int, end: int) -> tuple[float | None, str | None, bool, int] | None:
    """``(value, currency, redacted, end)`` of one :data:`lexicon.AMOUNT` match; None for a
    bare redaction that the text around it does not make an amount."""
    a_end = m.end()
    if m.group("pre") is not None:
        cur = currency_code(m.group("pre"))
        body = m.group("pred")
        if lx.REDACTION.fullmatch(body.strip()):
            return None, cur, True, a_end
        return _digits_value(body), cur, False, a_end
    if m.group("words") is not None:
        value = words_to_number(m.group("words"))
        cur = currency_code(m.group("wcur"))
        inner = lx.WORDS_PAREN_CURRENCY.search(m.group(0))
        if inner:
            cur = currency_code(inner.group(1))
        cur, a_end = _paren_figures(text, a_end, cur)
        return value, cur, False, a_end
    if m.group("red") is not None:
        cur, a_end = _paren_figures(text, a_end, currency_code(m.group("rcur")))
        return None, cur, True, a_end
    if m.group("digs") is not None:
        return _digits_value(text[m.start("digs") : m.start("dcur")]), currency_code(m.group("dcur")), False, a_end
    # a bare redaction: only where the text says an amount goes there
    before = text[max(start, m.start() - 40) : m.start()]
    after = text[m.end() : min(end, m.end() + 30)]
    if not (lx.LIMIT_CUE_BEFORE.search(before) or lx.BASIS_OR_CUR_AFTER.search(after)) or lx.PERIOD_AFTER.match(after):
        return None
    if lx.TIME_AFTER.match(after):
        return None  # "at least [***] prior to cancellation": a redacted period
    return None, None, True, a_end


def _local_dollar(cur: str | None, m: re.Match[str], dollar: str) -> str | None:
    """A bare "$" or "dollars" in a document whose dollars are not US dollars is ``dollar``."""
    if cur == "USD" and dollar != "USD" and (m.group("pre") or "").strip() in ("$",):
        cur = dollar
    if cur == "USD" and dollar != "USD" and (m.group("wcur") or m.group("dcur") or "").lower() in ("dollars", "dollar"):
        cur = dollar
    return cur
