"""Split a document into section-aware chunks that keep page, section title and offsets.

Sections are found from clause headings (``12. INSURANCE``, ``Section 9.2 Insurance``,
``ARTICLE X``, ``EXHIBIT C``, an inline ``12. Insurance. Vendor shall...``); chunks never
cross a section boundary and are cut inside a section with langchain-text-splitters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .loaders import Document

_ROMAN = r"[IVXLC]+"
HEADING_PATTERNS = [
    # ARTICLE 12 / Section 9.2 Insurance / ARTICLE XII - INSURANCE
    re.compile(
        rf"^[ \t]*((?:ARTICLE|Article|SECTION|Section)[ \t]+(?:\d+(?:\.\d+)*|{_ROMAN})\.?(?:[ \t]*[-:.\u2013\u2014]?[ \t]*[A-Z][^\n]{{0,80}})?)[ \t]*$",
        re.M,
    ),
    # EXHIBIT C / Schedule 2 - Insurance Requirements / APPENDIX A
    re.compile(
        r"^[ \t]*((?:EXHIBIT|Exhibit|SCHEDULE|Schedule|APPENDIX|Appendix|ANNEX|Annex|ATTACHMENT|Attachment)[ \t]+[A-Z0-9][-A-Z0-9.]{0,6}\b[^\n]{0,80})[ \t]*$",
        re.M,
    ),
    # 12. INSURANCE / 12.3 Insurance Requirements (a short line)
    re.compile(r"^[ \t]*(\d{1,2}(?:\.\d{1,2}){0,3}\.?[ \t]+[A-Z][A-Za-z&,'/()\- \t]{2,70}?)\.?[ \t]*$", re.M),
    # 12. Insurance. Vendor shall ... (inline heading ending in a period)
    re.compile(r"^[ \t]*(\d{1,2}(?:\.\d{1,2}){0,3}\.?[ \t]+[A-Z][A-Za-z&/\- ]{2,50}?)\.[ \t]+[A-Z(]", re.M),
    # INSURANCE (an all-capitals line)
    re.compile(r"^[ \t]*([A-Z][A-Z&,'/\- ]{3,60}[A-Z])[ \t]*$", re.M),
]


MIN_SECTION_CHARS = 80


@dataclass(frozen=True)
class Section:
    title: str | None
    start: int
    end: int
    page: int


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    start: int
    end: int
    page: int
    page_end: int
    section: str | None

    def metadata(self, doc: Document) -> dict:
        return {
            "sha256": doc.sha256,
            "file": doc.name,
            "path": doc.path,
            "page": self.page,
            "page_end": self.page_end,
            "section": self.section or "",
            "start": self.start,
            "end": self.end,
        }


_SPACES = re.compile(r"\s+")
_THREE_LETTERS = re.compile(r"[A-Za-z]{3}")


def _clean_title(title: str) -> str:
    return _SPACES.sub(" ", title).strip(" .:-\u2013\u2014")


_BARE_ARTICLE = re.compile(r"^(ARTICLE|Article|SECTION|Section)\s+\S+$")


def _merged_title(first: str | None, second: str | None) -> str | None:
    """Title of a bare heading merged with the section after it: ``11. INSURANCE`` keeps its
    title over ``11.01 ...``; ``ARTICLE XII`` + ``INSURANCE`` read together; a document
    title gives way to the first clause heading."""
    if not first or not second:
        return first or second
    if _BARE_ARTICLE.match(first):
        return f"{first} {second}"
    if first[0].isdigit() or first.split()[0].upper() in {"EXHIBIT", "SCHEDULE", "APPENDIX", "ANNEX", "ATTACHMENT"}:
        return first
    return second


#: What a line that some heading pattern matches starts with, after its blanks: a digit
#: (the numbered headings: ``\d`` is any decimal digit, as there), four characters of the
#: all-capitals line (ARTICLE, EXHIBIT and the other words in capitals too) or one of the
#: words of :data:`HEADING_PATTERNS` 0 and 1 as a capital and small letters.
_CAN_HEAD = r"[ \t]*(?=\d|[A-Z][A-Z&,'/\- ]{3}|Article|Section|Exhibit|Schedule|Appendix|Annex|Attachment)"
_HEADING_START = re.compile(rf"\n{_CAN_HEAD}")
_FIRST_LINE = re.compile(_CAN_HEAD)
#: By the first character of a heading, the heading patterns that can match it, in order:
#: ARTICLE/SECTION (0), EXHIBIT/SCHEDULE/APPENDIX/ANNEX/ATTACHMENT (1), the all-capitals line
#: (4) start with a capital; the numbered headings (2, 3) with a digit.
_PATTERNS_FOR = {"A": (0, 1, 4), "S": (0, 1, 4), "E": (1, 4)}
_CAPITAL_LINE, _NUMBERED = (4,), (2, 3)


def _heading_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line start, first non-blank character) of each line of ``text`` that starts as a
    heading can (:data:`_CAN_HEAD`): the only lines a heading pattern can match."""
    first = _FIRST_LINE.match(text)
    if first is not None:
        yield 0, text[first.end()]
    for m in _HEADING_START.finditer(text):
        yield m.start() + 1, text[m.end()]


