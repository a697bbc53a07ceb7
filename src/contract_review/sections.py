"""Where a contract's insurance terms sit: the numbered section around its first insurance quote.

Contracts number their articles as text ("10. INSURANCE", "10.1 Required Coverage...",
"ARTICLE 7", "Section 6.2"), and a suggested clause is only pasteable when it is numbered as
the next sub-clause of that section ("10.10") and refers to it by its number ("required by
this Section 10"). :func:`insurance_section` reads that numbering from the lines of the text
(a Word paragraph is a line), deterministically, whatever the extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from .extract.prefilter import occurrences
from .grounding import cite
from .loaders import Document
from .schema import Citation, InsuranceProfile, InsuranceSection

#: A clause number at the start of a line, before the clause's first capitalised word:
#: "10.", "10.1", "Section 6.2", "ARTICLE 7", "Clause 4.1". Not "30 days" or "2,000,000".
LABEL = re.compile(
    r"^[ \t]*(?:(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)[ \t]+)?"
    r"(\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}(?=[ \t.:]))\.?(?::)?[ \t]+(?=[A-Z(\"\u201c'])"
)
#: A line that starts an exhibit, schedule or annex, or the signature block.
BOUNDARY = re.compile(
    r"^[ \t]*(?:(?:EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex|APPENDIX|Appendix|ATTACHMENT|Attachment)[ \t]+[A-Z0-9]{1,4}\b"
    r"|IN WITNESS WHEREOF)"
)
#: How far around the first quote the section is looked for, in lines.
LOOK_BACK, LOOK_AHEAD = 120, 600


@dataclass
class _Line:
    start: int
    end: int
    text: str

    @property
    def label(self) -> str | None:
        m = LABEL.match(self.text)
        return m.group(1) if m else None


class _Lines:
    """The lines of a text (split at each line break), each made a :class:`_Line` when it is
    first read: :func:`insurance_section` reads a few hundred lines around its quote, and a
    line object for each of a contract's thousands of lines was most of its cost."""

    def __init__(self, text: str):
        self._raw = text.split("\n")
        self._before = list(accumulate(map(len, self._raw), initial=0))  # characters before line i, breaks aside
        self._made: dict[int, _Line] = {}

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i: int) -> _Line:
        if i < 0:
            i += len(self._raw)
        if not 0 <= i < len(self._raw):
            raise IndexError(i)  # as a list would
        line = self._made.get(i)
        if line is None:
            raw, start = self._raw[i], self._before[i] + i  # i line breaks before line i
            line = self._made[i] = _Line(start, start + len(raw), raw)
        return line


def _anchor(profile: InsuranceProfile) -> int | None:
    cites: list[Citation] = list(profile.insurance_evidence)
    if not cites:
        cites = [c for p in profile.policies for c in p.evidence] + [
            c for name in ("additional_insured", "waiver_of_subrogation") for c in getattr(profile, name).evidence
        ]
    return min((c.start for c in cites), default=None)


def _top(label: str) -> str:
    return label.split(".")[0]


def _title(line: _Line, number: str | None) -> str | None:
    """The heading words of a section's first line ("INSURANCE" of "10. INSURANCE" or of
    "10. Insurance. Supplier shall...")."""
    rest = LABEL.sub("", line.text, count=1) if number else line.text
    head = re.split(r"(?<=[a-z])\.\s|\.\s+(?=[A-Z])|:\s", rest.strip(), maxsplit=1)[0].strip(" .:")
    return head if head and len(head.split()) <= 8 and " shall " not in f" {head} " else None


def insurance_section(doc: Document, profile: InsuranceProfile) -> InsuranceSection | None:
    """The section that holds the first insurance quote of ``profile``: its number, heading
    and last numbered sub-clause, and the offset where it ends (before the next section of
    the same level, an exhibit or the signature block). None when the profile has no quote."""
    anchor = _anchor(profile)
    if anchor is None:
        return None
    lines = _Lines(doc.text)
    # the first line that ends at or after the anchor (line i ends at the i-th break), else the last
    idx = doc.text.count("\n", 0, max(anchor, 0))
    number, head = _number(lines, idx)
    last = idx
    sub_labels: list[str] = []
    for j in range(idx, min(len(lines), idx + LOOK_AHEAD)):
        ln = lines[j]
        label = ln.label
        if j > idx and _ends_section(ln, label, number):
            break
        if label and number and label.startswith(number + ".") and label.count(".") == number.count(".") + 1:
            sub_labels.append(label)
        if ln.text.strip():
            last = j
    heading_line = lines[head]
    return InsuranceSection(
        number=number,
        called=_called(doc.text, number),
        title=_title(heading_line, number),
        heading=cite(doc, heading_line.start, heading_line.end) if heading_line.text.strip() else None,
        last_label=_last(sub_labels),
        end=lines[last].end,
        page=doc.page_at(lines[last].start),
    )


