"""The lazy patterns of :mod:`contract_review.extract.lazyre` match what their source
matches: :func:`boundary_first` only moves a leading ``\\b`` in front of an alternation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import contract_review.extract.rules.contract_term  # noqa: F401 - its lazy patterns too
from contract_review.extract import lazyre
from contract_review.extract import lexicon as lx  # noqa: F401 - the lexicon's lazy patterns
from contract_review.extract.lazyre import LazyPattern, boundary_first, top_level_branches

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "pattern, branches",
    [
        ("a|b", ["a", "b"]),
        ("abc", ["abc"]),
        ("(a|b)|c", ["(a|b)", "c"]),
        ("(?:x|(?:y|z))", ["(?:x|(?:y|z))"]),
        ("[|]|x", ["[|]", "x"]),
        ("[]|]|y", ["[]|]", "y"]),
        ("[^]|(]z|w", ["[^]|(]z", "w"]),
        (r"\||q", [r"\|", "q"]),
        (r"\(|\)|[\]|]", [r"\(", r"\)", r"[\]|]"]),
        ("", [""]),
    ],
)
def test_top_level_branches(pattern, branches):
    assert top_level_branches(pattern) == branches
    assert "|".join(top_level_branches(pattern)) == pattern


@pytest.mark.parametrize(
    "pattern, moved",
    [
        (r"\ba|\bb", r"\b(?:a|b)"),
        (r"\bFDIC\b|\bdeposit\s+insurance", r"\b(?:FDIC\b|deposit\s+insurance)"),
        (r"(?-i:\bInsurance\s+Co)|\bpolicy", r"\b(?:(?-i:Insurance\s+Co)|policy)"),
        (r"\ba|b", r"\ba|b"),  # a branch without the boundary: left as it is
        (r"\b(?:a|b)", r"\b(?:a|b)"),  # one branch
        (r"\\ba|\bb", r"\\ba|\bb"),  # an escaped backslash, then "ba"
        (r"(\ba)|\bb", r"(\ba)|\bb"),  # the boundary inside a capturing group
    ],
)
def test_boundary_first(pattern, moved):
    assert boundary_first(pattern) == moved


def test_a_lazy_pattern_compiles_the_moved_form():
    p = LazyPattern(r"\bcat|\bdog", re.I)
    assert p.pattern == r"\bcat|\bdog"
    assert p.compiled.pattern == r"\b(?:cat|dog)"
    assert [m.group(0) for m in p.finditer("Dog, concatenate, CAT")] == ["Dog", "CAT"]


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sample_contracts" / "src").glob("*.txt"))]
    assert len(texts) >= 10
    return texts


def test_every_moved_pattern_matches_as_written():
    """Over the sample contracts, each lazy pattern whose boundary moved finds the same
    matches, with the same groups, as its source compiled as written."""
    texts = _texts()
    moved = [p for p in lazyre._MADE if boundary_first(p.pattern) != p.pattern]
    assert len(moved) > 30
    matched = 0
    for p in moved:
        written = re.compile(p.pattern, p._flags)
        assert p.compiled.groups == written.groups and p.compiled.groupindex == written.groupindex
        for text in texts:
            got = [(m.span(), m.groups()) for m in p.finditer(text)]
            assert got == [(m.span(), m.groups()) for m in written.finditer(text)], p.pattern[:60]
            matched += len(got)
    assert matched > 500
