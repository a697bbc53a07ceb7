"""Playbooks: which rules run, at what severity, which policies are required and their
minimum limits.

A playbook is a YAML file validated by :class:`Playbook`. Built-in playbooks live in
``contract_review/playbooks/*.yaml`` (``general`` is the default). Every rule is enabled
at its default severity unless the playbook says otherwise::

    name: my-playbook
    description: What this playbook is for.
    extends: technology-services        # optional: start from another playbook
    rules:
      INS006: {enabled: false}          # or the rule's slug: missing-primary-noncontributory
      INS001: {severity: high}
    required_policies:
      - type: technology_eo
        satisfied_by: [professional_liability]   # optional: other types accepted instead
        min_limits:
          - {amount: 5000000, currency: USD, basis: per_claim}
    drafting:                           # optional: how suggested clauses are written
      notice_days: 30
      policies: [general_liability, workers_compensation]  # when neither contract nor playbook names one
      limits:                           # amounts for policies the playbook sets no minimum for
        professional_liability: [{amount: 2000000, basis: per_claim}]

Errors raise :class:`~contract_review.errors.PlaybookError` with a message that names the
bad key (``rules.INS099: unknown rule code``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import PlaybookError
from .schema import BASES, POLICY_TYPES, SEVERITY_ORDER, Basis, PolicyType, Severity

DEFAULT_PLAYBOOK = "general"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_of(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    if value not in allowed:
        raise ValueError(f"{value!r} is not a {what} (one of: {', '.join(allowed)})")
    return value


def _policy_types(v: Any) -> Any:
    """A list of policy types, each checked (pydantic reports a value that is no list)."""
    if isinstance(v, list):
        for t in v:
            _one_of(t, POLICY_TYPES, "policy type")
    return v


class MinLimit(_Strict):
    """A minimum monetary limit for one basis."""

    amount: float = Field(gt=0, description="Minimum amount in currency units (1000000).")
    currency: str = Field("USD", description="ISO currency code; limits in other currencies are not converted.")
    basis: Basis = Field("per_occurrence", description="What the minimum applies to.")

    @field_validator("basis", mode="before")
    @classmethod
    def _basis(cls, v: Any) -> Any:
        return _one_of(v, BASES, "basis")

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, v: Any) -> Any:
        if not isinstance(v, str) or len(v.strip()) != 3 or not v.strip().isalpha():
            raise ValueError(f"{v!r} is not a three-letter currency code (USD, GBP, EUR...)")
        return v.strip().upper()


class PolicyRequirement(_Strict):
    """A policy type the contract must require, with its minimum limits."""

    type: PolicyType
    satisfied_by: list[PolicyType] = Field(
        default_factory=list, description="Other policy types the playbook accepts in its place."
    )
    min_limits: list[MinLimit] = Field(default_factory=list)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: Any) -> Any:
        return _one_of(v, POLICY_TYPES, "policy type")

    @field_validator("satisfied_by", mode="before")
    @classmethod
    def _types(cls, v: Any) -> Any:
        return _policy_types(v)

    @property
    def accepted_types(self) -> tuple[str, ...]:
        return (self.type, *self.satisfied_by)


class RuleSetting(_Strict):
    """Per-rule settings. ``INS006: false`` is short for ``INS006: {enabled: false}``."""

    enabled: bool = True
    severity: Severity | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return {"enabled": v}
        if v is None:
            return {}
        return v

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, v: Any) -> Any:
        return v if v is None else _one_of(v, tuple(SEVERITY_ORDER), "severity")


def _limits(*pairs: tuple[float, str]) -> list[MinLimit]:
    return [MinLimit(amount=a, basis=b) for a, b in pairs]


#: The amounts written into suggested clauses for a policy the playbook sets no minimum for.
DRAFTING_LIMITS: dict[str, list[MinLimit]] = {
    "general_liability": _limits((1_000_000, "per_occurrence"), (2_000_000, "aggregate")),
    "product_liability": _limits((1_000_000, "per_occurrence"), (2_000_000, "aggregate")),
    "professional_liability": _limits((2_000_000, "per_claim")),
    "technology_eo": _limits((2_000_000, "per_claim")),
    "cyber": _limits((2_000_000, "per_claim")),
    "employers_liability": _limits((1_000_000, "each_accident")),
    "auto": _limits((1_000_000, "combined_single")),
    "umbrella_excess": _limits((5_000_000, "per_occurrence")),
    "d_and_o": _limits((1_000_000, "per_claim")),
    "clinical_trial": _limits((5_000_000, "per_occurrence")),
    "media_liability": _limits((1_000_000, "per_claim")),
    "crime_fidelity": _limits((1_000_000, "per_claim")),
}


class Drafting(_Strict):
    """How suggested clauses are written: the playbook's required minimums always win; these
    fill in what it does not require."""

    limits: dict[PolicyType, list[MinLimit]] = Field(
        default_factory=lambda: dict(DRAFTING_LIMITS),  # type: ignore[arg-type]
        description="Amounts for policies the playbook requires no minimum for (policy type -> limits).",
    )
    policies: list[PolicyType] = Field(
        default_factory=lambda: ["general_liability", "workers_compensation"],  # type: ignore[arg-type]
        description="The policies a suggested clause requires when the contract and the playbook name none.",
    )
    notice_days: int = Field(30, gt=0, le=365, description="Days of prior notice of cancellation asked for.")

    @field_validator("policies", mode="before")
    @classmethod
    def _types(cls, v: Any) -> Any:
        return _policy_types(v)

    @field_validator("limits", mode="before")
    @classmethod
    def _limit_types(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for t in v:
                _one_of(t, POLICY_TYPES, "policy type")
            return {**DRAFTING_LIMITS, **v}
        return v


_RULE_KEY = re.compile(r"^(INS\d{3}|[a-z][a-z0-9]*(-[a-z0-9]+)*)$", re.IGNORECASE)


class Playbook(_Strict):
    """What a reviewer expects of a contract's insurance terms."""

    name: str = DEFAULT_PLAYBOOK
    description: str = ""
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    inherited_rules: list[dict[str, RuleSetting]] = Field(
        default_factory=list,
        description="The rule settings of the playbooks this one extends, nearest last; its own `rules` win.",
    )
    required_policies: list[PolicyRequirement] = Field(default_factory=list)
    drafting: Drafting = Field(default_factory=Drafting, description="How suggested clauses are written.")

    @field_validator("rules", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v  # pydantic reports the type error
        out: dict[str, Any] = {}
        for key, setting in v.items():
            k = key.strip() if isinstance(key, str) else key
            if not isinstance(k, str) or not _RULE_KEY.match(k):
                raise PlaybookError(f"rules.{key}: unknown rule code")
            out[k.upper() if re.fullmatch(r"INS\d{3}", k, re.IGNORECASE) else k] = setting
        return out

    @field_validator("required_policies")
    @classmethod
    def _unique_types(cls, v: list[PolicyRequirement]) -> list[PolicyRequirement]:
        seen: set[str] = set()
        for i, req in enumerate(v):
            if req.type in seen:
                raise PlaybookError(f"required_policies[{i}].type: {req.type!r} is required twice")
            seen.add(req.type)
        return v

    def requirement_for(self, policy_type: str) -> PolicyRequirement | None:
        return next((r for r in self.required_policies if r.type == policy_type), None)


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def playbook_from_dict(
    data: Any,
    source: str = "playbook",
    default_name: str | None = None,
    base_dir: Path | None = None,
    _chain: tuple[str, ...] = (),
) -> Playbook:
    """Validate a parsed playbook; raise :class:`PlaybookError` naming each bad key.

    ``extends: NAME_OR_PATH`` starts from another playbook (a built-in name, or a YAML path
    relative to ``base_dir``): a rule setting given here replaces the base's setting for that
    rule, ``required_policies`` given here replace the base's list, and ``description``
    replaces the base's description."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlaybookError(f"{source}: the top level must be a mapping of keys (name, rules, required_policies...)")
    data = dict(data)
    extends = data.pop("extends", None)
    if default_name and "name" not in data:
        data["name"] = default_name
    try:
        own = Playbook.model_validate(data)
    except PlaybookError as e:
        raise PlaybookError(f"{source}: {e.message}") from None
    except ValidationError as e:
        problems = "; ".join(f"{_loc(err['loc'])}: {_message(err)}" for err in e.errors())
        raise PlaybookError(f"{source}: {problems}") from None
    if extends is None:
        return own
    return _extend(own, data, extends, source, base_dir, _chain)


def _extend(
    own: Playbook, data: dict, extends: Any, source: str, base_dir: Path | None, _chain: tuple[str, ...]
) -> Playbook:
    """``own`` on top of the playbook it ``extends`` (see :func:`playbook_from_dict`)."""
    if not isinstance(extends, str) or not extends.strip():
        raise PlaybookError(f"{source}: extends: must be the name of a built-in playbook or a YAML path")
    ref = extends.strip()
    if ref not in builtin_playbooks() and base_dir is not None and not Path(ref).expanduser().is_absolute():
        ref = str(base_dir / ref)
    key = _key(ref)
    if key in _chain or len(_chain) > 8:
        raise PlaybookError(f"{source}: extends: {extends!r} extends itself ({' -> '.join((*_chain, key))})")
    try:
        base = _load(ref, (*_chain, key))
    except PlaybookError as e:
        raise PlaybookError(f"{source}: extends: {e.message}") from None
    if "inherited_rules" in data:
        raise PlaybookError(f"{source}: inherited_rules: unknown key")
    merged = base.model_dump()
    merged["name"] = own.name
    merged["inherited_rules"] = [*merged["inherited_rules"], merged["rules"]]
    merged["rules"] = {key: s.model_dump() for key, s in own.rules.items()}
    for key in ("description", "required_policies", "drafting"):
        if key in data:
            merged[key] = own.model_dump()[key]
    return Playbook.model_validate(merged)


def _builtin_dir():
    return resources.files("contract_review") / "playbooks"


def builtin_playbooks() -> list[str]:
    """Names of the built-in playbooks."""
    return sorted(p.name[: -len(".yaml")] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml"))


def _parse_yaml(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise PlaybookError(f"{source}: not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None


def read_playbook(name_or_path: str | Path | None = None) -> Playbook:
    """Read a built-in playbook by name (``None`` gives ``general``) or a YAML file by path,
    validated as configuration. Its rule keys are checked against the registered rules by
    :func:`contract_review.checks.load_playbook`, which is what callers use."""
    name = str(name_or_path) if name_or_path is not None else DEFAULT_PLAYBOOK
    return _load(name, (_key(name),))


def playbook_source(name_or_path: str | Path | None) -> str:
    """How an error names a playbook: ``playbook general`` or ``playbook /path/to/file.yaml``."""
    name = str(name_or_path) if name_or_path is not None else DEFAULT_PLAYBOOK
    return f"playbook {name}" if name in builtin_playbooks() else f"playbook {Path(name).expanduser()}"


def _key(name: str) -> str:
    """What identifies a playbook in an ``extends`` chain: its built-in name or resolved path."""
    return name if name in builtin_playbooks() else str(Path(name).expanduser().resolve())


def _load(name: str, chain: tuple[str, ...]) -> Playbook:
    builtins = builtin_playbooks()
    if name in builtins:
        text = (_builtin_dir() / f"{name}.yaml").read_text(encoding="utf-8")
        return playbook_from_dict(
            _parse_yaml(text, f"playbook {name}"), f"playbook {name}", default_name=name, _chain=chain
        )
    path = Path(name).expanduser()
    if not path.is_file():
        raise PlaybookError(f"unknown playbook {name!r}: not a built-in ({', '.join(builtins)}) and no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PlaybookError(f"playbook {path}: cannot be read: {e}") from None
    return playbook_from_dict(
        _parse_yaml(text, f"playbook {path}"),
        f"playbook {path}",
        default_name=path.stem,
        base_dir=path.parent,
        _chain=chain,
    )
