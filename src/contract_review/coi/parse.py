"""Read an ACORD 25 certificate of liability insurance into a :class:`~.model.Certificate`.

Three kinds of file arrive:

- **filled** (most): the fillable form with its AcroForm fields filled in; the values are
  read from the fields, by data-dictionary name (qualified names read alike).
- **flattened**: no fields, the values printed on the page; each printed fragment is read
  with its position and belongs to the field whose rectangle (:data:`.acord.RECTS`) holds
  it, the form's own printed labels left out.
- **scanned**: no fields and no text layer. With OCR on (``ocr``: auto or always) and
  Tesseract installed, the page is read by :mod:`.scan` into positioned words and ink-read
  mark boxes, then as a flattened one; otherwise the loader's typed ``no_text_layer`` error
  (:func:`contract_review.loaders.document_from_pages`), whose message says how to install it.

A file that reads but is no ACORD 25 (a contract, a letter, a blank form) raises
:class:`~contract_review.errors.NotACertificate`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import NotACertificate
from ..extract.amounts import cell_amounts
from ..extract.rules.clauses import policy_mentions_in
from ..loaders import check_pdf_magic, document_from_pages, open_pypdf, pypdf_errors, read_bytes, sha256_bytes
from ..settings import Settings
from . import acord
from .model import Certificate, CertLimit, CoverageLine, Entry, Fragment, Insurer, Party

#: What marks a box (ADDL INSD, SUBR WVD, a check box) as ticked.
_MARK = re.compile(r"^\s*(?:y|yes|x|✓|✔|☑|☒|√|/?1|/?on|true)\s*$", re.I)
_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
#: The form's printed labels that fall inside a field's rectangle on the blank form.
_PRINTED_IN_FIELDS = frozenset({"$", "N / A", "Y / N", "INSR", "LTR", "ADDL", "INSD", "SUBR", "WVD"})

LINE_POLICY_TYPES: dict[str, list[str]] = {
    "general_liability": ["general_liability"],
    "auto": ["auto"],
    "umbrella_excess": ["umbrella_excess"],
    "workers_compensation": ["workers_compensation", "employers_liability"],
    "other": [],
}


def is_marked(value: str | None) -> bool:
    """Y, X, a check mark (and a check box's on state) count as marked."""
    return bool(value) and bool(_MARK.match(str(value)))


def parse_date(value: str | None) -> dt.date | None:
    """MM/DD/YYYY or MM/DD/YY (20YY), as the form asks; None when it is not a date."""
    if not value:
        return None
    m = _DATE.match(value)
    try:
        if m:
            month, day, year = (int(g) for g in m.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
        m = _ISO_DATE.match(value)
        if m:
            return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
    return None


# --------------------------------------------------------------------------- reading the file


def read_certificate(path: str | Path, settings: Settings | None = None, data: bytes | None = None) -> Certificate:
    """Read a certificate file (PDF). Raises the loader's typed errors for a bad file
    (``encrypted``, ``unreadable``, ``too_large``, ``no_text_layer``), ``unsupported_type``
    for another kind of file, and ``not_a_certificate`` for a PDF that is no ACORD 25."""
    settings = settings or Settings()
    data = read_bytes(path, settings, data)
    if Path(path).suffix.lower() != ".pdf":
        from ..loaders import load_document

        load_document(path, settings, data)  # the loader's own errors for a bad file
        raise NotACertificate(f"{Path(path).name}: a certificate of insurance is read from an ACORD 25 PDF")
    return read_certificate_pdf(data, settings)


def read_certificate_pdf(data: bytes, settings: Settings) -> Certificate:
    values, source, scan = certificate_values(data, settings)
    if not _filled(values):
        raise NotACertificate("an ACORD 25 form with nothing filled in: no insured, no coverage")
    cert = build(values, source=source)
    if scan is not None:
        cert.ocr_confidence = scan.confidence
        cert.notes.append(
            f"read by OCR from a scan (mean confidence {scan.confidence:.0f}): check the entries against the image"
        )
    return cert


def certificate_values(data: bytes, settings: Settings):
    """The boxes' values by field name, how they were read (``acroform``, ``text``, ``ocr``)
    and, for a scan, OCR's reading. Raises the typed errors of a bad file, ``no_text_layer``
    for a scan that cannot be OCR'd, and ``not_a_certificate``."""
    check_pdf_magic(data)
    with pypdf_errors():
        reader = open_pypdf(data, settings)
        values = _field_values(reader)
        if _filled(values):
            return values, "acroform", None
        fragments = page_fragments(reader)
    texts = [" ".join(f.text for f in fragments)]
    scan = _scanned(data, texts, settings)
    if scan is not None:
        fragments = scan.fragments
    else:
        document_from_pages("certificate.pdf", sha256_bytes(data), texts, "pdf", settings)  # no_text_layer
    printed = "\n".join(f.text for f in fragments)
    if not (acord.TITLE.search(printed) and acord.FORM_MARK.search(printed)):
        raise NotACertificate("not an ACORD 25 certificate of liability insurance (no such title or form mark)")
    values = values_at_positions(fragments)
    if scan is None:
        return values, "text", None
    for name, marked in scan.marks.items():  # the boxes' ink, or a mark OCR read in them
        if marked or is_marked(values.get(name)):
            values[name] = "X"
        else:
            values.pop(name, None)
    for name, letter in scan.letters.items():
        if not values.get(name, "").strip():
            values[name] = letter
    return values, "ocr", scan


def _scanned(data: bytes, texts: list[str], settings: Settings):
    """OCR's reading of a certificate without a text layer, when OCR is on and Tesseract is
    installed (else None: the loader's typed error follows)."""
    from .. import ocr

    if settings.ocr == "never" or not ocr.sparse(texts[0], settings) or ocr.unavailable(settings) is not None:
        return None
    from .scan import read_scan

    return read_scan(data, settings)


def _field_values(reader) -> dict[str, str]:
    """The filled AcroForm fields by data-dictionary name; a check box as "X" when on."""
    fields = reader.get_fields() or {}
    out: dict[str, str] = {}
    for name, f in fields.items():
        key = acord.field_key(name)
        value = f.get("/V")
        if value is None:
            continue
        text = str(value)
        if f.get("/FT") == "/Btn":
            text = "" if text in ("/Off", "Off", "") else "X"
        if text.strip():
            out[key] = text.strip() if key != acord.REMARKS else text.strip("\n ")
    return out


def _filled(values: dict[str, str]) -> bool:
    """Some box other than the form's edition is filled."""
    return any(k != acord.EDITION_FIELD and v.strip() for k, v in values.items() if k in acord.RECTS)


def page_fragments(reader) -> list[Fragment]:
    """The printed text of page 1 with positions. (An OCR provider returning words with
    their page positions would supply these for a scanned certificate.)"""
    out: list[Fragment] = []

    def visit(text: str, cm, tm, _font, _size) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        for i, line in enumerate(text.split("\n")):
            if line.strip():
                out.append(Fragment(line.strip(), x, y - i * 9))

    if reader.pages:
        reader.pages[0].extract_text(visitor_text=visit)
    return out


def values_at_positions(fragments: list[Fragment]) -> dict[str, str]:
    """Each fragment to the field whose rectangle holds its start (the smallest such),
    joined top to bottom, left to right; the form's own labels are left out."""
    boxes: dict[str, list[Fragment]] = {}
    for f in fragments:
        if f.text in _PRINTED_IN_FIELDS:
            continue
        best: tuple[float, str] | None = None
        for name, (x0, y0, x1, y1) in acord.RECTS.items():
            if x0 - 1 <= f.x + 0.5 <= x1 and y0 - 1 <= f.y + 2 <= y1 + 1:
                area = (x1 - x0) * (y1 - y0)
                if area > 4 and (best is None or area < best[0]):
                    best = (area, name)
        if best:
            boxes.setdefault(best[1], []).append(f)
    out = {}
    for name, frags in boxes.items():
        frags.sort(key=lambda f: (-round(f.y), f.x))
        lines: list[str] = []
        last_y: float | None = None
        for f in frags:
            if last_y is not None and abs(f.y - last_y) < 3:
                lines[-1] += " " + f.text
            else:
                lines.append(f.text)
            last_y = f.y
        out[name] = "\n".join(lines) if name == acord.REMARKS or name.endswith("Description_A") else " ".join(lines)
    return out


# --------------------------------------------------------------------------- the certificate


def _party(values: dict[str, str], role: str) -> Party | None:
    name_field, address_fields = acord.PARTIES[role]
    name = values.get(name_field, "").strip()
    address = [values[f].strip() for f in address_fields if values.get(f, "").strip()]
    if not name and not address:
        return None
    return Party(name=name, address=address)


def _limit(spec: acord.LimitSpec, values: dict[str, str]) -> list[CertLimit]:
    raw = values.get(spec.field, "").strip()
    label = values.get(spec.label_field, "").strip() if spec.label_field else spec.label
    if not raw:
        return []
    basis = spec.basis
    if spec.label_field:
        from ..extract.rules.policies import basis_of

        basis = basis_of(label.lower()) if label else "other"
        if basis == "other" and re.search(r"\bagg", label, re.I):
            basis = "aggregate"
        elif basis == "other" and re.search(r"\b(each|per)\s+(claim|occ)", label, re.I):
            basis = "per_claim" if "claim" in label.lower() else "per_occurrence"
    amounts = cell_amounts(raw)
    if amounts is None:
        return [CertLimit(key=spec.key, label=label, basis=basis, statutory=True, raw=raw, field=spec.field)]
    if not amounts:
        return [CertLimit(key=spec.key, label=label, basis=basis, amount=None, raw=raw, field=spec.field)]
    out = [
        CertLimit(
            key=spec.key,
            label=label,
            basis=basis,
            amount=amounts[0].value,
            currency=amounts[0].currency,
            raw=raw,
            field=spec.field,
        )
    ]
    if len(amounts) > 1 and basis != "aggregate":  # "$1M/$2M": per occurrence / aggregate in one box
        out.append(
            CertLimit(
                key=spec.key + "_aggregate",
                label=label + " (second amount)",
                basis="aggregate",
                amount=amounts[1].value,
                currency=amounts[1].currency,
                raw=raw,
                field=spec.field,
            )
        )
    return out


def _line(spec: acord.LineSpec, values: dict[str, str]) -> CoverageLine | None:
    fields = [
        spec.letter,
        spec.number,
        spec.effective,
        spec.expiration,
        spec.addl,
        spec.subr,
        spec.occurrence,
        spec.claims_made,
        spec.statutory,
        spec.umbrella,
        spec.excess,
        *spec.description,
        *(lim.field for lim in spec.limits),
        *(lim.label_field for lim in spec.limits if lim.label_field),
    ]
    entries = [
        Entry(field=f, label=_label(spec, f), value=values[f]) for f in fields if f and values.get(f, "").strip()
    ]
    if not entries:
        return None
    description = " ".join(values.get(f, "") for f in spec.description).strip()
    title = spec.title
    types = list(LINE_POLICY_TYPES[spec.line])
    if spec.line == "other":
        title = " ".join(description.split()) or "OTHER"
        types = list(dict.fromkeys(t for t, _s, _e in policy_mentions_in(description)))
    elif spec.line == "umbrella_excess":
        kinds = [
            k
            for k, f in (("UMBRELLA LIAB", spec.umbrella), ("EXCESS LIAB", spec.excess))
            if f and is_marked(values.get(f))
        ]
        title = " / ".join(kinds) or title
    line = CoverageLine(
        line=spec.line,
        title=title,
        policy_types=types,
        insurer_letter=(values.get(spec.letter) or "").strip().upper() or None,
        policy_number=(values.get(spec.number) or "").strip() or None,
        additional_insured=is_marked(values.get(spec.addl)) if spec.addl else False,
        subrogation_waived=is_marked(values.get(spec.subr)) if spec.subr else False,
        entries=entries,
    )
    for attr, f in (("effective", spec.effective), ("expiration", spec.expiration)):
        raw = values.get(f, "").strip()
        setattr(line, attr, parse_date(raw))
        if raw and getattr(line, attr) is None:
            line.notes.append(f"{attr} date {raw!r} is not a date (MM/DD/YYYY)")
    occ = bool(spec.occurrence and is_marked(values.get(spec.occurrence)))
    cm = bool(spec.claims_made and is_marked(values.get(spec.claims_made)))
    if occ != cm:
        line.form = "occurrence" if occ else "claims_made"
    elif occ and cm:
        line.notes.append("both OCCUR and CLAIMS-MADE are marked")
    for lim in spec.limits:
        line.limits.extend(_limit(lim, values))
    if spec.statutory and is_marked(values.get(spec.statutory)):
        line.limits.insert(
            0,
            CertLimit(
                key="wc_statutory", label="PER STATUTE", basis="other", statutory=True, raw="X", field=spec.statutory
            ),
        )
    return line


def _label(spec: acord.LineSpec, field: str) -> str:
    for lim in spec.limits:
        if lim.field == field:
            return lim.label or "limit"
    names = {
        spec.letter: "INSR LTR",
        spec.number: "POLICY NUMBER",
        spec.effective: "POLICY EFF",
        spec.expiration: "POLICY EXP",
        spec.addl: "ADDL INSD",
        spec.subr: "SUBR WVD",
        spec.occurrence: "OCCUR",
        spec.claims_made: "CLAIMS-MADE",
        spec.statutory: "PER STATUTE",
        spec.umbrella: "UMBRELLA LIAB",
        spec.excess: "EXCESS LIAB",
    }
    return names.get(field) or ("TYPE OF INSURANCE" if field in spec.description else "")


def build(values: dict[str, str], source: str) -> Certificate:
    """A :class:`Certificate` from the boxes' values by field name."""
    cert = Certificate(source=source)
    cert.edition = values.get(acord.EDITION_FIELD)
    raw_date = values.get(acord.DATE, "")
    cert.date = parse_date(raw_date)
    if raw_date and cert.date is None:
        cert.notes.append(f"certificate date {raw_date!r} is not a date (MM/DD/YYYY)")
    cert.certificate_number = values.get(acord.CERTIFICATE_NUMBER)
    cert.producer = _party(values, "producer")
    cert.named_insured = _party(values, "named_insured")
    cert.holder = _party(values, "holder")
    for letter in acord.INSURERS:
        name = values.get(f"Insurer_FullName_{letter}", "").strip()
        naic = values.get(f"Insurer_NAICCode_{letter}", "").strip() or None
        if name or naic:
            cert.insurers.append(Insurer(letter=letter, name=name, naic=naic))
    for spec in acord.LINES:
        line = _line(spec, values)
        if line is not None:
            cert.lines.append(line)
    cert.description_of_operations = values.get(acord.REMARKS, "").strip()
    if cert.named_insured is None and not cert.lines:
        raise NotACertificate("an ACORD 25 form with nothing filled in: no insured, no coverage")
    return cert


def entries_of(cert: Certificate, *fields: str) -> list[Entry]:
    """The certificate's party and remarks boxes as entries (for a finding's evidence)."""
    out = []
    for role, label in (("named_insured", "INSURED"), ("holder", "CERTIFICATE HOLDER"), ("producer", "PRODUCER")):
        if role in fields:
            party = getattr(cert, role)
            out.append(Entry(field=acord.PARTIES[role][0], label=label, value=party.name if party else ""))
    if "remarks" in fields and cert.description_of_operations:
        out.append(Entry(field=acord.REMARKS, label="DESCRIPTION OF OPERATIONS", value=cert.description_of_operations))
    return out


def read_values(data: bytes, settings: Settings | None = None) -> dict[str, str]:
    """The raw box values of a certificate PDF (for the generator's round-trip tests and the
    parsing eval), read as :func:`read_certificate_pdf` reads them."""
    return certificate_values(data, settings or Settings())[0]
