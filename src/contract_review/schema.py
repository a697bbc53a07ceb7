"""The output contract: Pydantic models that produce exactly the JSON of one screened
document. Other tools and tests depend on it; add fields, never rename or remove them.

The same :class:`InsuranceProfile` is produced by every extractor (rules, llm, hybrid);
the checker reads only this model.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PolicyType = Literal[
    "general_liability",
    "product_liability",
    "professional_liability",
    "technology_eo",
    "cyber",
    "workers_compensation",
    "employers_liability",
    "auto",
    "umbrella_excess",
    "property",
    "d_and_o",
    "clinical_trial",
    "media_liability",
    "crime_fidelity",
    "other",
]
POLICY_TYPES: tuple[str, ...] = PolicyType.__args__  # type: ignore[attr-defined]

Basis = Literal["per_occurrence", "aggregate", "per_claim", "combined_single", "each_accident", "per_person", "other"]
BASES: tuple[str, ...] = Basis.__args__  # type: ignore[attr-defined]

Severity = Literal["high", "medium", "low", "info"]
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}

TERM_FIELDS = (
    "additional_insured",
    "waiver_of_subrogation",
    "primary_noncontributory",
    "certificate_of_insurance",
    "cancellation_notice",
)
#: The terms a contract may require of one policy and not another (per-policy requirements).
POLICY_TERMS = TERM_FIELDS[:3]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """A verbatim span of the document. ``document.text[start:end] == quote``; ``page`` is the
    1-based page on which the span starts. Offsets are character offsets into the whole
    document's text (see :class:`contract_review.loaders.Document`)."""

    quote: str = Field(description="Verbatim text copied from the contract.")
    page: int = Field(description="1-based page number where the quote starts.")
    start: int = Field(description="Character offset of the quote in the document text.")
    end: int = Field(description="Character offset just past the quote.")
    ocr: bool = Field(False, description="True when the quote's page was read by OCR: check it against the page image.")


class Limit(_Model):
    """One required monetary limit."""

    amount: float | None = Field(description="Amount in currency units (1000000); null when redacted.")
    currency: str | None = Field("USD", description="ISO code as written (USD, GBP, EUR, CAD...); null if redacted.")
    basis: Basis = Field("other", description="What the amount applies to.")
    redacted: bool = Field(False, description="True when the amount is blanked out in the filing ($[***]).")


CoverageForm = Literal["occurrence", "claims_made"]


class Stated(_Model):
    """A value the contract states about a policy, with the grounded quotes that state it."""

    value: str = Field(description="As the contract states it, e.g. 'A- VII', '3 years after this SOW ends'.")
    evidence: list[Citation] = Field(default_factory=list)


class Policy(_Model):
    """A type of insurance a party must carry, with its required limits and, where the
    contract says so, what else it requires of that policy (``None``: the contract says
    nothing of it for this policy; a term left ``None`` falls back to the profile's term)."""

    type: PolicyType
    limits: list[Limit] = Field(default_factory=list)
    evidence: list[Citation] = Field(default_factory=list)
    carried_by: list[str] = Field(default_factory=list, description="The parties that must carry this policy.")
    carried_by_evidence: list[Citation] = Field(default_factory=list)
    additional_insured: Term | None = Field(
        None, description="Whether the contract requires additional-insured status on this policy."
    )
    waiver_of_subrogation: Term | None = Field(None, description="Whether a waiver of subrogation applies to it.")
    primary_noncontributory: Term | None = Field(None, description="Whether it must be primary and non-contributory.")
    coverage_form: CoverageForm | None = Field(
        None, description="occurrence when the contract requires an occurrence form; claims_made when it allows one."
    )
    coverage_form_evidence: list[Citation] = Field(default_factory=list)
    duration: Stated | None = Field(
        None,
        description="How long cover must last beyond the term: a tail, extended reporting period, 'N years after'.",
    )
    tail_years: float | None = Field(None, description="The N of 'for N years after', when stated.")
    retroactive_date: Stated | None = Field(None, description="What the contract says of the retroactive date.")
    min_rating: Stated | None = Field(None, description="The minimum insurer rating, e.g. A.M. Best 'A- VII'.")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    from calendar import monthrange

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


