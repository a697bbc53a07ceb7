#!/usr/bin/env python3
"""Build sample certificates of insurance (ACORD 25) from the YAML specs in this folder.

Usage:  python sample_contracts/certificates/make_certificates.py [OUT_DIR]

The blank fillable form is read from ``../shared/data/acord/acord-25-2016-03-blank.pdf``
(``CONTRACT_REVIEW_SHARED`` moves ``../shared``); it is never copied into the repository,
so the PDFs are built on demand (default ``OUT_DIR``: ``build/`` beside this script, which
git ignores). Each spec says which contract it is for, how the certificate is made
(``kind``) and what it says; ``expected`` (in ``labels.jsonl``, written from the specs
by hand) is what the COI check must report.

Kinds:
    filled     the form's AcroForm fields filled with pypdf (what most agencies send)
    flattened  the values printed at the fields' places on the form, no fields left
    scanned    the flattened page rendered to an image (pypdfium2) in an image-only PDF

Spec (YAML)::

    contract: 01_msa_ai_red_teaming_clean.pdf
    kind: filled
    date: 01/15/2026
    producer: {name: Harbor Risk Partners, address: [1 Main St, New York, NY, "10001"]}
    insured: {name: "Redline Cipher Labs, Inc.", address: [...]}
    holder: {name: Larkspur Mutual Financial Group, address: [...]}
    insurers: {A: {name: Granite Casualty Company, naic: "12345"}, ...}
    lines:
      general_liability: {letter: A, number: GL-1, effective: 01/01/2026, expiration: 01/01/2027,
                          form: occurrence, addl: Y, subr: Y,
                          limits: {each_occurrence: "1,000,000", general_aggregate: "2,000,000"}}
      auto: {...}              # limits: combined_single, bodily_injury_per_person, ...
      umbrella_excess: {type: umbrella, ...}   # limits: each_occurrence, aggregate
      workers_compensation: {statutory: true, limits: {el_each_accident: "1,000,000", ...}}
      other: {description: "Tech E&O / Cyber", limits: [["Each Claim", "5,000,000"], ["Aggregate", "5,000,000"]]}
    remarks: "Larkspur ... is additional insured ..."
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))

from contract_review.coi import acord  # noqa: E402

SHARED = Path(os.environ.get("CONTRACT_REVIEW_SHARED", ROOT.parent / "shared"))
BLANK = SHARED / "data" / "acord" / "acord-25-2016-03-blank.pdf"


def specs() -> dict[str, dict[str, Any]]:
    """Every spec in this folder by certificate file name (``<spec stem>.pdf``)."""
    return {p.stem + ".pdf": yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(HERE.glob("*.yaml"))}


def values_of(spec: dict[str, Any]) -> dict[str, str]:
    """The form's field values (by data-dictionary name) a spec fills in; a ticked check
    box is ``"X"``."""
    v: dict[str, str] = {}
    if spec.get("date"):
        v[acord.DATE] = str(spec["date"])
    if spec.get("certificate_number"):
        v[acord.CERTIFICATE_NUMBER] = str(spec["certificate_number"])
    for role, key in (("producer", "producer"), ("named_insured", "insured"), ("holder", "holder")):
        party = spec.get(key)
        if not party:
            continue
        name_field, address_fields = acord.PARTIES[role]
        v[name_field] = party["name"]
        for f, part in zip(address_fields, party.get("address", []), strict=False):
            v[f] = str(part)
    for letter, ins in (spec.get("insurers") or {}).items():
        v[f"Insurer_FullName_{letter}"] = ins["name"]
        if ins.get("naic"):
            v[f"Insurer_NAICCode_{letter}"] = str(ins["naic"])
    by_line = {s.line: s for s in acord.LINES}
    for line, row in (spec.get("lines") or {}).items():
        s = by_line[line]
        for key, f in (
            ("letter", s.letter),
            ("number", s.number),
            ("effective", s.effective),
            ("expiration", s.expiration),
            ("addl", s.addl),
            ("subr", s.subr),
        ):
            if row.get(key) and f:
                v[f] = str(row[key])
        if row.get("form") == "occurrence" and s.occurrence:
            v[s.occurrence] = "X"
        if row.get("form") == "claims_made" and s.claims_made:
            v[s.claims_made] = "X"
        if row.get("statutory") and s.statutory:
            v[s.statutory] = "X"
        if row.get("type") == "umbrella" and s.umbrella:
            v[s.umbrella] = "X"
        if row.get("type") == "excess" and s.excess:
            v[s.excess] = "X"
        if row.get("description") and s.description:
            v[s.description[0]] = row["description"]
        limits = row.get("limits") or {}
        if isinstance(limits, dict):
            keyed = {lim.key: lim for lim in s.limits}
            for key, amount in limits.items():
                v[keyed[key].field] = str(amount)
        else:  # the OTHER row: [label, amount] pairs in its three boxes
            for lim, (label, amount) in zip(s.limits, limits, strict=False):
                v[lim.field] = str(amount)
                if lim.label_field:
                    v[lim.label_field] = label
    if spec.get("remarks"):
        v[acord.REMARKS] = spec["remarks"].strip()
    return v


def filled(values: dict[str, str], blank: bytes) -> bytes:
    """The fillable form with its fields filled (check boxes set to their on state)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    text = {k: val for k, val in values.items() if k not in acord.CHECKBOXES}
    w.update_page_form_field_values(w.pages[0], text, auto_regenerate=False)
    for annot in w.pages[0].get("/Annots") or []:
        a = annot.get_object()
        if str(a.get("/T")) in acord.CHECKBOXES and values.get(str(a["/T"])):
            a[NameObject("/V")] = NameObject("/1")
            a[NameObject("/AS")] = NameObject("/1")
    w.set_need_appearances_writer(True)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flattened(values: dict[str, str], blank: bytes) -> bytes:
    """The values printed at their fields' places on the form's page; no fields remain."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792), invariant=1)
    c.setFont("Helvetica", 7)
    for name, value in values.items():
        x0, y0, x1, y1 = acord.RECTS[name]
        lines = str(value).split("\n")
        if name in acord.CHECKBOXES:
            c.drawString(x0 + 4, y0 + 3, "X")
            continue
        y = y1 - 8 if len(lines) > 1 or (y1 - y0) > 14 else y0 + 3
        for line in lines:
            c.drawString(x0 + 2, y, line)
            y -= 8.5
    c.showPage()
    c.save()
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    page = w.pages[0]
    if "/Annots" in page:
        del page["/Annots"]
    if "/AcroForm" in w._root_object:
        del w._root_object["/AcroForm"]
    page.merge_page(PdfReader(buf).pages[0])
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def scanned(values: dict[str, str], blank: bytes) -> bytes:
    """The flattened certificate as a scan: one page image, no text layer, no fields."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(flattened(values, blank))
    image = pdf[0].render(scale=1.5).to_pil().convert("L")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792), invariant=1)
    c.drawImage(ImageReader(image), 0, 0, 612, 792)
    c.showPage()
    c.save()
    return buf.getvalue()


MAKERS = {"filled": filled, "flattened": flattened, "scanned": scanned}


def make(spec: dict[str, Any], blank: bytes | None = None) -> bytes:
    """The certificate PDF a spec describes."""
    blank = blank if blank is not None else BLANK.read_bytes()
    return MAKERS[spec.get("kind", "filled")](values_of(spec), blank)


def main(argv: list[str]) -> int:
    if not BLANK.exists():
        print(f"the blank ACORD 25 is not at {BLANK} (needs ../shared beside the checkout)", file=sys.stderr)
        return 1
    out = Path(argv[0]) if argv else HERE / "build"
    out.mkdir(parents=True, exist_ok=True)
    blank = BLANK.read_bytes()
    for name, spec in specs().items():
        (out / name).write_bytes(make(spec, blank))
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