#: The words :func:`_called` counts, and the pattern that is its definition.
_CALLED_WORDS = ("Section", "section", "Clause", "clause", "Article", "article")
_CALLED = r"\b(Section|section|Clause|clause|Article|article)s?\s+{number}\b"
#: A number :func:`_calls` finds by its text (the top-level numbers of :data:`LABEL`).
_PLAIN_NUMBER = re.compile(r"\d+|[IVXLC]+")
_BOUNDARY = re.compile(r"\b")


def _called(text: str, number: str | None) -> str:
    """The word the contract puts before its section numbers, as it writes it most often."""
    if not number:
        return "Section"
    counts: dict[str, int] = {}
    if _PLAIN_NUMBER.fullmatch(number):
        words = _calls(text, number)
    else:
        words = (m.group(1) for m in re.finditer(_CALLED.format(number=re.escape(number)), text))
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return max(counts, key=lambda w: counts[w]) if counts else "Section"


def _calls(text: str, number: str) -> Iterator[str]:
    """The word (group 1) of each match of :data:`_CALLED` for ``number``, in order, found
    from the places ``number`` is written: the pattern tried at every position of the text
    was most of :func:`insurance_section`'s cost, and a number is written a few hundred times.

    ``number`` is digits or capitals, word characters. A match is ``word``, maybe "s", then
    whitespace up to ``number``, then a word boundary: where ``number`` is written, the
    whitespace before it is the run of whitespace that ends there (the "s" and the words end
    in a letter), and the word ends where the run starts, or one "s" earlier (no word ends
    in "s"); the pattern, matched there, says whether it is one. Two matches cannot overlap
    (a match starts with a letter, after a boundary, and holds no letter after its
    whitespace but those of ``number``, in one word), so this finds every one ``finditer``
    does."""
    n = len(number)
    called = re.compile(_CALLED.format(number=re.escape(number)))
    for at in occurrences(text, number):
        after = at + n
        if _BOUNDARY.match(text, after):
            run = at
            while run > 0 and text[run - 1].isspace():  # str.isspace is re's \s
                run -= 1
            if 0 < run < at:
                word_end = run - 1 if text[run - 1] == "s" else run
                for w in _CALLED_WORDS:  # at most one ends there: none is the end of another
                    start = word_end - len(w)
                    if start >= 0 and text.startswith(w, start):
                        m = called.match(text, start)
                        if m is not None and m.end() == after:
                            yield m.group(1)
                        break


def _number(lines: _Lines, idx: int) -> tuple[str | None, int]:
    """The top-level number of the section around line ``idx`` and the index of its first line."""
    for j in range(idx, max(-1, idx - LOOK_BACK), -1):
        ln = lines[j]
        if BOUNDARY.match(ln.text):
            return None, j
        label = ln.label
        if label is None:
            continue
        top = _top(label)
        for k in range(j, max(-1, j - LOOK_BACK), -1):  # its heading, when the section has one
            if lines[k].label == top:
                return top, k
            other = lines[k].label
            if other is not None and _top(other) != top or BOUNDARY.match(lines[k].text):
                break
        return top, j
    return None, idx


def _ends_section(ln: _Line, label: str | None, number: str | None) -> bool:
    if BOUNDARY.match(ln.text):
        return True
    if label is None:
        return False
    return number is None and "." not in label or number is not None and _top(label) != number


def _last(labels: list[str]) -> str | None:
    """The highest sub-clause number ("10.9" of 10.1 ... 10.9)."""
    numeric = [lab for lab in labels if lab.rpartition(".")[2].isdigit()]
    return max(numeric, key=lambda lab: int(lab.rpartition(".")[2]), default=None)
