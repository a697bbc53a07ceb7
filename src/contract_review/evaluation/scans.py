"""Make "scanned" copies of PDFs for the OCR tests and benchmark: every page rendered to a
grey image (PDFium), with mild noise and a small rotation (Pillow), written back as a PDF
of images only (no text layer). :func:`mixed_pdf` puts scanned pages among typed ones.

Seeded: the same input and arguments give the same bytes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable


def scan_page_images(data: bytes, dpi: int = 200, skew: tuple[float, float] = (1.0, 2.0), noise: float = 12.0, seed=0):
    """The pages of PDF ``data`` as scanned-looking grey PIL images: rendered at ``dpi``,
    rotated by an angle drawn from ``skew`` (degrees, random sign; ``(0, 0)``: none), with
    Gaussian noise of standard deviation ``noise`` and a few specks."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(data)
    images = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            angle = rng.uniform(*skew) * rng.choice((-1, 1))
            if angle:
                img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
            arr = np.asarray(img, dtype=np.float64)
            if noise:
                arr = arr + nprng.normal(0.0, noise, arr.shape)
                specks = nprng.random(arr.shape) < 0.0005
                arr[specks] = 0.0
            images.append(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L"))
    finally:
        pdf.close()
    return images


def images_to_pdf(images: list, dpi: int = 200, rotate: Iterable[int] = ()) -> bytes:
    """An image-only PDF, one page per image (JPEG-compressed, as scanners write).
    ``rotate``: 0-based pages to turn by 90° (a page scanned on its side)."""
    turned = set(rotate)
    pages = [im.rotate(90, expand=True, fillcolor=255) if i in turned else im for i, im in enumerate(images)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=80)
    return buf.getvalue()


def scan_pdf(data: bytes, dpi: int = 200, skew: tuple[float, float] = (1.0, 2.0), noise: float = 12.0, seed=0) -> bytes:
    """A scanned copy of PDF ``data``: see :func:`scan_page_images`."""
    return images_to_pdf(scan_page_images(data, dpi, skew, noise, seed), dpi)


def mixed_pdf(data: bytes, scanned: Iterable[int], **scan_options) -> bytes:
    """``data`` with the given 0-based pages replaced by their scanned copies (the others
    keep their text layer), like a typed contract with a scanned signature page."""
    from pypdf import PdfReader, PdfWriter

    typed = PdfReader(io.BytesIO(data))
    scan = PdfReader(io.BytesIO(scan_pdf(data, **scan_options)))
    chosen = set(scanned)
    w = PdfWriter()
    for i in range(len(typed.pages)):
        page = scan.pages[i] if i in chosen else typed.pages[i]
        w.add_page(page)
        if i in chosen:  # the scan's page size is the image's at its dpi: keep the original's
            w.pages[-1].scale_to(float(typed.pages[i].mediabox.width), float(typed.pages[i].mediabox.height))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
