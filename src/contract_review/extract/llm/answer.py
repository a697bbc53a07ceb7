"""The answer schema: the Pydantic model the LLM fills through structured output, one group
of fields per profile field, every field described, closed sets as Literals and absence as
an explicit ``present: false`` (no defaults: OpenAI's strict mode needs every key)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ...errors import ConfigError
from ...schema import Basis, CoverageForm, PolicyType


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TermAnswer(_Strict):
    """Whether the contract requires this insurance term, with the verbatim quotes that show it."""

    present: bool = Field(description="True only if a quoted passage of the contract requires this term; else false.")
    quotes: list[str] = Field(
        description="Verbatim passages (each under 300 characters) that show the term; empty when not present."
    )


class LimitAnswer(_Strict):
    """One minimum amount of coverage the contract requires."""

    amount: float | None = Field(
        description="The amount in currency units (2000000 for $2,000,000 or 'two million'); null when redacted."
    )
    currency: str | None = Field(
        description="Currency as written, as an ISO code (USD, GBP, EUR, CAD...); null when redacted."
    )
    basis: Basis = Field(description="What the amount applies to; 'other' when the contract does not say.")
    redacted: bool = Field(description="True when the amount is blanked out in the filing, e.g. '$[***]' or '[*]'.")


class PolicyAnswer(_Strict):
    """A type of insurance a party must carry."""

    type: PolicyType = Field(description="The kind of coverage; 'other' when none of the listed kinds fits.")
    limits: list[LimitAnswer] = Field(
        description="Every minimum amount required for this coverage; empty when no amount is stated."
    )
    quotes: list[str] = Field(
        description="Verbatim passages (each under 300 characters) that require this coverage and state its limits."
    )


class PolicyRequirementAnswer(_Strict):
    """What the contract requires of one policy beyond its type and limits (for checking a
    certificate of insurance). null where the contract says nothing of it for this policy."""

    type: PolicyType = Field(description="The policy these requirements are for.")
    carried_by: list[str] = Field(description="Who must carry this policy, named as in the contract.")
    additional_insured: bool | None = Field(
        description="True when the contract requires additional-insured status on THIS policy (a clause may name "
        "only some policies); false when the clause names other policies only; null when it does not say."
    )
    waiver_of_subrogation: bool | None = Field(description="Likewise for a waiver of subrogation on this policy.")
    primary_noncontributory: bool | None = Field(description="Likewise for primary and non-contributory wording.")
    coverage_form: CoverageForm | None = Field(
        description="'occurrence' when an occurrence form is required, 'claims_made' when a claims-made form is "
        "allowed; null when not stated."
    )
    duration: str | None = Field(
        description="How long cover must continue after the term, as written ('for three (3) years after this SOW "
        "ends', an extended reporting period); null when not stated."
    )
    tail_years: float | None = Field(description="The number of years in duration, when it states one.")
    min_rating: str | None = Field(description="The minimum insurer rating, e.g. 'A- VII' (A.M. Best); else null.")
    quotes: list[str] = Field(
        description="Verbatim passages (each under 300 characters) that state these requirements; empty when none."
    )


_TERM_DESCRIPTIONS = {
    "additional_insured": "Some party must be named or included as an additional insured (also 'additional named "
    "insured', 'named as an insured'); a loss payee or certificate holder does NOT count.",
    "waiver_of_subrogation": "The policies or a party must waive rights of subrogation or recovery against a party. "
    "A party's own right to be subrogated is NOT a waiver.",
    "primary_noncontributory": "Coverage must be primary and/or non-contributory to the other party's insurance.",
    "certificate_of_insurance": "A certificate of insurance, a copy of the policy or other evidence of coverage must "
    "be delivered (on request counts).",
    "cancellation_notice": "Prior notice must be given before cancellation, non-renewal or material change of "
    "coverage (a duty to report a lapse afterwards does NOT count).",
}

# Profile field (the unit of Extraction.uncertain) -> fields of the answer schema.
FIELD_SPECS: dict[str, dict[str, tuple[Any, Any]]] = {
    "insurance_required": {
        "insurance_required": (
            bool,
            Field(
                description="True when a party must obtain, carry or maintain insurance, "
                "or represents that it does. A bare mention of insurance is not a requirement."
            ),
        ),
        "insurance_quotes": (
            list[str],
            Field(
                description="Verbatim passages (each under 300 characters) that impose "
                "the insurance obligation; empty when insurance_required is false."
            ),
        ),
        "obligated_parties": (
            list[str],
            Field(
                description="Who must carry the insurance, named as in the contract "
                "(e.g. 'Distributor'); empty when none."
            ),
        ),
    },
    "policies": {
        "policies": (
            list[PolicyAnswer],
            Field(description="Each type of insurance a party must carry; empty when none."),
        ),
    },
    **{name: {name: (TermAnswer, Field(description=desc))} for name, desc in _TERM_DESCRIPTIONS.items()},
    "vague_language": {
        "vague_language": (
            list[str],
            Field(
                description="Verbatim insurance obligations that set no concrete amount or "
                "rely on a qualitative standard ('adequate', 'reasonable', "
                "'customary', 'as X may require'); empty when none."
            ),
        ),
    },
}
#: Asked only when requested (``fields`` naming it): the per-policy requirements a
#: certificate of insurance is checked against. Not in the default :data:`FIELDS`, so the
#: default schema (and the responses recorded for it) are unchanged.
OPTIONAL_FIELD_SPECS: dict[str, dict[str, tuple[Any, Any]]] = {
    "policy_requirements": {
        "policy_requirements": (
            list[PolicyRequirementAnswer],
            Field(description="For each required policy, what else the contract requires of it; empty when none."),
        ),
        "certificate_due": (
            str | None,
            Field(
                description="When the certificate of insurance is due, as written ('before any Services begin'); null."
            ),
        ),
        "certificate_due_quotes": (
            list[str],
            Field(description="Verbatim passages that say when the certificate is due; empty when none."),
        ),
    },
}
FIELDS: tuple[str, ...] = tuple(FIELD_SPECS)
FIELD_SPECS.update(OPTIONAL_FIELD_SPECS)
ALL_FIELDS: tuple[str, ...] = tuple(FIELD_SPECS)


@lru_cache(maxsize=64)
def answer_model(fields: tuple[str, ...] = FIELDS) -> type[BaseModel]:
    """The answer schema restricted to ``fields`` (profile field names), in a stable order."""
    unknown = [f for f in fields if f not in FIELD_SPECS]
    if unknown:
        raise ConfigError(f"unknown extraction field(s): {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    spec: dict[str, Any] = {}
    for f in ALL_FIELDS:
        if f in fields:
            spec.update(FIELD_SPECS[f])
    return create_model(
        "InsuranceAnswer",
        __base__=_Strict,
        __doc__="What one contract requires of insurance. Every fact is backed by verbatim quotes from the "
        "contract; a term the contract does not require has present=false and no quotes.",
        **spec,
    )
