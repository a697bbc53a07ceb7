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


def test_first_char_groups_groups_in_order():
    assert lazyre.first_char_groups(["USD", r"US\$", "CAD", r"\$", "C"]) == r"(?=[UC\$])(?:U(?:SD|S\$)|C(?:AD|)|\$)"
    assert lazyre.first_char_groups(["-x", "y"]) == r"(?=[\-y])(?:-x|y)"  # not a range in the class


@pytest.mark.parametrize(
    "alternatives",
    [
        ["a|b"],
        ["(a)"],
        [r"\d+"],
        ["ab", "Ac"],
        [""],
        ["[ab]"],
        ["x?y"],
        ["ab", "a*c"],
        ["s1", "\u017fb"],
        ["k", "\u212a"],
    ],
)
def test_first_char_groups_refuses_what_it_cannot_group(alternatives):
    with pytest.raises(ValueError):
        lazyre.first_char_groups(alternatives)


def test_first_char_groups_prefers_as_the_flat_alternation():
    """ "four" before "fourteen": the same choice, and the same backtracking, as written flat."""
    words = ["four", "fourteen", "five", "forty"]
    grouped = re.compile(rf"\b(?:{lazyre.first_char_groups(words)})(?:\s+\w+)?\b", re.I)
    flat = re.compile(rf"\b(?:{'|'.join(words)})(?:\s+\w+)?\b", re.I)
    text = "Fourteen days, forty-five, four hundred, fourteenth FIVE"
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)] != []


def _flat(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with the money vocabulary written as the flat alternations it groups."""
    src = pattern.pattern.replace(lx._CUR_PREFIX, "(?:" + "|".join(lx._CUR_PREFIXES) + ")")
    src = src.replace(lx._WORD_NUM, "|".join(lx._WORD_NUMS))
    assert src != pattern.pattern
    return re.compile(src, pattern.flags)


MONEY = ["AMOUNT", "PAREN_FIGURES", "PAREN_CURRENCY", "WORDS_PAREN_CURRENCY"]


def test_the_money_patterns_match_as_their_flat_alternations():
    texts = _texts() + [
        "US$ 5,000,000; U.S. $1,000,000; CDN$250,000; C$ 10; A$5m; Rs. 10,00,000; EURO 2 million; euro 5",
        "five million dollars ($5,000,000); one hundred and fifty thousand US dollars; [***] dollars; xUSD 7",
    ]
    for name in MONEY:
        p = getattr(lx, name)
        p = p.compiled if isinstance(p, LazyPattern) else p
        flat = _flat(p)
        for text in texts:
            assert [(m.span(), m.groups()) for m in p.finditer(text)] == [
                (m.span(), m.groups()) for m in flat.finditer(text)
            ], name


def test_the_money_patterns_match_as_their_flat_alternations_on_cuad(cuad_dir):
    """Every fourth CUAD text (eval/rules_snapshot.py reads them all)."""
    pairs = []
    for name in MONEY:
        p = getattr(lx, name)
        p = p.compiled if isinstance(p, LazyPattern) else p
        pairs.append((p, _flat(p)))
    matched = 0
    for path in sorted((cuad_dir / "txt").glob("*.txt"))[::4]:
        text = path.read_text(encoding="utf-8", errors="replace")
        for p, flat in pairs:
            got = [(m.span(), m.groups()) for m in p.finditer(text)]
            assert got == [(m.span(), m.groups()) for m in flat.finditer(text)], (path.name, p.pattern[:40])
            matched += len(got)
    assert matched > 1000
