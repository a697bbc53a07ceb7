"""Render results for people (text, Markdown) and for machines (JSON lines, CSV rows)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from .fmt import money, printable, short
from .schema import TERM_FIELDS, Citation, InsuranceProfile, ReviewResult

TERM_LABELS = {
    "additional_insured": "Additional insured",
    "waiver_of_subrogation": "Waiver of subrogation",
    "primary_noncontributory": "Primary & non-contributory",
    "certificate_of_insurance": "Certificate of insurance",
    "cancellation_notice": "Notice of cancellation",
}

CSV_COLUMNS = [
    "file",
    "path",
    "sha256",
    "status",
    "error_code",
    "error_message",
    "pages",
    "extractor",
    "prompt_version",
    "playbook",
    "insurance_required",
    "obligated_parties",
    "policy_types",
    "has_minimum_limits",
    "limits",
    *TERM_FIELDS,
    "vague_language",
    "findings",
    "max_severity",
    "n_findings",
    "ocr_pages",
]


def to_json_line(result: ReviewResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)


def ocr_summary(result: ReviewResult) -> str:
    """The pages read by OCR with Tesseract's mean confidence: ``p.3 (91%); p.4 (88%)``."""
    return "; ".join(f"p.{o.page} ({o.confidence:.0f}%)" for o in result.ocr_pages)


def ocr_mark(c: Citation) -> str:
    """What follows a quote read by OCR, so a reader checks it against the page image."""
    return " [OCR: check against the scan]" if c.ocr else ""


def limits_summary(result: ReviewResult) -> str:
    if not result.profile:
        return ""
    parts = []
    for pol in result.profile.policies:
        for lim in pol.limits:
            parts.append(f"{pol.type}: {money(lim.amount, lim.currency, lim.redacted)} {lim.basis}")
    return "; ".join(parts)


def csv_row(result: ReviewResult) -> dict:
    p = result.profile
    findings = result.sorted_findings()
    row = {
        "file": result.file,
        "path": result.path,
        "sha256": result.sha256 or "",
        "status": result.status,
        "error_code": result.error.code if result.error else "",
        "error_message": result.error.message if result.error else "",
        "pages": result.pages if result.pages is not None else "",
        "extractor": result.extractor,
        "prompt_version": result.prompt_version or "",
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
        "ocr_pages": ocr_summary(result),
    }
    for name in TERM_FIELDS:
        row[name] = getattr(p, name).present if p else ""
    return row


# Spreadsheet programs run a cell that starts with one of these as a formula: a file name or
# a quote from a contract must never become one ("=HYPERLINK(...)").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(results: Iterable[ReviewResult], fh: IO[str]) -> None:
    """One row per document (:data:`CSV_COLUMNS`) with a header, to an open text file
    (open it with ``newline=""``). Text that a spreadsheet would run as a formula is
    prefixed with ``'``."""
    writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for r in results:
        writer.writerow({k: _cell_safe(v) for k, v in csv_row(r).items()})


XLSX_SUMMARY = [
    ("file", "File", 38),
    ("status", "Status", 9),
    ("error_code", "Error", 14),
    ("pages", "Pages", 7),
    ("insurance_required", "Insurance required", 11),
    ("obligated_parties", "Obligated parties", 24),
    ("policy_types", "Policies", 30),
    ("has_minimum_limits", "Minimum limits", 10),
    ("limits", "Limits", 40),
    *[(name, TERM_LABELS[name], 13) for name in TERM_FIELDS],
    ("vague_language", "Vague language", 10),
    ("max_severity", "Worst finding", 10),
    ("n_findings", "Findings", 9),
    ("findings", "Rules", 28),
    ("error_message", "Error message", 30),
    ("path", "Path", 50),
    ("sha256", "SHA-256", 20),
    ("ocr_pages", "OCR pages (confidence)", 24),
]
XLSX_FINDINGS = [
    ("File", 38),
    ("Rule", 9),
    ("Name", 30),
    ("Severity", 10),
    ("Message", 60),
    ("Quote", 80),
    ("Page", 7),
    ("Suggested clause", 60),
    ("OCR", 6),
]
_FILLS = {"good": "C6EFCE", "bad": "FFC7CE", "warn": "FFEB9C", "high": "FFC7CE", "medium": "FFD8A8", "low": "FFEB9C"}
_XLSX_MAX = 32767  # characters in one Excel cell


