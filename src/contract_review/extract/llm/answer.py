"""The answer schema: the Pydantic model the LLM fills through structured output, one group
of fields per profile field, every field described, closed sets as Literals and absence as
an explicit ``present: false`` (no defaults: OpenAI's strict mode needs every key)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ...errors import ConfigError
from ...schema import Basis, PolicyType


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
FIELDS: tuple[str, ...] = tuple(FIELD_SPECS)


@lru_cache(maxsize=64)
def answer_model(fields: tuple[str, ...] = FIELDS) -> type[BaseModel]:
    """The answer schema restricted to ``fields`` (profile field names), in a stable order."""
    unknown = [f for f in fields if f not in FIELD_SPECS]
    if unknown:
        raise ConfigError(f"unknown extraction field(s): {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    spec: dict[str, Any] = {}
    for f in FIELDS:
        if f in fields:
            spec.update(FIELD_SPECS[f])
    return create_model(
        "InsuranceAnswer",
        __base__=_Strict,
        __doc__="What one contract requires of insurance. Every fact is backed by verbatim quotes from the "
        "contract; a term the contract does not require has present=false and no quotes.",
        **spec,
    )
