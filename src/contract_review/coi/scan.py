"""Scanned certificates: the page image read into positioned words, and the mark boxes by ink.

A scanned ACORD 25 has neither fields nor a text layer. Its page is rendered (pypdfium2),
straightened (:func:`contract_review.ocr.clean`) and read by Tesseract as words with their
boxes (sparse-text mode: a form is boxes of short text, not paragraphs). Each line's words
becomes :class:`~.model.Fragment` words at their places in PDF points, so the flattened
certificate's reader (:func:`~.parse.values_at_positions`) assigns it to a field by position.
One-character marks (ADDL INSD "Y", SUBR WVD, the occurrence / claims-made boxes) are what OCR
reads worst, so those boxes are read from the image instead: a box is marked when the ink
inside it (its border left out) covers more than :data:`MARK_INK` of it.

The form is taken to lie where the blank form has it once straightened: a scan shifted on
the scanner glass by more than a few points reads wrong, and is reported with Tesseract's
confidence so that a reader knows to check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..settings import Settings
from . import acord
from .model import Fragment

#: A form's ruling read as characters at a word's ends.
_BORDERS = re.compile(r"^[|\[\]{}!\u2018\u2019`]+|[|\[\]{}_]+$")
#: A date with a speck after it ("03/01/2026.").
_DATE_TAIL = re.compile(r"^(\d{1,2}/\d{1,2}/\d{2,4})[.,:;]$")
#: Share of a mark box's inner area that ink must cover for the box to count as marked.
MARK_INK = 0.03


@dataclass
class ScanReading:
    """What OCR read of a scanned certificate: the positioned text, the mark boxes, and the
    mean word confidence (0-100)."""

    fragments: list
    marks: dict[str, bool]
    confidence: float
    letters: dict[str, str]


def mark_fields() -> list[str]:
    """The form's one-character mark boxes: its check boxes and each row's ADDL INSD / SUBR WVD."""
    out = [name for name in acord.RECTS if name.endswith(("Indicator_A", "Indicator_B"))]
    for spec in acord.LINES:
        out += [f for f in (spec.addl, spec.subr) if f and f in acord.RECTS]
    return out


def read_scan(data: bytes, settings: Settings) -> ScanReading:
    """OCR page 1 of a scanned certificate (raises the OCR's typed errors)."""
    import pypdfium2 as pdfium

    from .. import ocr

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[0]
        width, height = page.get_size()
        img = ocr.clean(ocr.render(page, settings.ocr_dpi))
    finally:
        pdf.close()
    scale = width / img.width  # points per pixel
    words = _words(img, settings)
    return ScanReading(
        _fragments(words, scale, height),
        _marks(img, scale, height),
        _confidence(words),
        letters(img, scale, height, settings),
    )


def _words(img, settings: Settings) -> list[dict]:
    from ..ocr import image_data

    # Sparse-text mode: a form is boxes of short text, not paragraphs.
    data = image_data(img, settings, psm=11, what="the certificate")
    keys = ("block_num", "par_num", "line_num", "left", "top", "width", "height", "conf")
    out = []
    for i, t in enumerate(data["text"]):
        text = _BORDERS.sub("", str(t).strip())  # a table line read as "|" beside a value
        text = _DATE_TAIL.sub(r"\1", text)
        if int(data["level"][i]) == 5 and text:
            out.append({"text": text, **{k: data[k][i] for k in keys}})
    return out


def _fragments(words: list[dict], scale: float, page_h: float) -> list:
    """One fragment per word, at its left edge and its line's baseline, in PDF points from
    the bottom left: a line of OCR may run across several boxes of the form (a printed label
    and the value beside it), so each word finds its own box."""
    out: list = []
    lines: dict[tuple, list[dict]] = {}
    for w in words:
        lines.setdefault((w["block_num"], w["par_num"], w["line_num"]), []).append(w)
    for line in lines.values():
        bottom = max(w["top"] + w["height"] for w in line)
        height = max(w["height"] for w in line)
        baseline = page_h - (bottom - 0.2 * height) * scale  # descenders hang below the baseline
        out += [Fragment(w["text"], w["left"] * scale, baseline) for w in line]
    return out


def _marks(img, scale: float, page_h: float) -> dict[str, bool]:
    """Each mark box: whether ink covers more than :data:`MARK_INK` of its inner area. A
    check box's own printed square sits inside its field, so more of its edge is left out
    than of an ADDL INSD / SUBR WVD cell, whose borders are the table's lines."""
    import numpy as np

    ink = np.asarray(img.convert("L")) < 128
    out: dict[str, bool] = {}
    for name in mark_fields():
        x0, y0, x1, y1 = acord.RECTS[name]
        w, h = x1 - x0, y1 - y0
        mx, my = (0.22, 0.2) if "Indicator" in name else (0.1, 0.15)
        left, right = (x0 + mx * w) / scale, (x1 - mx * w) / scale
        top, bottom = (page_h - (y1 - my * h)) / scale, (page_h - (y0 + my * h)) / scale
        box = ink[int(top) : max(int(bottom), int(top) + 1), int(left) : max(int(right), int(left) + 1)]
        out[name] = bool(box.size) and float(box.mean()) > MARK_INK
    return out


def letters(img, scale: float, page_h: float, settings: Settings) -> dict[str, str]:
    """Each row's INSR LTR box read alone as one character: a lone letter is what the
    page-wide reading most often misses."""
    import numpy as np
    import pytesseract
    from PIL import Image

    out: dict[str, str] = {}
    for spec in acord.LINES:
        if spec.letter not in acord.RECTS:
            continue
        x0, y0, x1, y1 = acord.RECTS[spec.letter]
        w, h = x1 - x0, y1 - y0  # the cell without the table's lines, on a white margin
        left, top = int((x0 + 0.12 * w) / scale), int((page_h - y1 + 0.1 * h) / scale)
        right, bottom = int((x1 - 0.12 * w) / scale), int((page_h - y0 - 0.1 * h) / scale)
        cell = img.crop((left, top, right, bottom))
        if cell.size[0] < 2 or cell.size[1] < 2 or float(np.asarray(cell).min()) > 128:
            continue  # an empty cell
        framed = Image.new("L", (cell.size[0] * 3, cell.size[1] * 3), 255)
        framed.paste(cell, (cell.size[0], cell.size[1]))
        try:
            text = pytesseract.image_to_string(
                framed, config="--psm 10 -c tessedit_char_whitelist=ABCDEF", timeout=settings.ocr_timeout
            )
        except (pytesseract.TesseractError, RuntimeError):
            continue
        text = text.strip()
        if text and text[0] in "ABCDEF":
            out[spec.letter] = text[0]
    return out


def _confidence(words: list[dict]) -> float:
    confs = [float(w["conf"]) for w in words if float(w["conf"]) >= 0]
    return round(sum(confs) / len(confs), 1) if confs else 0.0
