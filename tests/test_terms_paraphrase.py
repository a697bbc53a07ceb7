"""The rules extractor on wording it was not written against (issue 14): waivers of
subrogation and primary/non-contributory clauses stated without their usual words, terms
negated or made conditional ("need not", "is not required to", "may, at its option",
"unless requested ... not"), and policy types named in a clause that requires nothing.

Every clause here was written for these tests, in several paraphrases of the same legal
term; none is taken from a labelled contract. Negation and condition always win: a term
that is negated is absent (and marked uncertain), whatever else the clause says.
"""

from __future__ import annotations

import pytest

from contract_review.extract.amounts import find_amounts
from contract_review.extract.rules import RulesExtractor
from contract_review.grounding import is_verbatim
from contract_review.loaders import Document
from contract_review.settings import Settings

BASE = "Vendor shall maintain commercial general liability insurance of $1,000,000 per occurrence. "


def extract(text: str):
    d = Document.from_page_texts("t.txt", "0" * 64, [BASE + text], "text")
    result = RulesExtractor(Settings()).extract(d, [])
    for c in result.profile.all_citations():
        assert is_verbatim(d, c), c
    return result


def types(text: str) -> set[str]:
    return {p.type for p in extract(text).profile.policies}


# ----------------------------------------------------------------------------- waiver of subrogation

WAIVERS = [
    # the right taken from the insurers, without the word "waive"
    "Contractor's carriers shall have no recourse against Owner for any loss they pay under these policies.",
    "Supplier's insurers shall have no right of subrogation against Purchaser under the policies required herein.",
    "Neither party nor its insurers shall have any right of subrogation against the other party.",
    "Neither party's insurance carriers shall have any rights of recovery against the other for losses so insured.",
    "The underwriters of each policy shall not be subrogated to any claim against Landlord.",
    "There shall be no right of subrogation against Customer under any policy Vendor carries.",
    "Each policy shall provide that the insurer shall not have any right of recovery against Client.",
    # the insurers waive, in other words
    "Vendor's insurers shall waive all rights of recovery against Client.",
    "Tenant shall cause its property insurers to waive any rights they may acquire against Landlord.",
    "The insurance carriers shall forgo any recovery from Owner for losses they pay under these policies.",
    "The insurer shall relinquish every right of recovery it may acquire against Owner for a loss paid under the policy.",
    # a release of what the insurers could claim
    "Vendor releases Client from any claims its insurers may have for losses under such policies.",
    "Each party releases the other from all claims for property damage to the extent covered by insurance.",
]


@pytest.mark.parametrize("text", WAIVERS)
def test_waiver_of_subrogation_in_other_words(text):
    r = extract(text)
    term = r.profile.waiver_of_subrogation
    assert term.present, text
    assert term.evidence and term.evidence[0].quote in BASE + text
    assert "waiver_of_subrogation" not in r.uncertain


NOT_WAIVERS = [
    # negated or conditional: these always win
    "Vendor need not obtain a waiver of subrogation from its insurers.",
    "Vendor is not required to procure that its insurers have no right of subrogation against Client.",
    "Vendor may, at its option, cause its insurers to have no recourse against Client.",
    "Unless requested by Client, Vendor's policies shall not include a waiver of subrogation.",
    "Nothing in this Agreement requires that Vendor's insurers have no right of subrogation against Client.",
    "Vendor has no obligation to ensure that its carriers shall have no recourse against Client.",
    "In no event shall Vendor's insurers be deemed to have waived any rights of subrogation against Client.",
    # look-alikes: a subrogation right kept or given, not waived
    "Vendor's insurers shall retain all rights of subrogation against third parties.",
    "Upon payment of any claim under the policy, the insurer shall be subrogated to all rights of Vendor.",
]


@pytest.mark.parametrize("text", NOT_WAIVERS)
def test_negated_or_kept_subrogation_is_no_waiver(text):
    assert not extract(text).profile.waiver_of_subrogation.present, text


def test_a_negated_waiver_is_marked_uncertain():
    r = extract("Vendor may, at its option, cause its insurers to have no recourse against Client.")
    assert "waiver_of_subrogation" in r.uncertain


# ----------------------------------------------------------------------------- primary and non-contributory

PRIMARY = [
    "Such insurance shall apply before any other insurance available to Client.",
    "The policies shall respond first, before any insurance maintained by Client.",
    "Client's own insurance shall be excess and shall not contribute.",
    "Any insurance carried by Client shall not be called upon to contribute to a loss covered by Vendor's policies.",
    "Vendor's policy shall be primary to and not contributing with any insurance of Client.",
    "The liability policy must be written as primary policy not contributing to or in excess of any policies of Client.",
    "Vendor's insurance shall pay without contribution from any insurance carried by Client.",
    "Vendor's coverage shall be primary insurance with respect to Client and its affiliates.",
]


