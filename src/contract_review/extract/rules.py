"""The deterministic rules extractor (offline, the default).

How it reads a contract:

1. A cheap keyword scan of the whole document (:data:`lexicon.KEYWORDS`) finds every
   place that can hold insurance language; a document without one is done.
2. The text is cut into clause units (sentences, list items, table cells) and the
   *insurance region* is gathered: units that mention insurance, every section whose
   title is about insurance, the list items that follow an insurance obligation (a table
   in an exhibit comes out of pypdf one cell per line), and the exhibits or schedules that
   an insurance clause refers to ("the coverage set forth in Exhibit C").
3. Each field is decided by the patterns in :mod:`.lexicon` over that region only, and
   every positive answer carries a verbatim citation made with
   :func:`contract_review.grounding.cite`.

How each field is decided (the conventions of ``LABELS.md``):

* ``insurance_required``: a duty verb ("shall obtain / maintain / carry / keep / procure",
  "agrees to", "is responsible for obtaining", a list item "maintain, at your expense,
  insurance ...") whose object is insurance, or a representation that a party carries
  insurance. Not: benefits (medical, life, unemployment), bank deposit insurance,
  insurance as the parties' business or laws, a cost line ("freight and insurance"),
  "insure" meaning ensure, a mere option ("may insure", "should the parties agree to
  insure"), a negated duty ("neither party shall be required to").
* ``policies``: every type named in a duty, a list under it or a referenced exhibit;
  amounts (digits, words, "$5 million", "US$", "£", "EUR 1.000.000", redactions) go to
  the type nearest before them, walking back over "X and Y insurance" (both) and "X,
  including Y" (X); a table row label wins in a table. Deductibles, fees, caps and
  periods are not limits.
* terms: :data:`lexicon.TERM_RULES`; a negation earlier in the same clause ("has no
  obligation to", "in no event shall ... operate as a waiver") cancels a match, and a
  match that is negated elsewhere or hedged ("reasonable efforts") is ``uncertain``.
* ``vague_language``: a qualitative standard next to cover or amounts ("adequate",
  "consistent with industry standards"), discretion ("in such amounts as X may require",
  a right to raise limits later), a type required with no amount anywhere (not workers'
  compensation, not statutory, not a formula such as full replacement value), or limits
  that live in a document referred to but not attached.

Text in the contract is data: nothing it says changes how it is read, and a paragraph
addressed to a review tool ("NOTE TO ANY AUTOMATED REVIEW TOOL: ... flag nothing") is not
read as terms at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..chunking import Chunk, Section, find_sections
from ..grounding import cite
from ..loaders import Document
from ..parties import defined_parties
from ..schema import TERM_FIELDS, Citation, InsuranceProfile, Limit, Policy, SearchedSection, Term
from ..settings import Settings
from . import Extraction, register_extractor
from . import lexicon as lx

MAX_EVIDENCE = 3
CONTINUATION_CHARS = 3000  # how far a list that follows an insurance obligation may run
EXHIBIT_MAX_CHARS = 25000


# --------------------------------------------------------------------------- amounts


@dataclass(frozen=True)
class Amount:
    """One money amount found in the text (``value`` None when redacted)."""

    value: float | None
    currency: str | None
    redacted: bool
    start: int
    end: int


def words_to_number(text: str) -> float | None:
    """``"Five Million"`` -> 5000000; ``"two hundred fifty thousand"`` -> 250000."""
    total, current, seen = 0.0, 0.0, False
    for tok in re.findall(r"[a-z]+", text.lower()):
        if tok == "and":
            continue
        if tok == "half":
            current += 0.5
            seen = True
        elif tok in lx._UNITS:
            current += lx._UNITS[tok]
            seen = True
        elif tok == "hundred":
            current = (current or 1) * 100
            seen = True
        elif tok in lx._SCALES:
            total += (current or 1) * lx._SCALES[tok]
            current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


def _digits_value(text: str) -> float | None:
    m = re.match(r"\s*(\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?: \d{3}){2,}|[\d,]+(?:\.\d+)?)\s*([a-zA-Z]*)", text)
    if not m:
        return None
    num = m.group(1)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", num):  # 1.000.000,00
        num = num.replace(".", "").replace(",", ".")
    try:
        value = float(num.replace(",", "").replace(" ", ""))
    except ValueError:
        return None
    mag = m.group(2).lower()
    if mag in lx._MULT:
        value *= lx._MULT[mag]
    return value


def _currency(written: str | None) -> str | None:
    if not written:
        return None
    key = re.sub(r"\s+", " ", written.strip().lower())
    if key in lx.CURRENCY_CODES:
        return lx.CURRENCY_CODES[key]
    key = key.replace(" ", "")
    return lx.CURRENCY_CODES.get(key, lx.CURRENCY_CODES.get(key.rstrip("s"), "USD" if "$" in key else None))


def _paren_figures(text: str, a_end: int, cur: str | None) -> tuple[str | None, int]:
    """After an amount in words or a redaction, take in "(US$5,000,000)": its currency, if
    it names one, wins, and the amount's span runs to the closing parenthesis."""
    paren = lx.PAREN_FIGURES.match(text, a_end)
    if not paren:
        return cur, a_end
    inner_cur = re.match(r"\s*\(\s*(" + lx._CUR_PREFIX + ")", paren.group(0), re.I)
    return (_currency(inner_cur.group(1)) if inner_cur else cur), paren.end()


def find_amounts(text: str, start: int = 0, end: int | None = None, dollar: str = "USD") -> list[Amount]:
    """Money amounts in ``text[start:end]``: digits, words, currencies and redactions.

    "one million dollars ($1,000,000)" is one amount; ``dollar`` is the currency a bare "$"
    means in this document (a contract may declare that its dollars are Canadian)."""
    end = len(text) if end is None else end
    out: list[Amount] = []
    pos = start
    while True:
        m = lx.AMOUNT.search(text, pos, end)
        if not m:
            break
        a_end = m.end()
        value: float | None = None
        redacted = False
        cur: str | None = None
        if m.group("pre") is not None:
            cur = _currency(m.group("pre"))
            body = m.group("pred")
            if re.fullmatch(lx._REDACTION, body.strip(), re.I):
                redacted = True
            else:
                value = _digits_value(body)
        elif m.group("words") is not None:
            value = words_to_number(m.group("words"))
            cur = _currency(m.group("wcur"))
            inner = re.search(r"\(\s*(" + lx._CUR_PREFIX + r")", m.group(0))
            if inner:
                cur = _currency(inner.group(1))
            cur, a_end = _paren_figures(text, a_end, cur)
        elif m.group("red") is not None:
            redacted = True
            cur = _currency(m.group("rcur"))
            cur, a_end = _paren_figures(text, a_end, cur)
        elif m.group("digs") is not None:
            value = _digits_value(text[m.start("digs") : m.start("dcur")])
            cur = _currency(m.group("dcur"))
        else:  # a bare redaction: only where the text says an amount goes there
            before = text[max(start, m.start() - 40) : m.start()]
            after = text[m.end() : min(end, m.end() + 30)]
            if not (lx.LIMIT_CUE_BEFORE.search(before) or lx.BASIS_OR_CUR_AFTER.search(after)) or _PERIOD_AFTER.match(
                after
            ):
                pos = m.end()
                continue  # "at least [***] days' notice" is a period, not an amount
            redacted = True
        if cur == "USD" and dollar != "USD" and (m.group("pre") or "").strip() in ("$",):
            cur = dollar
        if (
            cur == "USD"
            and dollar != "USD"
            and (m.group("wcur") or m.group("dcur") or "").lower() in ("dollars", "dollar")
        ):
            cur = dollar
        if redacted or value is not None:
            out.append(Amount(None if redacted else value, cur, redacted, m.start(), a_end))
        pos = max(a_end, m.start() + 1)
    return out


