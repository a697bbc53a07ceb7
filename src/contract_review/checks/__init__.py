"""The checker: coded rules over an :class:`~contract_review.schema.InsuranceProfile`.

The checker reads only the profile (it does not care which extractor produced it) and the
playbook, which decides which rules run and at what severity. Rules are a registry
(:func:`~contract_review.checks.registry.rule`); the built-in ones live in
:mod:`contract_review.checks.insurance` and register exactly as a plugin's would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..parties import in_contract_terms
from ..schema import Finding, InsuranceProfile
from . import insurance  # registers the built-in rules
from .registry import RULES, Hit, Rule, rule

if TYPE_CHECKING:  # pragma: no cover
    from ..playbook import Playbook

__all__ = ["RULES", "Hit", "Rule", "rule", "run_checks", "get_rule", "all_rules"]


def all_rules() -> list[Rule]:
    """Every registered rule, in code order."""
    return [RULES[c] for c in sorted(RULES)]


def get_rule(code_or_slug: str) -> Rule:
    key = code_or_slug.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    for r in RULES.values():
        if r.slug == key:
            return r
    raise KeyError(code_or_slug)


def run_checks(profile: InsuranceProfile, playbook: Playbook | None = None) -> list[Finding]:
    """Run every rule the playbook enables; return the findings in rule order.

    Rules other than those registered with ``requires_insurance=False`` (INS000) are silent
    when the contract requires no insurance at all."""
    if playbook is None:
        from ..playbook import load_playbook

        playbook = load_playbook(None)
    findings: list[Finding] = []
    obligated = insurance.parties(profile)
    for r in all_rules():
        if not playbook.enabled(r.code):
            continue
        if r.requires_insurance and not profile.insurance_required:
            continue
        severity = playbook.severity_for(r.code)
        for hit in r(profile, playbook):
            findings.append(
                Finding(
                    rule=r.code,
                    slug=r.slug,
                    severity=hit.severity or severity,
                    message=hit.message,
                    evidence=list(hit.evidence),
                    suggestion=hit.suggestion
                    if hit.suggestion is not None
                    else in_contract_terms(r.use_instead, r.roles, obligated, profile.contract_parties),
                )
            )
    return findings
