"""OCR of scanned PDFs: real scans made here (pages rendered at 200 dpi, noise, a 1-2° skew,
back to an image-only PDF), read by the real Tesseract, through the loader, the pipeline,
the CLI (a subprocess) and the report. A document with a text layer is never OCR'd."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_image_only_pdf, make_pdf

from contract_review import ocr
from contract_review.batch.cache import cache_key
from contract_review.errors import NoTextLayer, OcrUnavailable
from contract_review.evaluation.scans import images_to_pdf, mixed_pdf, scan_page_images, scan_pdf
from contract_review.grounding import is_verbatim
from contract_review.loaders import load_document
from contract_review.pipeline import Reviewer
from contract_review.report import csv_row, render_text
from contract_review.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed (apt-get install tesseract-ocr)"
)

PAGES = [
    "MASTER SERVICES AGREEMENT\n"
    'This Master Services Agreement is made between Harbor Analytics LLC ("Vendor") and '
    'Northwind Logistics Inc. ("Customer").\n'
    "1. Services. Vendor shall provide the data engineering services described in each statement of work.",
    "8. Insurance. Vendor shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and $2,000,000 in the aggregate. Customer shall be named as an "
    "additional insured on the commercial general liability policy.\n"
    "9. Governing Law. This Agreement is governed by the laws of the State of Delaware.",
    "IN WITNESS WHEREOF the parties have signed this Agreement.\n"
    "Harbor Analytics LLC, by its Managing Member. Northwind Logistics Inc., by its Chief Executive Officer.",
]


@pytest.fixture(scope="module")
def typed() -> bytes:
    return make_pdf(PAGES)


@pytest.fixture(scope="module")
def scanned(typed) -> bytes:
    return scan_pdf(typed, seed=7)


def words(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- pure parts


def test_reading_from_tesseract_words_keeps_lines_and_blocks_and_averages_confidence():
    data = {
        "level": [1, 2, 5, 5, 5, 5, 2, 5],
        "block_num": [0, 1, 1, 1, 1, 1, 2, 2],
        "par_num": [0, 1, 1, 1, 1, 1, 1, 1],
        "line_num": [0, 1, 1, 1, 2, 2, 1, 1],
        "text": ["", "", "8.", "Insurance", "Vendor", "shall", "", "Signed"],
        "conf": [-1, -1, 90, 80, 70, 60, -1, 50],
    }
    r = ocr.reading_from_data(data)
    assert r.text == "8. Insurance\nVendor shall\n\nSigned"
    assert r.confidence == 70.0 and r.words == 5


@pytest.mark.parametrize("angle", [1.5, -2.0])
def test_skew_angle_finds_the_rotation_that_straightens_the_page(typed, angle):
    (img,) = scan_page_images(make_pdf(PAGES[1:2] * 1), dpi=150, skew=(0, 0), noise=0)
    skewed = img.rotate(angle, fillcolor=255)
    assert abs(ocr.skew_angle(skewed) + angle) <= 0.3
    assert abs(ocr.skew_angle(img)) <= 0.3


def test_a_page_is_ocrd_only_when_thin_text_lies_over_a_scanned_image(typed, scanned):
    import pypdfium2 as pdfium

    s = Settings()
    assert ocr.sparse("   a b  ", s) and not ocr.sparse(PAGES[0], s)
    assert all(ocr._scanned(p) for p in pdfium.PdfDocument(scanned))
    assert not any(ocr._scanned(p) for p in pdfium.PdfDocument(typed))
    assert not any(ocr._scanned(p) for p in pdfium.PdfDocument(make_image_only_pdf(1)))  # vector drawing


# --------------------------------------------------------------------------- loading


@needs_tesseract
def test_a_scanned_contract_is_read_by_ocr_page_by_page(scanned):
    doc = load_document("scan.pdf", Settings(), data=scanned)
    assert [o.page for o in doc.ocr_pages] == [1, 2, 3]
    assert all(o.confidence > 70 and o.seconds > 0 for o in doc.ocr_pages)
    text = words(doc.text)
    assert "commercial general liability insurance" in text
    assert "$1,000,000 per occurrence" in text
    assert "additional insured" in text


@needs_tesseract
def test_a_document_with_a_text_layer_is_never_ocrd(typed, monkeypatch):
    def fail(*a, **k):
        raise AssertionError("a page with a text layer was sent to Tesseract")

    monkeypatch.setattr(ocr, "_tesseract", fail)
    for parser in ("pypdf", "pdfium"):
        doc = load_document("typed.pdf", Settings(pdf_parser=parser), data=typed)
        assert doc.ocr_pages == [] and all(p.ocr is None for p in doc.pages)
    result = Reviewer(Settings()).review(SAMPLES / "01_msa_ai_red_teaming_clean.pdf")
    assert result.status == "ok" and result.ocr_pages == []
    assert result.profile and not any(c.ocr for c in result.profile.all_citations())


@needs_tesseract
def test_a_mixed_pdf_ocrs_only_its_scanned_page(typed):
    mixed = mixed_pdf(typed, scanned={1}, seed=3)
    doc = load_document("mixed.pdf", Settings(), data=mixed)
    plain = load_document("typed.pdf", Settings(), data=typed)
    assert [o.page for o in doc.ocr_pages] == [2]
    assert doc.pages[0].text == plain.pages[0].text and doc.pages[2].text == plain.pages[2].text
    assert "additional insured" in words(doc.pages[1].text)
    result = Reviewer(Settings()).review_document(doc)
    cites = result.profile.all_citations()
    assert cites and all(c.ocr == (c.page == 2) for c in cites)
    assert any(c.ocr for c in cites)


@needs_tesseract
def test_a_page_scanned_on_its_side_is_turned_upright(typed):
    images = scan_page_images(make_pdf(PAGES[1:2]), seed=1)
    doc = load_document("side.pdf", Settings(), data=images_to_pdf(images, rotate={0}))
    assert "commercial general liability insurance" in words(doc.text)
    assert doc.ocr_pages[0].confidence > 70


@needs_tesseract
def test_ocr_modes_never_and_always(typed, scanned):
    with pytest.raises(NoTextLayer) as e:
        load_document("scan.pdf", Settings(ocr="never"), data=scanned)
    assert e.value.code == "no_text_layer" and "ocr='never'" in e.value.message
    doc = load_document("typed.pdf", Settings(ocr="always"), data=typed)
    assert [o.page for o in doc.ocr_pages] == [1, 2, 3]
    assert "additional insured" in words(doc.text)


def test_without_tesseract_a_scan_is_the_typed_error_with_how_to_install_it(scanned):
    s = Settings(tesseract_cmd="/nonexistent/bin/tesseract")
    with pytest.raises(OcrUnavailable) as e:
        load_document("scan.pdf", s, data=scanned)
    assert e.value.code == "no_text_layer"
    assert "/nonexistent/bin/tesseract" in e.value.message and "apt-get install tesseract-ocr" in e.value.message
    with pytest.raises(OcrUnavailable, match="ocr is 'always'"):
        load_document("scan.pdf", s.model_copy(update={"ocr": "always"}), data=scanned)


def test_without_tesseract_a_mixed_pdf_is_reviewed_and_notes_its_unread_scanned_page(typed):
    mixed = mixed_pdf(typed, scanned={1}, seed=3)
    result = Reviewer(Settings(tesseract_cmd="/nonexistent/bin/tesseract")).review("mixed.pdf", data=mixed)
    assert result.status == "ok" and result.ocr_pages == []
    (note,) = [n for n in result.notes if "look scanned" in n]
    assert note.startswith("page(s) 2 look scanned") and "apt-get install tesseract-ocr" in note


@needs_tesseract
def test_a_missing_language_is_the_typed_error_naming_the_package(scanned):
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-xyz"):
        load_document("scan.pdf", Settings(ocr_language="xyz"), data=scanned)


@needs_tesseract
def test_a_page_tesseract_cannot_read_in_time_is_the_typed_unreadable_error(scanned):
    from contract_review.errors import UnreadableDocument

    with pytest.raises(UnreadableDocument, match="ocr_timeout"):
        load_document("scan.pdf", Settings(ocr_timeout=0.01), data=scanned)


def test_the_cache_key_holds_the_ocr_settings_and_tesseract_version():
    def key(**kw) -> str:
        return cache_key("0" * 64, extractor="rules", prompt_version=None, playbook=None, settings=Settings(**kw))

    keys = {
        key(),
        key(ocr="never"),
        key(ocr="always"),
        key(ocr_dpi=200),
        key(ocr_language="eng+deu"),
        key(tesseract_cmd="/nonexistent/bin/tesseract"),  # no version: not the key of a real Tesseract
    }
    assert len(keys) == 6 if shutil.which("tesseract") else len(keys) == 5
    assert key() == key()


# --------------------------------------------------------------------------- pipeline, report, CLI


@needs_tesseract
def test_a_review_of_a_scan_is_grounded_in_the_ocr_text_and_marks_every_quote(scanned):
    reviewer = Reviewer(Settings())
    doc = reviewer.load("scan.pdf", data=scanned)
    result = reviewer.review_document(doc)
    assert result.status == "ok" and [o.page for o in result.ocr_pages] == [1, 2, 3]
    p = result.profile
    assert p.insurance_required and p.additional_insured.present
    assert {pol.type for pol in p.policies} == {"general_liability"}
    assert sorted(lim.amount for pol in p.policies for lim in pol.limits) == [1_000_000, 2_000_000]
    cites = p.all_citations() + [c for f in result.findings for c in f.evidence]
    assert cites and all(c.ocr and is_verbatim(doc, c) for c in cites)
    text = render_text(result)
    assert "3 page(s) read by OCR" in text
    if result.findings and result.findings[0].evidence:
        assert "[OCR: check against the scan]" in text
    assert csv_row(result)["ocr_pages"].startswith("p.1 (")


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "contract_review.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@needs_tesseract
def test_cli_review_of_a_scan_with_ocr_flags(tmp_path, scanned):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned)
    r = run_cli("review", str(path), "--format", "json", "--no-index")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)
    assert [o["page"] for o in row["ocr_pages"]] == [1, 2, 3]
    assert row["profile"]["additional_insured"]["present"] is True
    assert all(c["ocr"] for c in row["profile"]["additional_insured"]["evidence"])
    r = run_cli("review", str(path), "--format", "json", "--no-index", "--ocr", "never")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "no_text_layer"
    r = run_cli("review", str(path), "--ocr", "sometimes")
    assert r.returncode == 1 and "sometimes" in r.stderr


def test_cli_without_tesseract_says_how_to_install_it(tmp_path, scanned):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned)
    r = run_cli(
        "screen", str(path), "--workers", "1", env={"CONTRACT_REVIEW_TESSERACT_CMD": "/nonexistent/bin/tesseract"}
    )
    assert r.returncode == 2
    row = json.loads(r.stdout)
    assert row["error"]["code"] == "no_text_layer" and "apt-get install tesseract-ocr" in row["error"]["message"]


@needs_tesseract
def test_cli_screen_ocrs_a_long_scan_in_page_ranges_and_caches_it(tmp_path, scanned, typed):
    """Two workers read the five-page scan in ranges of two pages (OCR in the workers); the
    result has every page's OCR record in order, the progress lines show the OCR time, and
    the second run comes from the cache."""
    long_scan = scan_pdf(make_pdf(PAGES + PAGES[:2]), seed=5)
    d = tmp_path / "in"
    d.mkdir()
    (d / "long.pdf").write_bytes(long_scan)
    (d / "typed.pdf").write_bytes(typed)
    env = {"CONTRACT_REVIEW_SPLIT_PDF_PAGES": "2", "CONTRACT_REVIEW_OCR_DPI": "200"}
    r = run_cli("screen", str(d), "--workers", "2", env=env)
    assert r.returncode == 0, r.stderr
    rows = {Path(json.loads(line)["path"]).name: json.loads(line) for line in r.stdout.splitlines()}
    assert [o["page"] for o in rows["long.pdf"]["ocr_pages"]] == [1, 2, 3, 4, 5]
    assert rows["typed.pdf"]["ocr_pages"] == []
    assert rows["long.pdf"]["profile"]["additional_insured"]["present"] is True
    assert "OCR 5p" in r.stderr and "5 page(s) OCR'd" in r.stderr and "read in 3 parts" in r.stderr
    again = run_cli("screen", str(d), "--workers", "2", env=env)
    assert again.returncode == 0 and "2 from cache" in again.stderr
    cached = {Path(json.loads(line)["path"]).name: json.loads(line) for line in again.stdout.splitlines()}
    assert cached == rows


def test_cli_coi_reads_the_ocr_setting_for_a_scanned_contract(tmp_path, scanned):
    contract, cert = tmp_path / "scan.pdf", tmp_path / "cert.pdf"
    contract.write_bytes(scanned)
    cert.write_bytes(make_pdf(["not read: the contract fails first"]))
    r = run_cli("coi", str(contract), str(cert), "--ocr", "never")
    assert r.returncode == 1 and "no_text_layer" in r.stderr and "OCR is off" in r.stderr
    r = run_cli("coi", str(contract), str(cert), env={"CONTRACT_REVIEW_TESSERACT_CMD": "/nonexistent/bin/tesseract"})
    assert r.returncode == 1 and "no_text_layer" in r.stderr and "apt-get install tesseract-ocr" in r.stderr