def _xlsx_text(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    if len(value) > _XLSX_MAX:
        value = value[: _XLSX_MAX - 20] + " …[truncated]"
    return value


def _put_row(ws, values) -> None:
    ws.append([_xlsx_text(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text, never a formula


def write_xlsx(results: Iterable[ReviewResult], path_or_fh) -> None:
    """An Excel workbook for lawyers: *Summary* (one row per document; flags coloured by
    conditional formatting, so colours follow sorting and edits: a required term present is
    green, absent amber; errors and high findings red) and *Findings* (rule, severity,
    message, quote and page, one row per finding, most severe first). ``path_or_fh`` is a
    file name or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    results = list(results)
    fill = {k: PatternFill(start_color=v, end_color=v, fill_type="solid") for k, v in _FILLS.items()}
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _summary_sheet(ws, results, fill)
    _findings_sheet(wb.create_sheet("Findings"), results, fill)
    wb.save(path_or_fh)


def _summary_sheet(ws, results: list[ReviewResult], fill: dict) -> None:
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.utils import get_column_letter

    ws.append([label for _, label, _ in XLSX_SUMMARY])
    for r in results:
        row = csv_row(r)
        _put_row(ws, [(row[k] if row[k] != "" else None) for k, _, _ in XLSX_SUMMARY])
    n = max(ws.max_row, 2)
    status = get_column_letter([k for k, _, _ in XLSX_SUMMARY].index("status") + 1)
    for i, (key, _, width) in enumerate(XLSX_SUMMARY, start=1):
        col = get_column_letter(i)
        ws.column_dimensions[col].width = width
        rng = f"{col}2:{col}{n}"
        if key in ("insurance_required", "has_minimum_limits", *TERM_FIELDS):
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=["TRUE"], fill=fill["good"]))
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=["FALSE"], fill=fill["warn"]))
        elif key == "vague_language":
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=["TRUE"], fill=fill["warn"]))
        elif key in ("status", "error_code"):
            ws.conditional_formatting.add(rng, FormulaRule(formula=[f'${status}2="error"'], fill=fill["bad"]))
        elif key == "max_severity":
            for sev in ("high", "medium", "low"):
                ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{sev}"'], fill=fill[sev]))
    _finish_sheet(ws, len(XLSX_SUMMARY))


def _findings_sheet(wf, results: list[ReviewResult], fill: dict) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wf.append([label for label, _ in XLSX_FINDINGS])
    for r in results:
        for f in r.sorted_findings():
            cite = f.evidence[0] if f.evidence else None
            _put_row(
                wf,
                [
                    r.file,
                    f.rule,
                    f.slug,
                    f.severity,
                    f.message,
                    cite.quote if cite else None,
                    cite.page if cite else None,
                    f.suggestion or None,
                    "yes" if cite and cite.ocr else None,
                ],
            )
    n = max(wf.max_row, 2)
    for i, (_, width) in enumerate(XLSX_FINDINGS, start=1):
        wf.column_dimensions[get_column_letter(i)].width = width
    for sev in ("high", "medium", "low"):
        wf.conditional_formatting.add(f"D2:D{n}", CellIsRule(operator="equal", formula=[f'"{sev}"'], fill=fill[sev]))
    for row in wf.iter_rows(min_row=2, min_col=5, max_col=8):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _finish_sheet(wf, len(XLSX_FINDINGS))


def _finish_sheet(ws, ncols: int) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(ws.max_row, 1)}"


def render_text(result: ReviewResult, markdown: bool = False) -> str:
    """One result for a person: findings first (most severe first), then the policies, the
    terms, the dropped quotes and the sections searched. Markdown when ``markdown``."""
    h1 = "# " if markdown else ""
    out = [f"{h1}{printable(result.file)}"]
    if result.status == "error" or result.profile is None:
        err = result.error
        out.append(f"ERROR [{err.code}] {printable(err.message)}" if err else "ERROR")
        return "\n".join(out) + "\n"
    out.append(
        f"{result.pages} page(s) · extractor {result.extractor}"
        + (f" ({result.prompt_version})" if result.prompt_version else "")
        + f" · playbook {result.playbook}"
    )
    if result.ocr_pages:
        out.append(
            f"{len(result.ocr_pages)} page(s) read by OCR (Tesseract mean confidence): {ocr_summary(result)}; "
            "quotes marked [OCR] must be checked against the scan"
        )
    out.append("")
    out += _findings_text(result, markdown)
    out.append("")
    out += _policies_text(result.profile, markdown)
    out.append("")
    out += _terms_text(result.profile, markdown)
    return "\n".join(out) + "\n"


def _findings_text(result: ReviewResult, markdown: bool) -> list[str]:
    findings = result.sorted_findings()
    out = [f"{'## ' if markdown else ''}Findings ({len(findings)})"]
    if not findings:
        out.append("No findings.")
    for f in findings:
        bullet = "- " if markdown else "  "
        out.append(f"{bullet}[{f.severity.upper()}] {f.rule} {f.slug}: {f.message}")
        for c in f.evidence[:3]:
            out.append(f'{"  " if markdown else "      "}p.{c.page}: "{short(c.quote, 300)}"{ocr_mark(c)}')
        if f.suggestion:
            out.append(f"{'  ' if markdown else '      '}Suggested clause: {short(f.suggestion, 400)}")
    return out


def _policies_text(p: InsuranceProfile, markdown: bool) -> list[str]:
    out = [f"{'## ' if markdown else ''}Policies"]
    if not p.policies:
        out.append("None found.")
    elif markdown:
        out.append("| type | limits | page |")
        out.append("|---|---|---|")
    for pol in p.policies:
        lims = ", ".join(f"{money(lim.amount, lim.currency, lim.redacted)} {lim.basis}" for lim in pol.limits)
        page = pol.evidence[0].page if pol.evidence else ""
        lims = lims or "no amount"
        out.append(f"| {pol.type} | {lims} | {page} |" if markdown else f"  {pol.type:<24} {lims}  (p.{page})")
    return out


def _terms_text(p: InsuranceProfile, markdown: bool) -> list[str]:
    h2, bullet = ("## ", "- ") if markdown else ("", "  ")
    out = [f"{h2}Terms"]
    for name in TERM_FIELDS:
        term = getattr(p, name)
        mark = "present" if term.present else "absent"
        page = f" (p.{term.evidence[0].page})" if term.evidence else ""
        out.append(f"{bullet}{TERM_LABELS[name]}: {mark}{page}")
    if p.obligated_parties:
        out.append(f"{bullet}Obligated: {', '.join(p.obligated_parties)}")
    if p.ungrounded:
        out.append("")
        out.append(f"{h2}Dropped quotes (not found in the document)")
        for u in p.ungrounded:
            out.append(f'{bullet}{u.field}: "{short(u.quote, 300)}"')
    out.append("")
    searched = ", ".join(f"p.{s.page} {s.section}" if s.section else f"p.{s.page}" for s in p.searched[:40])
    out.append(f"{h2}Sections searched: {len(p.searched)}")
    if searched:
        out.append(short(searched, 600))
    return out
