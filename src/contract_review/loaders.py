"""Load a contract into page-numbered text.

A :class:`Document` keeps every page's text and its character offsets in the whole
document's text, so that any quote can be traced back to a page. Loaders are a registry
keyed by file extension; each raises a typed :class:`~contract_review.errors.DocumentError`
on bad input (never returns an empty document that would read as "no insurance found").
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .errors import EncryptedDocument, NoTextLayer, TooLarge, UnreadableDocument, UnsupportedType
from .registry import Registry
from .settings import Settings

PAGE_SEPARATOR = "\n\n"

# One-for-one character substitutions that make text searchable without moving any offset:
# pypdf writes many CUAD filings with a no-break space between every word.
_SEARCH_TABLE = str.maketrans(
    {
        "\xa0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\t": " ",
        "\f": "\n",
        "\r": "\n",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "-",
        "\u037e": ";",  # pdfium writes ';' as the Greek question mark
        "\uff1b": ";",
        "\uff0c": ",",
        "\uff1a": ":",
        "\u2024": ".",  # full-width and leader punctuation
    }
)


def searchable(text: str) -> str:
    """``text`` with look-alike characters folded (NBSP to space, curly to straight quotes,
    dashes to '-'), character for character: offsets into the result are offsets into ``text``."""
    return text.translate(_SEARCH_TABLE)


logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass
class Page:
    number: int  # 1-based
    text: str
    start: int  # offset of the page's first character in Document.text

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Document:
    """A loaded contract. ``text`` is the pages joined by a blank line; ``norm`` is
    :func:`searchable` of it, the same length, for matching."""

    path: str
    sha256: str
    pages: list[Page]
    kind: str
    text: str = field(init=False)
    norm: str = field(init=False, repr=False)
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = PAGE_SEPARATOR.join(p.text for p in self.pages)
        self.norm = searchable(self.text)
        self._starts = [p.start for p in self.pages]

    @classmethod
    def from_page_texts(cls, path: str, sha256: str, texts: list[str], kind: str) -> Document:
        pages, offset = [], 0
        for i, t in enumerate(texts, start=1):
            pages.append(Page(i, t, offset))
            offset += len(t) + len(PAGE_SEPARATOR)
        return cls(path=path, sha256=sha256, pages=pages, kind=kind)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def page_at(self, offset: int) -> int:
        """1-based page number that holds the character at ``offset``."""
        i = bisect_right(self._starts, offset) - 1
        return self.pages[max(i, 0)].number


Loader = Callable[[bytes, Settings], list[str]]
#: ``(kind, loader)`` by file extension (with the dot). The built-in loaders below register
#: exactly as a plugin's would (entry-point group ``contract_review.loaders``).
LOADERS: Registry[tuple[str, Loader]] = Registry("loader", group="loaders")


LoaderT = TypeVar("LoaderT", bound=Callable[..., list[str]])


def register_loader(*extensions: str, kind: str) -> Callable[[LoaderT], LoaderT]:
    """Register ``fn(data, settings) -> page texts`` for the given extensions."""

    def deco(fn: LoaderT) -> LoaderT:
        for ext in extensions:
            LOADERS[ext.lower()] = (kind, fn)
        return fn

    return deco


def supported_extensions() -> tuple[str, ...]:
    return tuple(sorted(LOADERS))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: str | Path, settings: Settings | None = None, data: bytes | None = None) -> Document:
    """Read ``path`` (or ``data`` with ``path`` naming it) into a :class:`Document`.

    Raises one of the :mod:`contract_review.errors` document errors.
    """
    settings = settings or Settings()
    kind, loader = loader_for(path)
    data = read_bytes(path, settings, data)
    return document_from_pages(path, sha256_bytes(data), loader(data, settings), kind, settings)


def loader_for(path: str | Path) -> tuple[str, Loader]:
    """The registered ``(kind, loader)`` for ``path``'s extension, or :class:`UnsupportedType`."""
    ext = Path(path).suffix.lower().rstrip()
    if ext not in LOADERS:
        raise UnsupportedType(
            f"unsupported file type {ext or '(none)'!r}; supported: {', '.join(supported_extensions())}"
        )
    return LOADERS[ext]


