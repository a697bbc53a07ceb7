"""The one money parser (extract.amounts), used by the rules and the LLM extractors."""

from __future__ import annotations

import pytest

from contract_review.extract.amounts import document_dollar, figures_in, find_amounts, parse_amount


@pytest.mark.parametrize(
    "text,expected",
    [
        ("$5 million per occurrence", (5_000_000.0, "USD", False)),
        ("US$[***] in the aggregate", (None, "USD", True)),
        ("EUR 1.000.000,00 per claim", (1_000_000.0, "EUR", False)),
        ("£2,000,000 each and every claim", (2_000_000.0, "GBP", False)),
        ("Five Million Dollars ($5,000,000)", (5_000_000.0, "USD", False)),
        ("thirty (30) days' notice", None),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


def test_find_amounts_spans_cover_the_words_and_the_figures_after_them():
    text = "not less than Two Million Dollars ($2,000,000) per occurrence"
    (a,) = find_amounts(text)
    assert (a.value, a.currency) == (2_000_000.0, "USD")
    assert text[a.start : a.end] == "Two Million Dollars ($2,000,000)"


def test_a_bare_dollar_follows_the_document_currency():
    assert document_dollar("All amounts are in Canadian dollars. Limits: $5,000,000.") == "CAD"
    assert document_dollar("Limits: $5,000,000.") == "USD"


@pytest.mark.parametrize(
    "text,value",
    [
        ("limits of 1,000,000 per occurrence", 1_000_000),  # no currency at all
        ("$5M aggregate", 5_000_000),
        ("1.5 mm each claim", 1_500_000),
        ("250k", 250_000),
        ("two million", 2_000_000),
        ("two hundred and fifty thousand dollars", 250_000),
        ("USD 2 mio", 2_000_000),
    ],
)
def test_figures_in_reads_amounts_with_or_without_a_currency(text, value):
    assert value in figures_in(text)


def test_figures_in_never_raises_on_odd_digits():
    assert figures_in("1.000.0005") == set()
    assert figures_in("$[***]") == set()
