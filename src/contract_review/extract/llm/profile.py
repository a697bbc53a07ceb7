"""Answer to profile: the model's answer becomes an :class:`InsuranceProfile` with raw
citations (quotes located with :func:`~contract_review.grounding.find_quote`); a limit whose
amount is not written in its policy's quotes and a party not named in the document are
dropped here and reported in ``profile.ungrounded``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from ...grounding import find_quote, normalise
from ...loaders import Document
from ...schema import (
    POLICY_TERMS,
    TERM_FIELDS,
    Citation,
    InsuranceProfile,
    Limit,
    Policy,
    SearchedSection,
    Stated,
    Term,
    UngroundedQuote,
)
from ..amounts import figures_in
from ..retrieval import Context

# --------------------------------------------------------------------------- citations

_REDACTION = re.compile(r"\[\s*\*|\*{3}|\[\s*redacted|\[\s*\]", re.I)


def _cite(doc: Document, quote: str, ctx: Context) -> Citation | None:
    """A citation of the quote where it is found; otherwise the raw quote with no position,
    which :func:`~contract_review.grounding.ground_profile` drops and reports."""
    quote = (quote or "").strip()
    if not quote:
        return None
    found = find_quote(doc, quote, near=ctx.spans[0].start if ctx.spans else 0)
    return found or Citation(quote=quote, page=0, start=-1, end=-1)


def _cites(doc: Document, quotes: Iterable[str], ctx: Context) -> list[Citation]:
    out: list[Citation] = []
    for q in quotes:
        c = _cite(doc, q, ctx)
        if c is not None and c not in out:
            out.append(c)
    return out


def _grounded_text(doc: Document, cites: list[Citation]) -> str:
    return " ".join(doc.text[c.start : c.end] for c in cites if c.start >= 0)


# --------------------------------------------------------------------------- the profile


def _searched(ctx: Context) -> list[SearchedSection]:
    """The sections the model was shown, once each, in context order."""
    out: list[SearchedSection] = []
    seen = set()
    for s in ctx.spans:
        key = (s.page, s.section)
        if key not in seen:
            seen.add(key)
            out.append(SearchedSection(page=s.page, section=s.section))
    return out


def _parties(doc: Document, names: Iterable[Any], ung: list[UngroundedQuote]) -> list[str]:
    """The obligated parties named in the document; the others go to ``ung``."""
    text = " ".join(doc.norm.split()).lower()
    out = []
    for name in names:
        party = " ".join(str(name).split())
        if party and party.lower() in text:
            out.append(party)
        elif party:
            ung.append(
                UngroundedQuote(field="obligated_parties", quote=party, reason="party not named in the document text")
            )
    return out


def _limit(lim: dict[str, Any], text: str, written: set[float], has_evidence: bool) -> Limit | tuple[str, str]:
    """The answer's limit when the policy's grounded quote ``text`` supports it, else the
    (quote, reason) of its rejection. A redacted limit needs a redaction mark (or no quote)."""
    if lim["redacted"] or lim["amount"] is None:
        if _REDACTION.search(text) or not has_evidence:
            return Limit(amount=None, currency=lim["currency"], basis=lim["basis"], redacted=True)
        return "(redacted)", "no redaction mark in the policy's quoted text"
    if any(abs(lim["amount"] - w) < 0.5 for w in written):
        return Limit(amount=lim["amount"], currency=lim["currency"] or "USD", basis=lim["basis"], redacted=False)
    return f"{lim['amount']:,.0f}", "amount not written in the policy's quoted text"


def _policy(doc: Document, pol: dict[str, Any], ctx: Context, ung: list[UngroundedQuote]) -> Policy:
    evidence = _cites(doc, pol["quotes"], ctx)
    text = _grounded_text(doc, evidence)
    written = figures_in(text)
    limits = []
    for lim in pol["limits"]:
        checked = _limit(lim, text, written, bool(evidence))
        if isinstance(checked, Limit):
            limits.append(checked)
        else:
            quote, reason = checked
            ung.append(UngroundedQuote(field=f"policies.{pol['type']}.limits", quote=quote, reason=reason))
    return Policy(type=pol["type"], limits=limits, evidence=evidence)


# Words a quote must hold for the value it backs: the LLM proposes a requirement, its quote decides.
_SAYS: dict[str, re.Pattern[str]] = {
    "additional_insured": re.compile(
        r"additional(?:ly)?\s+(?:named\s+)?insureds?|named\s+as\s+(?:an?\s+)?(?:additional\s+)?insured"
        r"|(?:covered|included)\s+as\s+(?:an?\s+)?(?:additional\s+)?insured",
        re.I,
    ),
    "waiver_of_subrogation": re.compile(r"subrogat|rights?\s+of\s+recovery", re.I),
    "primary_noncontributory": re.compile(r"\bprimary\b|non-?\s?contribut|without\s+contribution", re.I),
    "occurrence": re.compile(r"\boccurrence\b", re.I),
    "claims_made": re.compile(r"claims?[-\s]+made", re.I),
}
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b|\b[a-z]+(?:-[a-z]+)?\b", re.I)


def _says_number(text: str, n: float) -> bool:
    """Whether ``text`` writes the number ``n`` (in digits or words: "3", "three")."""
    from ..amounts import words_to_number

    for m in _NUMBER.finditer(text):
        tok = m.group(0)
        value = float(tok) if tok[0].isdigit() else words_to_number(tok.replace("-", " "))
        if value is not None and abs(value - n) < 1e-9:
            return True
    return False


def _norm(text: str) -> str:
    """As the grounding compares (whitespace collapsed, curly quotes and dashes folded), and caseless."""
    return normalise(text).casefold()


def _rating_says(text: str, rating: str) -> bool:
    """Every token of the rating ("A-", "VII") written in ``text`` as a word of its own."""
    tokens = rating.replace(",", " ").split()
    return bool(tokens) and all(
        re.search(rf"(?<![\w+-]){re.escape(t)}(?![\w+])", text, re.I) for t in tokens if t.lower() != "best"
    )


class _Backing:
    """The found quotes of one policy's requirements, and which of them back a value."""

    def __init__(self, doc: Document, cites: list[Citation]):
        self.cites = [c for c in cites if c.start >= 0]
        self.texts = [doc.text[c.start : c.end] for c in self.cites]

    def where(self, test) -> list[Citation]:
        return [c for c, t in zip(self.cites, self.texts, strict=True) if test(t)]