def find_sections(doc: Document) -> list[Section]:
    """Sections of ``doc`` in order; text before the first heading is a section titled None.

    Every heading pattern matches within one line, from its start (``^``; all but the inline
    heading end at ``$``, and none matches a line break), with its title starting at the
    line's first non-blank character: so a line's heading is the first pattern that matches
    at the line's start and gives a title, and it is keyed by that character. The patterns are
    tried at the starts of the lines that can hold one, not by ``finditer`` over the text,
    where ``re`` tries a pattern that starts with ``^`` at every position."""
    heads: dict[int, str] = {}
    text = doc.norm
    for start, char in _heading_lines(text):
        for i in _NUMBERED if char.isdigit() else _PATTERNS_FOR.get(char, _CAPITAL_LINE):
            m = HEADING_PATTERNS[i].match(text, start)
            if m is None:
                continue
            title = _clean_title(m.group(1))
            if len(title) < 3 or not _THREE_LETTERS.search(title) or len(title.split()) > 10:
                continue
            heads[m.start(1)] = title
            break
    starts = sorted(heads)
    if not starts or starts[0] > 0:
        starts.insert(0, 0)
        heads.setdefault(0, None)  # type: ignore[arg-type]
    sections: list[Section] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(doc.text)
        prev = sections[-1] if sections else None
        if prev is not None and len(doc.text[prev.start : prev.end].strip()) < MIN_SECTION_CHARS:
            sections[-1] = Section(_merged_title(prev.title, heads.get(s)), prev.start, e, prev.page)
        else:
            sections.append(Section(heads.get(s), s, e, doc.page_at(s)))
    return sections


def chunk_document(doc: Document, chunk_size: int = 1000, chunk_overlap: int = 150) -> list[Chunk]:
    # Imported here: langchain is ~0.5 s of imports that a rules review (which needs only
    # find_sections) does not wait for.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        add_start_index=True,
        separators=["\n\n", "\n", ". ", "; ", " ", ""],
    )
    chunks: list[Chunk] = []
    # Merge tiny sections (a bare heading line) into the next so that chunks carry text.
    for sec in find_sections(doc):
        body = doc.text[sec.start : sec.end]
        if not body.strip():
            continue
        for piece in splitter.create_documents([body]):
            start = sec.start + piece.metadata["start_index"]
            text = piece.page_content
            if doc.text[start : start + len(text)] != text:  # the splitter's find() missed
                found = doc.text.find(text, sec.start, sec.end)
                if found < 0:
                    continue
                start = found
            end = start + len(text)
            chunks.append(
                Chunk(
                    id=f"{doc.sha256}:{len(chunks)}",
                    text=text,
                    start=start,
                    end=end,
                    page=doc.page_at(start),
                    page_end=doc.page_at(max(end - 1, start)),
                    section=sec.title,
                )
            )
    return chunks
