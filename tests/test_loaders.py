"""Loaders: page-numbered text with offsets, and a typed error for each kind of bad input."""

from __future__ import annotations

import pytest
from builders import make_docx, make_image_only_pdf, make_pdf

from contract_review.errors import EncryptedDocument, NoTextLayer, TooLarge, UnreadableDocument, UnsupportedType
from contract_review.loaders import load_document
from contract_review.settings import Settings

PAGES = [
    "MASTER SERVICES AGREEMENT\n1. SERVICES\nProvider shall perform the Services described in each SOW.",
    "12. INSURANCE\nProvider shall maintain commercial general liability insurance of $1,000,000 per occurrence.",
    "13. GOVERNING LAW\nThis Agreement is governed by the laws of the State of New York.",
]


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_pdf_pages_and_offsets(tmp_path):
    doc = load_document(write(tmp_path, "msa.pdf", make_pdf(PAGES)))
    assert doc.kind == "pdf" and len(doc.pages) == 3
    for page in doc.pages:
        assert doc.text[page.start : page.end] == page.text
    i = doc.text.index("commercial general liability")
    assert doc.page_at(i) == 2
    assert doc.page_at(doc.text.index("governed by")) == 3
    assert len(doc.norm) == len(doc.text)
    assert len(doc.sha256) == 64


def test_encrypted_pdf_with_a_password_is_typed(tmp_path):
    p = write(tmp_path, "locked.pdf", make_pdf(PAGES, encrypt_password="s3cret"))
    with pytest.raises(EncryptedDocument) as e:
        load_document(p)
    assert e.value.code == "encrypted"


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path):
    doc = load_document(write(tmp_path, "owner-only.pdf", make_pdf(PAGES, encrypt_password="")))
    assert "commercial general liability" in doc.text


def test_image_only_pdf_has_no_text_layer(tmp_path):
    with pytest.raises(NoTextLayer) as e:
        load_document(write(tmp_path, "scan.pdf", make_image_only_pdf()))
    assert e.value.code == "no_text_layer" and "OCR" in e.value.message


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.97])
def test_truncated_pdf_is_unreadable(tmp_path, keep):
    data = make_pdf(PAGES * 3)
    with pytest.raises(UnreadableDocument) as e:
        load_document(write(tmp_path, "cut.pdf", data[: int(len(data) * keep)]))
    assert e.value.code == "unreadable"


def test_corrupt_pdf_body_is_unreadable(tmp_path):
    data = make_pdf(PAGES)
    garbage = data[:20] + bytes(range(256)) * 8 + b"\n%%EOF\n"
    with pytest.raises(UnreadableDocument):
        load_document(write(tmp_path, "corrupt.pdf", garbage))


def test_renamed_files_are_unreadable(tmp_path):
    docx_bytes = make_docx(["Hello"])
    with pytest.raises(UnreadableDocument, match="extension"):
        load_document(write(tmp_path, "really-a-docx.pdf", docx_bytes))
    with pytest.raises(UnreadableDocument, match="extension"):
        load_document(write(tmp_path, "really-a-pdf.docx", make_pdf(PAGES)))
    with pytest.raises(UnreadableDocument):
        load_document(write(tmp_path, "really-a-pdf.txt", make_pdf(PAGES)))


def test_unsupported_type(tmp_path):
    with pytest.raises(UnsupportedType) as e:
        load_document(write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n"))
    assert e.value.code == "unsupported_type" and ".png" in e.value.message


def test_too_large_by_bytes_and_pages(tmp_path):
    p = write(tmp_path, "big.pdf", make_pdf(PAGES))
    with pytest.raises(TooLarge) as e:
        load_document(p, Settings(max_bytes=100))
    assert e.value.code == "too_large" and "max_bytes" in e.value.message
    with pytest.raises(TooLarge, match="max_pages"):
        load_document(p, Settings(max_pages=2))


def test_empty_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableDocument, match="empty"):
        load_document(write(tmp_path, "empty.pdf", b""))


def test_docx_paragraphs_and_tables_in_order_with_page_breaks(tmp_path):
    data = make_docx(
        [
            "1. SERVICES",
            "Provider shall perform the Services.",
            "EXHIBIT C - INSURANCE REQUIREMENTS",
            [["Coverage", "Minimum limit"], ["Cyber liability", "$5,000,000 per claim"]],
            "Certificates of insurance shall be delivered before work starts.",
        ],
        page_break_before={2},
    )
    doc = load_document(write(tmp_path, "sow.docx", data))
    assert doc.kind == "docx" and len(doc.pages) == 2
    t = doc.text
    assert t.index("SERVICES") < t.index("EXHIBIT C") < t.index("Cyber liability") < t.index("Certificates")
    assert "Cyber liability\n$5,000,000 per claim" in t  # one cell per line, like pypdf tables
    assert doc.page_at(t.index("Cyber liability")) == 2


def test_text_and_markdown(tmp_path):
    doc = load_document(write(tmp_path, "note.md", b"# Insurance\r\nVendor shall carry insurance.\fPage two"))
    assert [p.number for p in doc.pages] == [1, 2]
    assert "\r" not in doc.text


def test_nbsp_text_is_searchable_at_the_same_offsets(tmp_path):
    doc = load_document(
        write(tmp_path, "nbsp.txt", "Vendor\xa0shall\xa0name Client as \u201cadditional insured\u201d".encode())
    )
    i = doc.norm.index('Vendor shall name Client as "additional insured"')
    assert i == 0 and doc.text[i : i + 6] == "Vendor"


def test_pdfium_parser_numbers_pages_like_pypdf(tmp_path):
    p = write(tmp_path, "msa.pdf", make_pdf(PAGES))
    a = load_document(p, Settings(pdf_parser="pypdf"))
    b = load_document(p, Settings(pdf_parser="pdfium"))
    assert len(a.pages) == len(b.pages) == 3
    for pa, pb in zip(a.pages, b.pages, strict=True):
        assert " ".join(pa.text.split())[:40] == " ".join(pb.text.split())[:40]