def _reject(ung: list[UngroundedQuote], where: str, value: Any, reason: str) -> None:
    ung.append(UngroundedQuote(field=where, quote=str(value), reason=reason))


def _holder(p: InsuranceProfile, typ: str, fields: Sequence[str]) -> Policy | None:
    """The profile's policy of type ``typ``; when the policies were not asked (the hybrid
    extractor asks only for the requirements of the rules' policies), a bare one that holds
    them until they are merged onto the rules' policy of that type."""
    pol = next((x for x in p.policies if x.type == typ), None)
    if pol is None and "policies" not in fields:
        pol = Policy(type=typ)  # typ is one of PolicyType: the answer schema is that Literal
        p.policies.append(pol)
    return pol


def _requirement(doc: Document, pol: Policy, req: dict[str, Any], back: _Backing, ung: list[UngroundedQuote]) -> None:
    """One answer's requirements onto ``pol``: each value with the quotes that say it; a
    value none of its quotes says is dropped and reported."""
    where = f"policies.{pol.type}"
    parties = _parties(doc, req["carried_by"], ung)
    if parties:
        naming = back.where(lambda t: any(_norm(n) in _norm(t) for n in parties))
        pol.carried_by, pol.carried_by_evidence = parties, naming or list(back.cites)
    for name in POLICY_TERMS:
        if req[name] is False:
            setattr(pol, name, Term(present=False))  # "the clause names other policies"
        elif req[name]:
            says = back.where(_SAYS[name].search)
            if says:
                setattr(pol, name, Term(present=True, evidence=says))
            else:
                _reject(ung, f"{where}.{name}", "required", f"no quote of this policy's requirements mentions {name}")
    if req["coverage_form"]:
        says = back.where(_SAYS[req["coverage_form"]].search)
        if says:
            pol.coverage_form, pol.coverage_form_evidence = req["coverage_form"], says
        else:
            _reject(ung, f"{where}.coverage_form", req["coverage_form"], "no quote names that form")
    if req["duration"]:
        years = req["tail_years"]
        says = back.where(
            (lambda t: _says_number(t, years) and re.search(r"\byears?\b", t, re.I) is not None)
            if years
            else (lambda t: _norm(req["duration"]) in _norm(t))
        )
        if says:
            pol.duration, pol.tail_years = Stated(value=req["duration"], evidence=says), years
        else:
            _reject(ung, f"{where}.duration", req["duration"], "the duration (its number of years) is not in a quote")
    if req["min_rating"]:
        says = back.where(lambda t: _rating_says(t, req["min_rating"]))
        if says:
            pol.min_rating = Stated(value=req["min_rating"], evidence=says)
        else:
            _reject(ung, f"{where}.min_rating", req["min_rating"], "the rating is not written in a quote")


