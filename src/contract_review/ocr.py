"""OCR of scanned PDF pages with Tesseract (through pytesseract), pages rendered by PDFium.

:func:`ocr_pages` is what :func:`~contract_review.loaders.load_pdf` calls with the text
layer it read: under ``ocr="auto"`` a page is OCR'd when its text layer has fewer than
``min_chars_per_page`` characters *and* a picture covers a good part of it (a scan; a page
of vector drawings or a blank page has nothing to read); ``"always"`` OCRs every page,
``"never"`` none. Each page is rendered at ``ocr_dpi`` in grey, straightened (a skew of a
few degrees by projection profile, see :func:`skew_angle`; a page on its side or upside
down by Tesseract's orientation detection when the first reading is poor) and read by one
Tesseract run, whose words give the text and the mean confidence.

Tesseract runs single-threaded (``OMP_THREAD_LIMIT``, as ocrmypdf does): its own threads
help little, and the batch already runs one worker per core.

Nothing here is imported until a page needs OCR; a missing Tesseract is reported by
:func:`unavailable` (with how to install it), never by an import error.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import OcrUnavailable, UnreadableDocument
from .schema import OcrPage
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from PIL.Image import Image

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install Tesseract: `sudo apt-get install tesseract-ocr tesseract-ocr-eng` (Debian/Ubuntu), "
    "`brew install tesseract` (macOS), or set tesseract_cmd to its path"
)

#: Share of the page a picture must cover for an almost textless page to count as a scan.
MIN_IMAGE_SHARE = 0.25
#: Below this mean word confidence the page may be on its side: ask Tesseract's orientation detection.
LOW_CONFIDENCE = 60.0


# --------------------------------------------------------------------------- Tesseract


@lru_cache(maxsize=8)
def _version(cmd: str) -> str | None:
    path = shutil.which(cmd)
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].strip() if out.returncode == 0 and first else None


def tesseract_version(settings: Settings) -> str | None:
    """``tesseract X.Y.Z`` of ``settings.tesseract_cmd``, or None when it cannot be run."""
    return _version(settings.tesseract_cmd)


def unavailable(settings: Settings) -> str | None:
    """Why OCR cannot run with ``settings`` (with how to fix it), or None when it can."""
    if tesseract_version(settings) is None:
        return f"Tesseract was not found (tesseract_cmd={settings.tesseract_cmd!r}); {INSTALL_HINT}"
    return None


def _check_language(settings: Settings) -> None:
    langs = _languages(settings.tesseract_cmd)
    missing = [lang for lang in settings.ocr_language.split("+") if lang not in langs]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{m.replace('_', '-').lower()}" for m in missing)
        raise OcrUnavailable(
            f"Tesseract has no language data for {'+'.join(missing)} (ocr_language={settings.ocr_language!r}); "
            f"install it (Debian: `sudo apt-get install {pkgs}`)"
        )


@lru_cache(maxsize=8)
def _languages(cmd: str) -> frozenset[str]:
    out = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


@dataclass
class Reading:
    """Tesseract's reading of one image: the text (lines, a blank line between blocks), the
    mean confidence of its words (0-100) and the words' count."""

    text: str
    confidence: float
    words: int


def _tesseract(img: Image, settings: Settings) -> Reading:
    return reading_from_data(image_data(img, settings))


def image_data(img: Image, settings: Settings, psm: int = 3, what: str = "a page") -> dict[str, list]:
    """Tesseract's words of ``img`` with their boxes and confidences (pytesseract's
    ``image_to_data`` dictionary), in page-segmentation mode ``psm``; a failure or a run over
    ``ocr_timeout`` is an ``unreadable`` error naming ``what`` was read."""
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    img.format = "PPM"  # pytesseract hands Tesseract an uncompressed file: no PNG encoding per page
    try:
        return pytesseract.image_to_data(
            img,
            lang=settings.ocr_language,
            config=f"--psm {psm} --dpi {settings.ocr_dpi}",
            output_type=pytesseract.Output.DICT,
            timeout=settings.ocr_timeout,
        )
    except pytesseract.TesseractError as e:  # (a RuntimeError too: caught first)
        raise UnreadableDocument(f"Tesseract failed on {what}: {e.message or e}") from e
    except RuntimeError as e:  # pytesseract's timeout
        raise UnreadableDocument(f"OCR of {what} took longer than {settings.ocr_timeout:g}s (ocr_timeout)") from e


def reading_from_data(data: dict[str, list]) -> Reading:
    """Text and mean word confidence from pytesseract's ``image_to_data`` dictionary."""
    lines: list[str] = []
    words: list[str] = []
    confs: list[float] = []
    key = None
    block = None
    for i, word in enumerate(data["text"]):
        if int(data["level"][i]) != 5 or not str(word).strip():
            continue
        here = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if here != key:
            if words:
                lines.append(" ".join(words))
            if block is not None and data["block_num"][i] != block:
                lines.append("")
            words, key, block = [], here, data["block_num"][i]
        words.append(str(word).strip())
        conf = float(data["conf"][i])
        if conf >= 0:
            confs.append(conf)
    if words:
        lines.append(" ".join(words))
    mean = sum(confs) / len(confs) if confs else 0.0
    return Reading("\n".join(lines), round(mean, 1), len(confs))


