"""The hybrid extractor (registered as ``hybrid``): the rules decide what they can and the
LLM is asked, with an answer schema narrowed to those fields, only about the fields the rules
left uncertain or that disagree with the document's lexical cues; no question, no call."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from ..chunking import Chunk
from ..errors import ExtractionError
from ..loaders import Document
from ..schema import POLICY_TERMS, TERM_FIELDS, InsuranceProfile
from ..settings import Settings
from . import Extraction, register_extractor
from .llm import FIELDS, LLMExtractor

#: The optional answer group of the per-policy requirements (asked by :meth:`HybridExtractor.for_requirements`).
REQUIREMENTS = "policy_requirements"

# Field -> a cue in the text that the field is likely present. A disagreement between the
# rules and its cue sends the field to the LLM. Patterns run over Document.norm.
FIELD_CUES: dict[str, re.Pattern[str]] = {
    "insurance_required": re.compile(r"\binsur(?:ance|ed|er)", re.I),
    "policies": re.compile(
        r"\b(?:liability|compensation|property|malpractice|omissions|umbrella|excess|automobile|auto|cyber|"
        r"fidelity|crime|casualty|clinical\s+trials?|directors\s+and\s+officers|all[- ]risks?)\s+"
        r"(?:insurance|coverage|polic(?:y|ies))",
        re.I,
    ),
    "additional_insured": re.compile(
        r"additional(?:ly)?\s+(?:named\s+)?insureds?|named\s+as\s+(?:an?\s+)?(?:additional\s+)?insured", re.I
    ),
    "waiver_of_subrogation": re.compile(r"subrogat|rights?\s+of\s+recovery", re.I),
    "primary_noncontributory": re.compile(
        r"non-?\s?contribut|\bprimary\b[^.]{0,80}\binsurance\b|\binsurance\b[^.]{0,80}\bprimary\b", re.I
    ),
    "certificate_of_insurance": re.compile(
        r"certificates?\s+(?:of|evidencing)\s+(?:such\s+)?(?:insurance|coverage)|evidence\s+of\s+(?:such\s+)?(?:insurance|coverage)"
        r"|cop(?:y|ies)\s+of\s+(?:the\s+|such\s+|all\s+)?(?:insurance\s+)?polic",
        re.I,
    ),
    "cancellation_notice": re.compile(
        r"(?:cancel|non-?renew|material(?:ly)?\s+(?:change|alter))[^.]{0,160}\b(?:notice|days)\b"
        r"|\bnotice\b[^.]{0,160}(?:cancel|non-?renew)",
        re.I,
    ),
    "vague_language": re.compile(
        r"\b(?:adequate|sufficient|appropriate|reasonable|customary|prudent|industry[- ]standard)\b[^.]{0,80}\binsur"
        r"|\binsur[^.]{0,120}\b(?:adequate|sufficient|appropriate|reasonabl[ey]|customary|prudent|industry[- ]standard|"
        r"as\s+\w+\s+(?:may|shall)\s+(?:reasonably\s+)?(?:require|request|deem))",
        re.I,
    ),
}


def rules_says(profile: InsuranceProfile, field: str) -> bool:
    """Whether the rules' profile claims ``field`` is present."""
    if field == "insurance_required":
        return profile.insurance_required
    if field == "policies":
        return bool(profile.policies)
    if field == "vague_language":
        return bool(profile.vague_language)
    return getattr(profile, field).present


def text_says(doc: Document, field: str) -> bool:
    """Whether the document's text shows a cue for ``field``."""
    if field != "insurance_required" and not FIELD_CUES["insurance_required"].search(doc.norm):
        return False  # no insurance at all: nothing else can be present
    return bool(FIELD_CUES[field].search(doc.norm))


def fields_to_ask(doc: Document, rules: Extraction) -> list[str]:
    """Fields the rules left uncertain or that disagree with the lexical evidence, in order."""
    uncertain = set(rules.uncertain)
    return [f for f in FIELDS if f in uncertain or rules_says(rules.profile, f) != text_says(doc, f)]


def merge(rules: InsuranceProfile, llm: InsuranceProfile | None, asked: Sequence[str]) -> InsuranceProfile:
    """The rules' profile with the asked fields replaced by the LLM's."""
    p = rules.model_copy(deep=True)
    if llm is not None:
        for f in asked:
            if f == "insurance_required":
                p.insurance_required = llm.insurance_required
                p.insurance_evidence = llm.insurance_evidence
                p.obligated_parties = llm.obligated_parties or p.obligated_parties
                # the rules read the term only where they found insurance: keep the LLM's reading
                p.contract_term = p.contract_term or llm.contract_term
            elif f == "policies":
                p.policies = llm.policies
            elif f == "vague_language":
                p.vague_language = llm.vague_language
            elif f in TERM_FIELDS:
                setattr(p, f, getattr(llm, f).model_copy(deep=True))
            elif f == REQUIREMENTS:
                fill_requirements(p, llm)
        known = {(s.page, s.section) for s in p.searched}
        p.searched += [s for s in llm.searched if (s.page, s.section) not in known]
        p.ungrounded += llm.ungrounded
    p.decided_by = {
        f: (llm.decided_by.get(f, "llm") if llm is not None and f in asked else rules.decided_by.get(f, "rules"))
        for f in FIELDS
    }
    if llm is not None and REQUIREMENTS in asked:
        p.decided_by[REQUIREMENTS] = "rules; llm where the rules said nothing"
    return p


