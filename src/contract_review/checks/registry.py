"""The rule registry: small functions that read an :class:`InsuranceProfile` and report.

A rule is a function decorated with :func:`rule`. It receives the profile and the
playbook and yields :class:`Hit` objects; :func:`contract_review.checks.run_checks`
turns each hit into a :class:`~contract_review.schema.Finding` with the rule's code, slug,
the severity the playbook gives it and the rule's *Use instead* clause as the suggestion.

Every rule's docstring has the same sections, which ``docs/rules.md`` is rendered from::

    One-line summary.

    What it does:
        ...
    Why it matters:
        ...
    Example:
        A realistic contract clause that triggers the rule.
    Use instead:
        A clause that passes; also the suggested fix shown with each finding.
    Known limits:
        ...
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..registry import Registry
from ..schema import SEVERITY_ORDER, Citation, Fix, InsuranceProfile, Severity

if TYPE_CHECKING:  # pragma: no cover
    from ..playbook import Playbook

SECTIONS = ("What it does", "Why it matters", "Example", "Use instead", "Known limits")
_CODE = re.compile(r"^INS\d{3}$")
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_HEADER = re.compile(rf"^({'|'.join(re.escape(s) for s in SECTIONS)}):\s*$")


@dataclass
class Hit:
    """What a rule reports. ``severity`` is set only when a hit must not take the playbook's
    severity for the rule (an information note, for example); ``suggestion`` replaces the
    rule's *Use instead* clause when the rule can write one for the contract (see
    :mod:`contract_review.checks.drafting`); ``fixes`` say where it goes in the draft."""

    message: str
    evidence: list[Citation] = field(default_factory=list)
    severity: Severity | None = None
    suggestion: str | None = None
    fixes: list[Fix] = field(default_factory=list)


RuleFunc = Callable[[InsuranceProfile, "Playbook"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: Severity
    func: RuleFunc
    summary: str
    sections: dict[str, str]
    requires_insurance: bool = True
    example_playbook: str = "general"
    roles: tuple[str, ...] = ()
    tracked_example: bool = False

    @property
    def example(self) -> str:
        return self.sections["Example"]

    @property
    def use_instead(self) -> str:
        return self.sections["Use instead"]

    def __call__(self, profile: InsuranceProfile, playbook: Playbook) -> list[Hit]:
        return list(self.func(profile, playbook) or ())


#: Rules by code. The built-in rules (:mod:`contract_review.checks.insurance`) register
#: exactly as a plugin's would (entry-point group ``contract_review.rules``).
RULES: Registry[Rule] = Registry("rule", builtins=("contract_review.checks.insurance",), group="rules")


def _unwrap(block: str) -> str:
    """Join the lines of each paragraph; keep blank lines between paragraphs."""
    paras = re.split(r"\n\s*\n", block.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paras)


def parse_docstring(doc: str | None, where: str) -> tuple[str, dict[str, str]]:
    """Split a rule docstring into its summary line and its named sections (unwrapped)."""
    if not doc:
        raise ValueError(f"{where}: rule has no docstring")
    text = inspect.cleandoc(doc)
    summary, _, rest = text.partition("\n")
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in rest.splitlines():
        m = _HEADER.match(line)
        if m:
            current = m.group(1)
            if current in sections:
                raise ValueError(f"{where}: section {current!r} appears twice")
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            summary += " " + line.strip()
    missing = [s for s in SECTIONS if not "".join(sections.get(s, [])).strip()]
    if missing:
        raise ValueError(f"{where}: docstring lacks section(s) {', '.join(missing)}")
    return summary.strip(), {k: _unwrap("\n".join(v)) for k, v in sections.items()}


def rule(
    *,
    code: str,
    slug: str,
    severity: Severity,
    requires_insurance: bool = True,
    example_playbook: str = "general",
    roles: tuple[str, ...] = (),
    tracked_example: bool = False,
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule. ``requires_insurance`` (the default) keeps the rule silent when the
    contract requires no insurance at all; ``example_playbook`` is the playbook under which
    the docstring's Example fires (the test suite and the docs use it); ``roles`` are the
    generic party names its *Use instead* clause uses, the insured party first, then the
    party it protects: a finding's suggestion puts the contract's own names in their place.
    ``tracked_example`` marks a rule about a Word draft's tracked changes, which plain text
    cannot carry: its Example is written in CriticMarkup (``{++inserted++}``,
    ``{--deleted--}``), and the test suite reviews it as a DOCX with real ``w:ins`` and
    ``w:del`` revisions (tests/test_revisions.py) instead of as plain text; its Use instead
    clause, plain text, is checked like any other."""

    def deco(fn: RuleFunc) -> RuleFunc:
        where = f"{fn.__module__}.{fn.__name__}"
        if not _CODE.match(code):
            raise ValueError(f"{where}: rule code {code!r} must look like INS001")
        if not _SLUG.match(slug):
            raise ValueError(f"{where}: rule slug {slug!r} must be lower-case-with-dashes")
        if severity not in SEVERITY_ORDER:
            raise ValueError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITY_ORDER)}")
        for other in RULES.values():
            if other.func is not fn and (other.code == code or other.slug == slug):
                raise ValueError(f"{where}: code {code} or slug {slug} is already used by {other.code} {other.slug}")
        summary, sections = parse_docstring(fn.__doc__, where)
        for role in roles:
            if not re.search(rf"\b{re.escape(role)}\b", sections["Use instead"]):
                raise ValueError(f"{where}: role {role!r} does not appear in the Use instead clause")
        RULES[code] = Rule(
            code,
            slug,
            severity,
            fn,
            summary,
            sections,
            requires_insurance,
            example_playbook,
            tuple(roles),
            tracked_example,
        )
        return fn

    return deco