class ContractTerm(_Model):
    """When the contract's term ends, as a date: read by deterministic code from the date the
    term runs from (a stated date, a defined "Effective Date", the date of the agreement in
    its preamble) and its term clause ("for a period of three (3) years from the Effective
    Date", "until December 31, 2027"). The profile has none when the term is not stated
    determinably (an event, "the later of", a schedule): it is never guessed."""

    effective: dt.date | None = Field(
        None, description="The date the term runs from; null when the clause states the end date itself."
    )
    end: dt.date = Field(description="The end of the (initial) term: the effective date plus the term, or as stated.")
    renews: bool = Field(
        False,
        description="True when the term renews automatically or runs on until terminated: the end of the "
        "current term is then uncertain.",
    )
    renewal_months: int | None = Field(None, description="The length of each renewal term in months, when stated.")
    value: str = Field(description="The term as the contract states it, e.g. 'continues for three (3) years'.")
    evidence: list[Citation] = Field(
        default_factory=list,
        description="The term clause, then (when the term runs from a date stated elsewhere) the quote that states it.",
    )

    def current_end(self, as_of: dt.date) -> dt.date:
        """The end of the term in force on ``as_of``: the initial end or, for a term that
        renews by a stated period and whose initial term is over, the end of the renewal
        term then."""
        end = self.end
        if self.renews and self.renewal_months:
            while end < as_of:
                end = add_months(end, self.renewal_months)
        return end


class Term(_Model):
    """An insurance term that is either required by the contract or not. ``present`` is
    false unless a grounded quote shows it; absence is explicit, with the searched sections
    in :attr:`InsuranceProfile.searched`."""

    present: bool = False
    evidence: list[Citation] = Field(default_factory=list)


class SearchedSection(_Model):
    page: int
    section: str | None = None


class UngroundedQuote(_Model):
    """A quote an extractor proposed that could not be found in the document: dropped from
    the profile and listed so that a user sees it."""

    field: str
    quote: str
    reason: str = "not found in the document text"


RevisionKind = Literal["insertion", "deletion", "move"]
REVISION_KINDS: tuple[str, ...] = RevisionKind.__args__  # type: ignore[attr-defined]


class AmountChange(_Model):
    """A money amount that a tracked change took out of the insurance terms, and the amount
    put in its place (``new`` null when none was). An amount is null when redacted."""

    old: float | None = Field(description="The amount as it stood before the change.")
    old_currency: str | None = None
    new: float | None = Field(None, description="The amount inserted in its place; null when none was.")
    new_currency: str | None = None
    lowered: bool = Field(False, description="Both amounts known, same currency, and the new one is lower.")


class Revision(_Model):
    """A tracked change of a Word draft, as the file records it. The document text is the
    draft with every change accepted, so an insertion (or the text of a move, at its new
    place) is ``text[start:end]`` of the document; a deletion is not in the text and has
    ``start == end``, the offset where it was removed."""

    kind: RevisionKind
    author: str | None = Field(None, description="As written in the file (w:author).")
    date: str | None = Field(None, description="As written in the file (w:date), e.g. 2026-03-02T10:15:00Z.")
    text: str = Field(description="The inserted, deleted or moved text.")
    page: int = Field(description="1-based page of the accepted text where the change is.")
    start: int = Field(description="Offset in the document text (where a deletion was removed).")
    end: int = Field(description="Offset just past an insertion; equal to start for a deletion.")
    at: Citation | None = Field(
        None,
        description="Accepted text where the change is: the inserted text, or the sentence a deletion was cut from.",
    )
    struck: list[str] = Field(
        default_factory=list,
        description="For a deletion in the insurance terms: the terms (names of the profile's term fields) whose "
        "wording it took out and that the text around it does not put back.",
    )
    amounts: list[AmountChange] = Field(
        default_factory=list, description="Money amounts the change took out, with their replacements."
    )


class InsuranceSection(_Model):
    """Where the contract's insurance terms sit: the numbered section (or exhibit) that holds
    the first insurance quote, as the text numbers it. Suggested clauses are written as new
    sub-clauses of it; set by deterministic code whatever the extractor."""

    number: str | None = Field(None, description='The section number as written ("10", "6"); null when unnumbered.')
    title: str | None = Field(None, description='Its heading ("INSURANCE"), when it has one.')
    heading: Citation | None = Field(None, description="The heading line, else the first line of the section.")
    last_label: str | None = Field(None, description='The last sub-clause number in it ("10.9"); null when none.')
    called: str = Field(
        "Section", description='How the contract refers to its sections: "Section", "clause", "Article".'
    )
    end: int = Field(description="Offset just past the section's last line of text.")
    page: int = Field(description="1-based page of the section's last line.")

    def next_labels(self, n: int) -> list[str | None]:
        """The numbers of ``n`` new sub-clauses after the last one (``None`` each when the
        section has no numbered sub-clauses)."""
        if not self.last_label or "." not in self.last_label:
            return [None] * n
        head, _, last = self.last_label.rpartition(".")
        return [f"{head}.{int(last) + i}" for i in range(1, n + 1)]


FixAction = Literal["insert", "replace", "restore"]


