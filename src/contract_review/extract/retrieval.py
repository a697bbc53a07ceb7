"""Choose the parts of a contract that the LLM reads.

The context for one document is the union of

1. **lexical candidates**: chunks that mention insurance (a cheap keyword scan over
   :data:`LEXICAL_TERMS`: ``insur``, ``subrogat``, ``certificate of insurance``, ...);
2. **cross-references** made next to those mentions ("as set forth in Exhibit C",
   "the limits in Schedule 2", "see Section 12.3"), resolved to sections found by
   :func:`contract_review.chunking.find_sections`;
3. **semantic hits**: the top-k chunks of *this* document (filtered by SHA-256) in the
   Chroma store for a few insurance queries (:data:`SEMANTIC_QUERIES`).

Spans are merged, ordered by position in the document and cut to a token budget
(``settings.llm_token_budget``, counted with ``bpe_openai``; never ``tiktoken``, which
downloads its BPE files). Candidates are dropped in reverse priority (semantic, then
cross-references, then the weakest lexical chunks) and every cut is recorded in
:attr:`Context.notes`: the input is never silently truncated.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..chunking import Chunk, Section, find_sections
from ..loaders import Document
from ..settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

# name -> pattern over Document.norm (case-insensitive). Each stands for a way a contract
# talks about insurance; a chunk that matches any of them is a candidate.
LEXICAL_TERMS: dict[str, re.Pattern[str]] = {
    "insurance": re.compile(r"\binsur|\breinsur|\bunderwrit", re.I),
    "subrogation": re.compile(r"subrogat", re.I),
    "certificate": re.compile(
        r"certificates?\s+of\s+(?:insurance|coverage)|(?:evidence|proof)\s+of\s+(?:such\s+)?(?:insurance|coverage)",
        re.I,
    ),
    "additional_insured": re.compile(r"additional(?:ly)?\s+(?:named\s+)?insured|loss\s+payee", re.I),
    "primary_noncontributory": re.compile(r"non-?\s?contribut", re.I),
    "policy_limits": re.compile(
        r"\bpolicy\s+limits?\b|\bper\s+occurrence\b|\bin\s+the\s+aggregate\b|\bcombined\s+single\s+limit"
        r"|\blimits?\s+(?:of\s+)?(?:not\s+less\s+than|at\s+least)|\bminimum\s+limits?\b",
        re.I,
    ),
    # a duty to carry insurance counts once more: it ranks such passages first under a tight budget
    "obligation": re.compile(
        r"\b(?:maintain|carry|procure|obtain|purchase|keep\s+in\s+(?:full\s+)?force)\b[^.;]{0,100}\binsur", re.I
    ),
    "coverage": re.compile(
        r"\b(?:liability|indemnity|property|casualty)\s+coverage\b|\bcoverage\s+(?:limits?|amounts?)\b", re.I
    ),
}

# Queries for the semantic search over the document's own chunks.
SEMANTIC_QUERIES: tuple[str, ...] = (
    "insurance requirements: policies the party must maintain and minimum limits of liability",
    "additional insured, waiver of subrogation, primary and non-contributory coverage",
    "certificate of insurance and notice of cancellation or material change of coverage",
)

# "Exhibit C", "Schedule 2", "Appendix A-1", "Section 12.3", "Article IX"
_XREF = re.compile(
    r"\b(Exhibit|Schedule|Appendix|Annex|Attachment|Section|Article)s?\s+"
    r"((?:\d{1,2}(?:\.\d{1,2}){0,3})|(?:[A-Z](?:-\d{1,2})?)|(?:[IVXL]{1,6}))(?![\w.]*\w)",
    re.I,
)
# Cosine similarity below which a semantic hit is not sent. On the 74 dev contracts no CUAD
# insurance span was found by a semantic hit that the keyword scan missed, and hits that do
# not overlap a keyword chunk score up to ~0.6; so semantic hits are a low-priority safety
# net for unusual wording, admitted only when clearly similar (eval/retrieval_coverage.py).
SEMANTIC_MIN_SCORE = 0.5
XREF_WINDOW = 300  # characters either side of a lexical hit searched for cross-references
XREF_MAX_TOKENS = 1500  # a referenced section longer than this is cut (and the cut noted)
JOIN_GAP = 200  # candidate passages closer than this many characters are sent as one

LEAD_IN_WINDOW = 2500  # how far back a list's lead-in ("You must:") is looked for
SENTENCE_BACK = 400  # how far back a passage is extended to the start of its sentence

PRIORITY = {"lexical": 0, "lead_in": 1, "xref": 1, "semantic": 2}


@lru_cache(maxsize=8)
def get_encoding(model: str | None = None):
    """The BPE of ``model`` (``o200k_base`` for unknown or local models), from ``bpe_openai``."""
    import bpe_openai

    if model:
        try:
            return bpe_openai.encoding_for_model(model)
        # Deliberately broad: UnsupportedModelError for a local model name, but ValueError
        # (gpt-4, gpt-3.5-turbo) and a network error (gpt2, davinci) for OpenAI models whose
        # encoding is not bundled. Any of them means: count with the default encoding.
        except Exception:
            pass
    return bpe_openai.get_encoding("o200k_base")


def count_tokens(text: str, model: str | None = None) -> int:
    return len(get_encoding(model).encode_ordinary(text)) if text else 0


@dataclass
class Span:
    start: int
    end: int
    page: int
    section: str | None
    source: str  # "lexical", "xref" or "semantic"
    score: float = 0.0  # lexical: keyword hits; semantic: similarity

    @property
    def priority(self) -> tuple:
        return (PRIORITY[self.source], -self.score, self.start)


@dataclass
class Context:
    """The retrieved parts of one document, in document order."""

    spans: list[Span]
    text: str  # what the model reads: each span headed by its page and section
    tokens: int  # tokens of the spans' text
    doc_tokens: int
    notes: list[str] = field(default_factory=list)
    dropped: list[Span] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.tokens / self.doc_tokens if self.doc_tokens else 0.0

    def covers(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside the union of the spans."""
        pos = start
        for s in self.spans:  # sorted and disjoint
            if s.start <= pos < s.end:
                pos = s.end
                if pos >= end:
                    return True
        return pos >= end


