"""Reading ACORD 25 certificates: filled (AcroForm), flattened (text at the fields' places)
and scanned (no text: the typed no_text_layer error), made on the fly from the real blank
form in ../shared by sample_contracts/certificates/make_certificates.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys

import pytest
from builders import make_pdf
from conftest import SAMPLES, SHARED

from contract_review.coi import acord
from contract_review.coi.parse import is_marked, parse_date, read_certificate
from contract_review.errors import NotACertificate, NoTextLayer
from contract_review.extract.amounts import cell_amounts
from contract_review.settings import Settings

BLANK = SHARED / "data" / "acord" / "acord-25-2016-03-blank.pdf"


def _maker():
    path = SAMPLES / "certificates" / "make_certificates.py"
    spec = importlib.util.spec_from_file_location("make_certificates", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_certificates"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def maker():
    if not BLANK.exists():
        pytest.skip(f"blank ACORD 25 not found at {BLANK} (needs ../shared beside the checkout)")
    return _maker()


def _write(tmp_path, maker, name: str, **changes):
    spec = dict(maker.specs()[name])
    spec.update(changes)
    path = tmp_path / name
    path.write_bytes(maker.make(spec))
    return path


def test_cell_amounts_read_every_way_a_certificate_writes_a_limit():
    assert [a.value for a in cell_amounts("$1,000,000")] == [1_000_000]
    assert [a.value for a in cell_amounts("1,000,000")] == [1_000_000]
    assert [a.value for a in cell_amounts("1M")] == [1_000_000]
    assert [a.value for a in cell_amounts("1MM")] == [1_000_000]
    assert [a.value for a in cell_amounts("$1M/$2M")] == [1_000_000, 2_000_000]
    assert [a.value for a in cell_amounts("5,000,000.00")] == [5_000_000]
    assert cell_amounts("Statutory") is None and cell_amounts("PER STATUTE") is None
    assert cell_amounts("see remarks") == []


def test_marks_and_dates():
    for mark in ("Y", "y", "X", "✓", "Yes", "/1"):
        assert is_marked(mark), mark
    for blank in ("", "N", "No", None, "/Off"):
        assert not is_marked(blank), blank
    assert parse_date("03/01/2026") == dt.date(2026, 3, 1)
    assert parse_date("3/1/26") == dt.date(2026, 3, 1)
    assert parse_date("13/45/2026") is None and parse_date("soon") is None


def test_qualified_field_names_read_as_the_data_dictionary_name():
    assert acord.field_key("F[0].P1[0].GeneralLiability_EachOccurrence_LimitAmount_A[0]") == (
        "GeneralLiability_EachOccurrence_LimitAmount_A"
    )
    assert acord.field_key("Insurer_FullName_A") == "Insurer_FullName_A"


def test_the_layout_table_is_the_blank_forms():
    if not BLANK.exists():
        pytest.skip(f"blank ACORD 25 not found at {BLANK}")
    assert acord.layout_of(BLANK.read_bytes()) == acord.RECTS
    names = [line.split("\t")[0] for line in (BLANK.parent / "fields.tsv").read_text().splitlines()[1:]]
    assert sorted(names) == sorted(acord.RECTS)


@pytest.mark.parametrize("kind", ["filled", "flattened"])
def test_a_certificate_reads_the_same_filled_or_flattened(tmp_path, maker, kind):
    cert = read_certificate(_write(tmp_path, maker, "01_redline_compliant_filled.pdf", kind=kind))
    assert cert.source == ("acroform" if kind == "filled" else "text")
    assert cert.named_insured and cert.named_insured.name == "Redline Cipher Labs, L.L.C."
    assert cert.holder and cert.holder.name == "LARKSPUR MUTUAL FINANCIAL GROUP INC"
    assert cert.date == dt.date(2026, 3, 2)
    assert [(i.letter, i.naic) for i in cert.insurers] == [("A", "23817"), ("B", "41203"), ("C", "36951")]
    lines = {line.line: line for line in cert.lines}
    assert set(lines) == {"general_liability", "umbrella_excess", "workers_compensation", "other"}
    gl = lines["general_liability"]
    assert (gl.insurer_letter, gl.policy_number, gl.form) == ("A", "CGL-7710023", "occurrence")
    assert (gl.effective, gl.expiration) == (dt.date(2026, 3, 1), dt.date(2027, 3, 1))
    assert gl.additional_insured and gl.subrogation_waived
    by_key = {lim.key: lim.amount for lim in gl.limits}
    assert by_key["each_occurrence"] == 1_000_000 and by_key["general_aggregate"] == 2_000_000
    wc = lines["workers_compensation"]
    assert wc.limits[0].statutory and not wc.additional_insured and wc.subrogation_waived
    other = lines["other"]
    assert other.title == "Technology E&O / Cyber Liability"  # a description on two lines
    assert other.policy_types == ["technology_eo", "cyber"]
    assert [(lim.basis, lim.amount) for lim in other.limits] == [("per_claim", 5e6), ("aggregate", 5e6)]
    assert "additional insureds" in cert.description_of_operations


def test_short_forms_of_limits_and_two_digit_years(tmp_path, maker):
    cert = read_certificate(_write(tmp_path, maker, "01_redline_expired_filled.pdf"))
    lines = {line.line: line for line in cert.lines}
    assert lines["general_liability"].expiration == dt.date(2026, 3, 1)
    assert [lim.amount for lim in lines["umbrella_excess"].limits] == [5e6, 5e6]
    assert lines["umbrella_excess"].title == "EXCESS LIAB"
    other = lines["other"].limits
    assert [(lim.basis, lim.amount) for lim in other] == [("per_claim", 5e6), ("aggregate", 5e6)]  # "$5M/$5M"


def test_a_scanned_certificate_without_ocr_is_no_text_layer(tmp_path, maker):
    with pytest.raises(NoTextLayer):
        read_certificate(_write(tmp_path, maker, "04_sentinel_scanned.pdf"), Settings(ocr="never"))
    with pytest.raises(NoTextLayer, match="install"):
        read_certificate(_write(tmp_path, maker, "04_sentinel_scanned.pdf"), Settings(tesseract_cmd="/nonexistent"))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed: .ci/run installs it")
def test_a_scanned_certificate_is_read_by_ocr(tmp_path, maker):
    cert = read_certificate(_write(tmp_path, maker, "04_sentinel_scanned.pdf"))
    assert cert.source == "ocr" and cert.ocr_confidence > 60
    assert any("OCR" in n for n in cert.notes)
    assert cert.named_insured.name == "Sentinel Arc Security Inc"
    assert cert.holder.name == "Cobalt Ridge Logistics, Inc."
    (gl,) = cert.lines
    assert (gl.line, gl.insurer_letter, gl.policy_number, gl.form) == (
        "general_liability",
        "A",
        "CGL-209-1182",
        "occurrence",
    )
    assert gl.additional_insured and not gl.subrogation_waived  # read from the boxes' ink
    assert [(lim.basis, lim.amount) for lim in gl.limits] == [("per_occurrence", 1e6), ("aggregate", 2e6)]
    assert (str(gl.effective), str(gl.expiration)) == ("2026-01-01", "2027-01-01")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed: .ci/run installs it")
def test_a_skewed_noisy_scan_reads_its_marks_and_amounts(tmp_path, maker):
    from contract_review.coi.parse import is_marked, read_values
    from contract_review.coi.scan import mark_fields
    from contract_review.evaluation.scans import scan_pdf

    spec = maker.specs()["01_redline_gaps_filled.pdf"]
    values = maker.values_of(spec)
    scan = scan_pdf(maker.flattened(values, maker.BLANK.read_bytes()), dpi=200, skew=(1.5, 2.0), seed=3)
    got = read_values(scan)
    for field in set(mark_fields()) | {f for f, v in values.items() if v == "X"}:
        assert is_marked(got.get(field)) == is_marked(values.get(field)), field
    amounts = [f for f in values if "Amount" in f]
    assert sum(" ".join(got.get(f, "").split()) == values[f] for f in amounts) >= len(amounts) - 1


def test_a_contract_is_not_a_certificate(tmp_path):
    with pytest.raises(NotACertificate) as e:
        read_certificate(SAMPLES / "02_engagement_letter_vague_insurance.pdf")
    assert e.value.code == "not_a_certificate"
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(make_pdf(["Dear Sir, please find our certificate of insurance attached. " * 5]))
    with pytest.raises(NotACertificate):
        read_certificate(letter)
    with pytest.raises(NotACertificate):
        read_certificate(SAMPLES / "01_msa_ai_red_teaming_clean.docx")


def test_the_blank_form_is_not_a_certificate():
    if not BLANK.exists():
        pytest.skip(f"blank ACORD 25 not found at {BLANK}")
    with pytest.raises(NotACertificate):
        read_certificate(BLANK)


def _qualified(data: bytes) -> bytes:
    """The same filled form with its fields under F[0].P1[0] and named X[0], as other
    generators of the ACORD 25 write them."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    top = DictionaryObject({NameObject("/T"): TextStringObject("F[0]")})
    top_ref = w._add_object(top)
    page = DictionaryObject({NameObject("/T"): TextStringObject("P1[0]"), NameObject("/Parent"): top_ref})
    page_ref = w._add_object(page)
    kids = ArrayObject()
    for annot in w.pages[0]["/Annots"]:
        a = annot.get_object()
        if "/T" in a:
            a[NameObject("/T")] = TextStringObject(str(a["/T"]) + "[0]")
            a[NameObject("/Parent")] = page_ref
            kids.append(annot)
    page[NameObject("/Kids")] = kids
    top[NameObject("/Kids")] = ArrayObject([page_ref])
    w._root_object["/AcroForm"][NameObject("/Fields")] = ArrayObject([top_ref])
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_qualified_field_names_read_alike(tmp_path, maker):
    plain = _write(tmp_path, maker, "01_redline_compliant_filled.pdf")
    qualified = tmp_path / "qualified.pdf"
    qualified.write_bytes(_qualified(plain.read_bytes()))
    from pypdf import PdfReader

    assert any(name.startswith("F[0].P1[0].") for name in PdfReader(qualified).get_fields())
    a, b = read_certificate(plain), read_certificate(qualified)
    assert b.source == "acroform" and b.model_dump() == a.model_dump()