def read_bytes(path: str | Path, settings: Settings, data: bytes | None = None) -> bytes:
    """``data``, or the file's bytes, checked against ``max_bytes`` and for emptiness."""
    p = Path(path)
    if data is None:
        try:
            size = p.stat().st_size
        except OSError as e:
            raise UnreadableDocument(f"cannot read file: {e.strerror or e}") from e
        if size > settings.max_bytes:
            raise TooLarge(f"file is {size:,} bytes; the limit is {settings.max_bytes:,} (max_bytes)")
        try:
            data = p.read_bytes()
        except OSError as e:
            raise UnreadableDocument(f"cannot read file: {e.strerror or e}") from e
    elif len(data) > settings.max_bytes:
        raise TooLarge(f"file is {len(data):,} bytes; the limit is {settings.max_bytes:,} (max_bytes)")
    if not data:
        raise UnreadableDocument("file is empty")
    return data


def document_from_pages(path: str | Path, sha256: str, texts: list[str], kind: str, settings: Settings) -> Document:
    """A :class:`Document` from its pages' texts, after the checks every document passes
    (page limit, some text). Used by :func:`load_document` and for a PDF whose page ranges
    were read by several workers (:func:`load_pdf` with ``pages``)."""
    if len(texts) > settings.max_pages:  # loaders check early where they can; this is the backstop
        raise TooLarge(f"document has {len(texts)} pages; the limit is {settings.max_pages} (max_pages)")
    if kind == "pdf":
        _check_text_layer(texts, settings)
    if not any(t.strip() for t in texts):
        raise NoTextLayer("no extractable text: the document appears to be scanned or empty; run OCR first")
    return Document.from_page_texts(str(path), sha256, texts, kind)


# --------------------------------------------------------------------------- PDF


def _check_pdf_magic(data: bytes) -> None:
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocument("not a PDF file (no %PDF header): the extension does not match the content")
    if b"%%EOF" not in data[-2048:]:
        # pypdf can recover some pages of a cut-off file; a partial contract must not read as complete.
        raise UnreadableDocument("PDF is truncated (no %%EOF marker at the end of the file)")


def _check_text_layer(texts: list[str], settings: Settings) -> None:
    chars = sum(len("".join(t.split())) for t in texts)
    if texts and chars / len(texts) < settings.min_chars_per_page:
        raise NoTextLayer(
            f"only {chars} characters of text on {len(texts)} page(s): the PDF appears to be scanned "
            "images without a text layer; run OCR first"
        )


@register_loader(".pdf", kind="pdf")
def load_pdf(data: bytes, settings: Settings, pages: range | None = None) -> list[str]:
    """The text of every page (or of ``pages``, 0-based, for a part read by one worker),
    with the configured parser. The text-layer check is :func:`document_from_pages`'s."""
    _check_pdf_magic(data)
    if settings.pdf_parser == "pdfium":
        return _load_pdf_pdfium(data, settings, pages)
    with _pypdf_errors():
        reader = _open_pypdf(data, settings)
        selected = reader.pages if pages is None else [reader.pages[i] for i in pages]
        return [(page.extract_text() or "") for page in selected]


def pdf_page_count(data: bytes, settings: Settings) -> int:
    """Number of pages, without reading any page's text (milliseconds). Raises the typed
    errors :func:`load_pdf` would (not a PDF, truncated, encrypted, too many pages)."""
    _check_pdf_magic(data)
    with _pypdf_errors():
        return len(_open_pypdf(data, settings).pages)


@contextmanager
def _pypdf_errors() -> Iterator[None]:
    """pypdf raises many exception types on damaged files: all of them are unreadable."""
    try:
        yield
    except (EncryptedDocument, TooLarge):
        raise
    except Exception as e:
        raise UnreadableDocument(f"PDF is corrupt or truncated: {type(e).__name__}: {e}") from e


def _open_pypdf(data: bytes, settings: Settings):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (NotImplementedError, PdfReadError, FileNotDecryptedError) as e:
            raise EncryptedDocument(f"PDF is encrypted and cannot be opened without a password ({e})") from e
        if not ok:
            raise EncryptedDocument("PDF is password-protected (the empty password does not open it)")
    n = len(reader.pages)
    if n > settings.max_pages:
        raise TooLarge(f"document has {n} pages; the limit is {settings.max_pages} (max_pages)")
    return reader


