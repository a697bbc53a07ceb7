"""The scored fields: a registry, one entry per field, each saying what the pipeline
predicted (with the citations behind it) and which label key it is compared with.

Add a field with :func:`register_field`; the scorer, the report and the gate walk
:data:`FIELDS` in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..registry import Registry
from ..schema import POLICY_TYPES, Citation, ReviewResult

#: The checker's rule for vague insurance language; ``vague_language`` is predicted
#: positive when it fired.
VAGUE_RULE = "INS003"


@dataclass(frozen=True)
class Prediction:
    """What the pipeline said about one field of one document. For a ``set`` field
    ``value`` is a frozenset and ``evidence`` maps each member to its citations."""

    value: bool | frozenset[str]
    evidence: list[Citation] | dict[str, list[Citation]]


@dataclass(frozen=True)
class ScoredField:
    name: str
    kind: Literal["binary", "set"]
    label_key: str
    description: str
    predict: Callable[[ReviewResult], Prediction]
    universe: tuple[str, ...] = ()


#: Scored fields in registration order (the order of the report's rows). The built-in
#: fields below register exactly as a plugin's would (entry-point group
#: ``contract_review.eval_fields``).
FIELDS: Registry[ScoredField] = Registry("scored field", group="eval_fields")


def register_field(
    name: str,
    description: str,
    *,
    kind: Literal["binary", "set"] = "binary",
    label_key: str | None = None,
    universe: tuple[str, ...] = (),
):
    """Register ``predict(result) -> Prediction`` as the scored field ``name``, compared
    with the label key ``label_key`` (default: the same name)."""

    def deco(fn: Callable[[ReviewResult], Prediction]):
        FIELDS[name] = ScoredField(name, kind, label_key or name, description, fn, universe)
        return fn

    return deco


def binary_fields() -> list[ScoredField]:
    return [f for f in FIELDS.values() if f.kind == "binary"]


@register_field("insurance_required", "a party must obtain, maintain or carry insurance")
def _insurance_required(result: ReviewResult) -> Prediction:
    p = result.profile
    return Prediction(p.insurance_required, list(p.insurance_evidence))


def _term(name: str) -> Callable[[ReviewResult], Prediction]:
    def predict(result: ReviewResult) -> Prediction:
        term = getattr(result.profile, name)
        return Prediction(term.present, list(term.evidence))

    return predict


register_field("additional_insured", "some party must be named an additional insured")(_term("additional_insured"))
register_field("waiver_of_subrogation", "insurers' subrogation rights must be waived")(_term("waiver_of_subrogation"))
register_field("primary_noncontributory", "coverage must be primary and/or non-contributory")(
    _term("primary_noncontributory")
)
register_field(
    "coi_required", "a certificate of insurance or other evidence must be delivered", label_key="coi_required"
)(_term("certificate_of_insurance"))
register_field("cancellation_notice", "prior notice of cancellation or change is required")(
    _term("cancellation_notice")
)


@register_field("has_minimum_limits", "at least one monetary limit is required")
def _has_minimum_limits(result: ReviewResult) -> Prediction:
    p = result.profile
    return Prediction(p.has_minimum_limits, [c for pol in p.policies if pol.limits for c in pol.evidence])


@register_field("vague_language", f"{VAGUE_RULE} (vague insurance language) fired")
def _vague_language(result: ReviewResult) -> Prediction:
    fired = [f for f in result.findings if f.rule == VAGUE_RULE]
    return Prediction(bool(fired), [c for f in fired for c in f.evidence])


@register_field("policy_types", "required policy types (micro-averaged over types)", kind="set", universe=POLICY_TYPES)
def _policy_types(result: ReviewResult) -> Prediction:
    ev: dict[str, list[Citation]] = {}
    for pol in result.profile.policies:
        ev.setdefault(pol.type, []).extend(pol.evidence)
    return Prediction(frozenset(ev), ev)
