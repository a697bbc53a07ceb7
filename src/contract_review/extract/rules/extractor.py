"""The :class:`RulesExtractor`: a cheap keyword scan of the whole document
(:data:`lexicon.KEYWORDS`) finds every place that can hold insurance language (a document
without one is done); the text is cut into clause units, the insurance region is gathered
(:mod:`.region`) and each field is decided over it, in order: ``insurance_required``, then,
when it is, ``policies``, the terms and ``vague_language``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...chunking import Chunk, find_sections
from ...loaders import Document
from ...schema import TERM_FIELDS, InsuranceProfile, SearchedSection
from ...settings import Settings
from .. import Extraction
from .. import lexicon as lx
from ..amounts import document_dollar
from ..prefilter import caseless, occurrences
from .clauses import Clauses, unit_breaks
from .contract_term import contract_term
from .obligations import insurance_required
from .policies import policies
from .reader import Reader
from .region import find_region, insurance_sections, searched
from .requirements import policy_requirements
from .state import Run
from .terms import term
from .vague import vague

if TYPE_CHECKING:  # pragma: no cover
    from ..semantic import SemanticLayer


def keyword_hits(norm: str, lower: str) -> list[int]:
    """The start of each match of :data:`lexicon.KEYWORDS` in ``norm`` (``lower`` is
    ``norm.lower()``). When lower-casing kept the offsets, ``KEYWORDS_LOWER.finditer(lower)``:
    its branches start with common letters, which ``re`` stopped at all over the text, so
    the pattern is matched only where :data:`lexicon.KEYWORD_STARTS` finds one of its first words,
    in order, from where the last match ended, as ``finditer`` goes."""
    if len(lower) != len(norm):
        return [m.start() for m in lx.KEYWORDS.finditer(norm)]
    hits: list[int] = []
    end = 0
    for at in sorted({at for word in lx.KEYWORD_STARTS for at in occurrences(lower, word)}):
        if at < end:
            continue  # inside the last match
        m = lx.KEYWORDS_LOWER.match(lower, at)
        if m is not None:
            hits.append(at)
            end = m.end()
    return hits


class RulesExtractor:
    """Offline, deterministic extraction of an :class:`InsuranceProfile` by linguistic
    patterns (see :mod:`contract_review.extract.lexicon`)."""

    name = "rules"
    prompt_version: str | None = None
    needs_store = False
    needs_chunks = False  # reads the document's text, not its chunks: a review never waits for the splitter

    def __init__(self, settings: Settings | None = None):
        self.settings = settings
        self._layer: SemanticLayer | None = None

    @property
    def semantic(self) -> SemanticLayer | None:
        """The semantic layer (``Settings.semantic``), built on first use: a contract the
        rules decide without it (no insurance, no term left to look for) never imports it."""
        if self._layer is None and self.settings is not None and self.settings.semantic:
            from ..semantic import SemanticLayer

            self._layer = SemanticLayer.for_settings(self.settings)
        return self._layer

    def extract(self, doc: Document, chunks: list[Chunk] | None = None) -> Extraction:
        norm = doc.norm  # look-alike characters already folded, offsets unchanged (loaders.searchable)
        sections = find_sections(doc)
        lower = norm.lower()
        hits = keyword_hits(norm, lower)
        if not hits:
            searched_ = [SearchedSection(page=s.page, section=s.title) for s in sections]
            return Extraction(InsuranceProfile(searched=searched_), notes=["no insurance keyword in the document"])
        low = caseless(norm, lower)
        starts = [s.start for s in sections]
        clauses = Clauses(doc, norm, unit_breaks(norm), sections, starts, document_dollar(norm, low), low)
        return read(clauses, hits, lambda: self.semantic)


def read(
    clauses: Clauses,
    hits: list[int],
    semantic: Callable[[], SemanticLayer | None] | None = None,
) -> Extraction:
    """Decide every field over the insurance region around the keyword ``hits``; with
    ``semantic``, a function that gives the semantic layer (None when it is off), called
    only when some term is left for it, terms the rules did not find may be added from
    paraphrases."""
    reader = Reader(clauses, insurance_sections(clauses))
    region = find_region(reader, hits)
    run = Run(reader, region, notes=list(region.notes))
    p = InsuranceProfile()
    run.obligations = insurance_required(run, p)
    if p.insurance_required:
        run.mentions, run.amount_units = policies(run, p)
        for name in TERM_FIELDS:
            setattr(p, name, term(run, name))
        vague(run, p)
        left = [n for n in TERM_FIELDS if not getattr(p, n).present and n not in run.uncertain]
        layer = semantic() if semantic is not None and left else None
        if layer is not None:
            added = layer.add_terms(run, p)
            if added:
                run.notes.append(f"semantic layer ({layer.prototypes.ref}) added: {', '.join(added)}")
        policy_requirements(run, p)
        p.contract_term = contract_term(clauses.doc, clauses.low)
    p.searched = searched(clauses, region)
    if not p.insurance_required:
        # terms are only meaningful when insurance is required; keep the audit trail
        if any(term(run, name).present for name in TERM_FIELDS):
            run.uncertain.add("insurance_required")
    return Extraction(p, notes=run.notes, uncertain=sorted(run.uncertain))
