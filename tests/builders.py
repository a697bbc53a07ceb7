"""Build small real test files (PDF, DOCX) in memory."""

from __future__ import annotations

import io
import textwrap


def make_pdf(pages: list[str], *, encrypt_password: str | None = None) -> bytes:
    """A real PDF with one page per string (lines wrapped at 90 characters)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for text in pages:
        y = 740
        for para in text.split("\n"):
            for line in textwrap.wrap(para, 90) or [""]:
                c.drawString(60, y, line)
                y -= 14
        c.showPage()
    c.save()
    data = buf.getvalue()
    if encrypt_password is not None:
        from pypdf import PdfReader, PdfWriter

        w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        w.encrypt(user_password=encrypt_password, owner_password="owner-" + encrypt_password, algorithm="AES-256")
        out = io.BytesIO()
        w.write(out)
        data = out.getvalue()
    return data


def make_image_only_pdf(n_pages: int = 2) -> bytes:
    """A 'scanned' PDF: each page is a drawn picture with no text layer."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for _ in range(n_pages):
        for i in range(40):
            c.rect(60, 700 - i * 15, 400 - (i * 7) % 180, 8, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(blocks: list[str | list[list[str]]], page_break_before: set[int] = frozenset()) -> bytes:
    """A DOCX: strings are paragraphs, lists of rows are tables."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    for i, block in enumerate(blocks):
        if i in page_break_before:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if isinstance(block, str):
            d.add_paragraph(block)
        else:
            t = d.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, val in enumerate(row):
                    t.cell(r, c).text = val
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
