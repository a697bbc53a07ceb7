"""Render results for people (text, Markdown) and for machines (JSON lines, CSV rows)."""

from __future__ import annotations

import json

from .schema import TERM_FIELDS, ReviewResult

TERM_LABELS = {
    "additional_insured": "Additional insured",
    "waiver_of_subrogation": "Waiver of subrogation",
    "primary_noncontributory": "Primary & non-contributory",
    "certificate_of_insurance": "Certificate of insurance",
    "cancellation_notice": "Notice of cancellation",
}

CSV_COLUMNS = [
    "file", "path", "sha256", "status", "error_code", "error_message", "pages", "extractor",
    "prompt_version", "playbook", "insurance_required", "obligated_parties", "policy_types",
    "has_minimum_limits", "limits", *TERM_FIELDS, "vague_language", "findings", "max_severity",
    "n_findings",
]


def to_json_line(result: ReviewResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)


def format_amount(amount: float | None, currency: str | None, redacted: bool = False) -> str:
    if redacted or amount is None:
        return f"{currency or ''} [redacted]".strip()
    return f"{currency or ''} {amount:,.0f}".strip()


def limits_summary(result: ReviewResult) -> str:
    if not result.profile:
        return ""
    parts = []
    for pol in result.profile.policies:
        for lim in pol.limits:
            parts.append(f"{pol.type}: {format_amount(lim.amount, lim.currency, lim.redacted)} {lim.basis}")
    return "; ".join(parts)


def csv_row(result: ReviewResult) -> dict:
    p = result.profile
    findings = result.sorted_findings()
    row = {
        "file": result.file, "path": result.path, "sha256": result.sha256 or "", "status": result.status,
        "error_code": result.error.code if result.error else "",
        "error_message": result.error.message if result.error else "",
        "pages": result.pages if result.pages is not None else "",
        "extractor": result.extractor, "prompt_version": result.prompt_version or "",
        "playbook": result.playbook or "",
        "insurance_required": p.insurance_required if p else "",
        "obligated_parties": "; ".join(p.obligated_parties) if p else "",
        "policy_types": "; ".join(sorted({pol.type for pol in p.policies})) if p else "",
        "has_minimum_limits": p.has_minimum_limits if p else "",
        "limits": limits_summary(result),
        "vague_language": bool(p.vague_language) if p else "",
        "findings": " ".join(f.rule for f in findings),
        "max_severity": findings[0].severity if findings else "",
        "n_findings": len(findings),
    }
    for name in TERM_FIELDS:
        row[name] = getattr(p, name).present if p else ""
    return row


def _short(text: str, n: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def render_text(result: ReviewResult, markdown: bool = False) -> str:
    h1, h2 = ("# ", "## ") if markdown else ("", "")
    out = [f"{h1}{result.file}"]
    if result.status == "error":
        out.append(f"ERROR [{result.error.code}] {result.error.message}")
        return "\n".join(out) + "\n"
    p = result.profile
    out.append(
        f"{result.pages} page(s) · extractor {result.extractor}"
        + (f" ({result.prompt_version})" if result.prompt_version else "")
        + f" · playbook {result.playbook}"
    )
    out.append("")
    findings = result.sorted_findings()
    out.append(f"{h2}Findings ({len(findings)})")
    if not findings:
        out.append("No findings.")
    for f in findings:
        bullet = "- " if markdown else "  "
        out.append(f"{bullet}[{f.severity.upper()}] {f.rule} {f.slug}: {f.message}")
        for c in f.evidence[:3]:
            out.append(f"{'  ' if markdown else '      '}p.{c.page}: \"{_short(c.quote)}\"")
        if f.suggestion:
            out.append(f"{'  ' if markdown else '      '}Suggested clause: {_short(f.suggestion, 400)}")
    out.append("")
    out.append(f"{h2}Policies")
    if not p.policies:
        out.append("None found.")
    elif markdown:
        out.append("| type | limits | page |")
        out.append("|---|---|---|")
    for pol in p.policies:
        lims = ", ".join(f"{format_amount(l.amount, l.currency, l.redacted)} {l.basis}" for l in pol.limits) or "no amount"
        page = pol.evidence[0].page if pol.evidence else ""
        out.append(f"| {pol.type} | {lims} | {page} |" if markdown else f"  {pol.type:<24} {lims}  (p.{page})")
    out.append("")
    out.append(f"{h2}Terms")
    for name in TERM_FIELDS:
        term = getattr(p, name)
        mark = "present" if term.present else "absent"
        page = f" (p.{term.evidence[0].page})" if term.evidence else ""
        out.append(f"{'- ' if markdown else '  '}{TERM_LABELS[name]}: {mark}{page}")
    if p.obligated_parties:
        out.append(f"{'- ' if markdown else '  '}Obligated: {', '.join(p.obligated_parties)}")
    if p.ungrounded:
        out.append("")
        out.append(f"{h2}Dropped quotes (not found in the document)")
        for u in p.ungrounded:
            out.append(f"{'- ' if markdown else '  '}{u.field}: \"{_short(u.quote)}\"")
    out.append("")
    searched = ", ".join(f"p.{s.page} {s.section}" if s.section else f"p.{s.page}" for s in p.searched[:40])
    out.append(f"{h2}Sections searched: {len(p.searched)}" + ("" if markdown else ""))
    if searched:
        out.append(_short(searched, 600))
    return "\n".join(out) + "\n"
