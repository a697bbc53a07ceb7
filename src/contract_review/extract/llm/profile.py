"""Answer to profile: the model's answer becomes an :class:`InsuranceProfile` with raw
citations (quotes located with :func:`~contract_review.grounding.find_quote`); a limit whose
amount is not written in its policy's quotes and a party not named in the document are
dropped here and reported in ``profile.ungrounded``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from ...grounding import find_quote
from ...loaders import Document
from ...schema import (
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


def _requirements(
    doc: Document, p: InsuranceProfile, a: dict[str, Any], ctx: Context, ung: list[UngroundedQuote]
) -> None:
    """The optional per-policy requirements onto the profile's policies of the same type;
    every value keeps the answer's (found) quotes as its evidence, and grounding drops a
    value whose quotes are not in the document."""
    by_type = {pol.type: pol for pol in p.policies}
    for req in a.get("policy_requirements") or []:
        pol = by_type.get(req["type"])
        if pol is None:
            continue
        cites = _cites(doc, req["quotes"], ctx)
        if not cites:
            continue
        pol.carried_by = _parties(doc, req["carried_by"], ung)
        pol.carried_by_evidence = list(cites) if pol.carried_by else []
        for name in ("additional_insured", "waiver_of_subrogation", "primary_noncontributory"):
            if req[name] is not None:
                setattr(pol, name, Term(present=bool(req[name]), evidence=list(cites) if req[name] else []))
        if req["coverage_form"]:
            pol.coverage_form, pol.coverage_form_evidence = req["coverage_form"], list(cites)
        if req["duration"]:
            pol.duration, pol.tail_years = Stated(value=req["duration"], evidence=list(cites)), req["tail_years"]
        if req["min_rating"]:
            pol.min_rating = Stated(value=req["min_rating"], evidence=list(cites))
    if a.get("certificate_due"):
        due = _cites(doc, a.get("certificate_due_quotes") or [], ctx)
        if due:
            p.certificate_due = Stated(value=a["certificate_due"], evidence=due)


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
        _requirements(doc, p, a, ctx, ung)
    p.ungrounded = ung
    p.decided_by = {f: "llm" for f in fields}
    return p
