#!/usr/bin/env python3
"""Check sample_contracts/labels.jsonl against the rendered contracts.

Usage:  python sample_contracts/check_labels.py

For every line of labels.jsonl this script checks that
  * the record has exactly the fields of LABELS.md, with the allowed vocabularies;
  * it is internally consistent (no evidence for false fields, 1-3 quotes under 300
    characters for every true field, everything false/empty when no insurance is required);
  * every evidence quote is found verbatim in the text extracted from the file, after
    collapsing runs of whitespace to one space: for a PDF, in the pypdf text of a single
    page; for a DOCX, in the python-docx text of the body paragraphs and table cells, with
    every tracked change accepted (a negotiated draft is labelled as it would stand).
It also checks that every PDF/DOCX in the folder has exactly one label line.
Exits 1 if anything fails.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

HERE = Path(__file__).resolve().parent

FIELDS = [
    "file",
    "insurance_required",
    "obligated_parties",
    "policy_types",
    "has_minimum_limits",
    "limits",
    "additional_insured",
    "waiver_of_subrogation",
    "primary_noncontributory",
    "coi_required",
    "cancellation_notice",
    "vague_language",
    "uncertain",
    "evidence",
    "notes",
]
BOOLS = [
    "insurance_required",
    "has_minimum_limits",
    "additional_insured",
    "waiver_of_subrogation",
    "primary_noncontributory",
    "coi_required",
    "cancellation_notice",
    "vague_language",
]
POLICY_TYPES = {
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
}
BASES = {"per_occurrence", "aggregate", "per_claim", "combined_single", "each_accident", "per_person", "other"}
LIMIT_KEYS = ["policy_type", "amount", "currency", "basis", "redacted"]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    return [norm(p.extract_text() or "") for p in PdfReader(str(path)).pages]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def accept_changes(body) -> None:
    """Accept every tracked change in place: deletions and moved-from text go, insertions
    and moved-to text stay (their runs move up into the paragraph)."""
    for el in list(body.iter(W + "del", W + "moveFrom")):
        if el.getparent().tag != W + "rPr":  # a deleted paragraph mark is no text
            el.getparent().remove(el)
    for el in list(body.iter(W + "ins", W + "moveTo")):
        parent = el.getparent()
        if parent.tag in (W + "rPr", W + "trPr"):
            continue
        for child in list(el):
            el.addprevious(child)
        parent.remove(el)


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    accept_changes(d.element.body)
    parts: list[str] = []
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(Paragraph(child, d).text)
        elif tag == "tbl":
            for row in Table(child, d).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    parts.append(cell.text)
    return norm("\n".join(parts))


def check_record(rec: dict) -> list[str]:
    errs = []
    if list(rec) != FIELDS:
        errs.append(f"fields/order differ from LABELS.md: {list(rec)}")
        return errs
    for k in BOOLS:
        if not isinstance(rec[k], bool):
            errs.append(f"{k} is not a boolean")
    bad = set(rec["policy_types"]) - POLICY_TYPES
    if bad:
        errs.append(f"unknown policy types {sorted(bad)}")
    for lim in rec["limits"]:
        if list(lim) != LIMIT_KEYS:
            errs.append(f"limit keys {list(lim)}")
            continue
        if lim["policy_type"] not in POLICY_TYPES:
            errs.append(f"limit policy_type {lim['policy_type']!r}")
        elif lim["policy_type"] not in rec["policy_types"]:
            errs.append(f"limit policy_type {lim['policy_type']!r} not in policy_types")
        if lim["basis"] not in BASES:
            errs.append(f"limit basis {lim['basis']!r}")
        if lim["redacted"] != (lim["amount"] is None):
            errs.append(f"limit {lim}: amount must be null exactly when redacted")
    if rec["has_minimum_limits"] != bool(rec["limits"]):
        errs.append("has_minimum_limits disagrees with limits")
    if not rec["insurance_required"]:
        if (
            any(rec[k] for k in BOOLS)
            or rec["obligated_parties"]
            or rec["policy_types"]
            or rec["limits"]
            or rec["evidence"]
        ):
            errs.append("insurance_required is false but other fields are set")
    for k in rec["uncertain"]:
        if k not in FIELDS:
            errs.append(f"uncertain names unknown field {k!r}")
    if rec["uncertain"] and not rec["notes"]:
        errs.append("uncertain fields need an explanation in notes")
    for k, quotes in rec["evidence"].items():
        if k not in BOOLS:
            errs.append(f"evidence for non-boolean field {k!r}")
        elif not rec[k]:
            errs.append(f"evidence given for false field {k!r}")
        if not isinstance(quotes, list) or not 1 <= len(quotes) <= 3:
            errs.append(f"evidence[{k}] must be a list of 1 to 3 quotes")
            continue
        for q in quotes:
            if len(q) >= 300:
                errs.append(f"evidence[{k}] quote is {len(q)} characters (limit 300)")
            if any(ch in q for ch in "\u2018\u2019\u201c\u201d"):
                errs.append(f"evidence[{k}] quote contains smart quotes")
    for k in BOOLS:
        if rec[k] and not rec["evidence"].get(k):
            errs.append(f"{k} is true but has no evidence")
    return errs


def main() -> int:
    lines = (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    failures = 0
    quotes_ok = 0
    labelled = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        name = rec.get("file", f"<line {n}>")
        labelled.add(name)
        errs = check_record(rec)
        path = HERE / name
        if not path.exists():
            errs.append("file does not exist")
        else:
            if path.suffix.lower() == ".pdf":
                pages = pdf_pages(path)
                whole = " ".join(pages)
            else:
                pages = [docx_text(path)]
                whole = pages[0]
            for field_name, quotes in rec["evidence"].items():
                for q in quotes:
                    nq = norm(q)
                    if any(nq in p for p in pages):
                        quotes_ok += 1
                    elif nq in whole:
                        errs.append(f"{field_name}: quote spans a page break: {q[:70]!r}")
                    else:
                        errs.append(f"{field_name}: quote not found: {q[:70]!r}")
        n_quotes = sum(len(v) for v in rec["evidence"].values())
        if errs:
            failures += 1
            print(f"FAIL {name}")
            for e in errs:
                print(f"     - {e}")
        else:
            print(f"ok   {name} ({n_quotes} quotes)")
    outputs = {p.name for p in HERE.iterdir() if p.suffix.lower() in (".pdf", ".docx")}
    for missing in sorted(outputs - labelled):
        failures += 1
        print(f"FAIL {missing}: no line in labels.jsonl")
    if len(labelled) != len([ln for ln in lines if ln.strip()]):
        failures += 1
        print("FAIL labels.jsonl has duplicate file entries")
    print(f"\n{len(labelled)} labelled files, {quotes_ok} evidence quotes found, {failures} file(s) with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
