"""The COI rule registry. A COI rule reads the contract's :class:`~.requirements.Requirements`
and one :class:`~.model.Certificate` (not a profile and a playbook, as the INS rules do),
so it has its own small registry, built on the same :class:`~contract_review.registry.Registry`
and with the same docstring sections (:func:`contract_review.checks.registry.parse_docstring`),
which ``docs/rules.md`` is rendered from. Plugins register through the entry-point group
``contract_review.coi_rules``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..checks.registry import parse_docstring
from ..registry import Registry
from ..schema import SEVERITY_ORDER, Citation, Severity
from .model import Certificate, Entry
from .requirements import Requirements

_CODE = re.compile(r"^COI\d{3}$")
_SLUG = re.compile(r"^coi(-[a-z0-9]+)+$")


@dataclass
class Context:
    """What a COI rule reads."""

    requirements: Requirements
    certificate: Certificate
    as_of: dt.date


@dataclass
class CoiHit:
    message: str
    contract: list[Citation] = field(default_factory=list)
    certificate: list[Entry] = field(default_factory=list)
    policy: str | None = None
    severity: Severity | None = None
    uncertain: bool = False
    suggestion: str | None = None


CoiRuleFunc = Callable[[Context], Iterable[CoiHit]]


@dataclass(frozen=True)
class CoiRule:
    code: str
    slug: str
    severity: Severity
    func: CoiRuleFunc
    summary: str
    sections: dict[str, str]

    @property
    def use_instead(self) -> str:
        return self.sections["Use instead"]

    def __call__(self, ctx: Context) -> list[CoiHit]:
        return list(self.func(ctx) or ())


COI_RULES: Registry[CoiRule] = Registry("COI rule", builtins=("contract_review.coi.rules",), group="coi_rules")


def coi_rule(*, code: str, slug: str, severity: Severity) -> Callable[[CoiRuleFunc], CoiRuleFunc]:
    """Register a COI rule (code ``COI0nn``, slug ``coi-...``, the five docstring sections)."""

    def deco(fn: CoiRuleFunc) -> CoiRuleFunc:
        where = f"{fn.__module__}.{fn.__name__}"
        if not _CODE.match(code) or not _SLUG.match(slug):
            raise ValueError(f"{where}: COI rule code {code!r} / slug {slug!r} must look like COI001 / coi-...")
        if severity not in SEVERITY_ORDER:
            raise ValueError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITY_ORDER)}")
        for other in COI_RULES._items.values():
            if other.func is not fn and (other.code == code or other.slug == slug):
                raise ValueError(f"{where}: code {code} or slug {slug} is already used")
        summary, sections = parse_docstring(fn.__doc__, where)
        COI_RULES[code] = CoiRule(code, slug, severity, fn, summary, sections)
        return fn

    return deco


def all_coi_rules() -> list[CoiRule]:
    return [COI_RULES[c] for c in sorted(COI_RULES)]
