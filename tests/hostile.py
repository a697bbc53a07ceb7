"""Hostile but small input files, built on the fly (the suite in test_hostile_files.py and
the before/after figures of the README use them). Each builder writes into a folder and
returns the path it made; nothing here holds a large file in memory."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from builders import make_docx

CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence, shall name Customer as an additional insured, and shall deliver a "
    "certificate of insurance before work begins."
)
MB = 1024 * 1024


def good_file(folder: Path) -> Path:
    p = folder / "good.txt"
    p.write_text(CLAUSE + "\n", encoding="utf-8")
    return p


def _rezip(src: bytes, dest: Path, replace: dict[str, bytes], extra: dict[str, int] | None = None) -> None:
    """Copy the DOCX ``src`` to ``dest`` with some parts replaced, and ``extra`` parts of
    that many zero bytes streamed in (never held in memory)."""
    import io

    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, size in (extra or {}).items():
            with zout.open(name, "w", force_zip64=True) as fh:
                chunk = b"\0" * MB
                for _ in range(size // MB):
                    fh.write(chunk)


def docx_bomb(folder: Path, inflated: int = 256 * MB) -> Path:
    """A DOCX of about 250 KB whose ``word/document.xml`` inflates to ``inflated`` bytes."""
    p = folder / "bomb.docx"
    src = make_docx([CLAUSE])
    import io

    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "word/document.xml":
                zout.writestr(info.filename, zin.read(info.filename))
        head = zin.read("word/document.xml")
        cut = head.index(b"<w:body>") + len(b"<w:body>")
        para = b"<w:p><w:r><w:t>" + b"A" * 4000 + b"</w:t></w:r></w:p>"
        with zout.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head[:cut])
            for _ in range(inflated // len(para)):
                fh.write(para)
            fh.write(b"</w:body></w:document>")
    return p


def docx_huge_image(folder: Path, size: int = 256 * MB) -> Path:
    """A small DOCX whose document links an "image" part of ``size`` bytes uncompressed
    (python-docx reads every linked part into memory)."""
    import io

    p = folder / "image.docx"
    src = make_docx([CLAUSE])
    with zipfile.ZipFile(io.BytesIO(src)) as z:
        rels = z.read("word/_rels/document.xml.rels")
        types = z.read("[Content_Types].xml")
    link = (
        b'<Relationship Id="rIdHuge" Target="media/image1.png" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
    )
    rels = rels.replace(b"</Relationships>", link + b"</Relationships>")
    if b'Extension="png"' not in types:
        types = types.replace(b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1)
    _rezip(
        src, p, {"word/_rels/document.xml.rels": rels, "[Content_Types].xml": types}, {"word/media/image1.png": size}
    )
    return p


def docx_large_part(folder: Path, size: int = 8 * MB) -> Path:
    """A DOCX with an incompressible part of ``size`` bytes (no bomb: it hits the size cap)."""
    p = folder / "large.docx"
    import io

    src = make_docx([CLAUSE])
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("word/media/photo.jpg", os.urandom(size))
    return p


def docx_entity(folder: Path, laughs: bool = False) -> Path:
    """A DOCX whose document.xml defines an entity and uses it in the text before the
    insurance clause (the text after the unexpanded entity must still be read); with
    ``laughs``, the entity is the top of a "billion laughs" chain."""
    p = folder / ("laughs.docx" if laughs else "entity.docx")
    src = make_docx(["Intro &co; " + CLAUSE.replace("\n", " ")])
    import io

    with zipfile.ZipFile(io.BytesIO(src)) as z:
        xml = z.read("word/document.xml")
    decl_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    if laughs:
        dtd = [b'<!ENTITY lol0 "lol">']
        dtd += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 10)]
        dtd.append(b'<!ENTITY co "&lol9;">')
    else:
        dtd = [b'<!ENTITY co "the Company">']
    doctype = b"<!DOCTYPE w:document [" + b"".join(dtd) + b"]>"
    xml = xml[:decl_end] + doctype + xml[decl_end:].replace(b"&amp;co;", b"&co;")
    _rezip(src, p, {"word/document.xml": xml})
    return p


def fifo(folder: Path) -> Path:
    p = folder / "pipe.txt"
    os.mkfifo(p)
    return p


def contract_text(size: int, lists: bool = True) -> str:
    """Contract-like text of about ``size`` characters: numbered articles, insurance
    obligations (with lists after them when ``lists``), and plain clauses between."""
    parts, n, total = [], 1, 0
    tail = "and shall maintain insurance as follows:\n(a) at its cost, in full;\n(b) for the Term.\n"
    while total < size:
        s = (
            f"{n}. INSURANCE\nSupplier shall maintain commercial general liability insurance of $1,000,000 per "
            f"occurrence {tail if lists else 'at its cost.'}\n"
            + "".join(
                f"{n}.{k} The parties agree to the terms and conditions of this Agreement and shall perform them.\n"
                for k in range(1, 9)
            )
        )
        parts.append(s)
        total += len(s)
        n += 1
    return "".join(parts)


def long_text(folder: Path, size: int = 1 * MB) -> Path:
    p = folder / "long.txt"
    p.write_text(contract_text(size), encoding="utf-8")
    return p


def huge_page_pdf(folder: Path, chars: int = 5 * MB) -> Path:
    """A one-page PDF whose content stream shows ``chars`` characters of text."""
    p = folder / "huge_page.pdf"
    line = b"(" + b"insurance words here " * 48 + b") Tj T*\n"  # ~1,000 characters a line (a string has at most 32,767)
    content = b"BT /F1 1 Tf 1 TL 10 780 Td\n" + line * (chars // 1008 + 1) + b"ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    with open(p, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        offsets = []
        for i, body in enumerate(objs, start=1):
            offsets.append(fh.tell())
            fh.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = fh.tell()
        fh.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
        for off in offsets:
            fh.write(f"{off:010d} 00000 n \n".encode())
        fh.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return p


def newline_name(folder: Path) -> Path:
    p = folder / "evil\nscreen [2] ok 1p forged.txt"  # (no "/" can be in a name)
    p.write_text(CLAUSE, encoding="utf-8")
    return p


def utf16_text(folder: Path) -> Path:
    p = folder / "notepad.txt"
    p.write_bytes(CLAUSE.replace("\n", "\r\n").encode("utf-16"))  # with its BOM, as Notepad saves it
    return p


def symlink_out(folder: Path, outside: Path) -> Path:
    target = outside / "elsewhere.txt"
    target.write_text(CLAUSE, encoding="utf-8")
    p = folder / "link.txt"
    p.symlink_to(target)
    return p
