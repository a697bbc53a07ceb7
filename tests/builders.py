"""Build small real test files (PDF, DOCX) in memory."""

from __future__ import annotations

import io
import re
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


# --------------------------------------------------------------------------- DOCX with tracked changes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
AUTHOR = "Opposing Counsel"
DATE = "2026-03-02T10:15:00Z"
# CriticMarkup: {++inserted++}, {--deleted--}, {>>a comment on the text just before<<}
CRITIC = re.compile(r"\{\+\+(.*?)\+\+\}|\{--(.*?)--\}|\{>>(.*?)<<\}", re.S)


class Xml(str):
    """A block of raw WordprocessingML (``w:p``, ``w:tbl``, ``w:sdt``...), prefixes w, mc,
    wps, wp, a, v and r declared."""


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def run_xml(text: str, tag: str = "t") -> str:
    return f'<w:r><w:{tag} xml:space="preserve">{_esc(text)}</w:{tag}></w:r>'


class _Ids:
    n = 100

    @classmethod
    def next(cls) -> int:
        cls.n += 1
        return cls.n


def change_xml(kind: str, inner: str, author: str = AUTHOR, date: str | None = DATE) -> str:
    """``<w:ins>``, ``<w:del>``, ``<w:moveTo>`` or ``<w:moveFrom>`` around ``inner``."""
    when = f' w:date="{date}"' if date else ""
    return f'<w:{kind} w:id="{_Ids.next()}" w:author="{_esc(author)}"{when}>{inner}</w:{kind}>'


def ins_xml(text: str, author: str = AUTHOR, date: str | None = DATE) -> str:
    return change_xml("ins", run_xml(text), author, date)


def del_xml(text: str, author: str = AUTHOR, date: str | None = DATE) -> str:
    return change_xml("del", run_xml(text, "delText"), author, date)


def critic_xml(text: str, author: str = AUTHOR, date: str | None = DATE) -> tuple[str, list[tuple[int, str]]]:
    """Paragraph content for CriticMarkup ``text``, and the comments: (index of the run
    element, in document order, that a comment is anchored on; comment text)."""
    out, comments, pos, runs = [], [], 0, 0
    for m in CRITIC.finditer(text):
        if m.start() > pos:
            out.append(run_xml(text[pos : m.start()]))
            runs += 1
        ins, dele, comment = m.groups()
        if ins is not None:
            out.append(ins_xml(ins, author, date))
            runs += 1
        elif dele is not None:
            out.append(del_xml(dele, author, date))
            runs += 1
        elif runs:
            comments.append((runs - 1, comment))
        pos = m.end()
    if pos < len(text):
        out.append(run_xml(text[pos:]))
    return "".join(out), comments


def accepted(text: str) -> str:
    """CriticMarkup ``text`` with every change accepted and the comments left out."""
    return CRITIC.sub(lambda m: m.group(1) or "", text)


def paragraph_xml(text: str, author: str = AUTHOR, date: str | None = DATE) -> tuple[str, list[tuple[int, str]]]:
    """A ``w:p``; a paragraph that is one deletion loses its paragraph mark too, as when
    Word deletes a whole paragraph."""
    inner, comments = critic_xml(text, author, date)
    ppr = ""
    m = CRITIC.fullmatch(text)
    if m and m.group(2) is not None:
        ppr = f"<w:pPr><w:rPr>{change_xml('del', '', author, date)}</w:rPr></w:pPr>"
    return f"<w:p>{ppr}{inner}</w:p>", comments


def textbox_xml(text: str) -> Xml:
    """A paragraph anchoring a text box, as Word writes it: a DrawingML choice and a VML
    fallback that both hold the text."""
    content = f"<w:txbxContent><w:p>{run_xml(text)}</w:p></w:txbxContent>"
    drawing = (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2000000" cy="500000"/><wp:wrapNone/><wp:docPr id="1" name="Text Box 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
        "</wp:anchor></w:drawing>"
    )
    fallback = f'<w:pict><v:shape style="width:150pt;height:40pt"><v:textbox>{content}</v:textbox></v:shape></w:pict>'
    return Xml(
        f'<w:p><w:r><w:t xml:space="preserve">See the box. </w:t></w:r><w:r><mc:AlternateContent>'
        f'<mc:Choice Requires="wps">{drawing}</mc:Choice><mc:Fallback>{fallback}</mc:Fallback>'
        "</mc:AlternateContent></w:r></w:p>"
    )


def field_xml(before: str, instr: str, result: str, after: str = "") -> Xml:
    """A paragraph with a complex field (begin, instruction, separate, result, end)."""
    return Xml(
        f"<w:p>{run_xml(before)}"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {_esc(instr)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run_xml(result)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f"{run_xml(after)}</w:p>"
    )


def sdt_xml(inner_block: str) -> Xml:
    """A block-level content control around ``inner_block`` (a ``w:p``...)."""
    return Xml(f'<w:sdt><w:sdtPr><w:alias w:val="Clause"/></w:sdtPr><w:sdtContent>{inner_block}</w:sdtContent></w:sdt>')


def make_revised_docx(
    blocks: list,
    *,
    author: str = AUTHOR,
    date: str | None = DATE,
    header: str | None = None,
    footer: str | None = None,
    page_break_before: set[int] = frozenset(),
    comment_author: str = "Our Counsel",
) -> bytes:
    """A DOCX with real tracked changes. A block is a paragraph in CriticMarkup
    (``{++inserted++}``, ``{--deleted--}``, ``{>>comment<<}`` on the run before it), a
    table (a list of rows of CriticMarkup cells) or raw :class:`Xml`. ``header`` and
    ``footer`` (CriticMarkup) go to the first section."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    def element(xml: str):
        decl = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items())
        return parse_xml(re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {decl}", xml, count=1))

    d = docx.Document()
    sect = d.element.body[-1]  # the body's w:sectPr: blocks go before it
    comments: list[tuple] = []

    def add(xml: str, notes=()):
        el = element(xml)
        sect.addprevious(el)
        comments.extend((el, i, text) for i, text in notes)

    for i, block in enumerate(blocks):
        if i in page_break_before:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if isinstance(block, Xml):
            add(block)
        elif isinstance(block, str):
            add(*paragraph_xml(block, author, date))
        else:
            rows = "".join(
                "<w:tr>" + "".join(f"<w:tc>{paragraph_xml(val, author, date)[0]}</w:tc>" for val in row) + "</w:tr>"
                for row in block
            )
            add(f"<w:tbl><w:tblPr/><w:tblGrid/>{rows}</w:tbl>")
    for part, text in (("header", header), ("footer", footer)):
        if text is not None:
            p = getattr(d.sections[0], part).paragraphs[0]._p
            p.addnext(element(paragraph_xml(text, author, date)[0]))
            p.getparent().remove(p)
    for el, index, text in comments:
        runs = list(el.iter(f"{{{W}}}r"))
        d.add_comment(Run(runs[index], Paragraph(el, d)), text=text, author=comment_author, initials="OC")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