@pytest.mark.parametrize("text", PRIMARY)
def test_primary_and_noncontributory_in_other_words(text):
    r = extract(text)
    term = r.profile.primary_noncontributory
    assert term.present, text
    assert term.evidence and term.evidence[0].quote in BASE + text


NOT_PRIMARY = [
    "Vendor's insurance need not be primary.",
    "Vendor is not required to make its insurance primary and non-contributory.",
    "Vendor may, at its option, endorse its policies to apply before any other insurance of Client.",
    "Vendor's insurance shall be excess over any other insurance available to Client.",
    "Nothing herein requires that Client's own insurance shall not contribute.",
    "Vendor need not provide that Client's insurance shall be excess and shall not contribute.",
]


@pytest.mark.parametrize("text", NOT_PRIMARY)
def test_negated_or_excess_cover_is_not_primary(text):
    assert not extract(text).profile.primary_noncontributory.present, text


# ----------------------------------------------------------------------------- additional insured: negation wins

NOT_ADDITIONAL_INSURED = [
    "Supplier need not have Buyer covered as an insured party.",
    "Client shall not be named as an additional insured on such policy.",
    "Vendor is not required to add Client as an additional insured.",
    "Vendor may, at its option, name Client as an additional insured.",
    "Vendor does not have to include Client as an additional insured under its policies.",
    "Vendor does not need to add Client as an additional insured.",
    "Unless requested by Client, no additional insured endorsement is required.",
    "Additional insured status for Client is not required under the policies.",
    "An additional insured endorsement in favour of Client need not be obtained.",
    "Vendor may, but need not, name Client as an additional insured.",
]


@pytest.mark.parametrize("text", NOT_ADDITIONAL_INSURED)
def test_negated_or_optional_additional_insured_is_absent(text):
    r = extract(text)
    assert not r.profile.additional_insured.present, text
    assert "additional_insured" in r.uncertain


ADDITIONAL_INSURED = [
    "Supplier shall have Buyer covered as an insured party under its liability policy.",
    "Vendor's policies shall not be cancelled without notice and shall include Client as an additional insured.",
    "Client shall be named as an additional insured, and Vendor need not provide copies of the policies.",
    "Upon request, Vendor shall name any affiliate of Client as an additional insured.",
    "To the extent Client is not covered by its own policy, Vendor shall name Client as an additional insured.",
    "Where Client's policies do not cover a loss, Vendor's policies shall include Client as an additional insured.",
    # a party made an insured of the other's cover, without the words "additional insured"
    "Owner shall be an insured party under Contractor's liability policies for claims arising from the Work.",
    "The Landlord shall also be an insured under each of the Tenant's general liability and umbrella policies.",
    "Each Indemnitee is to be included as an insured under the commercial general liability insurance.",
    "Purchaser and its affiliates shall be insured parties under such policies with respect to the Products.",
]

NOT_MADE_AN_INSURED = [
    # the goods, or the party that buys the cover, being insured under a policy is no additional insured
    "All Equipment shall be insured under a policy of all-risk property insurance for its full value.",
    "Contractor shall be insured against all liabilities under a commercial general liability policy.",
    "Owner need not be an insured under Contractor's liability policies.",
    "Owner is not required to be an insured party under Contractor's policies.",
]


@pytest.mark.parametrize("text", NOT_MADE_AN_INSURED)
def test_being_insured_under_a_policy_is_not_always_additional_insured(text):
    assert not extract(text).profile.additional_insured.present, text


@pytest.mark.parametrize("text", ADDITIONAL_INSURED)
def test_additional_insured_beside_an_unrelated_negation(text):
    assert extract(text).profile.additional_insured.present, text


# ----------------------------------------------------------------------------- policy types: named, not required


@pytest.mark.parametrize(
    "text, absent",
    [
        (
            "Vendor does not and will not maintain any workers' compensation, health or other insurance for "
            "Client's personnel, all of which shall be Client's responsibility.",
            "workers_compensation",
        ),
        ("Vendor need not maintain automobile liability insurance.", "auto"),
        ("Vendor is not required to carry cyber liability insurance.", "cyber"),
        ("Vendor is under no obligation to carry umbrella liability insurance.", "umbrella_excess"),
        ("Vendor may, at its option, carry umbrella liability insurance.", "umbrella_excess"),
        (
            "Client may from time to time require additional types of insurance, including cyber liability insurance.",
            "cyber",
        ),
        (
            "Client may periodically raise the limits under such policies and require different kinds of insurance "
            "at any time, including excess liability insurance, to reflect inflation.",
            "umbrella_excess",
        ),
        (
            "The Agent shall solicit and forward to the Company proposals for professional liability insurance "
            "contracts for which a commission is payable.",
            "professional_liability",
        ),
    ],
)
def test_type_named_where_nothing_is_required_is_no_policy(text, absent):
    got = types(text)
    assert absent not in got, text
    assert "general_liability" in got  # the required cover of BASE is still read


