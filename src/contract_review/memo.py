"""The review as a Word memo: for a PDF or text contract (no draft to mark up), or any review
with ``--format docx``.

One DOCX written with python-docx: what was reviewed, the findings (most severe first) with
their quotes and pages and the suggested clause written for the contract, the policy table,
the insurance terms, the draft's tracked changes that touch insurance, and the quotes an
extractor proposed that were not found in the document. For the ``counterparty`` audience the
findings read as requests, without rule codes, severities or the playbook's reasoning.
"""

from __future__ import annotations

import io
from datetime import date

from .checks.drafting import DEFAULT_REQUEST, REQUESTS, Audience, Drafter
from .fmt import money, short
from .playbook import Playbook
from .schema import TERM_FIELDS, ReviewResult

TERM_NAMES = {
    "additional_insured": "Additional insured",
    "waiver_of_subrogation": "Waiver of subrogation",
    "primary_noncontributory": "Primary and non-contributory",
    "certificate_of_insurance": "Certificate of insurance",
    "cancellation_notice": "Notice of cancellation",
}


def write_memo(
    result: ReviewResult, *, audience: Audience = "internal", author: str = "", playbook: Playbook | None = None
) -> bytes:
    """The review memo of ``result`` as DOCX bytes."""
    import docx

    d = docx.Document()
    d.core_properties.title = f"Insurance review: {result.file}"
    if author:
        d.core_properties.author = author
    d.add_heading(f"Insurance review: {result.file}", level=0)
    _about(d, result, author)
    if result.status == "error" or result.profile is None:
        err = result.error
        d.add_paragraph(f"The file could not be reviewed: {err.message} ({err.code})." if err else "Not reviewed.")
        return _save(d)
    if audience == "counterparty":
        _requests(d, result, playbook)
    else:
        _findings(d, result)
    _policies(d, result)
    _terms(d, result)
    _revisions(d, result)
    _ungrounded(d, result)
    return _save(d)


def _save(d) -> bytes:
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _table(d, header: list[str], rows: list[list[str]]):
    table = d.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    return table


def _about(d, result: ReviewResult, author: str) -> None:
    rows = [
        ["File", result.path],
        ["SHA-256", result.sha256 or ""],
        ["Pages", str(result.pages or "")],
        ["Extractor", result.extractor + (f" ({result.prompt_version})" if result.prompt_version else "")],
        ["Playbook", result.playbook or ""],
        ["Date", date.today().isoformat()],
    ]
    if author:
        rows.append(["Reviewer", author])
    _table(d, ["", ""], rows)


def _findings(d, result: ReviewResult) -> None:
    findings = result.sorted_findings()
    d.add_heading(f"Findings ({len(findings)})", level=1)
    if not findings:
        d.add_paragraph("No findings.")
    for f in findings:
        d.add_heading(f"{f.severity.upper()}: {f.rule} {f.slug}", level=2)
        d.add_paragraph(f.message)
        for c in f.evidence[:3]:
            d.add_paragraph(f'p.{c.page}: "{short(c.quote, 600)}"', style="Intense Quote")
        if f.suggestion:
            p = d.add_paragraph()
            p.add_run("Suggested clause: ").bold = True
            p.add_run(f.suggestion)


def _requests(d, result: ReviewResult, playbook: Playbook | None) -> None:
    findings = result.sorted_findings()
    drafter = Drafter(result.profile, playbook or Playbook())  # type: ignore[arg-type]
    insured = "each party" if drafter.mutual else drafter.insured
    d.add_heading(f"Requested changes ({len(findings)})", level=1)
    if not findings:
        d.add_paragraph("None.")
    for i, f in enumerate(findings, start=1):
        request = REQUESTS.get(f.slug, DEFAULT_REQUEST).format(insured=insured, protected=drafter.protected)
        d.add_paragraph(f"{i}. {request}")
        for c in f.evidence[:1]:
            d.add_paragraph(f'Current wording (p.{c.page}): "{short(c.quote, 600)}"', style="Intense Quote")
        if f.suggestion:
            p = d.add_paragraph()
            p.add_run("Proposed wording: ").bold = True
            p.add_run(f.suggestion)


def _policies(d, result: ReviewResult) -> None:
    profile = result.profile
    assert profile is not None
    d.add_heading("Policies required", level=1)
    if not profile.policies:
        d.add_paragraph("None found.")
        return
    rows = []
    for pol in profile.policies:
        lims = ", ".join(f"{money(lim.amount, lim.currency, lim.redacted)} {lim.basis}" for lim in pol.limits)
        rows.append([pol.type, lims or "no amount", ", ".join(sorted({f"p.{c.page}" for c in pol.evidence}))])
    _table(d, ["Policy", "Limits", "Where"], rows)


def _terms(d, result: ReviewResult) -> None:
    profile = result.profile
    assert profile is not None
    d.add_heading("Insurance terms", level=1)
    rows = []
    for name in TERM_FIELDS:
        term = getattr(profile, name)
        quote = f'p.{term.evidence[0].page}: "{short(term.evidence[0].quote, 200)}"' if term.evidence else ""
        rows.append([TERM_NAMES[name], "present" if term.present else "absent", quote])
    _table(d, ["Term", "", "Quote"], rows)
    if profile.obligated_parties:
        d.add_paragraph(f"Must carry the insurance: {', '.join(profile.obligated_parties)}")


def _revisions(d, result: ReviewResult) -> None:
    profile = result.profile
    assert profile is not None
    if not profile.revisions:
        return
    d.add_heading("Tracked changes to the insurance terms", level=1)
    rows = [
        [r.kind, r.author or "", (r.date or "")[:10], f"p.{r.page}", short(" ".join(r.text.split()), 300)]
        for r in profile.revisions
    ]
    _table(d, ["Change", "Author", "Date", "Page", "Text"], rows)


def _ungrounded(d, result: ReviewResult) -> None:
    profile = result.profile
    assert profile is not None
    if not profile.ungrounded:
        return
    d.add_heading("Quotes dropped (not found in the document)", level=1)
    for u in profile.ungrounded:
        d.add_paragraph(f'{u.field}: "{short(u.quote, 300)}"', style="List Bullet")
