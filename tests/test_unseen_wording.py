"""The rules extractor on wording it was not written against (issue 14): prior notice of
cancellation, evidence of cover and vague standards said in other words, and the negations
and options that must win over them.

Every sentence here was written for this file as a general statement of the term (or of its
negation), in varied phrasings; none is taken from the dev set, the fresh set or the sample
contracts.
"""

from __future__ import annotations

import pytest

from contract_review.extract.rules import RulesExtractor
from contract_review.grounding import is_verbatim
from contract_review.loaders import Document
from contract_review.settings import Settings

BASE = "Vendor shall maintain commercial general liability insurance of $1,000,000 per occurrence. "


def doc(*pages: str) -> Document:
    return Document.from_page_texts("t.txt", "0" * 64, list(pages), "text")


def extract(*pages: str, semantic: bool = False):
    d = doc(*pages)
    result = RulesExtractor(Settings(semantic=semantic)).extract(d, [])
    for c in result.profile.all_citations():  # every citation is the document's own text
        assert is_verbatim(d, c), c
        assert len(c.quote) <= 400
    return result


# ----------------------------------------------------------------------------- notice of cancellation

NOTICE_GIVEN = [
    "The coverage may not lapse or be terminated on less than thirty days' advance written warning to Owner.",
    "The insurer shall not cancel, non-renew or materially reduce the coverage without giving Client "
    "twenty (20) days' written notice.",
    "Such policies may not be modified except upon fifteen days' notice to Lessor.",
    "The required insurance shall not be subject to cancellation or non-renewal unless the carrier first "
    "delivers written notice to Client.",
    "Vendor shall give written notice of any cancellation or material change of its policies at least "
    "thirty (30) days before the change takes effect.",
    "Vendor shall deliver notice to Client of the proposed non-renewal of such insurance no less than "
    "sixty (60) days in advance.",
    "Vendor's carrier shall notify Client in writing at least [***] prior to any cancellation of the coverage.",
    "Vendor will notify Client before the effective date of any cancellation or lapse of its insurance.",
    "Each Party will give the other a minimum of ten (10) days' prior written notice if it cannot obtain the "
    "insurance required hereunder or if its coverage is cancelled or materially changed.",
    "The policies cannot be terminated without thirty (30) days' prior written notice to Owner.",
    "No policy required hereunder shall be cancelled or reduced in coverage until thirty days after written "
    "notice to Client.",
    "No cancellation, non-renewal or material reduction of the insurance shall take effect without ten (10) "
    "days' written notice to Lessor.",
]


@pytest.mark.parametrize("text", NOTICE_GIVEN)
def test_prior_notice_of_cancellation_in_other_words(text):
    e = extract(BASE + text)
    term = e.profile.cancellation_notice
    assert term.present, text
    assert term.evidence and term.evidence[0].quote in doc(BASE + text).text


NOTICE_NOT_GIVEN = [
    # negated or excused
    "Vendor need not notify Client before any cancellation of its insurance.",
    "Vendor is not required to give Client prior written notice of cancellation of any policy.",
    "Vendor shall not be required to notify Client prior to cancellation of its insurance.",
    "Unless requested by Client, Vendor need not notify Client before any cancellation of its policies.",
    # a condition or option later in the clause
    "Vendor's insurer will give Client thirty days' prior notice of cancellation if it so elects.",
    "The carrier will send Client ten days' prior written notice of any non-renewal, at its sole discretion.",
    # a mere option
    "The insurer may, at its option, give Client thirty (30) days' prior notice of cancellation of the policy.",
    "Vendor may, but need not, give Client prior notice of any non-renewal of its insurance.",
    # a report after the fact
    "Vendor shall notify Client within five (5) days after any cancellation of its insurance.",
    "Vendor shall promptly notify Client after learning of any lapse of its insurance.",
    # the notice is of something else
    "If Vendor fails to maintain the insurance, Client may terminate this Agreement on thirty (30) days' prior "
    "written notice.",
    "Client may terminate this Agreement without notice if Vendor's insurance is not maintained.",
    "No termination of this Agreement shall take effect without thirty days' notice to the other party, "
    "and Vendor shall keep its insurance in force until then.",
    "Vendor shall keep its insurance in force. No modification of this Agreement shall bind a party without "
    "written notice to it.",
]


# What must not fire is checked with the semantic layer on too (it is opt-in): the layer only
# adds, and must add none of these.
@pytest.mark.parametrize("semantic", [False, True], ids=["rules", "semantic"])
@pytest.mark.parametrize("text", NOTICE_NOT_GIVEN)
def test_negated_optional_or_after_the_fact_notice_is_not_a_cancellation_notice(text, semantic):
    assert not extract(BASE + text, semantic=semantic).profile.cancellation_notice.present, text


def test_a_negated_notice_is_marked_uncertain_not_present():
    e = extract(BASE + "Vendor is not required to give Client prior written notice of cancellation of any policy.")
    assert not e.profile.cancellation_notice.present
    assert "cancellation_notice" in e.uncertain


def test_a_sentence_cut_by_a_page_break_is_read_whole():
    # page 1 ends mid-sentence (with a running footer), page 2 goes on in lower case
    p1 = BASE + "Each policy shall provide that it cannot be cancelled without thirty (30) days prior\n12\nVendor MSA"
    p2 = "written notice to Client, and Vendor shall keep the policies in force throughout the Term."
    e = extract(p1, p2)
    term = e.profile.cancellation_notice
    assert term.present
    quote = term.evidence[0].quote
    assert "cannot be cancelled" in quote and "written notice to Client" in quote