def _orientation(img: Image, settings: Settings) -> int:
    """Degrees to turn ``img`` clockwise to make it upright, by Tesseract's orientation
    detection (0 when it cannot tell)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(
            img, config=f"--psm 0 --dpi {settings.ocr_dpi}", output_type=pytesseract.Output.DICT, timeout=60
        )
    except (pytesseract.TesseractError, RuntimeError) as e:  # too little text to tell, no osd data
        log.debug("orientation detection failed: %s", e)
        return 0
    if float(osd.get("orientation_conf", 0)) < 1.0:
        return 0
    return int(osd.get("rotate", 0)) % 360


# --------------------------------------------------------------------------- images


def skew_angle(img: Image, max_angle: float = 4.0) -> float:
    """The rotation (degrees, counter-clockwise, as :meth:`PIL.Image.Image.rotate` takes it)
    that makes the text lines of ``img`` horizontal: the angle whose row profile of ink is
    sharpest (sum of squared differences of adjacent rows), searched on a reduced copy in
    0.5° and then 0.1° steps. 0 for a page with almost no ink."""
    import numpy as np
    from PIL import Image as PILImage

    factor = max(1, round(img.width / 500))
    small = img.convert("L").reduce(factor) if factor > 1 else img.convert("L")
    ink = np.asarray(small) < 140
    if ink.mean() < 0.002:
        return 0.0
    mask = PILImage.fromarray((ink * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(mask.rotate(angle, resample=PILImage.Resampling.NEAREST, fillcolor=0), dtype=np.float32)
        d = np.diff(rows.sum(axis=1))
        return float((d * d).sum())

    coarse = [a / 2 for a in range(int(-2 * max_angle), int(2 * max_angle) + 1)]
    best = max(coarse, key=sharpness)
    fine = [best + a / 10 for a in range(-5, 6)]
    best = max(fine, key=sharpness)
    return round(best, 1)


def straighten(img: Image) -> Image:
    """``img`` rotated by :func:`skew_angle` (white fill), unless the skew is negligible."""
    from PIL import Image as PILImage

    angle = skew_angle(img)
    if abs(angle) < 0.2:
        return img
    # Nearest-neighbour: a quarter of bilinear's time, and the blur of clean() smooths it (reads the same).
    return img.rotate(angle, resample=PILImage.Resampling.NEAREST, fillcolor=255)


def clean(img: Image) -> Image:
    """``img`` in grey, straightened and with scanner noise softened (a 3x3 box blur: on
    noisy scans it reads as well as a median filter, at a tenth of the time)."""
    from PIL import ImageFilter

    return straighten(img.convert("L")).filter(ImageFilter.BoxBlur(1))


def read_image(img: Image, settings: Settings) -> Reading:
    """OCR one page image: cleaned (:func:`clean`), read, and if the reading is poor, turned
    upright by Tesseract's orientation detection and read again (the better reading wins)."""
    grey = img.convert("L")
    cleaned = clean(grey)
    first = _tesseract(cleaned, settings)
    if first.confidence >= LOW_CONFIDENCE and first.words >= 5:
        return first
    turn = _orientation(cleaned, settings)
    if not turn:
        return first
    # Tesseract's "Rotate" is clockwise; PIL turns counter-clockwise. Straighten again upright.
    second = _tesseract(clean(grey.rotate(-turn, expand=True, fillcolor=255)), settings)
    return second if (second.confidence, second.words) > (first.confidence, first.words) else first


# --------------------------------------------------------------------------- PDF pages


def sparse(text: str, settings: Settings) -> bool:
    """A page text layer too thin to read: fewer than ``min_chars_per_page`` characters."""
    return len("".join(text.split())) < settings.min_chars_per_page


def _scanned(page) -> bool:
    """A picture covers at least :data:`MIN_IMAGE_SHARE` of the page (also in a form XObject)."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = max(width * height, 1.0)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= MIN_IMAGE_SHARE * area:
            return True
    return False


def render(page, dpi: int) -> Image:
    """The page in grey at ``dpi`` (its /Rotate applied)."""
    return page.render(scale=dpi / 72, grayscale=True).to_pil()


def ocr_pages(
    data: bytes, texts: list[str], settings: Settings, indices: list[int]
) -> tuple[list[OcrPage | None], list[int]]:
    """OCR the pages of ``data`` (0-based ``indices``, whose text layers are ``texts``) that
    need it, replacing their text in ``texts``. Returns, per page, its :class:`OcrPage` or
    None, and the 1-based numbers of the scanned pages left unread.

    Under ``auto`` with Tesseract missing, scanned pages keep their (empty) text layer and
    are the unread ones: the document's text check reports a document without text with the
    install hint, and a review notes the unread pages of one that has some. Under ``always``
    that is an :class:`OcrUnavailable` error at once."""
    done: list[OcrPage | None] = [None] * len(texts)
    wanted = [k for k, t in enumerate(texts) if settings.ocr == "always" or sparse(t, settings)]
    if settings.ocr == "never" or not wanted:
        return done, []
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:  # the text layer was read by pypdf; nothing to render
        log.info("pdfium cannot open the PDF for OCR (%s)", e)
        return done, []
    try:
        if settings.ocr == "auto":
            wanted = [k for k in wanted if _scanned(pdf[indices[k]])]
        if not wanted:
            return done, []
        why = unavailable(settings)
        if why is not None:
            if settings.ocr == "always":
                raise OcrUnavailable(f"ocr is 'always' but {why}")
            log.warning("%d scanned page(s) not OCR'd: %s", len(wanted), why)
            return done, [indices[k] + 1 for k in wanted]
        _check_language(settings)
        for k in wanted:
            t0 = time.perf_counter()
            page = pdf[indices[k]]
            try:
                img = render(page, settings.ocr_dpi)
            finally:
                page.close()
            reading = read_image(img, settings)
            texts[k] = reading.text
            done[k] = OcrPage(
                page=indices[k] + 1, confidence=reading.confidence, seconds=round(time.perf_counter() - t0, 3)
            )
    finally:
        pdf.close()
    return done, []
