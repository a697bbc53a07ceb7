#!/usr/bin/env python3
"""Build the sample contracts (PDF and DOCX) and labels.jsonl.

Usage:  python sample_contracts/build.py

Every contract is written by the contract-review project itself (no third-party
text). Sources live in ``sample_contracts/src/*.txt`` in a small plain-text markup,
described below; the expected labels live in ``sample_contracts/src/labels.py``.
Output files are written next to this script and are deterministic: re-running the
script on the same sources gives byte-identical PDFs and DOCX files.

Source markup
-------------
Header lines (at the top of the file, before the first blank line)::

    %title: Master Services Agreement        document title (PDF metadata, DOCX core properties)
    %short: Larkspur / Redline - MSA         running header on every PDF page
    %formats: pdf docx                       which outputs to build
    %font: serif | sans                      body font family
    %author: Jane Roe (Firm LLP)             author of the tracked changes (negotiated drafts)
    %date: 2026-02-10T09:30:00Z              date of the tracked changes and comments

Body blocks are separated by blank lines; consecutive lines of one block are joined
with a space.

    = TEXT              document title (centred, bold, large)
    == TEXT             centred sub-title line
    ^ TEXT              centred plain line
    # TEXT              article heading, e.g. "# 12. INSURANCE"
    ## TEXT             sub-heading
    > TEXT              indented paragraph (list item)
    | a | b | c |       table row; consecutive rows form one table, the first row is the header
    ---page---          page break
    @sig LEFT | RIGHT   signature block for the two named parties
    **bold**            inline bold (may be used anywhere in a paragraph)
    line \\              a line ending in a backslash keeps its line break

Negotiated drafts (DOCX only) carry tracked changes in CriticMarkup, anywhere in a paragraph
or table cell, by ``%author`` on ``%date``::

    {++inserted text++}  a tracked insertion (w:ins)
    {--deleted text--}   a tracked deletion (w:del); a paragraph that is one deletion
                         loses its paragraph mark too, as when Word deletes a paragraph
    {>>comment<<}        a Word comment by %author on the run just before it

Everything else is a body paragraph. Use plain ASCII quotes and hyphens.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
FIXED_DATE = _dt.datetime(2026, 1, 1, 0, 0, 0)
LABEL_KEYS = [
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


# --------------------------------------------------------------------------- parsing
@dataclass
class Block:
    kind: str  # title, subtitle, center, h1, h2, item, para, table, page, sig
    text: str = ""
    rows: list = field(default_factory=list)


@dataclass
class Source:
    stem: str
    meta: dict
    blocks: list


def parse(path: Path) -> Source:
    lines = path.read_text(encoding="utf-8").splitlines()
    meta: dict = {}
    i = 0
    while i < len(lines) and lines[i].startswith("%"):
        key, _, value = lines[i][1:].partition(":")
        meta[key.strip()] = value.strip()
        i += 1
    blocks: list[Block] = []
    buf: list[str] = []

    def flush():
        if not buf:
            return
        first = buf[0]
        if first.startswith("|"):
            rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in buf]
            blocks.append(Block("table", rows=rows))
        else:
            # A line ending in a backslash keeps its line break (addresses, letterheads).
            text = ""
            for ln in buf:
                ln = ln.strip()
                if ln.endswith("\\"):
                    text += ln[:-1].rstrip() + "\n"
                else:
                    text += ln + " "
            text = text.strip()
            for prefix, kind in (
                ("== ", "subtitle"),
                ("= ", "title"),
                ("## ", "h2"),
                ("# ", "h1"),
                ("> ", "item"),
                ("^ ", "center"),
            ):
                if text.startswith(prefix):
                    blocks.append(Block(kind, text[len(prefix) :]))
                    break
            else:
                if text == "---page---":
                    blocks.append(Block("page"))
                elif text.startswith("@sig "):
                    blocks.append(Block("sig", rows=[p.strip() for p in text[5:].split("|")]))
                else:
                    blocks.append(Block("para", bold_lead_in(text)))
        buf.clear()

    for ln in lines[i:]:
        if not ln.strip():
            flush()
        elif ln.startswith("|") and buf and not buf[0].startswith("|"):
            flush()
            buf.append(ln)
        else:
            buf.append(ln)
    flush()
    for b in blocks:
        bad = [
            ch
            for ch in b.text + "".join(sum(b.rows, []) if b.kind == "table" else [])
            if ch in "\u2018\u2019\u201c\u201d\u00ad\ufb01\ufb02"
        ]
        if bad:
            raise SystemExit(f"{path.name}: smart quote/soft hyphen/ligature in {b.text[:60]!r}")
    return Source(path.stem, meta, blocks)


_LEAD_IN = re.compile(r"^((?:\d+\.)+\d+|[A-Z]\.\d+) ([^.]{2,60}\.) ")


def bold_lead_in(text: str) -> str:
    """Bold a short Title-Case caption after a clause number ("10.4 Waiver of Subrogation.")."""
    m = _LEAD_IN.match(text)
    if not m or "**" in text[: m.end()]:
        return text
    words = m.group(2)[:-1].split()
    if len(words) > 6 or any(len(w) > 3 and not w[0].isupper() for w in words):
        return text
    return f"{m.group(1)} **{m.group(2)}** {text[m.end() :]}"


def split_bold(text: str):
    """Yield (segment, is_bold) pairs for **bold** markup."""
    # Redaction marks "[***]" are literal text, not bold markup.
    parts = re.split(r"(\*\*.+?\*\*)", text.replace("[***]", "\x00"))
    for p in parts:
        if not p:
            continue
        if p.startswith("**") and p.endswith("**"):
            yield p[2:-2].replace("\x00", "[***]"), True
        else:
            yield p.replace("\x00", "[***]"), False


# --------------------------------------------------------------------------- PDF
def _xml(text: str) -> str:
    out = []
    for seg, bold in split_bold(text):
        seg = seg.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(f"<b>{seg}</b>" if bold else seg)
    return "".join(out).replace("\n", "<br/>")


def _styles(font: str):
    if font == "sans":
        reg, bold = "Helvetica", "Helvetica-Bold"
        size, leading = 10, 13.5
    else:
        reg, bold = "Times-Roman", "Times-Bold"
        size, leading = 11, 14
    base = ParagraphStyle("body", fontName=reg, fontSize=size, leading=leading, alignment=TA_JUSTIFY, spaceAfter=6)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=size + 5, leading=size + 9, alignment=TA_CENTER, spaceAfter=6
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=bold, alignment=TA_CENTER, spaceAfter=4),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=2),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=bold,
            fontSize=size + 1,
            spaceBefore=8,
            spaceAfter=4,
            alignment=TA_LEFT,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, spaceBefore=4, spaceAfter=3, alignment=TA_LEFT, keepWithNext=1
        ),
        "item": ParagraphStyle("item", parent=base, leftIndent=0.35 * inch),
        "para": base,
        "cell": ParagraphStyle(
            "cell", parent=base, fontSize=size - 1, leading=leading - 2, alignment=TA_LEFT, spaceAfter=0
        ),
        "cellhead": ParagraphStyle(
            "cellhead",
            parent=base,
            fontName=bold,
            fontSize=size - 1,
            leading=leading - 2,
            alignment=TA_LEFT,
            spaceAfter=0,
        ),
        "_fonts": (reg, bold),
    }


def _numbered_canvas(short: str, fonts):
    reg, _ = fonts

    class NumberedCanvas(rl_canvas.Canvas):
        """Two-pass canvas so every page can say 'Page X of Y'."""

        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total):
            w, h = self._pagesize
            self.saveState()
            self.setFont(reg, 8)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(0.9 * inch, h - 0.55 * inch, short)
            self.drawRightString(w - 0.9 * inch, 0.5 * inch, f"Page {self._pageNumber} of {total}")
            self.setStrokeColor(colors.HexColor("#999999"))
            self.line(0.9 * inch, h - 0.62 * inch, w - 0.9 * inch, h - 0.62 * inch)
            self.restoreState()

    return NumberedCanvas


def build_pdf(src: Source, out: Path) -> None:
    st = _styles(src.meta.get("font", "serif"))
    page = A4 if src.meta.get("paper") == "a4" else LETTER
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.9 * inch,
        bottomMargin=0.85 * inch,
        title=src.meta.get("title", src.stem),
        author="contract-review sample",
        subject="Synthetic sample contract (test fixture)",
        creator="sample_contracts/build.py",
        invariant=1,
    )
    flow = []
    heading: list = []
    for b in src.blocks:
        start = len(flow)
        if b.kind == "page":
            flow.append(PageBreak())
        elif b.kind == "table":
            data = [
                [Paragraph(_xml(c), st["cellhead" if r == 0 else "cell"]) for c in row] for r, row in enumerate(b.rows)
            ]
            ncol = max(len(r) for r in b.rows)
            avail = page[0] - 1.8 * inch
            # Column widths follow the longest cell of each column, within bounds.
            weights = [min(max(len(r[c]) if c < len(r) else 0 for r in b.rows), 45) + 8 for c in range(ncol)]
            widths = [avail * w / sum(weights) for w in weights]
            t = Table(data, colWidths=widths, repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ]
                )
            )
            flow.append(Spacer(1, 4))
            flow.append(t)
            flow.append(Spacer(1, 8))
        elif b.kind == "sig":
            cells = []
            for party in b.rows:
                cells.append(
                    [
                        Paragraph(f"<b>{_xml(party)}</b>", st["cell"]),
                        Spacer(1, 16),
                        Paragraph("By: ______________________________", st["cell"]),
                        Paragraph("Name: ____________________________", st["cell"]),
                        Paragraph("Title: _____________________________", st["cell"]),
                        Paragraph("Date: _____________________________", st["cell"]),
                    ]
                )
            t = Table([cells], colWidths=[(page[0] - 1.8 * inch) / len(cells)] * len(cells))
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            flow.append(KeepTogether([Spacer(1, 10), t]))
        else:
            p = Paragraph(_xml(b.text), st[b.kind])
            if b.kind in ("title", "h1", "h2"):
                heading.append(p)  # kept with the next block (no orphan headings)
                continue
            # Paragraphs are never split across pages, so every quotation used as
            # label evidence sits on a single page.
            flow.append(KeepTogether(heading + [p]))
            heading = []
            continue
        if heading:
            # A heading directly followed by a table, page break or signature block
            # goes in front of the flowables just added for that block.
            flow[start:start] = heading
            heading = []
    flow.extend(heading)
    doc.build(flow, canvasmaker=_numbered_canvas(src.meta.get("short", ""), st["_fonts"]))
    out.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------- DOCX
CRITIC = re.compile(r"\{\+\+(.*?)\+\+\}|\{--(.*?)--\}|\{>>(.*?)<<\}", re.S)


@dataclass
class Redline:
    """The tracked changes of one DOCX: their author and date, the next revision id, and
    the comments to anchor once the document is complete."""

    author: str = ""
    date: str = ""
    next_id: int = 1000  # apart from the comment ids (0, 1, ...): annotation ids are unique
    comments: list = field(default_factory=list)

    def wrap(self, kind: str, par, runs) -> None:
        """Move ``runs`` (just added to ``par``) into a ``w:ins`` or ``w:del``."""
        el = OxmlElement(f"w:{kind}")
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        self.next_id += 1
        par._p.append(el)
        for run in runs:
            el.append(run._r)
            if kind == "del":
                for t in run._r.findall(qn("w:t")):
                    t.tag = qn("w:delText")

    def delete_mark(self, par) -> None:
        """Delete the paragraph mark of ``par`` (a whole paragraph deleted)."""
        ppr = par._p.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            ppr.append(rpr)
        el = OxmlElement("w:del")
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        self.next_id += 1
        rpr.append(el)

    def anchor_comments(self, d) -> None:
        for run, text in self.comments:
            comment = d.add_comment(
                run, text=text, author=self.author, initials="".join(w[0] for w in self.author.split()[:2])
            )
            comment._comment_elm.set(qn("w:date"), self.date)


def has_redline(text: str) -> bool:
    return bool(CRITIC.search(text))


def _add_plain(par, text, bold_all=False) -> list:
    runs = []
    for seg, bold in split_bold(text):
        for n, piece in enumerate(seg.split("\n")):
            if n:
                par.add_run().add_break()
            run = par.add_run(piece)
            run.bold = bold or bold_all
            runs.append(run)
    return runs


def _add_runs(par, text, bold_all=False, redline: Redline | None = None):
    if redline is None or not has_redline(text):
        _add_plain(par, text, bold_all)
        return
    pos, last = 0, None
    for m in CRITIC.finditer(text):
        if m.start() > pos:
            last = _add_plain(par, text[pos : m.start()], bold_all)[-1:] or last
        ins, dele, comment = m.groups()
        if ins is not None or dele is not None:
            runs = _add_plain(par, ins if ins is not None else dele, bold_all)
            redline.wrap("ins" if ins is not None else "del", par, runs)
            last = runs[-1:] or last
        elif last:
            redline.comments.append((last[0], comment))
        pos = m.end()
    if pos < len(text):
        _add_plain(par, text[pos:], bold_all)
    m = CRITIC.fullmatch(text)
    if m and m.group(2) is not None:
        redline.delete_mark(par)


def _page_field(par):
    """Append a PAGE field to a paragraph (footer page numbers)."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    par._p.append(fld)


