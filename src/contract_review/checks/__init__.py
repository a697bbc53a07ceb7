"""The checker: coded rules over an InsuranceProfile. STUB: being written."""

from __future__ import annotations

from ..schema import Finding, InsuranceProfile


def run_checks(profile: InsuranceProfile, playbook) -> list[Finding]:
    return []
