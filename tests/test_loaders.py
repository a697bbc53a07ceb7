"""Loaders: page-numbered text with offsets, and a typed error for each kind of bad input."""

from __future__ import annotations

import pytest
from builders import (
    Xml,
    change_xml,
    del_xml,
    field_xml,
    ins_xml,
    make_docx,
    make_image_only_pdf,
    make_pdf,
    make_revised_docx,
    run_xml,
    sdt_xml,
    textbox_xml,
)
from builders import accepted as accepted_markup

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


# --------------------------------------------------------------------------- DOCX drafts with tracked changes


def _old_docx_pages(data: bytes) -> list[str]:
    """The DOCX loader before it read tracked changes (python-docx paragraph and cell text):
    a file without revisions must read the same, headers and footers aside."""
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def _page_break_in(el) -> bool:
        if any(br.get(f"{w}type") == "page" for br in el.iter(f"{w}br")):
            return True
        return any(True for _ in el.iter(f"{w}lastRenderedPageBreak"))

    d = docx.Document(io.BytesIO(data))
    pages: list[list[str]] = [[]]
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            if _page_break_in(el) and pages[-1]:
                pages.append([])
            pages[-1].append(Paragraph(el, d).text)
        elif el.tag.endswith("}tbl"):
            for row in Table(el, d).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        pages[-1].append(cell.text)
    return ["\n".join(lines) for lines in pages]


def _docx_samples():
    from pathlib import Path

    # the negotiated drafts (tracked changes) are read with their changes accepted: not as before
    return sorted(
        p for p in (Path(__file__).resolve().parents[1] / "sample_contracts").glob("*.docx") if "_draft_" not in p.name
    )


def test_docx_without_revisions_reads_as_before(tmp_path):
    data = make_docx(
        ["1. SERVICES", "Provider shall perform.", "EXHIBIT C", [["Coverage", "Limit"], ["Cyber", "$5,000,000"]], "x"],
        page_break_before={2, 4},
    )
    doc = load_document(write(tmp_path, "plain.docx", data))
    assert [p.text for p in doc.pages] == _old_docx_pages(data)
    assert doc.revisions == []


@pytest.mark.parametrize("path", _docx_samples(), ids=lambda p: p.name)
def test_sample_docx_body_reads_as_before_and_the_header_and_footer_follow(path):
    """The committed samples without tracked changes: the same pages as before, the last
    one followed by the header and footer text."""
    data = path.read_bytes()
    doc = load_document(path)
    assert doc.revisions == []
    old = _old_docx_pages(data)
    assert [p.text for p in doc.pages[:-1]] == old[:-1]
    last = doc.pages[-1].text
    assert last.startswith(old[-1]) and last[len(old[-1]) :].count("\n") == 2  # one header line, one footer line
    assert "Page 1" not in last[len(old[-1]) :]  # a page-number field's cached value is stale: no text


def test_docx_tracked_changes_read_as_accepted_with_offsets(tmp_path):
    data = make_revised_docx(
        [
            "1. SERVICES",
            "Provider shall perform the Services{++ described in each SOW++}.",
            "12. INSURANCE",
            "Provider shall maintain insurance of not less than {--$2,000,000--}{++$1,000,000++} per occurrence.",
            Xml(
                "<w:p>"
                + run_xml("Certificates ")
                + change_xml("moveFrom", run_xml("before work starts ", "t"))
                + run_xml("are due")
                + change_xml("moveTo", run_xml(" before work starts"), author="Jane Roe", date=None)
                + run_xml(".")
                + "</w:p>"
            ),
        ],
        page_break_before={2},
        author="Opposing Counsel",
    )
    doc = load_document(write(tmp_path, "draft.docx", data))
    assert doc.pages[0].text == "1. SERVICES\nProvider shall perform the Services described in each SOW."
    assert "not less than $1,000,000 per occurrence." in doc.text and "$2,000,000" not in doc.text
    assert "Certificates are due before work starts." in doc.text and doc.text.count("before work starts") == 1
    kinds = [(r.kind, r.text, r.page) for r in doc.revisions]
    assert kinds == [
        ("insertion", " described in each SOW", 1),
        ("deletion", "$2,000,000", 2),
        ("insertion", "$1,000,000", 2),
        ("move", " before work starts", 2),
    ]
    for r in doc.revisions:
        if r.kind == "deletion":
            assert r.end == r.start and doc.text[r.start : r.start + 10] == "$1,000,000"
        else:
            assert doc.text[r.start : r.end] == r.text
        assert doc.page_at(r.start) == r.page
    assert doc.revisions[0].author == "Opposing Counsel" and doc.revisions[0].date == "2026-03-02T10:15:00Z"
    assert (doc.revisions[3].author, doc.revisions[3].date) == ("Jane Roe", None)


def test_docx_deleted_paragraphs_and_rows_leave_no_trace(tmp_path):
    data = make_revised_docx(
        [
            "12.1 Provider shall maintain insurance.",
            "{--12.2 Provider's insurance shall be primary and non-contributory.--}",
            "12.3 Provider shall deliver certificates.",
            Xml(
                "<w:tbl><w:tblPr/><w:tblGrid/>"
                f"<w:tr><w:tc><w:p>{run_xml('Cyber')}</w:p></w:tc><w:tc><w:p>{run_xml('$5,000,000')}</w:p></w:tc></w:tr>"
                f"<w:tr><w:trPr>{change_xml('del', '')}</w:trPr>"
                f"<w:tc><w:p>{del_xml('Umbrella')}</w:p></w:tc><w:tc><w:p>{del_xml('$10,000,000')}</w:p></w:tc></w:tr>"
                "</w:tbl>"
            ),
            "13. TERM",
        ]
    )
    doc = load_document(write(tmp_path, "draft.docx", data))
    assert doc.text == (
        "12.1 Provider shall maintain insurance.\n12.3 Provider shall deliver certificates.\nCyber\n$5,000,000\n13. TERM"
    )
    deleted = [(r.text, doc.text[r.start :][:10]) for r in doc.revisions]
    assert deleted == [
        ("12.2 Provider's insurance shall be primary and non-contributory.", "12.3 Provi"),
        ("Umbrella", "\n13. TERM"),
        ("$10,000,000", "\n13. TERM"),
    ]


