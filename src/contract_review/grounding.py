"""Ground quotes in the source: the LLM proposes, this module decides.

A quote counts only if it is found verbatim in the document text, modulo whitespace runs,
curly vs straight quote marks, dash variants and no-break spaces. Found quotes are
replaced by the document's own text with page and offsets; the rest are dropped and
reported in ``profile.ungrounded``. A term claimed *present* with no grounded quote is
not present.
Every kept citation says whether its page was read by OCR (``Citation.ocr``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .loaders import Document, searchable
from .schema import POLICY_TERMS, TERM_FIELDS, Citation, InsuranceProfile, Policy, UngroundedQuote

_WS = re.compile(r"\s+")


@dataclass
class _Index:
    collapsed: str
    offsets: list[int]  # offsets[i] = offset in doc.text of collapsed[i]


_INDEX_ATTR = "_grounding_index"


def _index(doc: Document) -> _Index:
    idx = getattr(doc, _INDEX_ATTR, None)
    if idx is None:
        out, offsets = [], []
        prev_space = True
        for i, ch in enumerate(doc.norm):
            if ch.isspace():
                if not prev_space:
                    out.append(" ")
                    offsets.append(i)
                prev_space = True
            else:
                out.append(ch)
                offsets.append(i)
                prev_space = False
        idx = _Index("".join(out), offsets)
        setattr(doc, _INDEX_ATTR, idx)
    return idx


def normalise(text: str) -> str:
    return _WS.sub(" ", searchable(text)).strip()


def cite(doc: Document, start: int, end: int) -> Citation:
    """A citation of ``doc.text[start:end]`` (trimmed of surrounding whitespace)."""
    while start < end and doc.text[start].isspace():
        start += 1
    while end > start and doc.text[end - 1].isspace():
        end -= 1
    return Citation(quote=doc.text[start:end], page=doc.page_at(start), start=start, end=end)


def find_quote(doc: Document, quote: str, near: int = 0) -> Citation | None:
    """Locate ``quote`` in ``doc``; return a citation of the document's own text or None.
    Where the quote occurs more than once, the occurrence at or after ``near`` wins."""
    if not quote or not quote.strip():
        return None
    exact = doc.text.find(quote, near)
    if exact < 0:
        exact = doc.text.find(quote)
    if exact >= 0:
        return cite(doc, exact, exact + len(quote))
    q = normalise(quote)
    if not q:
        return None
    idx = _index(doc)
    # ``near`` is an offset into doc.text; find the first collapsed position at or after it.
    lo = 0
    if near:
        import bisect

        lo = bisect.bisect_left(idx.offsets, near)
    pos = idx.collapsed.find(q, lo)
    if pos < 0:
        pos = idx.collapsed.find(q)
    if pos < 0:
        return None
    return cite(doc, idx.offsets[pos], idx.offsets[pos + len(q) - 1] + 1)


def is_verbatim(doc: Document, c: Citation) -> bool:
    return doc.text[c.start : c.end] == c.quote and doc.page_at(c.start) == c.page


def _ground_list(doc: Document, field: str, cites: list[Citation], ungrounded: list[UngroundedQuote]) -> list[Citation]:
    kept = []
    for c in cites:
        if is_verbatim(doc, c):
            kept.append(_marked(doc, c))
            continue
        found = find_quote(doc, c.quote, near=max(c.start, 0))
        if found is None:
            ungrounded.append(UngroundedQuote(field=field, quote=c.quote))
        else:
            kept.append(_marked(doc, found))
    return kept


def _ground_requirements(doc: Document, pol: Policy, ung: list[UngroundedQuote]) -> None:
    """The per-policy requirements keep only grounded quotes; a value left with none is
    dropped (``None``), a term claimed with none is absent."""
    where = f"policies.{pol.type}"
    pol.carried_by_evidence = _ground_list(doc, where + ".carried_by", pol.carried_by_evidence, ung)
    if pol.carried_by and not pol.carried_by_evidence:
        pol.carried_by = []
    for name in POLICY_TERMS:
        term = getattr(pol, name)
        if term is not None:
            term.evidence = _ground_list(doc, f"{where}.{name}", term.evidence, ung)
            if term.present and not term.evidence:
                setattr(pol, name, None)
    pol.coverage_form_evidence = _ground_list(doc, where + ".coverage_form", pol.coverage_form_evidence, ung)
    if not pol.coverage_form_evidence:
        pol.coverage_form = None
    for name in ("duration", "retroactive_date", "min_rating"):
        stated = getattr(pol, name)
        if stated is not None:
            stated.evidence = _ground_list(doc, f"{where}.{name}", stated.evidence, ung)
            if not stated.evidence:
                setattr(pol, name, None)
                if name == "duration":
                    pol.tail_years = None


def _marked(doc: Document, c: Citation) -> Citation:
    """``c`` with ``ocr`` set when any page it spans was read by OCR."""
    first, last = doc.page_at(c.start), doc.page_at(max(c.start, c.end - 1))
    c.ocr = any(doc.pages[n - 1].ocr is not None for n in range(first, last + 1))
    return c


def ground_profile(doc: Document, profile: InsuranceProfile) -> InsuranceProfile:
    """Return a copy of ``profile`` in which every citation is verbatim document text."""
    p = profile.model_copy(deep=True)
    ung = list(p.ungrounded)
    p.insurance_evidence = _ground_list(doc, "insurance_required", p.insurance_evidence, ung)
    p.vague_language = _ground_list(doc, "vague_language", p.vague_language, ung)
    policies = []
    for pol in p.policies:
        pol.evidence = _ground_list(doc, f"policies.{pol.type}", pol.evidence, ung)
        _ground_requirements(doc, pol, ung)
        if pol.evidence:
            policies.append(pol)
    p.policies = policies
    for name in TERM_FIELDS:
        term = getattr(p, name)
        term.evidence = _ground_list(doc, name, term.evidence, ung)
        if term.present and not term.evidence:
            term.present = False
    if p.certificate_due is not None:
        p.certificate_due.evidence = _ground_list(doc, "certificate_due", p.certificate_due.evidence, ung)
        p.certificate_due = p.certificate_due if p.certificate_due.evidence else None
    term = p.contract_term
    if term is not None:  # the end is read from every one of its quotes: one not found, and it is not known
        n = len(term.evidence)
        term.evidence = _ground_list(doc, "contract_term", term.evidence, ung)
        if not n or len(term.evidence) != n:
            p.contract_term = None
    if p.insurance_required and not (p.insurance_evidence or p.policies):
        p.insurance_required = False
    p.ungrounded = ung
    return p
