"""docs/rules.md is generated from the registry; fail when the committed file is stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from contract_review.checks import all_rules
from contract_review.docs import render

RULES_MD = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_committed_rules_md_is_fresh():
    assert RULES_MD.read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run `python -m contract_review.docs > docs/rules.md` (make docs) and commit it"
    )


def test_rules_md_documents_every_rule_and_section():
    text = render()
    for r in all_rules():
        assert f"## {r.code} {r.slug}" in text
        assert f"| [{r.code}](#{r.code.lower()}-{r.slug}) | `{r.slug}` | {r.severity} |" in text
        part = text.split(f"## {r.code} {r.slug}", 1)[1].split("\n## ", 1)[0]
        for name in ("What it does", "Why it matters", "Example", "Use instead", "Known limits"):
            assert f"### {name}" in part
        assert "> " + r.example.split("\n\n")[0] in part
    assert "### technology-services" in text and "USD 5,000,000 per claim" in text


def test_module_entry_point_prints_the_render():
    out = subprocess.run([sys.executable, "-m", "contract_review.docs"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == render()