def fill_requirements(p: InsuranceProfile, llm: InsuranceProfile) -> None:
    """The per-policy requirements the rules left unsaid on ``p``'s policies, from the LLM's
    policy of the same type (each with its own quotes); what the rules found stays."""
    theirs = {pol.type: pol for pol in llm.policies}
    for pol in p.policies:
        other = theirs.get(pol.type)
        if other is None:
            continue
        if not pol.carried_by and other.carried_by:
            pol.carried_by, pol.carried_by_evidence = list(other.carried_by), list(other.carried_by_evidence)
        for name in POLICY_TERMS:
            if getattr(pol, name) is None and getattr(other, name) is not None:
                setattr(pol, name, getattr(other, name).model_copy(deep=True))
        if pol.coverage_form is None and other.coverage_form:
            pol.coverage_form, pol.coverage_form_evidence = other.coverage_form, list(other.coverage_form_evidence)
        if pol.duration is None and other.duration is not None:
            pol.duration, pol.tail_years = other.duration.model_copy(deep=True), other.tail_years
        if pol.min_rating is None and other.min_rating is not None:
            pol.min_rating = other.min_rating.model_copy(deep=True)
    if p.certificate_due is None and llm.certificate_due is not None:
        p.certificate_due = llm.certificate_due.model_copy(deep=True)


class HybridExtractor:
    """Rules first, the LLM for the rest.

    1. Run the rules extractor (offline, deterministic).
    2. A field goes to the LLM when the rules marked it uncertain (``Extraction.uncertain``) or
       when the rules' answer disagrees with the document's lexical evidence for that field
       (:data:`FIELD_CUES`: for example the rules found no waiver of subrogation but the text
       says "subrogation"; or they found one and the text never does).
    3. The LLM is asked with an answer schema restricted to those fields; its answer replaces
       the rules' answer for exactly those fields. ``profile.decided_by`` records, for every
       field, ``"rules"`` or ``"llm"``.

    A document the rules settle costs nothing."""

    name = "hybrid"
    prompt_version: str | None
    needs_store = True

    def __init__(self, settings: Settings, llm: LLMExtractor | None = None):
        from .rules import RulesExtractor

        self.settings = settings
        self.llm = llm or LLMExtractor(settings)  # raises ConfigError without an endpoint
        self.rules = RulesExtractor(settings)
        self.prompt_version = self.llm.prompt_version
        self.needs_store = self.llm.needs_store
        self.requirements = False

    def for_requirements(self) -> HybridExtractor:
        """This extractor asking the LLM also for the per-policy requirements (the optional
        ``policy_requirements`` group) of every document whose rules found policies: what
        ``contract-review requirements`` and ``coi`` need. The LLM's values fill only what the
        rules left unsaid (:func:`fill_requirements`)."""
        other = copy.copy(self)
        other.requirements = True
        return other

    def _rules(self, doc: Document, chunks: list[Chunk]) -> tuple[Extraction, list[str]]:
        ex = self.rules.extract(doc, chunks)
        asked = fields_to_ask(doc, ex)
        if self.requirements and (ex.profile.policies or "policies" in asked):
            asked.append(REQUIREMENTS)
        return ex, asked

    def _combine(self, rules: Extraction, asked: list[str], llm: Extraction | None) -> Extraction:
        profile = merge(rules.profile, llm.profile if llm else None, asked)
        notes = list(rules.notes)
        if asked:
            notes.append(f"asked the LLM about: {', '.join(asked)}")
        else:
            notes.append("the rules settled every field; the LLM was not called")
        if llm is not None:
            notes += llm.notes
        return Extraction(
            profile, usage=llm.usage if llm else None, prompt_version=llm.prompt_version if llm else None, notes=notes
        )

    def extract(self, doc: Document, chunks: list[Chunk]) -> Extraction:
        rules, asked = self._rules(doc, chunks)
        llm = self.llm.extract(doc, chunks, fields=asked) if asked else None
        return self._combine(rules, asked, llm)

    def extract_batch(self, items: Sequence[tuple[Document, list[Chunk]]]) -> list[Extraction | ExtractionError]:
        """As :meth:`LLMExtractor.extract_batch`: documents that need the LLM are asked
        concurrently (grouped by the set of fields asked)."""
        ruled = [self._rules(doc, chunks) for doc, chunks in items]
        out: dict[int, Extraction | ExtractionError] = {}
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, (rules, asked) in enumerate(ruled):
            if asked:
                groups.setdefault(tuple(asked), []).append(i)
            else:
                out[i] = self._combine(rules, [], None)
        for fields, idx in groups.items():
            answers = self.llm.extract_batch([items[i] for i in idx], fields=fields)
            for i, ans in zip(idx, answers, strict=True):
                out[i] = ans if isinstance(ans, ExtractionError) else self._combine(ruled[i][0], list(fields), ans)
        return [out[i] for i in range(len(items))]


@register_extractor("hybrid")
def _factory(settings: Settings) -> HybridExtractor:
    return HybridExtractor(settings)