def build_docx(src: Source, out: Path) -> None:
    d = docx.Document()
    redline = Redline(src.meta.get("author", ""), src.meta.get("date", ""))
    font = "Arial" if src.meta.get("font") == "sans" else "Times New Roman"
    normal = d.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(11)
    for s in ("Title", "Heading 1", "Heading 2"):
        d.styles[s].font.name = font
        d.styles[s].font.color.rgb = None
    sec = d.sections[0]
    sec.left_margin = sec.right_margin = Inches(1)
    hdr = sec.header.paragraphs[0]
    hdr.text = src.meta.get("short", "")
    ftr = sec.footer.paragraphs[0]
    ftr.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    ftr.add_run("Page ")
    _page_field(ftr)

    for b in src.blocks:
        if b.kind == "page":
            d.add_page_break()
        elif b.kind == "title":
            p = d.add_paragraph(style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_runs(p, b.text, redline=redline)
        elif b.kind in ("subtitle", "center"):
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_runs(p, b.text, bold_all=b.kind == "subtitle", redline=redline)
        elif b.kind == "h1":
            p = d.add_paragraph(style="Heading 1")
            _add_runs(p, b.text, redline=redline)
        elif b.kind == "h2":
            p = d.add_paragraph(style="Heading 2")
            _add_runs(p, b.text, redline=redline)
        elif b.kind == "item":
            p = d.add_paragraph()
            p.paragraph_format.left_indent = Inches(0.4)
            _add_runs(p, b.text, redline=redline)
        elif b.kind == "table":
            ncol = max(len(r) for r in b.rows)
            t = d.add_table(rows=len(b.rows), cols=ncol)
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(b.rows):
                for c, val in enumerate(row):
                    cell = t.cell(r, c)
                    cell.paragraphs[0].text = ""
                    _add_runs(cell.paragraphs[0], val, bold_all=(r == 0), redline=redline)
            d.add_paragraph()
        elif b.kind == "sig":
            t = d.add_table(rows=1, cols=len(b.rows))
            for c, party in enumerate(b.rows):
                cell = t.cell(0, c)
                cell.paragraphs[0].text = ""
                cell.paragraphs[0].add_run(party).bold = True
                for line in (
                    "",
                    "By: ________________________",
                    "Name: ______________________",
                    "Title: _______________________",
                    "Date: _______________________",
                ):
                    cell.add_paragraph(line)
        else:
            p = d.add_paragraph()
            p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _add_runs(p, b.text, redline=redline)

    redline.anchor_comments(d)
    cp = d.core_properties
    cp.title = src.meta.get("title", src.stem)
    cp.author = "contract-review sample"
    cp.last_modified_by = "contract-review sample"
    cp.subject = "Synthetic sample contract (test fixture)"
    cp.created = cp.modified = FIXED_DATE
    cp.revision = 1
    raw = io.BytesIO()
    d.save(raw)
    # Re-pack the zip with fixed timestamps so the output is byte-for-byte reproducible.
    raw.seek(0)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, zin.read(info.filename))
    out.write_bytes(fixed.getvalue())


