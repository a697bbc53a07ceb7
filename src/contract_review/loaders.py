"""Load a contract into page-numbered text.

A :class:`Document` keeps every page's text and its character offsets in the whole
document's text, so that any quote can be traced back to a page. Loaders are a registry
keyed by file extension; each raises a typed :class:`~contract_review.errors.DocumentError`
on bad input (never returns an empty document that would read as "no insurance found").
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import logging
import os
import stat
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .errors import (
    DocumentError,
    EncryptedDocument,
    NoTextLayer,
    OcrUnavailable,
    TooLarge,
    UnreadableDocument,
    UnsupportedType,
)
from .registry import Registry
from .schema import OcrPage, Revision, RevisionKind
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
    ocr: OcrPage | None = None  # set when the text was read by OCR

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Document:
    """A loaded contract. ``text`` is the pages joined by a blank line; ``norm`` is
    :func:`searchable` of it, the same length, for matching. ``revisions`` are the tracked
    changes of a Word draft (whose text is read with every change accepted), with offsets
    into ``text``; other files have none. A page read by OCR has its :class:`OcrPage`."""

    path: str
    sha256: str
    pages: list[Page]
    kind: str
    revisions: list[Revision] = field(default_factory=list)
    unread_scans: list[int] = field(default_factory=list)  # scanned pages OCR could not read (no Tesseract)
    text: str = field(init=False)
    norm: str = field(init=False, repr=False)
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = PAGE_SEPARATOR.join(p.text for p in self.pages)
        self.norm = searchable(self.text)
        self._starts = [p.start for p in self.pages]

    @classmethod
    def from_page_texts(
        cls,
        path: str,
        sha256: str,
        texts: list[str],
        kind: str,
        revisions: Iterable[Revision] = (),
        ocr: Iterable[OcrPage | None] = (),
        unread_scans: Iterable[int] = (),
    ) -> Document:
        pages, offset = [], 0
        read = list(ocr)
        for i, t in enumerate(texts, start=1):
            pages.append(Page(i, t, offset, read[i - 1] if i <= len(read) else None))
            offset += len(t) + len(PAGE_SEPARATOR)
        return cls(
            path=path,
            sha256=sha256,
            pages=pages,
            kind=kind,
            revisions=list(revisions),
            unread_scans=sorted(unread_scans),
        )

    @property
    def ocr_pages(self) -> list[OcrPage]:
        """The pages read by OCR (empty when the text layer was read everywhere)."""
        return [p.ocr for p in self.pages if p.ocr is not None]

    @property
    def name(self) -> str:
        return Path(self.path).name

    def page_at(self, offset: int) -> int:
        """1-based page number that holds the character at ``offset``."""
        i = bisect_right(self._starts, offset) - 1
        return self.pages[max(i, 0)].number


class PageTexts(list[str]):
    """Page texts as a loader may return them: a list of strings that also carries the
    file's tracked changes (:class:`~contract_review.schema.Revision`, with offsets into
    the pages joined by :data:`PAGE_SEPARATOR`) and, per page, its
    :class:`~contract_review.schema.OcrPage` when it was read by OCR (else None), and the
    1-based numbers of scanned pages that could not be OCR'd (``unread_scans``). A plain
    list of strings has none of these."""

    def __init__(
        self,
        texts: Iterable[str] = (),
        revisions: Iterable[Revision] = (),
        ocr: Iterable[OcrPage | None] = (),
        unread_scans: Iterable[int] = (),
    ) -> None:
        super().__init__(texts)
        self.revisions = list(revisions)
        self.ocr = list(ocr)
        self.unread_scans = list(unread_scans)


def join_parts(parts: Iterable[list[str]]) -> PageTexts:
    """The page texts of a PDF read in consecutive page ranges, in order, with the OCR
    records of each range's pages."""
    texts: list[str] = []
    ocr: list[OcrPage | None] = []
    unread: list[int] = []
    for part in parts:
        texts.extend(part)
        read = list(getattr(part, "ocr", ()))
        ocr.extend(read + [None] * (len(part) - len(read)))
        unread.extend(getattr(part, "unread_scans", ()))
    return PageTexts(texts, ocr=ocr, unread_scans=unread)


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