def _load_pdf_pdfium(data: bytes, settings: Settings, pages: range | None = None) -> list[str]:
    """PDFium (pypdfium2) text, one string per page like pypdf, about ten times faster.

    If PDFium cannot open or read the file (damaged, unusual encryption, a PDFium bug), the
    file is read again with pypdf, which gives the verdict (text or a typed error). A PDF
    with too many pages is a verdict, not a failure, and is not retried.
    """
    pypdf_settings = settings.model_copy(update={"pdf_parser": "pypdf"})
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency; keep the fallback honest
        _log.info("pypdfium2 is not installed; using pypdf")
        return load_pdf(data, pypdf_settings, pages)

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as e:  # PdfiumError for damaged or encrypted files; pypdf decides which
        _log.info("pdfium cannot open the PDF (%s); falling back to pypdf", e)
        return load_pdf(data, pypdf_settings, pages)
    try:
        n = len(pdf)
        if n > settings.max_pages:
            raise TooLarge(f"document has {n} pages; the limit is {settings.max_pages} (max_pages)")
        texts = []
        for i in range(n) if pages is None else pages:
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    texts.append(tp.get_text_range().replace("\r\n", "\n").translate(_PDFIUM_TABLE))
                finally:
                    tp.close()
            finally:
                page.close()
    except TooLarge:
        raise
    except Exception as e:  # a page PDFium cannot read: let pypdf try the whole file
        _log.info("pdfium failed on a page (%s: %s); falling back to pypdf", type(e).__name__, e)
        return load_pdf(data, pypdf_settings, pages)
    finally:
        pdf.close()
    return texts


# PDFium marks a hyphen it saw at a line break with U+FFFE (and U+0002 in older builds):
# put the hyphen back, one character for one, so offsets and quotes stay verbatim-comparable.
_PDFIUM_TABLE = str.maketrans({"\ufffe": "-", "\x02": "-", "\r": "\n"})
_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@register_loader(".docx", kind="docx")
def load_docx(data: bytes, settings: Settings) -> list[str]:
    """Paragraphs and table cells in document order. Explicit page breaks (and Word's
    rendered page breaks) start a new page; otherwise the document is one page."""
    _check_docx_package(data)
    import docx
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... on damaged files
        raise UnreadableDocument(f"DOCX is corrupt: {type(e).__name__}: {e}") from e

    pages: list[list[str]] = [[]]
    for el in d.element.body.iterchildren():
        if el.tag == f"{_W}p":
            if _page_break_in(el) and pages[-1]:
                pages.append([])
            pages[-1].append(Paragraph(el, d).text)
        elif el.tag == f"{_W}tbl":
            pages[-1].extend(_table_cells(el, d))
    return ["\n".join(lines) for lines in pages]


def _check_docx_package(data: bytes) -> None:
    """A legacy .doc, an encrypted Office package or no zip at all is a typed error."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise EncryptedDocument("DOCX is password-protected (encrypted Office package)")
        raise UnreadableDocument("not a DOCX file: this is a legacy binary Word (.doc) file; save it as .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument("not a DOCX file (not a zip package): the extension does not match the content")


def _page_break_in(el) -> bool:
    for br in el.iter(f"{_W}br"):
        if br.get(f"{_W}type") == "page":
            return True
    return any(True for _ in el.iter(f"{_W}lastRenderedPageBreak"))


def _table_cells(el, d) -> list[str]:
    """The text of each cell of a table, row by row; a merged cell once."""
    from docx.table import Table

    out = []
    for row in Table(el, d).rows:
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat
                continue
            seen.add(id(cell._tc))
            out.append(cell.text)
    return out


# --------------------------------------------------------------------------- text


@register_loader(".txt", ".md", kind="text")
def load_text(data: bytes, settings: Settings) -> list[str]:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("not a text file (binary content)")
    if data.startswith(b"%PDF-") or data.startswith(b"PK\x03\x04"):
        raise UnreadableDocument("not a text file: the content is a PDF or Office file with the wrong extension")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed is a page break in plain text exports.
    return text.split("\f")