# --------------------------------------------------------------------------- labels
def write_labels(outputs: dict[str, list[str]], out_dir: Path = HERE) -> None:
    sys.path.insert(0, str(SRC))
    sys.dont_write_bytecode = True  # keep src/ free of __pycache__
    from labels import LABELS  # noqa: E402  (src/labels.py)

    lines = []
    for stem, files in outputs.items():
        if stem not in LABELS:
            raise SystemExit(f"no labels for {stem} in src/labels.py")
        for fname in files:
            rec = dict(LABELS[stem])
            rec["file"] = fname
            missing = set(LABEL_KEYS) - set(rec)
            if missing:
                raise SystemExit(f"{stem}: label fields missing: {sorted(missing)}")
            lines.append(json.dumps({k: rec[k] for k in LABEL_KEYS}, ensure_ascii=False))
    extra = set(LABELS) - set(outputs)
    if extra:
        raise SystemExit(f"labels without a source: {sorted(extra)}")
    (out_dir / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build every contract into this folder, or into ``--out DIR`` (used by the tests to
    check that the committed files are what the sources produce)."""
    argv = sys.argv[1:] if argv is None else argv
    out_dir = Path(argv[argv.index("--out") + 1]).resolve() if "--out" in argv else HERE
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, list[str]] = {}
    for path in sorted(SRC.glob("*.txt")):
        src = parse(path)
        formats = src.meta.get("formats", "pdf").split()
        outputs[src.stem] = []
        if "pdf" in formats and any(
            has_redline(b.text + "".join(sum(b.rows, []) if b.kind == "table" else [])) for b in src.blocks
        ):
            raise SystemExit(f"{path.name}: tracked changes ({{++...++}}, {{--...--}}) are for DOCX-only drafts")
        for fmt in formats:
            out = out_dir / f"{src.stem}.{fmt}"
            (build_pdf if fmt == "pdf" else build_docx)(src, out)
            size = out.stat().st_size
            if size > 200_000:
                raise SystemExit(f"{out.name} is {size} bytes (limit 200 KB)")
            outputs[src.stem].append(out.name)
            print(f"built {out} ({size:,} bytes)")
    write_labels(outputs, out_dir)
    print(f"wrote sample_contracts/labels.jsonl ({sum(map(len, outputs.values()))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
