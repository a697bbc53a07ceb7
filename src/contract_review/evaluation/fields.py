"""The scored fields: a registry, one entry per field, each saying what the pipeline
predicted (with the citations behind it) and which label key it is compared with.

Add a field with :func:`register_field`; the scorer, the report and the gate walk
:data:`FIELDS` in registration order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..registry import Registry
from ..schema import POLICY_TYPES, Citation, InsuranceProfile, ReviewResult

#: The checker's rule for vague insurance language; ``vague_language`` is predicted
#: positive when it fired.
VAGUE_RULE = "INS003"


@dataclass(frozen=True)
class Prediction:
    """What the pipeline said about one field of one document. For a ``binary`` field
    ``value`` is a bool and ``evidence`` its citations; for a ``set`` field ``value`` is a
    frozenset and ``evidence`` maps each member to its citations. The scorer reads a
    prediction through the typed accessors of its field's kind."""

    value: bool | frozenset[str]
    evidence: list[Citation] | dict[str, list[Citation]]

    # -- a binary field ------------------------------------------------------------------
    @property
    def flag(self) -> bool:
        """A binary field's value."""
        return bool(self.value)

    @property
    def citations(self) -> list[Citation]:
        """A binary field's citations."""
        if isinstance(self.evidence, Mapping):
            raise TypeError("a set field's evidence maps members to citations: use citations_for(member)")
        return self.evidence

    # -- a set field ---------------------------------------------------------------------
    @property
    def members(self) -> frozenset[str]:
        """A set field's value."""
        if isinstance(self.value, bool):
            raise TypeError("a binary field's value is a bool, not a set of members: use flag")
        return self.value

    def citations_for(self, member: str) -> list[Citation]:
        """A set field's citations for ``member`` (none when it was not predicted)."""
        if not isinstance(self.evidence, Mapping):
            raise TypeError("a binary field's evidence is one list of citations: use citations")
        return self.evidence.get(member, [])


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


def _profile(result: ReviewResult) -> InsuranceProfile:
    """The profile of a result being scored: only results reviewed without error are
    scored, and those always have one."""
    if result.profile is None:
        raise ValueError(f"{result.file}: a result without a profile (status {result.status!r}) is not scored")
    return result.profile


@register_field("insurance_required", "a party must obtain, maintain or carry insurance")
def _insurance_required(result: ReviewResult) -> Prediction:
    p = _profile(result)
    return Prediction(p.insurance_required, list(p.insurance_evidence))


def _term(name: str) -> Callable[[ReviewResult], Prediction]:
    def predict(result: ReviewResult) -> Prediction:
        term = getattr(_profile(result), name)
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
    p = _profile(result)
    return Prediction(p.has_minimum_limits, [c for pol in p.policies if pol.limits for c in pol.evidence])


@register_field("vague_language", f"{VAGUE_RULE} (vague insurance language) fired")
def _vague_language(result: ReviewResult) -> Prediction:
    fired = [f for f in result.findings if f.rule == VAGUE_RULE]
    return Prediction(bool(fired), [c for f in fired for c in f.evidence])


@register_field("policy_types", "required policy types (micro-averaged over types)", kind="set", universe=POLICY_TYPES)
def _policy_types(result: ReviewResult) -> Prediction:
    ev: dict[str, list[Citation]] = {}
    for pol in _profile(result).policies:
        ev.setdefault(pol.type, []).extend(pol.evidence)
    return Prediction(frozenset(ev), ev)