def test_docx_content_controls_text_boxes_fields_and_merged_cells_are_read_once(tmp_path):
    hyperlink = (
        f'<w:p>{run_xml("See ")}<w:hyperlink r:id="rIdX">{ins_xml("the insurance schedule")}</w:hyperlink></w:p>'
    )
    inline_sdt = (
        f"<w:p>{run_xml('Limit: ')}<w:sdt><w:sdtPr/><w:sdtContent>{run_xml('$2,000,000')}</w:sdtContent></w:sdt></w:p>"
    )
    merged = (
        "<w:tbl><w:tblPr/><w:tblGrid/>"
        f"<w:tr><w:tc><w:tcPr><w:vMerge w:val='restart'/></w:tcPr><w:p>{run_xml('CGL')}</w:p></w:tc>"
        f"<w:tc><w:p>{run_xml('$1,000,000 per occurrence')}</w:p></w:tc></w:tr>"
        f"<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        f"<w:tc><w:tcPr><w:gridSpan w:val='1'/></w:tcPr><w:p>{run_xml('$2,000,000 aggregate')}</w:p></w:tc></w:tr>"
        "</w:tbl>"
    )
    data = make_revised_docx(
        [
            sdt_xml(f"<w:p>{run_xml('Client shall be named as an additional insured.')}</w:p>"),
            Xml(hyperlink),
            Xml(inline_sdt),
            textbox_xml("Boxed: primary and non-contributory."),
            field_xml("As set out in ", "REF Exhibit_C \\h", "Exhibit C", "."),
            Xml(f'<w:p>{run_xml("Page ")}<w:fldSimple w:instr=" PAGE ">{run_xml("7")}</w:fldSimple></w:p>'),
            Xml(f'<w:p><w:fldSimple w:instr=" DOCPROPERTY Client ">{run_xml("Saltmarsh Bank")}</w:fldSimple></w:p>'),
            Xml(merged),
        ]
    )
    doc = load_document(write(tmp_path, "controls.docx", data))
    assert doc.text.split("\n") == [
        "Client shall be named as an additional insured.",
        "See the insurance schedule",
        "Limit: $2,000,000",
        "See the box. ",
        "Boxed: primary and non-contributory.",
        "As set out in Exhibit C.",
        "Page ",
        "Saltmarsh Bank",
        "CGL",
        "$1,000,000 per occurrence",
        "$2,000,000 aggregate",
    ]
    assert "REF" not in doc.text and doc.text.count("Boxed") == 1
    assert [r.text for r in doc.revisions] == ["the insurance schedule"]


def test_docx_headers_and_footers_follow_the_body_once(tmp_path):
    data = make_revised_docx(
        ["Body first.", "Body last."],
        header="Exhibit C {++- Insurance Requirements++}",
        footer="Confidential",
        page_break_before={1},
    )
    import io

    import docx

    d = docx.Document(io.BytesIO(data))  # a first-page header with the same text, and one of its own
    d.sections[0].different_first_page_header_footer = True
    d.sections[0].first_page_header.paragraphs[0].text = "Exhibit C - Insurance Requirements"
    d.sections[0].first_page_footer.paragraphs[0].text = "Draft of March 2"
    buf = io.BytesIO()
    d.save(buf)
    doc = load_document(write(tmp_path, "hdr.docx", buf.getvalue()))
    assert [p.text for p in doc.pages] == [
        "Body first.",
        "\nBody last.\nExhibit C - Insurance Requirements\nConfidential\nDraft of March 2",
    ]
    (rev,) = doc.revisions
    assert rev.kind == "insertion" and doc.text[rev.start : rev.end] == "- Insurance Requirements" and rev.page == 2


def test_docx_comments_are_no_text_and_break_nothing(tmp_path):
    blocks = [
        "12. Insurance. Provider shall maintain commercial general liability insurance of $1,000,000 per occurrence."
        "{>>We need $2,000,000 here.<<} {--Client shall be named as an additional insured.--}{>>Why struck?<<}",
    ]
    with_comments = load_document(write(tmp_path, "c.docx", make_revised_docx(blocks)))
    without = load_document(write(tmp_path, "n.docx", make_revised_docx([accepted_markup(blocks[0])])))
    assert "We need" not in with_comments.text and "Why struck" not in with_comments.text
    assert (
        with_comments.text == "12. Insurance. Provider shall maintain commercial general liability insurance of "
        "$1,000,000 per occurrence. " == without.text
    )
    assert [r.text for r in with_comments.revisions] == ["Client shall be named as an additional insured."]
    import zipfile

    assert "word/comments.xml" in zipfile.ZipFile(tmp_path / "c.docx").namelist()


def test_docx_page_breaks_in_deleted_text_do_not_start_a_page(tmp_path):
    page_break = '<w:r><w:br w:type="page"/></w:r>'
    deleted_break = Xml(f"<w:p>{change_xml('del', page_break)}{run_xml('Still page one.')}</w:p>")
    data = make_revised_docx(["Page one.", deleted_break])
    doc = load_document(write(tmp_path, "br.docx", data))
    assert len(doc.pages) == 1 and doc.text == "Page one.\nStill page one."
