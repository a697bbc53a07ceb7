"""The checker: coded rules over an :class:`~contract_review.schema.InsuranceProfile`.

The checker reads only the profile (it does not care which extractor produced it) and the
playbook, which decides which rules run and at what severity. The playbook is plain
configuration; its rule keys (codes or slugs) and the severities they leave to the rules'
defaults are resolved here, against the registry: :func:`load_playbook` is the playbook
loader the rest of the package uses. Rules are a registry
(:func:`~contract_review.checks.registry.rule`); the built-in ones live in
:mod:`contract_review.checks.insurance` and register exactly as a plugin's would.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import PlaybookError
from ..parties import in_contract_terms
from ..playbook import Playbook, RuleSetting, playbook_source, read_playbook
from ..schema import Finding, InsuranceProfile, Severity
from . import insurance  # registers the built-in rules
from .registry import RULES, Hit, Rule, rule

__all__ = [
    "RULES",
    "Hit",
    "Rule",
    "rule",
    "run_checks",
    "get_rule",
    "all_rules",
    "load_playbook",
    "rule_settings",
    "enabled",
    "severity_for",
    "number_insertions",
]


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


def rule_settings(playbook: Playbook) -> dict[str, RuleSetting]:
    """The playbook's rule settings by rule code; raises :class:`PlaybookError` naming a key
    that is no registered rule's code or slug, or a rule given twice (by code and slug) in
    one playbook. The settings of a playbook it extends apply first; its own replace them."""
    out: dict[str, RuleSetting] = {}
    for layer in (*playbook.inherited_rules, playbook.rules):
        own: dict[str, RuleSetting] = {}
        for key, setting in layer.items():
            try:
                code = get_rule(key).code
            except KeyError:
                raise PlaybookError(f"rules.{key}: unknown rule code") from None
            if code in own:
                raise PlaybookError(f"rules.{key}: {code} is given twice")
            own[code] = setting
        out.update(own)
    return out


def enabled(playbook: Playbook, code: str) -> bool:
    """Whether ``playbook`` runs rule ``code``."""
    setting = rule_settings(playbook).get(code)
    return setting.enabled if setting else True


def severity_for(playbook: Playbook, code: str) -> Severity:
    """The severity ``playbook`` gives rule ``code``: its own, else the rule's default."""
    setting = rule_settings(playbook).get(code)
    return (setting.severity if setting else None) or RULES[code].severity


def load_playbook(name_or_path: str | Path | None = None) -> Playbook:
    """Load a built-in playbook by name (``None`` gives ``general``) or a YAML file by path,
    and check its rule keys against the registered rules; a bad key is a
    :class:`PlaybookError` that names the file and the key."""
    pb = read_playbook(name_or_path)
    try:
        rule_settings(pb)
    except PlaybookError as e:
        raise PlaybookError(f"{playbook_source(name_or_path)}: {e.message}") from None
    return pb


def run_checks(profile: InsuranceProfile, playbook: Playbook | None = None) -> list[Finding]:
    """Run every rule the playbook enables; return the findings in rule order.

    Rules other than those registered with ``requires_insurance=False`` (INS000) are silent
    when the contract requires no insurance at all."""
    playbook = playbook or load_playbook(None)
    settings = rule_settings(playbook)
    findings: list[Finding] = []
    obligated = insurance.parties(profile)
    for r in all_rules():
        setting = settings.get(r.code) or RuleSetting()
        if not setting.enabled:
            continue
        if r.requires_insurance and not profile.insurance_required:
            continue
        severity = setting.severity or r.severity
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
                    fixes=list(hit.fixes),
                )
            )
    number_insertions(findings, profile)
    return findings


def number_insertions(findings: list[Finding], profile: InsuranceProfile) -> None:
    """Number the new sub-clauses that the findings' fixes insert, in rule order, after the
    insurance section's last one ("10.10", "10.11"...), and write each suggestion as the
    numbered sub-clause it becomes. An insertion whose words a replacement already puts in
    the draft (a vague obligation rewritten with the policies and amounts it would add) is
    dropped."""
    replacing = [(finding.rule, f) for finding in findings for f in finding.fixes if f.action == "replace"]
    for finding in findings:
        kept = []
        for f in finding.fixes:
            by = next(
                (
                    rule
                    for rule, r in replacing
                    if f.action == "insert"
                    and (f.text == r.text or (f.policies and set(f.policies) <= set(r.policies)))
                ),
                None,
            )
            if by is None:
                kept.append(f)
            else:
                finding.covered_by = by
        finding.fixes = kept
    inserts = [f for finding in findings for f in finding.fixes if f.action == "insert" and f.level == "subclause"]
    sec = profile.insurance_section
    labels = sec.next_labels(len(inserts)) if sec else [None] * len(inserts)
    for fix, label in zip(inserts, labels, strict=True):
        fix.label = label
    for finding in findings:
        ins = [f for f in finding.fixes if f.action == "insert"]
        if len(ins) == 1 and finding.suggestion == ins[0].text:
            finding.suggestion = " ".join(
                x for x in (ins[0].label, f"{ins[0].caption}." if ins[0].caption else "", ins[0].text) if x
            )
