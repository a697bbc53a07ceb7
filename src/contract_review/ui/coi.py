"""The Certificates tab's rows and downloads: for each certificate, the table of
requirement vs certificate per policy with pass/fail, its findings with the contract's
quote and the certificate's boxes side by side, and the results as XLSX and JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from ..coi.model import CoiResult
from ..fmt import short


def coi_table_rows(res: CoiResult) -> list[dict]:
    """One row per required policy: what the contract requires, what the certificate shows."""
    return [
        {
            "policy": t.policy,
            "requirement": t.requirement,
            "certificate": t.certificate,
            "status": t.status,
            "rules": ", ".join(t.rules),
        }
        for t in res.table
    ]


def coi_finding_rows(res: CoiResult) -> list[dict]:
    """One row per finding: severity, rule, message, the contract quote and page, the
    certificate's boxes."""
    rows = []
    for f in res.findings:
        quote = f.contract_evidence[0] if f.contract_evidence else None
        rows.append(
            {
                "severity": f.severity,
                "rule": f"{f.rule} {f.slug}",
                "uncertain": f.uncertain,
                "message": f.message,
                "contract page": quote["page"] if quote else None,
                "contract quote": short(quote["quote"], 300) if quote else "",
                "certificate": "; ".join(f"{e.label or e.field}: {short(e.value, 80)}" for e in f.certificate_evidence),
            }
        )
    return rows


def coi_json_bytes(results: Iterable[CoiResult]) -> bytes:
    """The results as ``contract-review coi --format json`` writes them."""
    return (json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False) + "\n").encode()


def coi_xlsx_bytes(results: list[CoiResult]) -> bytes:
    """A workbook: "Lines" (requirement vs certificate per policy, per certificate) and
    "Findings"."""
    from openpyxl import Workbook

    wb = Workbook()
    lines = wb.active
    lines.title = "Lines"
    lines.append(["certificate", "status", "error", "policy", "requirement", "certificate shows", "result", "rules"])
    findings = wb.create_sheet("Findings")
    head = ["certificate", "severity", "rule", "uncertain", "message", "contract page", "contract quote", "certificate"]
    findings.append(head)
    for r in results:
        if r.status == "error":
            lines.append([r.file, "error", r.error.code if r.error else "", "", "", "", "", ""])
            continue
        for row in coi_table_rows(r):
            lines.append([r.file, "ok", "", *row.values()])
        for row in coi_finding_rows(r):
            findings.append([r.file, *row.values()])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