def import_parsers(path: str | Path, settings: Settings) -> None:
    """Import the parser libraries the loader of ``path`` uses (PDFium and pypdf for a
    PDF; nothing else is slow to import). A caller that loads in a thread imports them
    first: the thread is then left with the parse itself, mostly in PDFium outside the GIL,
    rather than imports that take turns with the caller's own."""
    if Path(path).suffix.lower() != ".pdf":
        return
    import pypdf  # noqa: F401 - imported for the loader

    if settings.pdf_parser == "pdfium":
        try:
            import pypdfium2  # noqa: F401
        except ImportError:  # pragma: no cover - the loader falls back to pypdf and says so
            pass


def loader_for(path: str | Path) -> tuple[str, Loader]:
    """The registered ``(kind, loader)`` for ``path``'s extension, or :class:`UnsupportedType`."""
    ext = Path(path).suffix.lower().rstrip()
    if ext not in LOADERS:
        raise UnsupportedType(
            f"unsupported file type {ext or '(none)'!r}; supported: {', '.join(supported_extensions())}"
        )
    return LOADERS[ext]


_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_regular(mode: int) -> None:
    """:class:`UnsupportedType` unless ``mode`` (of :func:`os.stat`) is a regular file's:
    a named pipe, a device or a socket is never opened (reading one can block forever)."""
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    raise UnsupportedType(f"not a regular file: this is {what}, which is never opened")


