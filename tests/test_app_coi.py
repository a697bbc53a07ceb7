"""The UI's Certificates tab driven by streamlit.testing.v1.AppTest: review a contract,
upload certificates (made from the real blank ACORD 25), see requirement vs certificate per
policy with pass/fail, and the XLSX and JSON downloads."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil

from conftest import SAMPLES
from test_app import new_app, upload, workspace
from test_coi_parse import _write, maker  # noqa: F401  (the fixture)

from contract_review import ui


def test_certificates_tab_checks_uploads_against_a_reviewed_contract(tmp_path, maker):  # noqa: F811
    at = new_app()
    assert any("Review a contract in the Review tab first" in i.value for i in at.info)
    contract = SAMPLES / "01_msa_ai_red_teaming_clean.pdf"
    upload(at, [(contract.name, contract.read_bytes())])
    assert at.selectbox(key="coi_contract").options == [f"1. {contract.name}"]
    at.date_input(key="coi_as_of").set_value(dt.date(2026, 6, 1))
    good = _write(tmp_path, maker, "01_redline_compliant_filled.pdf")
    gaps = _write(tmp_path, maker, "01_redline_gaps_filled.pdf")
    scan = _write(tmp_path, maker, "04_sentinel_scanned.pdf")
    upload(at, [(p.name, p.read_bytes()) for p in (good, gaps, scan)], key="coi_files")
    assert [s.value for s in at.subheader][-3:] == [ui.md_escape(p.name) for p in (good, gaps, scan)]
    tables = [d.value for d in at.dataframe if "requirement" in d.value.columns]
    found = [d.value for d in at.dataframe if "contract quote" in d.value.columns]
    # The scan is read by OCR (Tesseract is installed here; without it, no_text_layer).
    ocr = shutil.which("tesseract") is not None
    assert len(tables) == 2 + ocr and len(found) == 2 + ocr
    table = tables[1]
    assert list(table.columns) == ["policy", "requirement", "certificate", "status", "rules"]
    status = dict(zip(table["policy"], table["status"], strict=True))
    assert status["umbrella_excess"] == "fail" and status["cyber"] == "pass"
    assert "not shown" in table.set_index("policy").loc["umbrella_excess", "certificate"]
    assert set(tables[0]["status"]) <= {"pass", "uncertain"}
    findings = found[1]
    assert {"severity", "rule", "message", "contract quote", "certificate"} <= set(findings.columns)
    assert any("COI008 coi-insured-mismatch" == r for r in findings["rule"])
    if ocr:
        assert any("read by OCR" in c.value for c in at.caption)
    else:
        assert any("no_text_layer" in e.value for e in at.error)
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels[-2:] == ["Download XLSX", "Download JSON"]
    # the downloads are the same results
    ws = workspace(at)
    item = ws.reviewed()[0]
    results = ws.check_certificates(item, [(p.name, p.read_bytes()) for p in (good, gaps)], dt.date(2026, 6, 1))
    data = json.loads(ui.coi_json_bytes(results))
    assert [d["file"] for d in data] == [good.name, gaps.name] and data[1]["findings"]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(ui.coi_xlsx_bytes(results)))
    assert wb.sheetnames == ["Lines", "Findings"]
    assert wb["Lines"].max_row == 1 + sum(len(r.table) for r in results)