def basis_of(text: str) -> str:
    """The first basis named in ``text`` (``"other"`` when none)."""
    for name, pat in lx.BASIS_PATTERNS:
        if pat.search(text):
            return name
    return "other"


def bases_in(text: str) -> list[str]:
    """Every basis named in ``text``, in the order of :data:`lexicon.BASIS_PATTERNS`
    ("$5,000,000 per occurrence and in the aggregate" names two)."""
    found = [name for name, pat in lx.BASIS_PATTERNS if pat.search(text)]
    if "combined_single" in found and "per_occurrence" in found:
        found.remove("per_occurrence")  # "combined single limit per occurrence"
    return found


_PERIOD_AFTER = re.compile(
    r"\s*(?:\(\S{0,12}\)\s*)?(?:calendar\s+|business\s+|working\s+)?(?:days?|months?|years?|weeks?|hours?|%|per\s*cent|percent)\b",
    re.I,
)
_DOC_CURRENCY = re.compile(
    r"(?:\b(?:all\s+)?(?:dollar\s+amounts?|amounts?|sums?|monetary\s+amounts?|references?\s+(?:herein\s+|in\s+this\s+\w+\s+)?to\s+(?:currency|money|\"?dollars\"?|\"?\$\"?))|\"?\$\"?\s+(?:means|refers\s+to))[^.;]{0,80}?\b"
    r"(Canadian|Australian|New\s+Zealand|Hong\s+Kong|Singapore)\s+(?:dollars|funds|currency)",
    re.I,
)
_DOC_CURRENCY_CODES = {
    "canadian": "CAD",
    "australian": "AUD",
    "new zealand": "NZD",
    "hong kong": "HKD",
    "singapore": "SGD",
}


# --------------------------------------------------------------------------- clause units