def lexical_hits(doc: Document, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Every keyword match in ``doc.norm[start:end]`` as (term, start, end)."""
    end = len(doc.norm) if end is None else end
    hits = []
    for name, pat in LEXICAL_TERMS.items():
        for m in pat.finditer(doc.norm, start, end):
            hits.append((name, m.start(), m.end()))
    return sorted(hits, key=lambda h: h[1])


# A sentence ends at a terminator and whitespace. A blank line alone does not end one: in
# PDF text a page break (with its running header) often falls inside a sentence.
_SENTENCE_END = re.compile(r"[.;:!?][\"')\]]?\s+")
# A lead-in: a colon that ends its line or opens an inline list ("...: (1) ...; (2) ...").
_LEAD_IN = re.compile(r":[ \t]*(?:\n|\((?:1|a|i|A)\)\s)")


def sentence_start(doc: Document, pos: int) -> int:
    """``pos`` moved back to the start of the sentence it falls in (at most
    :data:`SENTENCE_BACK` characters): a chunk cut mid-sentence, or at a page break inside
    a sentence, keeps its subject ("To ensure ..., VIP will maintain insurance")."""
    lo = max(0, pos - SENTENCE_BACK)
    ends = list(_SENTENCE_END.finditer(doc.norm, lo, pos))
    if ends:
        return ends[-1].end() if ends[-1].end() <= pos else pos
    return pos if lo > 0 else 0


def lead_in(doc: Document, pos: int) -> tuple[int, int] | None:
    """The nearest line before ``pos`` (within :data:`LEAD_IN_WINDOW`) that ends with a colon,
    as (start, end) of its sentence: the lead-in of a list whose item mentions insurance
    ("Before you open, you must:" ... "(5) furnish certificates of insurance")."""
    lo = max(0, pos - LEAD_IN_WINDOW)
    found = list(_LEAD_IN.finditer(doc.norm, lo, pos))
    if not found:
        return None
    end = found[-1].start() + 1
    start = sentence_start(doc, end - 1)
    if end > pos or start >= pos:
        return None
    if end - start > SENTENCE_BACK or end <= start:
        return None
    return start, end


def _section_key(title: str | None) -> str | None:
    """'EXHIBIT C - Insurance' -> 'exhibit c'; '12.3 Insurance' -> 'section 12.3'."""
    if not title:
        return None
    m = re.match(r"(exhibit|schedule|appendix|annex|attachment|section|article)s?\s+([A-Z0-9][-A-Z0-9.]*)", title, re.I)
    if m:
        return f"{m.group(1).lower()} {m.group(2).rstrip('.').lower()}"
    m = re.match(r"(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s", title + " ")
    if m:
        return f"section {m.group(1)}"
    return None


def _ref_key(kind: str, label: str) -> str:
    kind = kind.lower()
    return f"{kind} {label.rstrip('.').lower()}"


def cross_references(doc: Document, hits: list[tuple[str, int, int]], sections: list[Section]) -> list[Section]:
    """Sections referred to within :data:`XREF_WINDOW` characters of a lexical hit."""
    by_key: dict[str, Section] = {}
    for s in sections:
        key = _section_key(s.title)
        if key:
            by_key.setdefault(key, s)
            if key.startswith("article "):
                by_key.setdefault("section " + key.split(" ", 1)[1], s)
    found: dict[int, Section] = {}
    for _, hs, he in hits:
        lo, hi = max(0, hs - XREF_WINDOW), min(len(doc.norm), he + XREF_WINDOW)
        for m in _XREF.finditer(doc.norm, lo, hi):
            sec = by_key.get(_ref_key(m.group(1), m.group(2)))
            if sec is not None and not (sec.start <= hs < sec.end):
                found[sec.start] = sec
    return [found[k] for k in sorted(found)]


def _merge(spans: list[Span], gap: int = 0) -> list[Span]:
    """Union of spans in document order; spans closer than ``gap`` characters are joined
    (the splitter leaves whitespace and short headings between chunks). A merged span keeps
    its best source and score."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and s.start <= out[-1].end + gap:
            last = out[-1]
            best = min(last, s, key=lambda x: x.priority)
            out[-1] = Span(
                last.start,
                max(last.end, s.end),
                last.page,
                last.section,
                best.source,
                max(last.score, s.score) if best.source == s.source == last.source else best.score,
            )
        else:
            out.append(Span(s.start, s.end, s.page, s.section, s.source, s.score))
    return out


def _header(doc: Document, s: Span) -> str:
    page_end = doc.page_at(max(s.end - 1, s.start))
    pages = f"p.{s.page}" if page_end == s.page else f"pp.{s.page}-{page_end}"
    return f"[{pages}" + (f" | {s.section}" if s.section else "") + "]"


def render(doc: Document, spans: list[Span]) -> str:
    parts = []
    for s in spans:
        parts.append(_header(doc, s) + "\n" + doc.text[s.start : s.end].strip())
    return "\n\n".join(parts)


def candidate_spans(
    doc: Document,
    chunks: list[Chunk],
    settings: Settings,
    store: Store | None = None,
    notes: list[str] | None = None,
) -> list[Span]:
    """All candidates before merging and budgeting (lexical, xref and semantic spans).
    Cuts made here (a long cross-referenced section) are appended to ``notes``."""
    hits = lexical_hits(doc)
    sections = find_sections(doc)
    section_starts = [sec.start for sec in sections]
    spans: list[Span] = []
    # 1. lexical: every chunk with a keyword hit, scored by its number of hits, from the start
    #    of its first sentence; plus the lead-in of the list it may belong to ("You must:").
    for c in chunks:
        n = sum(1 for _, hs, _ in hits if c.start <= hs < c.end)
        if n:
            start = sentence_start(doc, c.start)
            spans.append(Span(start, c.end, doc.page_at(start), c.section, "lexical", float(n)))
            lead = lead_in(doc, start)
            own = sections[max(0, bisect_right(section_starts, c.start) - 1)] if sections else None
            if lead is not None and (own is None or lead[0] >= own.start):  # a lead-in of this section only
                spans.append(Span(lead[0], lead[1], doc.page_at(lead[0]), c.section, "lead_in", 0.0))
    # 2. sections cross-referenced next to a hit.
    for sec in cross_references(doc, hits, sections):
        end = sec.end
        text = doc.text[sec.start : sec.end]
        if count_tokens(text, settings.llm_model) > XREF_MAX_TOKENS:
            enc = get_encoding(settings.llm_model)
            end = sec.start + len(enc.decode(enc.encode_ordinary(text)[:XREF_MAX_TOKENS]))
            if notes is not None:
                notes.append(
                    f"cross-referenced section {sec.title!r} (p.{sec.page}) is longer than "
                    f"{XREF_MAX_TOKENS} tokens: only its first {XREF_MAX_TOKENS} tokens were considered"
                )
        spans.append(Span(sec.start, end, sec.page, sec.title, "xref", 0.0))
    # 3. semantic top-k of this document's chunks.
    if store is not None and settings.llm_top_k > 0:
        for q in SEMANTIC_QUERIES:
            for h in store.search(q, top_k=settings.llm_top_k, sha256=doc.sha256):
                if h.score < SEMANTIC_MIN_SCORE:
                    continue
                spans.append(Span(h.start, h.end, h.page, h.section, "semantic", h.score))
    return spans


def retrieve(
    doc: Document,
    chunks: list[Chunk],
    settings: Settings,
    store: Store | None = None,
    budget: int | None = None,
) -> Context:
    """The context the LLM reads for ``doc``: candidates merged, in document order, within
    the token budget. Whatever the budget cuts is listed in ``notes``."""
    budget = settings.llm_token_budget if budget is None else budget
    model = settings.llm_model
    notes: list[str] = []
    candidates = candidate_spans(doc, chunks, settings, store, notes)
    # Admit candidates best-first while the merged context fits the budget.
    kept: list[Span] = []
    dropped: list[Span] = []
    merged: list[Span] = []
    used = 0
    cache: dict[tuple[int, int], int] = {}

    def tokens_of(m: Span) -> int:
        key = (m.start, m.end)
        if key not in cache:
            cache[key] = count_tokens(doc.text[m.start : m.end], model)
        return cache[key]

    for s in sorted(candidates, key=lambda s: s.priority):
        trial = _merge(kept + [s], JOIN_GAP)
        cost = sum(tokens_of(m) for m in trial)
        if cost <= budget:
            kept.append(s)
            merged, used = trial, cost
        else:
            dropped.append(s)
    dropped = [d for d in dropped if not any(m.start <= d.start and d.end <= m.end for m in merged)]
    if dropped:
        by_source: dict[str, int] = {}
        for d in dropped:
            by_source[d.source] = by_source.get(d.source, 0) + 1
        detail = ", ".join(f"{n} {src}" for src, n in sorted(by_source.items(), key=lambda kv: PRIORITY[kv[0]]))
        pages = sorted({d.page for d in dropped})
        notes.append(
            f"token budget {budget} reached: {len(dropped)} candidate passage(s) not sent to the model "
            f"({detail}; pages {', '.join(map(str, pages))}); raise llm_token_budget to include them"
        )
    doc_tokens = count_tokens(doc.text, model)
    return Context(
        spans=merged, text=render(doc, merged), tokens=used, doc_tokens=doc_tokens, notes=notes, dropped=dropped
    )
