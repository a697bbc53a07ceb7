"""Rows for ``st.dataframe``: a :class:`~contract_review.schema.ReviewResult` as plain
lists of dicts (policies, terms, sections searched, dropped quotes), a batch as one row per
contract with a yes/no column per rule that fired, the filters over those rows, the quotes
a user can open in their page, and a search result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..fmt import money, short
from ..report import TERM_LABELS, csv_row
from ..schema import SEVERITY_ORDER, TERM_FIELDS, Citation, Limit, ReviewResult


@dataclass
class SearchRow:
    document: str
    page: int
    section: str
    score: float
    text: str
    source: str  # "this session" or "shared index"


def policy_rows(result: ReviewResult) -> list[dict]:
    """One row per required limit (one per policy when it names none)."""
    p = result.profile
    if p is None:
        return []
    obligated = "; ".join(p.obligated_parties)
    rows = []
    for pol in p.policies:
        page = pol.evidence[0].page if pol.evidence else None
        quote = short(pol.evidence[0].quote) if pol.evidence else ""
        limits: list[Limit | None] = [*pol.limits] or [None]
        for lim in limits:
            rows.append(
                {
                    "type": pol.type,
                    "limit": money(lim.amount, lim.currency, lim.redacted) if lim else "none stated",
                    "basis": lim.basis if lim else "",
                    "obligated party": obligated,
                    "page": page,
                    "quote": quote,
                }
            )
    return rows


def term_rows(result: ReviewResult) -> list[dict]:
    """Additional insured, waiver of subrogation, primary & non-contributory, certificate
    of insurance, cancellation notice: present or absent, with the first quote and who
    decided it ("rules", "llm", or "semantic layer (...)" for a term only the semantic layer
    found: a paraphrase a reader should check)."""
    p = result.profile
    if p is None:
        return []
    rows = []
    for name in TERM_FIELDS:
        term = getattr(p, name)
        rows.append(
            {
                "term": TERM_LABELS[name],
                "status": "present" if term.present else "absent",
                "decided by": decided_by_label(p.decided_by.get(name), result.extractor),
                "page": term.evidence[0].page if term.evidence else None,
                "quote": short(term.evidence[0].quote) if term.evidence else "",
            }
        )
    return rows


def decided_by_label(source: str | None, extractor: str) -> str:
    """ "semantic:semantic-prototypes@1" -> "semantic layer (semantic-prototypes@1)"; no
    record -> the extractor's name."""
    if not source:
        return extractor
    kind, _, ref = source.partition(":")
    if kind == "semantic":
        return f"semantic layer ({ref})" if ref else "semantic layer"
    return source


def searched_rows(result: ReviewResult) -> list[dict]:
    p = result.profile
    return [{"page": s.page, "section": s.section or ""} for s in (p.searched if p else [])]


def ungrounded_rows(result: ReviewResult) -> list[dict]:
    p = result.profile
    return [{"field": u.field, "quote": u.quote, "reason": u.reason} for u in (p.ungrounded if p else [])]


@dataclass(frozen=True)
class CitationChoice:
    label: str
    citation: Citation


def citation_choices(result: ReviewResult) -> list[CitationChoice]:
    """Quotes a user can open in their page: the findings' quotes (most severe first), then
    the evidence of the profile."""
    out: list[CitationChoice] = []
    seen: set[tuple[int, int]] = set()

    def add(prefix: str, c: Citation) -> None:
        if (c.start, c.end) in seen:
            return
        seen.add((c.start, c.end))
        ocr = " · OCR" if c.ocr else ""
        out.append(CitationChoice(f"{prefix} · p.{c.page}{ocr} · \u201c{short(c.quote, 80)}\u201d", c))

    for f in result.sorted_findings():
        for c in f.evidence:
            add(f"{f.rule} {f.slug}", c)
    if result.profile:
        p = result.profile
        for c in p.insurance_evidence:
            add("insurance required", c)
        for pol in p.policies:
            for c in pol.evidence:
                add(f"policy {pol.type}", c)
        for name in TERM_FIELDS:
            for c in getattr(p, name).evidence:
                add(TERM_LABELS[name], c)
        for c in p.vague_language:
            add("vague language", c)
    return out


def rule_flag_columns(results: Iterable[ReviewResult]) -> list[str]:
    """``"INS001 missing-additional-insured"`` for every rule that fired in any result."""
    flags = {f"{f.rule} {f.slug}" for r in results for f in r.findings}
    return sorted(flags)


SUMMARY_LEADING = ("file", "status", "max_severity", "n_findings")


def summary_rows(results: list[ReviewResult]) -> list[dict]:
    """One row per contract: file, status and worst severity, then one yes/no column per
    rule that fired anywhere in the batch, then the other CSV columns (without path, hash,
    prompt version and the findings list the flag columns replace)."""
    flags = rule_flag_columns(results)
    rows = []
    for r in results:
        # "" stands for "not applicable" in CSV; a table column of numbers needs None
        base = {
            k: (None if v == "" else v)
            for k, v in csv_row(r).items()
            if k not in ("path", "sha256", "prompt_version", "findings")
        }
        row = {k: base.pop(k) for k in SUMMARY_LEADING}
        fired = {f"{f.rule} {f.slug}" for f in r.findings}
        row.update({flag: flag in fired for flag in flags})
        row.update(base)
        rows.append(row)
    return rows


def filter_rows(
    rows: list[dict],
    *,
    flags: Iterable[str] = (),
    status: str | None = None,
    name_contains: str = "",
    min_severity: str | None = None,
) -> list[dict]:
    """Rows where every selected flag fired, the status matches, the file name contains the
    text (case-insensitive) and the most severe finding is at least ``min_severity``."""
    flags = list(flags)
    needle = name_contains.strip().lower()
    out = []
    for row in rows:
        if status and row.get("status") != status:
            continue
        if any(not row.get(f) for f in flags):
            continue
        if needle and needle not in str(row.get("file", "")).lower():
            continue
        if min_severity:
            sev = row.get("max_severity")
            if not sev or SEVERITY_ORDER[sev] > SEVERITY_ORDER[min_severity]:
                continue
        out.append(row)
    return out