@pytest.mark.parametrize(
    "text, present",
    [
        ("Vendor shall also maintain umbrella liability insurance and automobile liability insurance.", "auto"),
        ("Vendor shall also maintain umbrella liability insurance.", "umbrella_excess"),
        (
            "Vendor's policies shall not have a deductible above the amount Client approves for its professional "
            "liability insurance.",
            "professional_liability",
        ),
        ("Vendor shall also maintain workers' compensation insurance as required by law.", "workers_compensation"),
        # a type the other party may require *in addition to* one it requires now: the one required stays
        ("Vendor shall maintain cyber liability insurance, and Client may require other insurance.", "cyber"),
    ],
)
def test_required_types_are_still_read(text, present):
    assert present in types(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Vendor shall also maintain the following cover:\n(a) $2,000,000 combined single limit on all owned, hired and non-owned vehicles;",
        "Vendor shall insure its owned, leased or rented vehicles with limits of $2,000,000 each accident.",
        "Vendor shall insure its non-owned autos with limits of $2,000,000 per accident.",
    ],
)
def test_cover_for_owned_and_hired_vehicles_is_auto(text):
    p = extract(text).profile
    auto = [pol for pol in p.policies if pol.type == "auto"]
    assert auto and [lim.amount for lim in auto[0].limits] == [2_000_000], text


@pytest.mark.parametrize(
    "text",
    [
        "Each Party will give the other a minimum of [***] prior written notice of cancellation of its insurance.",
        "The insurer will notify Client at least [***] prior to cancellation of the policy.",
        "Such policies will be kept in force for at least [***] after the last sale of the Product.",
        "The policies shall remain in force for not less than [***] following the end of the Term.",
        "The insurer shall notify Client at least [...***...] in advance of any material change.",
    ],
)
def test_a_redacted_period_is_no_limit(text):
    assert find_amounts(text) == [], text
    p = extract(text).profile
    assert all(not pol.limits or pol.type == "general_liability" for pol in p.policies)
    assert "other" not in {pol.type for pol in p.policies}


@pytest.mark.parametrize(
    "text",
    [
        "Umbrella liability insurance with limits of at least [***] per occurrence.",
        "limits of not less than [***] in the aggregate",
        "coverage of at least [***] for each claim",
    ],
)
def test_a_redacted_limit_is_still_a_limit(text):
    amounts = find_amounts(text)
    assert len(amounts) == 1 and amounts[0].redacted, text


def test_cover_placed_with_an_insurer_is_required():
    assert "umbrella_excess" in types(
        "Vendor shall place umbrella liability insurance with an insurer rated A- or better."
    )


@pytest.fixture(scope="module")
def with_semantic() -> RulesExtractor:
    return RulesExtractor(Settings(semantic=True))


@pytest.mark.parametrize(
    "field, text",
    [
        ("additional_insured", "Supplier need not have Buyer covered as an insured party."),
        ("additional_insured", "Vendor may, at its option, name Client as an additional insured."),
        ("waiver_of_subrogation", "Vendor is not required to procure that its insurers have no right of subrogation."),
        ("primary_noncontributory", "Vendor's insurance need not apply before any other insurance of Client."),
    ],
)
def test_the_semantic_layer_does_not_add_a_negated_term(with_semantic, field, text):
    d = Document.from_page_texts("t.txt", "0" * 64, [BASE + text], "text")
    result = with_semantic.extract(d, [])
    assert not getattr(result.profile, field).present, text
    assert field in result.uncertain


@pytest.mark.parametrize(
    "field, text",
    [
        ("additional_insured", "Vendor shall name Client as an additional insured if it so elects."),
        ("waiver_of_subrogation", "Vendor shall obtain a waiver of subrogation in favour of Client at its option."),
        (
            "primary_noncontributory",
            "Vendor's insurance shall be primary and non-contributory unless Vendor elects otherwise.",
        ),
    ],
)
def test_a_condition_later_in_the_clause_wins(field, text):
    r = extract(text)
    assert not getattr(r.profile, field).present, text
    assert field in r.uncertain


def test_the_other_partys_option_to_require_is_a_duty_on_request():
    p = extract("Client may, at its option, require Vendor to name Client as an additional insured.").profile
    assert p.additional_insured.present
