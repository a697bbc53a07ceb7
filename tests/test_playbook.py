"""Playbooks: built-ins, YAML files, validation errors that name the bad key, overrides."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contract_review.checks import RULES, enabled, load_playbook, severity_for
from contract_review.errors import PlaybookError
from contract_review.playbook import Playbook, builtin_playbooks, playbook_from_dict


def test_builtins_and_default():
    assert builtin_playbooks() == ["general", "technology-services"]
    assert load_playbook(None).name == "general"
    assert load_playbook("general") == load_playbook(None)


def test_general_requires_no_policy_and_keeps_default_severities():
    pb = load_playbook("general")
    assert pb.required_policies == []
    for code, r in RULES.items():
        assert enabled(pb, code) and severity_for(pb, code) == r.severity


def test_technology_services_minimums():
    pb = load_playbook("technology-services")
    req = {r.type: [(m.amount, m.currency, m.basis) for m in r.min_limits] for r in pb.required_policies}
    assert req == {
        "technology_eo": [(5_000_000, "USD", "per_claim")],
        "cyber": [(5_000_000, "USD", "per_claim")],
        "general_liability": [(1_000_000, "USD", "per_occurrence"), (2_000_000, "USD", "aggregate")],
    }
    assert pb.requirement_for("technology_eo").accepted_types == ("technology_eo", "professional_liability")
    assert all(severity_for(pb, c) == "high" for c in ("INS000", "INS001", "INS002", "INS005", "INS008", "INS009"))
    # "severities higher": no rule is less severe than under general
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    general = load_playbook("general")
    assert all(order[severity_for(pb, c)] <= order[severity_for(general, c)] for c in RULES)


def test_yaml_file_by_path(tmp_path):
    f = tmp_path / "construction.yaml"
    f.write_text(
        "description: Site work\n"
        "rules:\n"
        "  INS006: {enabled: false}\n"
        "  missing-waiver-of-subrogation: {severity: high}\n"
        "  INS007: false\n"
        "required_policies:\n"
        "  - type: auto\n"
        "    min_limits: [{amount: 1000000, basis: combined_single}]\n",
        encoding="utf-8",
    )
    pb = load_playbook(str(f))
    assert pb.name == "construction"  # the file stem when the YAML names none
    assert not enabled(pb, "INS006") and not enabled(pb, "INS007") and enabled(pb, "INS001")
    assert severity_for(pb, "INS002") == "high"
    assert severity_for(pb, "INS001") == RULES["INS001"].severity
    assert pb.required_policies[0].min_limits[0].currency == "USD"
    named = tmp_path / "x.yaml"
    named.write_text("name: my-playbook\n", encoding="utf-8")
    assert load_playbook(named).name == "my-playbook"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_playbook(empty) == Playbook(name="empty")


BAD = [
    ("rules:\n  INS099: {enabled: false}\n", "rules.INS099: unknown rule code"),
    ("rules:\n  missing-everything: {enabled: false}\n", "rules.missing-everything: unknown rule code"),
    ("rules:\n  INS001: {severity: urgent}\n", "rules.INS001.severity: 'urgent' is not a severity"),
    ("rules:\n  INS001: {enable: false}\n", "rules.INS001.enable: unknown key"),
    ("rules:\n  INS001: {enabled: maybe}\n", "rules.INS001.enabled:"),
    ("rules:\n  INS001: false\n  missing-additional-insured: true\n", "INS001 is given twice"),
    ("rules: [INS001]\n", "rules: Input should be a valid dictionary"),
    ("required_policies:\n  - type: cgl\n", "required_policies[0].type: 'cgl' is not a policy type"),
    ("required_policies:\n  - min_limits: []\n", "required_policies[0].type: required key is missing"),
    (
        "required_policies:\n  - type: cyber\n    satisfied_by: [eo]\n",
        "required_policies[0].satisfied_by: 'eo' is not a policy type",
    ),
    ("required_policies:\n  - type: cyber\n  - type: cyber\n", "required_policies[1].type: 'cyber' is required twice"),
    (
        "required_policies:\n  - type: cyber\n    min_limits: [{amount: 1000000, basis: per_year}]\n",
        "required_policies[0].min_limits[0].basis: 'per_year' is not a basis",
    ),
    (
        "required_policies:\n  - type: cyber\n    min_limits: [{amount: -5}]\n",
        "required_policies[0].min_limits[0].amount: Input should be greater than 0",
    ),
    (
        "required_policies:\n  - type: cyber\n    min_limits: [{amount: 5, currency: dollars}]\n",
        "required_policies[0].min_limits[0].currency: 'dollars' is not a three-letter currency code",
    ),
    (
        "required_policies:\n  - type: cyber\n    min_limit: [{amount: 5}]\n",
        "required_policies[0].min_limit: unknown key",
    ),
    ("colour: blue\n", "colour: unknown key"),
    ("- general\n", "the top level must be a mapping"),
    ("rules: {INS001: [unclosed\n", "not valid YAML (line"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m for _, m in BAD])
def test_invalid_playbook_names_the_bad_key(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_playbook(str(f))
    assert message in exc.value.message
    assert str(f) in exc.value.message  # which file


def test_every_problem_is_reported_at_once():
    with pytest.raises(PlaybookError) as exc:
        playbook_from_dict({"colour": 1, "required_policies": [{"type": "cgl"}]}, "playbook x")
    assert "colour: unknown key" in exc.value.message
    assert "required_policies[0].type" in exc.value.message


def test_unknown_name_is_neither_builtin_nor_file():
    with pytest.raises(PlaybookError, match=r"unknown playbook 'tech'.*general, technology-services"):
        load_playbook("tech")


def test_reviewer_refuses_a_bad_playbook(tmp_path):
    from contract_review.pipeline import Reviewer

    f = tmp_path / "bad.yaml"
    f.write_text("rules:\n  INS099: {severity: high}\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="rules.INS099"):
        Reviewer(playbook=str(f))


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "contract_review.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_rules_lists_codes_slugs_and_playbook_severities(tmp_path):
    out = _cli("rules", "--playbook", "technology-services")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "playbook technology-services"
    ins = [line for line in lines if line.startswith("INS")]
    assert len(ins) == len(RULES) and lines[1 : 1 + len(RULES)] == ins  # then the COI rules (contract-review coi)
    row = next(line for line in lines if line.startswith("INS006"))
    assert row.split()[:3] == ["INS006", "missing-primary-noncontributory", "medium"]

    f = tmp_path / "p.yaml"
    f.write_text("rules: {INS006: {enabled: false}, INS099: {}}\n", encoding="utf-8")
    bad = _cli("rules", "--playbook", str(f))
    assert bad.returncode == 1
    assert "(bad_playbook)" in bad.stderr and "rules.INS099" in bad.stderr
    f.write_text("rules: {INS006: {enabled: false}}\n", encoding="utf-8")
    ok = _cli("rules", "-p", str(f))
    assert next(line for line in ok.stdout.splitlines() if line.startswith("INS006")).split()[2] == "off"


def test_extends_starts_from_another_playbook(tmp_path):
    f = tmp_path / "strict.yaml"
    f.write_text(
        "extends: technology-services\nrules:\n  INS006: {severity: high}\n  INS007: {enabled: false}\n",
        encoding="utf-8",
    )
    base, pb = load_playbook("technology-services"), load_playbook(str(f))
    assert pb.name == "strict"
    assert pb.required_policies == base.required_policies and pb.description == base.description
    assert severity_for(pb, "INS006") == "high" and not enabled(pb, "INS007")
    assert severity_for(pb, "INS001") == "high"  # inherited
    child = tmp_path / "child.yaml"  # a relative path resolves beside the extending file
    child.write_text("extends: strict.yaml\nrequired_policies: []\ndescription: no policy types\n", encoding="utf-8")
    c = load_playbook(str(child))
    assert c.required_policies == [] and c.description == "no policy types" and not enabled(c, "INS007")


def test_extends_errors_name_the_key(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n", encoding="utf-8")
    b.write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="extends: 'b.yaml' extends itself|extends: 'a.yaml' extends itself"):
        load_playbook(str(a))
    a.write_text("extends: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"a.yaml: extends: unknown playbook"):
        load_playbook(str(a))
    a.write_text("extends: [general]\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="extends: must be the name"):
        load_playbook(str(a))
    b.write_text("extends: general\nrules: {INS099: {}}\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="rules.INS099: unknown rule code"):
        load_playbook(str(b))


def test_only_a_code_is_upper_cased_a_slug_that_starts_with_ins_is_kept():
    pb = playbook_from_dict({"rules": {"ins001": False, "insurance-anything": True}})
    assert list(pb.rules) == ["INS001", "insurance-anything"]