def open_regular(path: str | Path, limit: int) -> tuple[int, bytes | None]:
    """The size of the regular file ``path`` and, when it is at most ``limit`` bytes, its
    bytes. The file is opened without blocking (a FIFO put in its place after the check
    cannot hang the reader) and checked again once open; OSError as :func:`open` raises
    it, :class:`UnsupportedType` for anything but a regular file."""
    check_regular(os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        check_regular(st.st_mode)
        if st.st_size > limit:
            return st.st_size, None
        data = fh.read(limit + 1)
    return max(st.st_size, len(data)), data if len(data) <= limit else None


def read_bytes(path: str | Path, settings: Settings, data: bytes | None = None) -> bytes:
    """``data``, or the file's bytes (a regular file only), checked against ``max_bytes``
    and for emptiness."""
    if data is None:
        try:
            size, read = open_regular(path, settings.max_bytes)
        except OSError as e:
            raise UnreadableDocument(f"cannot read file: {e.strerror or errno.errorcode.get(e.errno or 0, e)}") from e
        if read is None:
            raise TooLarge(f"file is {size:,} bytes; the limit is {settings.max_bytes:,} (max_bytes)")
        data = read
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
    check_chars(sum(len(t) for t in texts), settings)
    if kind == "pdf":
        _check_text_layer(texts, settings)
    if not any(t.strip() for t in texts):
        raise NoTextLayer("no extractable text: the document appears to be scanned or empty; run OCR first")
    return Document.from_page_texts(
        str(path),
        sha256,
        texts,
        kind,
        getattr(texts, "revisions", ()),
        getattr(texts, "ocr", ()),
        getattr(texts, "unread_scans", ()),
    )


def check_chars(n: int, settings: Settings) -> None:
    """:class:`TooLarge` when ``n`` characters of text are more than ``max_chars`` (a page
    holding megabytes of text would take minutes to index and review)."""
    if n > settings.max_chars:
        raise TooLarge(
            f"the document's text is over {settings.max_chars:,} characters (max_chars): "
            f"{n:,} extracted so far; split it or raise max_chars"
        )


# --------------------------------------------------------------------------- PDF


def check_pdf_magic(data: bytes) -> None:
    """A file without a PDF header in its first kilobyte is ``unreadable``."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocument("not a PDF file (no %PDF header): the extension does not match the content")
    if b"%%EOF" not in data[-2048:]:
        # pypdf can recover some pages of a cut-off file; a partial contract must not read as complete.
        raise UnreadableDocument("PDF is truncated (no %%EOF marker at the end of the file)")


def _check_text_layer(texts: list[str], settings: Settings) -> None:
    chars = sum(len("".join(t.split())) for t in texts)
    if not texts or chars / len(texts) >= settings.min_chars_per_page:
        return
    found = f"only {chars} characters of text on {len(texts)} page(s)"
    read = sum(1 for o in getattr(texts, "ocr", ()) if o is not None)
    if read:
        raise NoTextLayer(f"{found} after OCR of {read} page(s): the scan holds no readable text")
    if settings.ocr == "never":
        raise NoTextLayer(
            f"{found}: the PDF appears to be scanned images without a text layer; run OCR first "
            "(OCR is off: ocr='never')"
        )
    from .ocr import unavailable

    why = unavailable(settings)
    if why is not None:
        raise OcrUnavailable(f"{found}: the PDF appears to be scanned images without a text layer; OCR needs {why}")
    raise NoTextLayer(
        f"{found}: the PDF has no text layer, and no page of it was read by OCR "
        "(a page is OCR'd when a scanned image covers it)"
    )


@register_loader(".pdf", kind="pdf")
def load_pdf(data: bytes, settings: Settings, pages: range | None = None) -> list[str]:
    """The text of every page (or of ``pages``, 0-based, for a part read by one worker),
    with the configured parser; pages without a usable text layer read by OCR
    (:func:`contract_review.ocr.ocr_pages`, per ``settings.ocr``), the result then a
    :class:`PageTexts` with their records. The text-layer check is :func:`document_from_pages`'s."""
    check_pdf_magic(data)
    texts = _text_layer(data, settings, pages)
    if settings.ocr == "never":
        return texts
    from .ocr import ocr_pages

    indices = list(range(len(texts))) if pages is None else list(pages)
    read, unread = ocr_pages(data, texts, settings, indices)
    return PageTexts(texts, ocr=read, unread_scans=unread) if any(read) or unread else texts


def _text_layer(data: bytes, settings: Settings, pages: range | None = None) -> list[str]:
    if settings.pdf_parser == "pdfium":
        return _load_pdf_pdfium(data, settings, pages)
    with pypdf_errors():
        reader = open_pypdf(data, settings)
        selected = reader.pages if pages is None else [reader.pages[i] for i in pages]
        texts, chars = [], 0
        for page in selected:
            texts.append(page.extract_text() or "")
            chars += len(texts[-1])
            check_chars(chars, settings)
        return texts


def pdf_page_count(data: bytes, settings: Settings) -> int:
    """Number of pages, without reading any page's text (milliseconds). Raises the typed
    errors :func:`load_pdf` would (not a PDF, truncated, encrypted, too many pages)."""
    check_pdf_magic(data)
    with pypdf_errors():
        return len(open_pypdf(data, settings).pages)


@contextmanager
def pypdf_errors() -> Iterator[None]:
    """pypdf raises many exception types on damaged files: all of them are unreadable."""
    try:
        yield
    except DocumentError:  # encrypted, too large, out of time: the verdict, not a parser failure
        raise
    except Exception as e:
        raise UnreadableDocument(f"PDF is corrupt or truncated: {type(e).__name__}: {e}") from e


def open_pypdf(data: bytes, settings: Settings):
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
    with too many pages is a verdict, not a failure, and is not retried. A page whose
    content stream is over :data:`PDFIUM_MAX_CONTENT` bytes is read with pypdf: PDFium's
    text page takes ~200 bytes of memory per character (4 MB of text on one page: 840 MB).
    """
    pypdf_settings = settings.model_copy(update={"pdf_parser": "pypdf"})
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency; keep the fallback honest
        _log.info("pypdfium2 is not installed; using pypdf")
        return _text_layer(data, pypdf_settings, pages)
    if _largest_content_stream(data, pages) > PDFIUM_MAX_CONTENT:
        _log.info("a page's content stream is over %d bytes; reading the PDF with pypdf", PDFIUM_MAX_CONTENT)
        return _text_layer(data, pypdf_settings, pages)

    try:
        pdf = pdfium.PdfDocument(data)
    except DocumentError:
        raise
    except Exception as e:  # PdfiumError for damaged or encrypted files; pypdf decides which
        _log.info("pdfium cannot open the PDF (%s); falling back to pypdf", e)
        return _text_layer(data, pypdf_settings, pages)
    try:
        n = len(pdf)
        if n > settings.max_pages:
            raise TooLarge(f"document has {n} pages; the limit is {settings.max_pages} (max_pages)")
        texts, chars = [], 0
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
            chars += len(texts[-1])
            check_chars(chars, settings)
    except DocumentError:  # too large, out of time: the verdict, not a reason to try pypdf
        raise
    except Exception as e:  # a page PDFium cannot read: let pypdf try the whole file
        _log.info("pdfium failed on a page (%s: %s); falling back to pypdf", type(e).__name__, e)
        return _text_layer(data, pypdf_settings, pages)
    finally:
        pdf.close()
    return texts


PDFIUM_MAX_CONTENT = 1024 * 1024  # bytes of a page's content streams (as stored) PDFium reads


def _largest_content_stream(data: bytes, pages: range | None) -> int:
    """The largest size, as stored (not inflated), of one page's content streams, from
    pypdf's lazy reader (no page is parsed); 0 when pypdf cannot tell (PDFium decides)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return 0
        biggest = 0
        for i in range(len(reader.pages)) if pages is None else pages:
            contents = reader.pages[i].get("/Contents")
            contents = contents.get_object() if contents is not None else None
            items = list(contents) if isinstance(contents, ArrayObject) else [contents] if contents is not None else []
            size = 0
            for item in items:  # pypdf keeps a stream's stored bytes (and drops /Length)
                size += len(getattr(item.get_object(), "_data", b"") or b"")
            biggest = max(biggest, size)
        return biggest
    except Exception:  # a damaged file: PDFium, then pypdf, give the verdict as before
        return 0


# PDFium marks a hyphen it saw at a line break with U+FFFE (and U+0002 in older builds):
# put the hyphen back, one character for one, so offsets and quotes stay verbatim-comparable.
_PDFIUM_TABLE = str.maketrans({"\ufffe": "-", "\x02": "-", "\r": "\n"})
_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# Run content and its text, as python-docx maps it (a page or column break is no text).
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
# Inline wrappers whose content is text of the paragraph.
_TRANSPARENT = frozenset(
    f"{_W}{t}" for t in ("hyperlink", "smartTag", "customXml", "dir", "bdo", "sdtContent", "fldSimple")
)
_INSERTED: dict[str, RevisionKind] = {f"{_W}ins": "insertion", f"{_W}moveTo": "move"}
_REMOVED = frozenset({f"{_W}del", f"{_W}moveFrom"})
# Fields whose cached result is a page number: stale wherever the text is read, so no text.
_PAGE_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES"})


@register_loader(".docx", kind="docx")
def load_docx(data: bytes, settings: Settings) -> PageTexts:
    """The text of a Word file as it would stand with every tracked change accepted.

    Body paragraphs and table cells, one line each, in document order: text inside
    insertions and moves (at their new place), content controls, hyperlinks, simple and
    complex fields (their result, not their instruction; none for a page-number field,
    whose cached value is stale), and text boxes (after the
    paragraph that anchors them, once even where Word stores a fallback copy); deletions
    and moved-from text are left out, a deleted paragraph mark joins its paragraph to the
    next. A merged table cell is read once. The distinct texts of the sections' headers and
    footers follow the body, on the last page. Explicit page breaks (and Word's rendered
    page breaks) start a new page; otherwise the document is one page. The tracked
    insertions, deletions and moves are the result's ``revisions``."""
    _check_docx_package(data)
    _check_unzipped_sizes(data, settings)
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... on damaged files
        raise UnreadableDocument(f"DOCX is corrupt: {type(e).__name__}: {e}") from e
    reader = _read_docx(d)
    return PageTexts(["\n".join(lines) for lines in reader.pages], reader.revisions)


def _read_docx(d) -> _DocxReader:
    reader = _DocxReader()
    reader.blocks(d.element.body, paged=True)
    reader.flush()
    reader.furniture(_headers_and_footers(d))
    return reader


@dataclass
class TracedText:
    """A piece of a paragraph's text and the element it comes from (``w:t``, ``w:tab``...)."""

    start: int  # offset in the document text
    text: str
    el: object


@dataclass
class TracedParagraph:
    """One line of a Word document's text and where it comes from: its ``w:p`` elements
    (several when a deleted paragraph mark joined them) and its text pieces, in order."""

    start: int
    end: int
    elements: list
    pieces: list[TracedText]


@dataclass
class DocxTrace:
    """A Word document's text (as :func:`load_docx` reads it) with, for every character,
    the element it comes from: what a writer needs to mark up a span that a citation names.
    ``revision_elements[i]`` is the ``w:ins``/``w:del``/``w:moveTo`` of ``revisions[i]``."""

    text: str
    paragraphs: list[TracedParagraph]
    revisions: list[Revision]
    revision_elements: list


def trace_docx(d) -> DocxTrace:
    """Read an open python-docx ``Document`` ``d`` as :func:`load_docx` does, keeping the
    element of each piece of text (the document is not changed)."""
    reader = _read_docx(d)
    text = PAGE_SEPARATOR.join("\n".join(lines) for lines in reader.pages)
    return DocxTrace(text, reader.traced, reader.revisions, reader.rev_elements)


RATIO_FLOOR = 1024 * 1024  # parts smaller than this uncompressed may compress as well as they like


def _check_unzipped_sizes(data: bytes, settings: Settings) -> None:
    """:class:`TooLarge` for a zip bomb, from the package's directory, before any part is
    inflated: a part or all parts together over ``max_unzipped_bytes`` uncompressed, or a
    part of more than 1 MiB that inflates more than ``max_compression_ratio`` times
    (``zipfile`` never inflates a part beyond the size its directory gives)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise UnreadableDocument(f"DOCX is corrupt: {type(e).__name__}: {e}") from e
    limit, ratio = settings.max_unzipped_bytes, settings.max_compression_ratio
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > RATIO_FLOOR and size > ratio * max(info.compress_size, 1):
            raise TooLarge(
                f"DOCX part {info.filename!r} inflates {size / max(info.compress_size, 1):,.0f} times "
                f"({info.compress_size:,} to {size:,} bytes); the limit is {ratio:g} (max_compression_ratio): "
                "a decompression bomb?"
            )
        if size > limit or total > limit:
            what = f"part {info.filename!r} is" if size > limit else "its parts are"
            raise TooLarge(f"DOCX {what} over {limit:,} bytes uncompressed (max_unzipped_bytes)")


def _check_docx_package(data: bytes) -> None:
    """A legacy .doc, an encrypted Office package or no zip at all is a typed error."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise EncryptedDocument("DOCX is password-protected (encrypted Office package)")
        raise UnreadableDocument("not a DOCX file: this is a legacy binary Word (.doc) file; save it as .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument("not a DOCX file (not a zip package): the extension does not match the content")


def _page_break_in(el) -> bool:
    """An explicit page break or a rendered one in the paragraph, outside deleted text."""
    for e in el.iter(f"{_W}br", f"{_W}lastRenderedPageBreak"):
        if e.tag == f"{_W}br" and e.get(f"{_W}type") != "page":
            continue
        if next(e.iterancestors(*_REMOVED), None) is None:
            return True
    return False


@dataclass
class _Span:
    """A tracked change in one paragraph; offsets in the paragraph's accepted text."""

    kind: RevisionKind
    author: str | None
    date: str | None
    text: str
    start: int
    el: object = None


@dataclass
class _Para:
    """One paragraph's accepted text, its tracked changes and the text boxes it anchors."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[_Span] = field(default_factory=list)
    boxes: list = field(default_factory=list)
    fields: list[list] = field(default_factory=list)  # complex fields: [instruction, shown (None: in instruction)]
    mark_removed: bool = False
    pieces: list[tuple[int, str, object]] = field(default_factory=list)  # (offset, text, element)
    elements: list = field(default_factory=list)  # the w:p element(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, s: str, el: object = None) -> None:
        if s and all(f[1] for f in self.fields):
            self.pieces.append((self.length, s, el))
            self.parts.append(s)
            self.length += len(s)

    def change(self, kind: RevisionKind, el, text: str, start: int) -> None:
        """Record a change; one that continues the previous one (same kind, author, date,
        contiguous: Word splits an edit at every formatting change) extends it."""
        author, date = el.get(f"{_W}author"), el.get(f"{_W}date")
        if not text:
            return
        last = self.spans[-1] if self.spans else None
        if last and (last.kind, last.author, last.date) == (kind, author, date):
            if (kind == "deletion" and last.start == start) or (
                kind != "deletion" and last.start + len(last.text) == start
            ):
                last.text += text
                return
        self.spans.append(_Span(kind, author, date, text, start, el))

    def joined(self, other: _Para) -> _Para:
        """This paragraph (whose mark was deleted) and the next one, as one."""
        for s in other.spans:
            s.start += self.length
        self.pieces += [(offset + self.length, s, el) for offset, s, el in other.pieces]
        self.elements += other.elements
        self.parts += other.parts
        self.length += other.length
        self.spans += other.spans
        self.boxes += other.boxes
        self.mark_removed = other.mark_removed
        return self


def _read_paragraph(p) -> _Para:
    para = _Para(elements=[p])
    _inline(p, para)
    rpr = p.find(f"{_W}pPr/{_W}rPr")
    para.mark_removed = rpr is not None and next(rpr.iterchildren(*_REMOVED), None) is not None
    return para


def _inline(el, para: _Para) -> None:
    for child in el:
        tag = child.tag
        if tag == f"{_W}r":
            _run(child, para)
        elif tag in _INSERTED:
            start, n = para.length, len(para.parts)
            _inline(child, para)
            para.change(_INSERTED[tag], child, "".join(para.parts[n:]), start)
        elif tag == f"{_W}del":
            para.change("deletion", child, _removed_text(child), para.length)
        elif tag == f"{_W}fldSimple" and _field_name(child.get(f"{_W}instr")) in _PAGE_FIELDS:
            continue
        elif tag in _TRANSPARENT or tag == f"{_W}sdt":
            _inline(child, para)
        elif tag == f"{_MC}AlternateContent":
            _inline(_alternative(child), para)
        # w:moveFrom (the text is read at its w:moveTo), w:pPr, bookmarks, comment marks: no text


def _run(r, para: _Para) -> None:
    for child in r:
        tag = child.tag
        if tag == f"{_W}t":
            para.add(_text(child), child)
        elif tag in _RUN_TEXT:
            para.add(_RUN_TEXT[tag], child)
        elif tag == f"{_W}br":
            para.add("\n" if child.get(f"{_W}type", "textWrapping") == "textWrapping" else "", child)
        elif tag == f"{_W}fldChar":
            _field_char(child.get(f"{_W}fldCharType"), para.fields)
        elif tag == f"{_W}instrText" and para.fields:
            para.fields[-1][0] += child.text or ""
        elif tag in (f"{_W}drawing", f"{_W}pict", f"{_MC}AlternateContent"):
            para.boxes.extend(_text_boxes(child))


def _field_char(kind: str | None, fields: list[list]) -> None:
    """Complex fields: text between ``begin`` and ``separate`` is the instruction (no text),
    between ``separate`` and ``end`` the result (text, unless a page number). A field that
    runs over several paragraphs starts afresh in each (only its instruction is hidden)."""
    if kind == "begin":
        fields.append(["", None])
    elif kind == "separate" and fields:
        fields[-1][1] = _field_name(fields[-1][0]) not in _PAGE_FIELDS
    elif kind == "end" and fields:
        fields.pop()


def _field_name(instr: str | None) -> str:
    words = (instr or "").split()
    return words[0].upper() if words else ""


def _text(t) -> str:
    """The text of a ``w:t`` (or ``w:delText``). An entity the parser does not expand
    (python-docx's lxml parser resolves none, so a DTD cannot grow the text) is a child
    node: it is left out, and the text after it, its tail, is kept."""
    return (t.text or "") + "".join(c.tail or "" for c in t)


def _removed_text(el) -> str:
    out = []
    for e in el.iter(f"{_W}delText", f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
        if e.tag in (f"{_W}delText", f"{_W}t"):
            out.append(_text(e))
        else:
            out.append(" " if e.tag != f"{_W}noBreakHyphen" else "-")
    return "".join(out)


def _alternative(ac):
    """The one alternative of ``mc:AlternateContent`` that is read: the first choice, else the fallback."""
    for tag in (f"{_MC}Choice", f"{_MC}Fallback"):
        found = ac.find(tag)
        if found is not None:
            return found
    return ac


def _text_boxes(el) -> list:
    """The ``w:txbxContent`` of the text boxes in a drawing or picture, each once: of
    ``mc:AlternateContent``, the first alternative that has any (Word writes every text box
    twice, as a DrawingML choice and a VML fallback)."""
    if el.tag == f"{_W}txbxContent":
        return [el]
    if el.tag == f"{_MC}AlternateContent":
        for alt in el:
            found = _text_boxes(alt)
            if found:
                return found
        return []
    return [box for child in el for box in _text_boxes(child)]


def _continues_merge(tc) -> bool:
    vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
    return vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue"


def _children(el, tag: str) -> Iterator:
    """``el``'s children with ``tag``, also those inside content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == f"{_W}sdt":
            for content in child.iterchildren(f"{_W}sdtContent"):
                yield from _children(content, tag)
        elif child.tag == f"{_W}customXml":
            yield from _children(child, tag)


def _headers_and_footers(d) -> list:
    """The root elements of the headers and footers of every section, in section order
    (headers before footers), each part once."""
    roots, seen = [], set()
    for sect in d.element.body.iter(f"{_W}sectPr"):
        for tag in ("headerReference", "footerReference"):
            for ref in sect.iterchildren(f"{_W}{tag}"):
                part = d.part.related_parts.get(ref.get(_REL_ID))
                root = getattr(part, "element", None)
                if root is not None and id(part) not in seen:
                    seen.add(id(part))
                    roots.append(root)
    return roots


class _DocxReader:
    """Lays out paragraphs into pages of lines and turns each paragraph's tracked changes
    into :class:`Revision` objects at their offsets in the document text."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.page_len = 0  # length of the current page's text so far
        self.done = 0  # characters of the finished pages, with their separators
        self.revisions: list[Revision] = []
        self.rev_elements: list = []  # the element of each revision
        self.traced: list[TracedParagraph] = []  # each line's source (see trace_docx)
        self.carry: _Para | None = None  # a paragraph whose mark was deleted

    def blocks(self, el, paged: bool) -> None:
        for child in el:
            tag = child.tag
            if tag == f"{_W}p":
                self.paragraph(child, paged)
            elif tag == f"{_W}tbl":
                self.flush()
                self.table(child)
            elif tag == f"{_W}sdt":
                for content in child.iterchildren(f"{_W}sdtContent"):
                    self.blocks(content, paged)
            elif tag == f"{_W}customXml":
                self.blocks(child, paged)

    def paragraph(self, p, paged: bool) -> None:
        if paged and _page_break_in(p) and self.pages[-1]:
            self.new_page()
        para = _read_paragraph(p)
        if self.carry is not None:
            para, self.carry = self.carry.joined(para), None
        if para.mark_removed:
            self.carry = para
        else:
            self.emit(para)

    def flush(self) -> None:
        if self.carry is not None:
            para, self.carry = self.carry, None
            self.emit(para)

    def emit(self, para: _Para) -> None:
        start = self.done + (self.page_len + 1 if self.pages[-1] else 0)
        self.add_line(para.text)
        pieces = [TracedText(start + offset, s, el) for offset, s, el in para.pieces]
        self.traced.append(TracedParagraph(start, start + para.length, para.elements, pieces))
        for s in para.spans:
            self.record(s, start + s.start)
        for box in para.boxes:
            self.blocks(box, paged=False)
            self.flush()

    def record(self, s: _Span, start: int) -> None:
        end = start if s.kind == "deletion" else start + len(s.text)
        self.revisions.append(
            Revision(kind=s.kind, author=s.author, date=s.date, text=s.text, page=len(self.pages), start=start, end=end)
        )
        self.rev_elements.append(s.el)

    def add_line(self, text: str) -> None:
        lines = self.pages[-1]
        self.page_len += len(text) + (1 if lines else 0)
        lines.append(text)

    def new_page(self) -> None:
        self.done += self.page_len + len(PAGE_SEPARATOR)
        self.pages.append([])
        self.page_len = 0

    def table(self, tbl) -> None:
        for tr in _children(tbl, f"{_W}tr"):
            removed = tr.find(f"{_W}trPr/{_W}del") is not None
            for tc in _children(tr, f"{_W}tc"):
                if removed:
                    self.removed_cell(tc)
                elif not _continues_merge(tc):
                    self.cell(tc)

    def cell(self, tc) -> None:
        before = (len(self.pages), len(self.pages[-1]))
        self.blocks(tc, paged=False)
        self.flush()
        if (len(self.pages), len(self.pages[-1])) == before:
            self.add_line("")

    def removed_cell(self, tc) -> None:
        """A cell of a deleted table row: no text; its deletions where the row was."""
        for p in tc.iter(f"{_W}p"):
            for s in _read_paragraph(p).spans:
                if s.kind == "deletion":
                    self.record(s, self.done + self.page_len)

    def furniture(self, roots: list) -> None:
        """Each distinct header or footer text once, after the body on the last page."""
        self.flush()
        seen: set[str] = set()
        for root in roots:
            n_lines, page_len, n_revisions = len(self.pages[-1]), self.page_len, len(self.revisions)
            n_traced = len(self.traced)
            self.blocks(root, paged=False)
            self.flush()
            text = "\n".join(self.pages[-1][n_lines:])
            if text.strip() and text not in seen:
                seen.add(text)
                continue
            del self.pages[-1][n_lines:], self.revisions[n_revisions:], self.rev_elements[n_revisions:]
            del self.traced[n_traced:]
            self.page_len = page_len


# --------------------------------------------------------------------------- text


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@register_loader(".txt", ".md", kind="text")
def load_text(data: bytes, settings: Settings) -> list[str]:
    """UTF-8 (with or without a BOM), UTF-16 and UTF-32 with a BOM (as Windows Notepad
    saves "Unicode" text), else cp1252; a form feed starts a new page."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise UnreadableDocument(f"not valid {codec.upper()} text after its byte order mark: {e.reason}") from e
            break
    else:
        text = _decode_8bit(data)
    if "\x00" in text[:4096]:
        raise UnreadableDocument("not a text file (binary content)")
    check_chars(len(text), settings)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed is a page break in plain text exports.
    return text.split("\f")


def _decode_8bit(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("not a text file (binary content)")
    if data.startswith(b"%PDF-") or data.startswith(b"PK\x03\x04"):
        raise UnreadableDocument("not a text file: the content is a PDF or Office file with the wrong extension")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