def _requirements(
    doc: Document,
    p: InsuranceProfile,
    a: dict[str, Any],
    fields: Sequence[str],
    ctx: Context,
    ung: list[UngroundedQuote],
) -> None:
    """The optional per-policy requirements onto the profile's policies of the same type.
    The LLM proposes, its quotes decide: every value keeps only the (found) quotes that say
    it (an additional insured a quote mentions, the rating written in it, the number of years
    of the duration, the form named); a value no quote says, and a quote not found in the
    document, are dropped and reported in ``ungrounded``."""
    for req in a.get("policy_requirements") or []:
        pol = _holder(p, req["type"], fields)
        cites = _cites(doc, req["quotes"], ctx)
        for c in cites:
            if c.start < 0:
                _reject(ung, f"policies.{req['type']}.requirements", c.quote, "not found in the document text")
        back = _Backing(doc, cites)
        if pol is None or not back.cites:
            continue
        _requirement(doc, pol, req, back, ung)
    if a.get("certificate_due"):
        due = [c for c in _cites(doc, a.get("certificate_due_quotes") or [], ctx) if c.start >= 0]
        said = [c for c in due if _norm(a["certificate_due"]) in _norm(doc.text[c.start : c.end])]
        if said:
            p.certificate_due = Stated(value=a["certificate_due"], evidence=said)
        else:
            _reject(ung, "certificate_due", a["certificate_due"], "not written in a found quote")


def to_profile(doc: Document, answer: BaseModel, fields: Sequence[str], ctx: Context) -> InsuranceProfile:
    """Map the model's answer to an :class:`InsuranceProfile` with raw citations.

    Deterministic checks made here: a limit whose amount is not written in the policy's
    (found) quotes is dropped, a party not named in the document is dropped; both are
    reported in ``profile.ungrounded``. Quotes are checked by the pipeline's grounding."""
    a = answer.model_dump()
    ung: list[UngroundedQuote] = []
    p = InsuranceProfile()
    p.searched.extend(_searched(ctx))
    if "insurance_required" in fields:
        p.insurance_required = bool(a["insurance_required"])
        p.insurance_evidence = _cites(doc, a["insurance_quotes"], ctx) if p.insurance_required else []
        p.obligated_parties.extend(_parties(doc, a["obligated_parties"], ung))
    if "policies" in fields:
        p.policies.extend(_policy(doc, pol, ctx, ung) for pol in a["policies"])
    for name in TERM_FIELDS:
        if name in fields:
            t = a[name]
            setattr(
                p,
                name,
                Term(present=bool(t["present"]), evidence=_cites(doc, t["quotes"], ctx) if t["present"] else []),
            )
    if "vague_language" in fields:
        p.vague_language = _cites(doc, a["vague_language"], ctx)
    if "policy_requirements" in fields:
        _requirements(doc, p, a, fields, ctx, ung)
    p.ungrounded = ung
    p.decided_by = {f: "llm" for f in fields}
    return p
