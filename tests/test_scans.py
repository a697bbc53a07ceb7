"""The whole-document scans that run faster than their definition give its answers.

Each fast scan (find_sections, unit_breaks, the term reader's sentence breaks, the section
word of insurance_section, the keyword scan) is checked here against the plain
``finditer`` over the text it replaces, on seeded random mixes of the pieces their edge
cases are made of.
"""

from __future__ import annotations

import random
import re

import pytest

from contract_review import chunking, sections
from contract_review.extract import lexicon as lx
from contract_review.extract.rules import contract_term as ct
from contract_review.extract.rules.clauses import unit_breaks
from contract_review.extract.rules.extractor import keyword_hits
from contract_review.loaders import Document

PIECES = [
    *("ARTICLE", "Article 7", "SECTION 9.2", "Section 3.", "ARTICLE XII", "Sections 10", "section 10.1", "Clause 4"),
    *(
        "clauses 4",
        "article 7",
        "Section\n10",
        "Section\u00a010",
        "xSection 10",
        "EXHIBIT C",
        "Exhibit A-1",
        "SCHEDULE",
    ),
    *("Annex", "APPENDIX", "Attachment", "12. INSURANCE", "10. Insurance. Vendor shall", "10.1 ", "1.2.3.4", "(a) "),
    *("(iv) ", "iv. ", "A. ", "- ", "\u2022 ", "INSURANCE", "GENERAL PROVISIONS", "Insurance", "insurance", "Inc."),
    *("Co.", "U.S.", "e.g.", "N.Y.", "approx.", "Agreement.", "abcdefg.", "ı.", "ſt.", "K.", "İ", "\u0661\u0662", "10"),
    *("10", "1", "X", "XI", "C", "general liability", "liability coverage", "errors & omissions", "workers' comp"),
    *(
        "reinsurance",
        "subrogation",
        "assurance",
        "umbrella policy",
        "this Agreement shall continue for three (3) years",
    ),
    *("until December 31, 2027", "the Term", "renews", "\n", "\n", "\n", "\n\n", "\n \n", " ", "\t", "  ", ".", ". "),
    *("; ", ":", ": \n", ",", "&", "'", '"', "(", ")", "[", "the", "and", "s", "a", "Z", "AB", "ABCD", "_"),
]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _doc(text: str) -> Document:
    return Document.from_page_texts("t.txt", "0", [text], "txt")


def _find_sections_by_finditer(doc: Document) -> list[chunking.Section]:
    """find_sections as it was written: each heading pattern's finditer over the text."""
    heads: dict[int, str] = {}
    for pat in chunking.HEADING_PATTERNS:
        for m in pat.finditer(doc.norm):
            title = re.sub(r"\s+", " ", m.group(1)).strip(" .:-\u2013\u2014")
            if len(title) < 3 or not re.search(r"[A-Za-z]{3}", title) or len(title.split()) > 10:
                continue
            heads.setdefault(m.start(1), title)
    starts = sorted(heads)
    if not starts or starts[0] > 0:
        starts.insert(0, 0)
        heads.setdefault(0, None)  # type: ignore[arg-type]
    out: list[chunking.Section] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(doc.text)
        prev = out[-1] if out else None
        if prev is not None and len(doc.text[prev.start : prev.end].strip()) < chunking.MIN_SECTION_CHARS:
            out[-1] = chunking.Section(chunking._merged_title(prev.title, heads.get(s)), prev.start, e, prev.page)
        else:
            out.append(chunking.Section(heads.get(s), s, e, doc.page_at(s)))
    return out


@pytest.mark.parametrize("min_chars", [chunking.MIN_SECTION_CHARS, 0])
def test_find_sections_is_the_patterns_finditer(monkeypatch, min_chars):
    monkeypatch.setattr(chunking, "MIN_SECTION_CHARS", min_chars)
    for text in _texts(1, 3000):
        doc = _doc(text)
        assert chunking.find_sections(doc) == _find_sections_by_finditer(doc), text


def _unit_breaks_by_finditer(norm: str) -> list[int]:
    breaks = [0]
    for m in lx.UNIT_BREAK.finditer(norm):
        if m.group(0) == ".":
            if lx.ABBREVIATION.search(norm, max(0, m.start() - 8), m.start()):
                continue
            line_start = norm.rfind("\n", max(0, m.start() - 20), m.start()) + 1
            if line_start and lx.LIST_MARKER.fullmatch(norm, line_start, m.start()):
                continue
        if m.end() > breaks[-1]:
            breaks.append(m.end())
    return breaks


def test_unit_breaks_are_unit_break_finditer():
    for text in _texts(2, 3000):
        assert unit_breaks(text) == _unit_breaks_by_finditer(text), text


def test_sentence_breaks_are_break_finditer():
    for text in _texts(3, 3000):
        assert list(ct._break_ends(text)) == [m.end() for m in ct._BREAK.finditer(text)], text


@pytest.mark.parametrize("number", ["1", "10", "X", "XI", "C", "\u0661\u0662", "10.1"])
def test_called_counts_the_pattern_matches(number):
    pattern = re.compile(rf"\b(Section|section|Clause|clause|Article|article)s?\s+{re.escape(number)}\b")
    for text in _texts(4, 2000):
        if sections._PLAIN_NUMBER.fullmatch(number):
            assert list(sections._calls(text, number)) == [m.group(1) for m in pattern.finditer(text)], text
        counts: dict[str, int] = {}
        for m in pattern.finditer(text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        expected = max(counts, key=lambda w: counts[w]) if counts else "Section"
        assert sections._called(text, number) == expected, text


def test_keyword_hits_are_keywords_finditer():
    for text in _texts(5, 3000):
        for t in (text, text.upper()):
            low = t.lower()
            scan = lx.KEYWORDS_LOWER.finditer(low) if len(low) == len(t) else lx.KEYWORDS.finditer(t)
            assert keyword_hits(t, low) == [m.start() for m in scan], t


def test_every_keyword_branch_starts_with_a_keyword_start():
    from contract_review.extract.lexicon import KEYWORD_STARTS

    for branch in re.split(r"\|(?![^(]*\))", lx._KEYWORDS):
        assert any(branch.startswith(w) for w in KEYWORD_STARTS), branch


def test_no_abbreviation_is_longer_than_six_characters():
    """unit_breaks skips ABBREVIATION after seven ASCII letters: each of its words must be
    six characters at most (a full stop in one counts as one)."""
    words = re.search(r"\\b\(\?:([^)]*)\)", lx.ABBREVIATION.pattern)
    assert words is not None
    assert max(len(w.replace("\\.", ".")) for w in words.group(1).split("|")) <= 6


def test_the_lazy_lines_index_as_a_list_does():
    text = "10. INSURANCE\n\nVendor shall carry\ninsurance."
    listed, pos = [], 0  # the list of (start, end, text) the finder read before
    for raw in text.split("\n"):
        listed.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    lines = sections._Lines(text)
    assert len(lines) == len(listed)
    for i in range(-len(listed), len(listed)):
        assert (lines[i].start, lines[i].end, lines[i].text) == listed[i]
    for i in (len(listed), -len(listed) - 1):
        with pytest.raises(IndexError):
            lines[i]