def test_a_page_that_ends_a_sentence_is_not_joined_to_the_next():
    p1 = BASE + "Each policy shall be issued by an insurer licensed in the State."
    p2 = "prior written notice of cancellation is a matter for the parties' separate agreement."
    e = extract(p1, p2)
    assert all("licensed in the State" not in c.quote for c in e.profile.cancellation_notice.evidence)


# ----------------------------------------------------------------------------- evidence of cover

EVIDENCE_REQUIRED = [
    "Each Party shall furnish reasonable written proof of the existence of such insurance to the other upon request.",
    "On request, Vendor shall give Client evidence of the maintenance of the policies required by this Section.",
    "Vendor shall upon request submit proof to the reasonable satisfaction of Client that it is insured as "
    "required by this Agreement.",
    "Vendor shall provide written confirmation from its broker that the coverage remains in full force.",
    "Vendor shall name Client as an additional insured and shall provide evidence of such endorsement to Client.",
    "Vendor shall deliver evidence reasonably satisfactory to Client of the insurance required hereunder.",
    "Upon request, Vendor shall furnish copies of the additional insured endorsements.",
    "Vendor shall deliver certificates issued by its insurance broker confirming each coverage.",
    "Vendor shall make its insurance policies available for inspection by Client at reasonable times.",
    "Client may, at its option, request certificates of insurance from Vendor.",
    "Vendor shall, on request, supply Client with the declarations pages of its policies.",
    "Vendor shall submit to Client a certificate of its insurer showing the coverage required by this Section.",
    "Vendor shall deliver to Client a memorandum of insurance for each policy.",
]


@pytest.mark.parametrize("text", EVIDENCE_REQUIRED)
def test_evidence_of_cover_in_other_words(text):
    e = extract(BASE + text)
    term = e.profile.certificate_of_insurance
    assert term.present, text
    assert term.evidence and term.evidence[0].quote in doc(BASE + text).text


EVIDENCE_NOT_REQUIRED = [
    "Vendor need not provide proof of the existence of such insurance.",
    "Vendor is not required to deliver evidence reasonably satisfactory to Client of the insurance.",
    # "unless requested" after "need not": the negation wins; the term is left uncertain
    "Vendor need not furnish certificates of insurance unless requested by Client.",
    "Vendor may, at its option, provide Client with copies of its insurance policies.",
    "Vendor may, but shall not be obliged to, furnish evidence that it is insured.",
    "Vendor shall keep proof of its compliance with applicable laws.",
    "Vendor will deliver copies of its insurance policies to Client if it so chooses.",
]


@pytest.mark.parametrize("semantic", [False, True], ids=["rules", "semantic"])
@pytest.mark.parametrize("text", EVIDENCE_NOT_REQUIRED)
def test_negated_or_optional_evidence_is_not_a_certificate_duty(text, semantic):
    e = extract(BASE + text, semantic=semantic)
    assert not e.profile.certificate_of_insurance.present, text


# ----------------------------------------------------------------------------- vague standards

VAGUE = [
    # a cover duty without the word "insurance", in the sentence after the obligation
    BASE + "Vendor shall keep such other coverage as a prudent firm in its line of business would carry.",
    # a representation measured by a qualitative standard
    "The Supplier maintains insurance with insurers of recognised standing, of the types and in the amounts "
    "generally considered adequate for its business.",
    "The Company carries, or is covered by, insurance in such amounts and against such risks as are "
    "customary for companies of its size.",
    # the usual, the normal, what similar companies carry
    "Supplier shall maintain product liability insurance in amounts usual in the industry.",
    BASE + "Vendor shall also maintain such other insurance as is normally carried by companies in its line of trade.",
    "Distributor shall carry liability insurance comparable to that maintained by similar businesses.",
    "Supplier shall maintain such insurance as is typical for a business of its kind.",
    "Supplier shall maintain product liability insurance in line with market practice.",
    # amounts left to a party's approval
    "Agent shall maintain errors and omissions insurance with terms and limits acceptable to Company.",
    "Tenant shall insure the premises in amounts satisfactory to Landlord.",
]


@pytest.mark.parametrize("text", VAGUE)
def test_vague_standards_in_other_words(text):
    e = extract(text)
    assert e.profile.insurance_required
    assert e.profile.vague_language, text
    # found by the standard itself, not only as a type required with no amount (uncertain)
    assert "vague_language" not in e.uncertain


NOT_VAGUE = [
    # the insurer's standing, not the cover
    BASE + "The insurers shall be of recognised financial responsibility and acceptable to Client.",
    "Vendor shall maintain automobile liability insurance as required by the financial responsibility laws of "
    "the State.",
    # limits fixed; approval only of the insurer or the form
    BASE + "The policies shall be written by insurers reasonably acceptable to Client and in a form satisfactory "
    "to Client.",
    # ordinary uses of the words
    BASE + "Vendor shall carry on its business in the ordinary course.",
    # a negated or optional further cover: negation wins
    BASE + "Vendor need not keep such other coverage as a prudent firm would carry.",
    BASE + "Vendor is not required to carry any further insurance that is customary in its industry.",
    BASE + "Vendor may, at its option, keep such additional coverage as similar companies carry.",
    BASE + "Unless requested by Client, Vendor need not maintain any other insurance in customary amounts.",
]


@pytest.mark.parametrize("text", NOT_VAGUE)
def test_not_vague_in_other_words(text):
    p = extract(text).profile
    assert p.insurance_required
    assert p.vague_language == [], [c.quote for c in p.vague_language]