@dataclass
class _Ctx:
    doc: Document
    norm: str
    breaks: list[int]
    sections: list[Section]
    sec_starts: list[int]
    dollar: str = "USD"

    def unit_at(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.breaks, pos) - 1
        s = self.breaks[i] if i >= 0 else 0
        e = self.breaks[i + 1] if i + 1 < len(self.breaks) else len(self.norm)
        return s, e

    def next_unit(self, unit: tuple[int, int]) -> tuple[int, int] | None:
        if unit[1] >= len(self.norm):
            return None
        return self.unit_at(unit[1])

    def section_at(self, pos: int) -> Section:
        i = bisect_right(self.sec_starts, pos) - 1
        return self.sections[max(i, 0)]

    def text(self, unit: tuple[int, int]) -> str:
        return self.norm[unit[0] : unit[1]]

    def cite(self, start: int, end: int, focus: int | None = None) -> Citation:
        """A citation of ``[start, end)`` trimmed to at most :data:`lexicon.MAX_QUOTE`
        characters around ``focus`` and to word boundaries."""
        start, end = self._trim(start, end)
        if end - start > lx.MAX_QUOTE:
            focus = start if focus is None else focus
            lo = max(start, focus - lx.MAX_QUOTE // 3)
            hi = min(end, lo + lx.MAX_QUOTE)
            lo = max(start, hi - lx.MAX_QUOTE)
            if lo > start:
                # start at the clause that holds the focus when one begins shortly before it
                cut = None
                for cut in _QUOTE_START.finditer(self.norm, lo, focus):
                    pass
                if cut is not None:
                    lo = cut.end()
                else:
                    sp = self.norm.find(" ", lo, lo + 30)
                    lo = sp + 1 if sp >= 0 else lo
                hi = min(end, lo + lx.MAX_QUOTE)
            if hi < end:
                sp = self.norm.rfind(" ", hi - 30, hi)
                hi = sp if sp > lo else hi
            start, end = lo, hi
        return cite(self.doc, start, end)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.norm[start] in " \n\t;,:":
            start += 1
        while end > start and self.norm[end - 1] in " \n\t;,:":
            end -= 1
        return start, end


_LIST_MARKER = re.compile(r"[ \t]*(?:\(?[a-zA-Z]{1,4}|\d{1,2}(?:\.\d{1,2}){0,3}|[ivxIVX]{1,5})")


def _units(norm: str) -> list[int]:
    breaks = [0]
    for m in lx.UNIT_BREAK.finditer(norm):
        if m.group(0) == ".":
            if lx.ABBREVIATION.search(norm, max(0, m.start() - 8), m.start()):
                continue
            line_start = norm.rfind("\n", max(0, m.start() - 20), m.start()) + 1
            if line_start and _LIST_MARKER.fullmatch(norm, line_start, m.start()):
                continue  # "1.   Commercial General Liability": a list marker, not a sentence
        b = m.end()
        if b > breaks[-1]:
            breaks.append(b)
    return breaks


# --------------------------------------------------------------------------- the extractor


@dataclass
class _Mention:
    type: str
    start: int
    end: int
    unit: tuple[int, int]


class RulesExtractor:
    """Offline, deterministic extraction of an :class:`InsuranceProfile` by linguistic
    patterns (see :mod:`contract_review.extract.lexicon`)."""

    name = "rules"
    prompt_version = None
    needs_store = False

    def __init__(self, settings: Settings | None = None):
        self.settings = settings

    # -- entry point ---------------------------------------------------------------
    def extract(self, doc: Document, chunks: list[Chunk] | None = None) -> Extraction:
        norm = doc.norm  # look-alike characters already folded, offsets unchanged (loaders.searchable)
        sections = find_sections(doc)
        lower = norm.lower()
        scan = lx.KEYWORDS_LOWER.finditer(lower) if len(lower) == len(norm) else lx.KEYWORDS.finditer(norm)
        hits = [m.start() for m in scan]
        if not hits:
            searched = [SearchedSection(page=s.page, section=s.title) for s in sections]
            return Extraction(InsuranceProfile(searched=searched), notes=["no insurance keyword in the document"])
        ctx = _Ctx(doc, norm, _units(norm), sections, [s.start for s in sections])
        dm = _DOC_CURRENCY.search(norm)
        if dm:
            ctx.dollar = _DOC_CURRENCY_CODES.get(re.sub(r"\s+", " ", dm.group(1).lower()), "USD")
        return _Run(ctx, hits).run()


class _Run:
    """The state of one extraction (kept out of the extractor so it stays reentrant)."""

    def __init__(self, ctx: _Ctx, hits: list[int]):
        self.ctx = ctx
        self.norm = ctx.norm
        self.hits = hits
        self.uncertain: set[str] = set()
        self.notes: list[str] = []
        self.headings: list[tuple[int, str]] = []  # exhibit headings found inside merged sections
        self._memo: dict[tuple[str, tuple[int, int]], object] = {}

    def _cached(self, kind: str, unit: tuple[int, int], fn):
        key = (kind, unit)
        if key not in self._memo:
            self._memo[key] = fn(unit)
        return self._memo[key]

    def _is_insurance_unit(self, unit: tuple[int, int]) -> bool:
        return self._cached("ins", unit, self._is_insurance_unit_)

    def _obligation(self, unit: tuple[int, int]) -> re.Match[str] | None:
        return self._cached("obl", unit, self._obligation_)

    def _amounts(self, unit: tuple[int, int]) -> list[Amount]:
        return self._cached("amt", unit, lambda u: find_amounts(self.norm, u[0], u[1], self.ctx.dollar))

    def _mentions_in(self, unit: tuple[int, int]) -> list[_Mention]:
        return self._cached(
            "mtn",
            unit,
            lambda u: [_Mention(t, u[0] + s, u[0] + e, u) for t, s, e in _policy_mentions_in(self.ctx.text(u))],
        )

    # -- the region ------------------------------------------------------------------
    def _keyword_units(self) -> list[tuple[int, int]]:
        units: dict[tuple[int, int], None] = {}
        for h in self.hits:
            units.setdefault(self.ctx.unit_at(h))
        return list(units)

    def _is_insurance_unit_(self, unit: tuple[int, int]) -> bool:
        """The unit mentions insurance in a sense other than benefits, deposits, costs."""
        t = self.ctx.text(unit)
        words = [m.span() for m in lx.INSURANCE_WORD.finditer(t)]
        if not words:
            # "Errors & Omissions coverage of at least USD 2 million": a named type of cover
            return bool(_COVER_NOUN.search(t) and _policy_mentions_in(t))
        if _DEPOSIT_INSURANCE.search(t) and not _policy_mentions_in(t):
            return False  # deposit insurance of a bank is not cover a party carries
        excluded = [m.span() for m in lx.NON_REQUIREMENT_CONTEXT.finditer(t)]
        excluded += [m.span() for m in lx.ENSURE_SENSE.finditer(t)]
        return any(not any(a <= s < b or s <= a < e for a, b in excluded) for s, e in words)

    def _obligation_(self, unit: tuple[int, int]) -> re.Match[str] | None:
        """The phrase of ``unit`` that obliges a party to carry insurance, if any."""
        t = self.ctx.text(unit)
        if not self._is_insurance_unit(unit):
            if any(a <= unit[0] < b for a, b in getattr(self, "ins_sections", ())):
                # under an insurance heading: "Contractor shall carry the coverage set forth in Exhibit C"
                for m in lx.OBLIGATION.finditer(t):
                    if re.match(
                        r"[^.;]{0,40}?\b(?:coverages?|polic(?:y|ies))\b", t[m.end() :], re.I
                    ) and not lx.NOT_AN_OBLIGATION.search(t):
                        return m
            return self._list_intro(unit)
        imp = lx.IMPERATIVE_ITEM.match(t)
        if imp and lx.INSURANCE_WORD.search(t, imp.end(), imp.end() + 200):
            return imp
        negs = [m.span() for m in lx.NOT_AN_OBLIGATION.finditer(t)]
        candidates = list(lx.OBLIGATION.finditer(t))
        candidates += [
            m for m in lx.COORDINATED_DUTY.finditer(t) if not any(c.start() == m.start() for c in candidates)
        ]
        for m in candidates:
            if any(a - 40 <= m.start() <= b + 5 or m.start() <= a <= m.end() for a, b in negs):
                continue
            # the insurance word must belong to this obligation: after it, or shortly before
            end = m.end()
            chain = _ACT_CHAIN.match(t, end)
            if chain:
                end = chain.end()
            weak_verb = re.search(r"(?:provid|furnish|hav)\w*$", t[m.start() : end], re.I)
            reach = 60 if weak_verb else 220
            tail = t[m.end() : end + reach]
            if weak_verb and not _COVER_OBJECT.search(tail):
                continue  # "will provide to the Insurer a statement": the insurer is not the object
            head = t[max(0, m.start() - 160) : m.start()]
            own = re.search(r"\b(?:self[- ]?)?insure\b", t[m.start() : end], re.I) and not lx.ENSURE_SENSE.search(
                t, m.start(), end + 100
            )
            named_cover = _COVER_NOUN.search(tail) and _policy_mentions_in(tail)
            if (
                own
                or named_cover
                or lx.INSURANCE_WORD.search(tail)
                or re.search(r"\b(?:insurance|coverage|polic(?:y|ies))\b[^.;]{0,160}$", head, re.I)
            ):
                if lx.OPTION_ONLY.search(t[max(0, m.start() - 30) : m.end()]):
                    continue
                return m
        return None

    def _list_intro(self, unit: tuple[int, int]) -> re.Match[str] | None:
        """ "M&I shall maintain at all times at its own cost and expense:" followed by a
        list of insurance: the obligation is the intro."""
        t = self.ctx.text(unit)
        if not t.rstrip().endswith(":") or lx.NOT_AN_OBLIGATION.search(t):
            return None
        nxt = self.ctx.next_unit(unit)
        if nxt is None or not self._is_insurance_unit(nxt):
            return None
        m = None
        for m in lx.OBLIGATION.finditer(t):
            pass
        if m is None or len(t) - m.end() > 120:
            return None
        return m

    def _representation(self, unit: tuple[int, int]) -> re.Match[str] | None:
        t = self.ctx.text(unit)
        if not self._is_insurance_unit(unit):
            return None
        if lx.NOT_AN_OBLIGATION.search(t):
            return None
        for m in lx.REPRESENTATION.finditer(t):
            if lx.INSURANCE_WORD.search(t, m.start(), min(len(t), m.end() + 200)) or lx.INSURANCE_WORD.search(
                m.group(0)
            ):
                return m
        return None

    def _exhibit_spans(self, units: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[str]]:
        """Spans of the exhibits/schedules the insurance clauses refer to, and the
        references that point to nothing attached."""
        refs: dict[str, int] = {}
        for u in units:
            for m in _XREF.finditer(self.ctx.text(u)):
                tail = self.ctx.text(u)[m.end() : m.end() + 40]
                if re.match(
                    r"\s*(?:of|to)\s+(?:the|that|this)\s+(?!Agreement\b|SOW\b|Statement)[A-Z]", tail
                ) and not re.match(r"\s*(?:of|to)\s+this\b", tail):
                    refs.setdefault(f"{m.group(1).lower()} {m.group(2).lower().rstrip('.')}|external", u[0])
                    continue
                refs.setdefault(f"{m.group(1).lower()} {m.group(2).lower().rstrip('.')}", u[0])
        spans, missing = [], []
        kinds = re.compile(r"^(?:exhibit|schedule|appendix|annex|attachment|addendum|rider)\b", re.I)
        for key, at in refs.items():
            if key.endswith("|external"):
                missing.append(key.split("|")[0])
                continue
            found = False
            for i, s in enumerate(self.ctx.sections):
                title = (s.title or "").lower()
                if not title.startswith(key) or not re.match(r"[\s.:\-]|$", title[len(key) : len(key) + 1] or " "):
                    continue
                if s.start <= at < s.end:
                    continue
                end = s.end
                for s2 in self.ctx.sections[i + 1 :]:
                    if kinds.match(s2.title or ""):
                        break
                    end = s2.end
                spans.append((s.start, min(end, s.start + EXHIBIT_MAX_CHARS)))
                found = True
            if not found:
                # the heading may sit inside a section the chunker merged: find the line itself
                kind, _, ident = key.partition(" ")
                head = re.compile(rf"^[ \t]*{re.escape(kind)}[ \t]+{re.escape(ident)}\b[^\n]{{0,80}}", re.I | re.M)
                for hm in head.finditer(self.norm):
                    if hm.start() <= at < hm.end() + 200:
                        continue
                    nxt = re.compile(
                        r"^[ \t]*(?:exhibit|schedule|appendix|annex|attachment|addendum|rider)[ \t]+[A-Z0-9]",
                        re.I | re.M,
                    ).search(self.norm, hm.end())
                    end = nxt.start() if nxt else len(self.norm)
                    spans.append((hm.start(), min(end, hm.start() + EXHIBIT_MAX_CHARS)))
                    self.headings.append((hm.start(), re.sub(r"\s+", " ", hm.group(0)).strip()))
                    found = True
                    break
            if not found:
                missing.append(key)
        return spans, missing

    def _region(self) -> None:
        ctx = self.ctx
        kw_units = self._keyword_units()
        ins_units_extra: list[tuple[int, int]] = []
        ins_units = [u for u in kw_units if self._is_insurance_unit(u) or "subrogat" in ctx.text(u).lower()]
        region: dict[tuple[int, int], None] = {u: None for u in ins_units}
        scope: dict[tuple[int, int], None] = {}
        # sections about insurance ("10. INSURANCE" with its subsections)
        self.ins_sections: list[tuple[int, int]] = []
        for i, s in enumerate(ctx.sections):
            if s.title and re.search(r"insur", s.title, re.I) and not lx.NON_REQUIREMENT_CONTEXT.search(s.title):
                a, b = self._section_span(i)
                self.ins_sections.append((a, b))
                self._add_span(region, a, b)
                self._add_span(scope, a, b)
        sec_units = [u for u in region if u not in set(ins_units)]
        for u in ins_units:
            # the sentences that go on about "such policies" belong to the clause
            nxt = ctx.next_unit(u)
            for _ in range(2):
                if nxt is None or not _INSURANCE_CONTEXT.search(ctx.text(nxt)):
                    break
                region.setdefault(nxt)
                nxt = ctx.next_unit(nxt)
            # a list intro that ends with a colon just before an insurance item
            prev = ctx.unit_at(u[0] - 1) if u[0] > 0 else None
            if prev and prev != u and self._list_intro(prev):
                region.setdefault(prev)
                ins_units_extra.append(prev)
        # list items that follow an insurance obligation
        for u in ins_units + ins_units_extra + sec_units:
            if self._obligation(u) or ctx.text(u).rstrip().endswith(":"):
                scope.setdefault(u)
                self._continue(region, u, scope)
        # exhibits and schedules referred to by insurance clauses
        self.exhibits, self.missing_refs = self._exhibit_spans(ins_units + sec_units)
        for a, b in self.exhibits:
            self._add_span(region, a, b)
            self._add_span(scope, a, b)
        meta = self._meta_spans()
        if meta:
            for u in list(region):
                if any(a <= u[0] < b or a < u[1] <= b for a, b in meta):
                    region.pop(u)
                    scope.pop(u, None)
            self.notes.append("ignored text addressed to a review tool (treated as data, not as terms)")
        self.region = sorted(region)
        self.scope = set(scope)
        self.ins_units = sorted(ins_units)

    def _meta_spans(self) -> list[tuple[int, int]]:
        """Paragraphs that address a review tool instead of the parties."""
        spans = []
        for m in lx.META_INSTRUCTION.finditer(self.norm):
            a = self.norm.rfind("\n", 0, m.start()) + 1
            blank = re.compile(r"\n[ \t]*\n").search(self.norm, m.end())
            b = min(blank.start() if blank else len(self.norm), m.end() + 800)
            spans.append((a, b))
        return spans

    def _section_span(self, i: int) -> tuple[int, int]:
        """Section ``i`` with its numbered subsections ("10. INSURANCE" takes in "10.6 Notice
        of Cancellation"); the whole of an exhibit or schedule up to the next one."""
        s = self.ctx.sections[i]
        num = _SECTION_NUMBER.match(s.title or "")
        end = s.end
        for s2 in self.ctx.sections[i + 1 :]:
            t2 = s2.title or ""
            if num and re.match(re.escape(num.group(1)) + r"\.\d", t2):
                end = s2.end
                continue
            if not num and not _SECTION_NUMBER.match(t2) and not _EXHIBIT_TITLE.match(t2) and s2.start - s.start < 6000:
                end = s2.end
                continue
            break
        return s.start, min(end, s.start + EXHIBIT_MAX_CHARS)

    def _add_span(self, region: dict, start: int, end: int) -> None:
        u = self.ctx.unit_at(start)
        while u and u[0] < end:
            region.setdefault(u)
            u = self.ctx.next_unit(u)

    def _continue(self, region: dict, unit: tuple[int, int], scope: dict) -> None:
        ctx, limit, gap = self.ctx, unit[1] + CONTINUATION_CHARS, 0
        sec0 = ctx.section_at(unit[0])
        num0 = _SECTION_NUMBER.match(sec0.title or "")
        u = ctx.next_unit(unit)
        while u and u[0] < limit:
            sec = ctx.section_at(u[0])
            if sec is not sec0:  # stop at the next article or exhibit
                title = sec.title or ""
                num = _SECTION_NUMBER.match(title)
                if _EXHIBIT_TITLE.match(title) or (num and (not num0 or num.group(1) != num0.group(1))):
                    break
            t = ctx.text(u)
            if (
                _policy_mentions_in(t)
                or lx.AMOUNT.search(t)
                or _INSURANCE_CONTEXT.search(t)
                or _TERM_CLAUSE.search(t)
                or re.search(r"\blimits?\b", t, re.I)
                or len(t.strip()) < 40
            ):
                region.setdefault(u)
                scope.setdefault(u)
                gap = 0
            else:
                gap += 1
                if gap > 1:
                    break
            u = ctx.next_unit(u)

    # -- fields ----------------------------------------------------------------------
    def run(self) -> Extraction:
        self._region()
        p = InsuranceProfile()
        self._insurance_required(p)
        if p.insurance_required:
            self._policies(p)
            for name in TERM_FIELDS:
                setattr(p, name, self._term(name))
            self._vague(p)
        p.searched = self._searched()
        if not p.insurance_required:
            # terms are only meaningful when insurance is required; keep the audit trail
            if any(self._term(name).present for name in TERM_FIELDS):
                self.uncertain.add("insurance_required")
        return Extraction(p, notes=self.notes, uncertain=sorted(self.uncertain))

    def _searched(self) -> list[SearchedSection]:
        seen: dict[tuple[int, str | None], None] = {}
        heads = sorted(self.headings)
        for u in self.region:
            s = self.ctx.section_at(u[0])
            own = [h for h in heads if s.start <= h[0] <= u[0]]
            if own:
                seen.setdefault((self.ctx.doc.page_at(own[-1][0]), own[-1][1]))
            else:
                seen.setdefault((s.page, s.title))
        if not seen:
            for s in self.ctx.sections:
                seen.setdefault((s.page, s.title))
        return [SearchedSection(page=pg, section=t) for pg, t in seen]

    def _insurance_required(self, p: InsuranceProfile) -> None:
        obligations, reps = [], []
        for u in self.region:
            m = self._obligation(u)
            if m:
                obligations.append((u, m))
                continue
            r = self._representation(u)
            if r:
                reps.append((u, r))
        self.obligations = obligations
        found = obligations or reps
        if not found:
            return
        p.insurance_required = True
        if not obligations:
            self.uncertain.add("insurance_required")
            self.notes.append("insurance_required rests on a representation, not a covenant")
        for u, m in found[:MAX_EVIDENCE]:
            p.insurance_evidence.append(self.ctx.cite(u[0], u[1], u[0] + m.start()))
        parties: list[str] = []
        for u, m in found:
            for name in _subjects(self.ctx.text(u)[: m.start()]):
                for n in self._each_party() if name == "Each Party" else [self._defined_you(name)]:
                    if n not in parties:
                        parties.append(n)
        p.obligated_parties = parties

    def _each_party(self) -> list[str]:
        """The two parties as the preamble defines them ("Ginkgo" and "BLI"), for "Each Party"."""
        names = defined_parties(self.norm)
        return names[:2] if len(names) >= 2 else ["Each Party"]

    def _defined_you(self, name: str) -> str:
        """ "You" is the party the contract defines as "you" ("you" or the "Franchisee")."""
        if name != "You":
            return name
        m = _YOU_DEFINED.search(self.norm)
        return (m.group(1) or m.group(2)).strip() if m else name

    def _policies(self, p: InsuranceProfile) -> None:
        ctx = self.ctx
        mentions: list[_Mention] = []
        for u in self.region:
            mentions.extend(self._mentions_in(u))
        self.mentions = mentions
        policies: dict[str, Policy] = {}
        limits_seen: set[tuple] = set()
        region_set = set(self.region)
        self.amount_units: set[tuple[int, int]] = set()
        for u in self.region:
            amounts = self._amounts(u)
            if not amounts:
                continue
            t = ctx.text(u)
            insurance_like = bool(
                lx.INSURANCE_WORD.search(t) or re.search(r"\b(?:limits?|coverage|liability|polic(?:y|ies))\b", t, re.I)
            )
            last: list[str] = []
            for i, a in enumerate(amounts):
                before = self.norm[max(u[0], a.start - 80) : a.start]
                nxt = amounts[i + 1].start if i + 1 < len(amounts) else u[1]
                after = self.norm[a.end : min(nxt, a.end + 70, u[1])]
                if lx.NOT_A_LIMIT_BEFORE.search(before) and not re.search(
                    r"(?:limits?|not\s+less\s+than|at\s+least|minimum)\W{0,12}$", before, re.I
                ):
                    continue
                if lx.NOT_A_LIMIT_AFTER.search(after):
                    continue
                if a.value is not None and a.value < 1000:
                    continue
                prev_end = amounts[i - 1].end if i > 0 else u[0]
                for cut in _CLAUSE_CUT.finditer(self.norm, prev_end, a.start):
                    if [m for m in self._mentions_in(u) if cut.end() <= m.start and m.end <= a.start]:
                        prev_end = cut.end()  # the amount's own list item: "(6) umbrella ... $1,000,000"
                types = self._types_for(a, prev_end, nxt, u, mentions, last)
                if not types:
                    if not insurance_like:
                        continue
                    types = ["other"]
                    self.uncertain.add("policies")
                last = types
                self.amount_units.add(u)
                lead_start = amounts[i - 1].end if i > 0 else max(u[0], a.start - 45)
                bases = bases_in(after.split(";")[0])
                if not bases:
                    lead = self.norm[lead_start : a.start]
                    b = basis_of(lead[-45:])
                    bases = [b]
                    if (
                        b == "other"
                        and i + 1 < len(amounts)
                        and re.fullmatch(r"\s*/\s*", self.norm[a.end : amounts[i + 1].start])
                    ):
                        bases = ["per_occurrence"]
                    elif b == "other" and i > 0 and re.fullmatch(r"\s*/\s*", self.norm[amounts[i - 1].end : a.start]):
                        bases = ["aggregate"]
                for typ in types:
                    pol = policies.setdefault(typ, Policy(type=typ))
                    for basis in bases:
                        key = (typ, a.value, a.currency, basis, a.redacted)
                        if key in limits_seen:
                            continue
                        limits_seen.add(key)
                        pol.limits.append(Limit(amount=a.value, currency=a.currency, basis=basis, redacted=a.redacted))
                    if len(pol.evidence) < MAX_EVIDENCE and not any(c.start <= a.start < c.end for c in pol.evidence):
                        pol.evidence.append(ctx.cite(u[0], u[1], a.start))
        # types named in an insurance clause without an amount
        obligation_units = {u for u, _m in self.obligations}
        for mtn in mentions:
            mt = self.ctx.text(mtn.unit)
            if _is_heading(mt) and not _LIST_ITEM.match(mt):
                continue  # a bare caption such as "Liability Insurance"; a numbered item counts
            if not (
                mtn.unit in obligation_units
                or mtn.unit in self.amount_units
                or (mtn.unit in self.scope and (self._is_insurance_unit(mtn.unit) or self._in_list(mtn.unit)))
            ):
                continue
            pol = policies.setdefault(mtn.type, Policy(type=mtn.type))
            if len(pol.evidence) < MAX_EVIDENCE and not any(c.start <= mtn.start < c.end for c in pol.evidence):
                pol.evidence.append(ctx.cite(mtn.unit[0], mtn.unit[1], mtn.start))
        p.policies = [policies[t] for t in _TYPE_ORDER if t in policies and policies[t].evidence]

    def _in_list(self, unit: tuple[int, int]) -> bool:
        """The unit continues a list introduced by an insurance obligation."""
        for u, _m in self.obligations:
            if u[0] <= unit[0] <= u[1] + CONTINUATION_CHARS:
                return True
        return any(a <= unit[0] < b for a, b in self.exhibits)

    def _types_for(
        self,
        a: Amount,
        prev_end: int,
        next_start: int,
        unit: tuple[int, int],
        mentions: list[_Mention],
        last: list[str],
    ) -> list[str]:
        """The policy types an amount belongs to: the head type of the clause segment
        before it ("commercial general liability insurance, including product liability
        insurance, ... $1,000,000" is general liability), all listed types when the text
        says "in each case", the type right after it ("$5,000,000 umbrella"), the type of
        the previous amount in the clause, or the type in the previous table cell."""
        in_unit = self._mentions_in(unit)
        seg = [m for m in in_unit if prev_end <= m.start and m.end <= a.start]
        after = [m for m in in_unit if a.end <= m.start < min(next_start, a.end + 40)]
        if after and re.match(r"\W*(?:coverage\s+)?for\s+$|\W*$", self.norm[a.end : after[0].start]):
            return [after[0].type]
        if seg:
            unit_text = self.ctx.text(unit)
            if re.search(
                r"\bin\s+each\s+case\b|\beach\s+of\s+(?:the\s+)?(?:foregoing|above)|\brespectively\b", unit_text, re.I
            ):
                return list(dict.fromkeys(m.type for m in seg))
            # walk back from the type nearest the amount: "X and Y insurance" names both;
            # "X insurance, including Y" and "X, following form over Y" belong to X
            k = len(seg) - 1
            heads = [seg[k].type]
            while k > 0:
                between = self.norm[seg[k - 1].end : seg[k].start]
                if _SUBORDINATE.search(between) or (_DESCRIBES.search(between) and not _NEW_ITEM.search(between)):
                    heads = [seg[k - 1].type]
                elif _COORDINATED.fullmatch(between):
                    if seg[k - 1].type not in heads:
                        heads.insert(0, seg[k - 1].type)
                else:
                    break
                k -= 1
            return heads
        if last:
            return last
        if after:
            return [after[0].type]
        before = [m for m in in_unit if m.end <= a.start]
        if before:
            return [before[-1].type]
        # "Such insurance shall have limits of ...": the type named in the sentence before
        before_unit = self.ctx.unit_at(unit[0] - 1) if unit[0] > 0 else unit
        if _SUCH_INSURANCE.search(self.ctx.text(unit)) or _SUCH_INSURANCE.search(self.ctx.text(before_unit)[-120:]):
            prev = unit
            for _ in range(4):
                prev = self.ctx.unit_at(prev[0] - 1) if prev[0] > 0 else None
                if not prev or unit[0] - prev[1] > 800:
                    break
                pm = self._mentions_in(prev)
                if pm:
                    return [pm[0].type]
        # a table row or a clause cut by a page break: the type sits in the previous unit
        prev = self.ctx.unit_at(unit[0] - 1) if unit[0] > 0 else None
        if prev and prev != unit:
            pm = self._mentions_in(prev)
            ptxt = self.ctx.text(prev).rstrip()
            if pm and not ptxt.endswith(".") and not self._amounts(prev):
                return [pm[0].type]
        return []

    def _term(self, name: str) -> Term:
        rule = lx.TERM_RULES[name]
        ctx = self.ctx
        term = Term()
        negated: list[tuple[int, int]] = []
        weak = False
        prev_t = ""
        for u in self.region:
            t = ctx.text(u)
            had_context, prev_t = prev_t, t
            if rule.exclude and rule.exclude.search(t):
                continue
            if not (_INSURANCE_CONTEXT.search(t) or _INSURANCE_CONTEXT.search(had_context[-200:])):
                continue
            if _is_heading(t):
                continue  # "12.3.3 Additional Insured." names a topic, not a term
            for m in rule.positive.finditer(t):
                window = t[max(0, m.start() - 160) : m.end()]
                clause_start = max(window.rfind(";"), window.rfind(". "))
                window = (
                    window[clause_start + 1 :]
                    if clause_start >= 0 and clause_start < len(window) - (m.end() - m.start())
                    else window
                )
                if rule.negative and rule.negative.search(window):
                    negated.append(u)
                    continue
                if lx.WEAK_QUALIFIER.search(t[max(0, m.start() - 120) : m.end() + 60]):
                    weak = True
                if len(term.evidence) < MAX_EVIDENCE and not any(
                    c.start <= u[0] + m.start() < c.end for c in term.evidence
                ):
                    term.evidence.append(ctx.cite(u[0], u[1], u[0] + m.start()))
                term.present = True
                break
        if (term.present and (negated or weak)) or (not term.present and negated):
            self.uncertain.add(name)
        return term

    def _vague(self, p: InsuranceProfile) -> None:
        ctx = self.ctx
        cites: list[Citation] = []
        by_rule: set[str] = set()

        def add(u: tuple[int, int], focus: int, rule: str) -> None:
            by_rule.add(rule)
            if len(cites) < MAX_EVIDENCE and not any(c.start <= focus < c.end for c in cites):
                cites.append(ctx.cite(u[0], u[1], focus))

        obligation_units = {u for u, _m in self.obligations}
        for u in self.region:
            t = ctx.text(u)
            if u not in obligation_units and u not in self.scope:
                continue
            if not (self._is_insurance_unit(u) or self._in_list(u)):
                continue
            if _NOT_A_STANDARD_CLAUSE.search(t):
                continue
            for m in lx.VAGUE_DISCRETION.finditer(t):
                if lx.NOT_VAGUE_AMOUNT.search(t[m.start() : m.end() + 60]):
                    continue
                add(u, u[0] + m.start(), "discretion")
                break
            for m in lx.VAGUE_STANDARD.finditer(t):
                lo, hi = max(0, m.start() - 60), min(len(t), m.end() + 45)
                near = t[lo:hi]
                before = t[lo : m.start()]
                last_target = None
                for last_target in lx.VAGUE_TARGET.finditer(before):
                    pass
                near_before = last_target is not None and len(_WORD.findall(before, last_target.end())) <= 6
                if not (near_before or _TARGET_AFTER.match(t, m.end(), hi)):
                    continue
                if any(
                    n.start() <= m.start() - lo + 5 and n.end() >= m.start() - lo
                    for n in lx.NOT_VAGUE_TARGET.finditer(near)
                ):
                    continue
                if _NOT_VAGUE_USE.search(t[max(0, m.start() - 30) : m.end() + 40]):
                    continue
                if lx.STATUTORY.search(t[max(0, m.start() - 100) : m.end() + 40]):
                    continue  # "in the statutorily required amount (or ... the appropriate state fund)"
                add(u, u[0] + m.start(), "standard")
                break
        # a type of cover required with no amount anywhere for it
        limited = {pol.type for pol in p.policies if pol.limits}
        for mtn in getattr(self, "mentions", []):
            if mtn.type in limited or mtn.type in ("workers_compensation", "employers_liability"):
                continue
            u = mtn.unit
            if not (self._obligation(u) or self._in_list(u)):
                continue
            t = ctx.text(u)
            if _TERM_CLAUSE.search(t) or _is_title_heading(t):
                continue
            if not (self._obligation(u) or (u in self.scope and lx.INSURANCE_WORD.search(t))):
                continue
            nxt = ctx.next_unit(u)
            scope = t + (ctx.text(nxt) if nxt else "")
            if lx.NOT_VAGUE_AMOUNT.search(scope) or self._amounts(u) or (nxt and self._amounts(nxt)):
                continue
            if u in self.amount_units or (nxt and nxt in self.amount_units):
                continue
            if re.search(
                r"\b(?:as\s+(?:set\s+forth|specified|described|provided)\s+(?:in|below|above)|following)\b", t, re.I
            ):
                continue
            add(u, mtn.start, "no-amount")
        # limits that live in a document that is referred to but not attached
        if self.missing_refs and not any(pol.limits for pol in p.policies):
            for u, m in self.obligations:
                if _XREF.search(ctx.text(u)):
                    add(u, u[0] + m.start(), "unattached")
                    break
        p.vague_language = sorted(cites, key=lambda c: c.start)
        if by_rule and by_rule <= {"no-amount", "unattached"}:
            self.uncertain.add("vague_language")


_WORD = re.compile(r"[\w'-]+")
_TARGET_AFTER = re.compile(r"(?:[\s,()-]+[\w'-]+){0,3}?[\s,()-]+" + lx.VAGUE_TARGET.pattern, re.I)
_NOT_VAGUE_USE = re.compile(
    r"\breasonabl[ey]\s+(?:written\s+)?(?:proof|evidence|request\w*|notice)\b|\breasonabl[ey]\s+(?:efforts|time|times|request\w*|notice|opportunity|assistance|cooperation|access|detail|periods?|satisfactory|acceptable)\b"
    r"|\b(?:reasonably|reasonable)\s+(?:be\s+)?request\w*|\bas\s+(?:may\s+be\s+)?reasonably\s+(?:requested|required\s+to\s+evidence)"
    r"|\bcommercially\s+reasonable\s+efforts|\bappropriate\s+(?:endorsements?|certificates?|evidence|notice)\b|\bsufficient\s+(?:evidence|proof)\b"
    r"|\bin\s+the\s+(?:usual|ordinary|normal)\s+course\b|\bnormal\s+wear\b",
    re.I,
)

_ACT_CHAIN = re.compile(
    r"(?:[^.;]{0,40}?\b(?:and|or|and/or)\s+(?:obtain|maintain|carry|keep|procure|purchase|secure)\b)+", re.I
)
_DESCRIBES = re.compile(r"\b(?:includ(?:ing|es)|providing|covering|which|that)\b", re.I)
_NEW_ITEM = re.compile(r";|,\s+and\b|\band\s+(?:an?\s+)?$", re.I)
_CLAIM_KIND = re.compile(
    r"\s+(?:(?:and|or)\s+[\w-]+\s+)?(?:claims?|actions?|suits?|lawsuits?|exposures?|matters?|litigation)\b", re.I
)
_SUCH_INSURANCE = re.compile(
    r"\b(?:such|said|the\s+foregoing|these|this)\s+(?:\w+\s+){0,2}?(?:insurance|polic(?:y|ies)|coverages?)\b", re.I
)
_QUOTE_START = re.compile(r"(?:[;:]|\.(?=\s)|\(\s*(?:[a-z]{1,3}|\d{1,2})\s*\))\s+")
_NOT_A_STANDARD_CLAUSE = re.compile(
    r"\b(?:unable\s+to|fail(?:s|ure)?\s+to|(?:does|shall|will)\s+not\s+(?:limit|reduce|relieve)|in\s+no\s+way\s+limit|without\s+limiting)\b",
    re.I,
)
_VERB = re.compile(r"\b(?:shall|will|must|may|is|are|be|agrees?|has|have)\b", re.I)


def _is_heading(text: str) -> bool:
    t = text.strip()
    return len(t) < 60 and not _VERB.search(t)


_LIST_ITEM = re.compile(r"\s*(?:\(?[a-zA-Z]{1,4}\)|\(?\d{1,2}(?:\.\d{1,2}){0,3}\.?\)?|[A-Z]\.)\s+(?=\S)")


def _is_title_heading(text: str) -> bool:
    """ "12.3.4 Product Liability Insurance." (a caption) rather than "15.1.5 Data theft and
    cybersecurity coverage." (an item of a list of required cover)."""
    t = _LIST_ITEM.sub("", text.strip(), count=1) if _LIST_ITEM.match(text.strip()) else text.strip()
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", t) if len(w) > 3]
    return _is_heading(text) and bool(words) and all(w[0].isupper() for w in words)


_DEPOSIT_INSURANCE = re.compile(
    r"\bFDIC\b|\bFederal\s+Deposit\s+Insurance|\bdeposit\s+(?:accounts?|insurance)\b|\bSAIF\b|\bBIF\b", re.I
)
_COVER_OBJECT = re.compile(r"\b(?:insurance|self[- ]?insur\w*|coverages?|insured)\b", re.I)
_COVER_NOUN = re.compile(r"\b(?:coverages?|cover|polic(?:y|ies))\b", re.I)
_SECTION_NUMBER = re.compile(
    r"^(?:(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)\s+)?(\d{1,2}|[IVXLC]{1,6})(?:\.|\s|$)(?!\d)"
)
_EXHIBIT_TITLE = re.compile(r"^(?:exhibit|schedule|appendix|annex|attachment|addendum|rider)\b", re.I)
#: Two policy types named together ("commercial general liability and products liability
#: insurance", "automobile, ... public and property liability insurance").
_COORDINATED = re.compile(
    r"[\s,]*(?:insurance|coverage|policy|policies)?[\s,]*(?:(?:[\w'-]+[\s,]+){0,3}?(?:and|or|&|and/or)\s+|/\s*|,\s*)(?:(?:[\w'-]+\s+){0,2})",
    re.I,
)
#: A type named only as part of another: "X insurance, including Y", "X following form over Y".
_SUBORDINATE = re.compile(
    r"(?:\binclud(?:ing|es)|\bincl\.|\bsuch\s+as|\bcovering|\bover|\babove|\bexcess\s+of|\bwith\s+respect\s+to|\bfor|\bunder|\bthan"
    r"|\bwhich\s+(?:shall|will|must)\s+include)(?:\s*,?\s*(?:but\s+not\s+limited\s+to|without\s+limitation)\s*,?)?(?:\s+the|\s+its|\s+any)?\s*$",
    re.I,
)
_CLAUSE_CUT = re.compile(r";|\(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)\s|\n\s*(?:[a-z]|\d{1,2}|[ivx]{1,4}|[A-Z])[.)]\s")
_INSURANCE_CONTEXT = re.compile(
    r"insur|\bpolic(?:y|ies)\b|\bcoverages?\b|\bcarriers?\b|\bunderwriters?\b|subrogat", re.I
)
_TERM_CLAUSE = re.compile(
    r"additional(?:ly)?\s+(?:named\s+)?insured|subrogat|certificate|\bprimary\b|non-?contribut|\bcancel|\bnotice\b|\bloss\s+payee|\bclaims[- ]made\b|\bdeductible",
    re.I,
)

_XREF = re.compile(
    r"\b(Exhibit|Schedule|Appendix|Annex|Attachment|Addendum|Rider)\s+([A-Z0-9]{1,4}(?:[-.][A-Z0-9]{1,3})?)\b(?!\s*\.\s*\d)"
)

_TYPE_ORDER = [
    "general_liability",
    "product_liability",
    "professional_liability",
    "technology_eo",
    "cyber",
    "workers_compensation",
    "employers_liability",
    "auto",
    "umbrella_excess",
    "property",
    "d_and_o",
    "clinical_trial",
    "media_liability",
    "crime_fidelity",
    "other",
]


def _policy_mentions_in(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of each policy-type phrase in ``text``; where two overlap the
    more specific (earlier in :data:`lexicon.POLICY_PATTERNS`) wins, and a bare
    "liability insurance" right after a named type belongs to that type."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[str, int, int]] = []
    for typ, pat in lx.POLICY_PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            if any(s < b and a < e for a, b in taken):
                continue
            taken.append((s, e))
            out.append((typ, s, e))
    # "product liability and infringement claims": a kind of claim, not a kind of cover
    out = [(t, s, e) for t, s, e in out if not _CLAIM_KIND.match(text, e)]
    taken = [(s, e) for _t, s, e in out]
    for m in lx.GENERIC_LIABILITY.finditer(text):
        s, e = m.span()
        if any(s < b and a < e for a, b in taken):
            continue
        if any(0 <= s - b <= 30 and not re.search(r"[.;:]|\band\b|,\s", text[b:s]) for a, b in taken):
            continue
        taken.append((s, e))
        out.append(("general_liability", s, e))
    out.sort(key=lambda x: x[1])
    return out


_YOU_DEFINED = re.compile(
    r"\"you\"[^)\n]{0,40}?\"([A-Z][\w ]{2,30})\"|\"([A-Z][\w ]{2,30})\"[^)\n]{0,40}?\"you\"", re.I
)
_SUBJECT = re.compile(
    r"(?:\b(?:[Ee]ach|[Bb]oth|[Ee]ither)\s+(?:of\s+the\s+)?(?:[Pp]art(?:y|ies))\b"
    r"|\b[Yy]ou\b"
    r"|\b(?:(?:[A-Z][\w&.'-]*|of|the|and|&)\s+){0,5}[A-Z][\w&.'-]*)"
    r"(?:\s*\([^)]{0,40}\))?(?:\s*,[^,;]{0,80},)?\s*(?:each\s+|also\s+|itself\s+)?$"
)
_NOT_A_PARTY = re.compile(
    r"^(?:The|This|Such|Any|All|In|During|Throughout|Upon|If|Before|Prior|At|Each|Both|Either|Notwithstanding|Subject|Except|Without|Term|Agreement|Section|Article|Party|Parties|Services)$"
)


def _subjects(before: str) -> list[str]:
    """The party (or parties) named just before an obligation verb."""
    tail = before[-140:]
    m = _SUBJECT.search(tail)
    if not m:
        return []
    phrase = re.sub(r"\s*\([^)]*\)", "", m.group(0))
    phrase = re.sub(r",.*$", "", phrase, flags=re.S).strip()
    phrase = re.sub(r"\s+(?:each|also|itself)$", "", phrase).strip()
    if re.fullmatch(r"(?:[Ee]ach|[Bb]oth|[Ee]ither)\s+(?:of\s+the\s+)?[Pp]art(?:y|ies)", phrase):
        return ["Each Party"]
    if re.fullmatch(r"[Yy]ou", phrase):
        return ["You"]
    phrase = re.sub(r"^(?:the|The)\s+", "", phrase)
    phrase = re.sub(r"^(?:[A-Z]|[ivxIVX]{1,4}|\d{1,2})[.)]\s+", "", phrase)  # "A. Subcontractor"
    if re.fullmatch(r"(?:[Bb]oth\s+)?(?:the\s+)?[Pp]arties", phrase):
        return ["Each Party"]
    names = [n.strip() for n in re.split(r"\s+(?:and|&)\s+|,\s*", phrase) if n.strip()]
    out = []
    for n in names:
        n = re.sub(r"^(?:of\s+|the\s+)+", "", n.split("\n")[-1]).strip()
        n = re.sub(r"\s+", " ", n)
        if n and not _NOT_A_PARTY.match(n) and n[0].isupper() and len(n) <= 60:
            out.append(n)
    return out


@register_extractor("rules")
def _factory(settings: Settings) -> RulesExtractor:
    return RulesExtractor(settings)