class Fix(_Model):
    """Where a finding's suggested wording goes in the draft: what a reviewed DOCX marks up
    as a tracked change. ``insert``: a new sub-clause (``label`` ``caption``. ``text``) put
    after the offset ``at`` (the end of the insurance section); ``replace``: the span
    ``target`` replaced by ``text``; ``restore``: ``text``, struck by a tracked deletion at
    offset ``at``, put back."""

    action: FixAction
    text: str
    caption: str | None = None
    label: str | None = None
    level: Literal["subclause", "section"] = "subclause"
    target: Citation | None = None
    at: int | None = None
    policies: list[PolicyType] = Field(
        default_factory=list, description="The policies the new wording requires (with their limits), if any."
    )


class InsuranceProfile(_Model):
    """What the contract requires of insurance. Produced by an extractor, read by the checker."""

    insurance_required: bool = False
    obligated_parties: list[str] = Field(default_factory=list)
    contract_parties: list[str] = Field(
        default_factory=list,
        description="The parties by the names the contract defines for them (its preamble), found by "
        "deterministic code whatever the extractor; suggested clauses are written with them.",
    )
    policies: list[Policy] = Field(default_factory=list)
    additional_insured: Term = Field(default_factory=Term)
    waiver_of_subrogation: Term = Field(default_factory=Term)
    primary_noncontributory: Term = Field(default_factory=Term)
    certificate_of_insurance: Term = Field(default_factory=Term)
    cancellation_notice: Term = Field(default_factory=Term)
    certificate_due: Stated | None = Field(
        None, description="When the certificate of insurance is due ('before any Services begin'), with its quote."
    )
    contract_term: ContractTerm | None = Field(
        None, description="When the contract's term ends, with its quotes; null when not stated determinably."
    )
    vague_language: list[Citation] = Field(default_factory=list)
    searched: list[SearchedSection] = Field(default_factory=list)
    insurance_evidence: list[Citation] = Field(
        default_factory=list, description="Quotes that establish insurance_required."
    )
    ungrounded: list[UngroundedQuote] = Field(default_factory=list)
    decided_by: dict[str, str] = Field(
        default_factory=dict,
        description="Which source decided each field: for the hybrid extractor every field ('rules', 'llm'); "
        "for the rules extractor with the semantic layer, the terms the layer added alone "
        "('semantic:semantic-prototypes@<version>').",
    )
    revisions: list[Revision] = Field(
        default_factory=list,
        description="Tracked changes of a Word draft that touch the insurance terms (empty for other files); "
        "set by deterministic code whatever the extractor.",
    )
    insurance_section: InsuranceSection | None = Field(
        None, description="The section holding the insurance terms; set by deterministic code whatever the extractor."
    )

    @property
    def has_minimum_limits(self) -> bool:
        return any(p.limits for p in self.policies)

    def all_citations(self) -> list[Citation]:
        cites = list(self.insurance_evidence) + list(self.vague_language)
        for p in self.policies:
            cites.extend(p.evidence)
        for name in TERM_FIELDS:
            cites.extend(getattr(self, name).evidence)
        return cites


class Finding(_Model):
    rule: str
    slug: str
    severity: Severity
    message: str
    evidence: list[Citation] = Field(default_factory=list)
    suggestion: str = ""
    fixes: list[Fix] = Field(
        default_factory=list, description="Where the suggestion goes in the draft (a reviewed DOCX's tracked changes)."
    )
    covered_by: str | None = Field(
        None, description="The rule whose fix also puts this finding's suggestion in the draft (its own is dropped)."
    )


class OcrPage(_Model):
    """A page whose text was read by OCR (Tesseract) rather than from the PDF's text layer."""

    page: int = Field(description="1-based page number.")
    confidence: float = Field(description="Tesseract's mean word confidence on the page, 0-100.")
    seconds: float = Field(0.0, description="Time to render, straighten and read the page.")


class ErrorInfo(_Model):
    code: str
    message: str


class Usage(_Model):
    """LLM usage for one document (absent for the rules extractor)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None


class ReviewResult(_Model):
    """One line of ``screen`` output."""

    file: str
    path: str
    sha256: str | None = None
    status: Literal["ok", "error"] = "ok"
    error: ErrorInfo | None = None
    pages: int | None = None
    extractor: str = "rules"
    prompt_version: str | None = None
    playbook: str | None = None
    profile: InsuranceProfile | None = None
    findings: list[Finding] = Field(default_factory=list)
    usage: Usage | None = None
    notes: list[str] = Field(
        default_factory=list,
        description="What the extractor wants a reader to know (e.g. context cut by the LLM token budget).",
    )
    ocr_pages: list[OcrPage] = Field(
        default_factory=list, description="The pages read by OCR, with Tesseract's mean confidence (empty: none)."
    )

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
