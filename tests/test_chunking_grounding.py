"""Section-aware chunks keep page, section and offsets; quotes are grounded verbatim."""

from __future__ import annotations

from contract_review.chunking import chunk_document, find_sections
from contract_review.grounding import find_quote, ground_profile, is_verbatim
from contract_review.loaders import Document
from contract_review.schema import Citation, InsuranceProfile, Policy, Term

PAGES = [
    "MASTER SERVICES AGREEMENT\n\n1. DEFINITIONS\n" + "Defined terms have the meanings given. " * 40,
    "11. INDEMNIFICATION\n"
    + "Provider shall indemnify Client against third-party claims. " * 20
    + "\n12. INSURANCE\nProvider\xa0shall\xa0maintain, at its own expense, Technology Errors and Omissions "
    "insurance with limits of not less than $5,000,000 per claim, and shall name Client as an "
    "\u201cadditional insured\u201d on its commercial general liability policy.",
    "EXHIBIT C \u2013 INSURANCE REQUIREMENTS\nCyber liability\n$5,000,000 per claim\n",
]


def doc() -> Document:
    return Document.from_page_texts("msa.txt", "0" * 64, PAGES, "text")


def test_sections_found_with_pages():
    secs = {s.title: s for s in find_sections(doc())}
    assert {"1. DEFINITIONS", "11. INDEMNIFICATION", "12. INSURANCE"} <= set(secs)
    assert secs["12. INSURANCE"].page == 2
    assert any(t and t.startswith("EXHIBIT C") and s.page == 3 for t, s in secs.items())


def test_chunks_are_verbatim_and_stay_in_their_section():
    d = doc()
    chunks = chunk_document(d, chunk_size=400, chunk_overlap=50)
    assert len(chunks) > 5
    for c in chunks:
        assert d.text[c.start : c.end] == c.text
        assert c.page == d.page_at(c.start)
        assert len(c.text) <= 400
    ins = [c for c in chunks if "Technology Errors" in c.text]
    assert ins and all(c.section == "12. INSURANCE" for c in ins)
    assert len({c.id for c in chunks}) == len(chunks)


def test_find_quote_tolerates_whitespace_quotes_and_nbsp():
    d = doc()
    c = find_quote(d, "Provider shall maintain, at its own expense, Technology Errors and Omissions insurance")
    assert c is not None and c.page == 2 and is_verbatim(d, c)
    assert "\xa0" in c.quote  # the document's own characters come back
    c2 = find_quote(d, 'name Client as an "additional   insured" on its')
    assert c2 is not None and is_verbatim(d, c2)
    assert find_quote(d, "Client shall be named as an additional insured on all policies") is None


def test_ground_profile_drops_and_reports_invented_quotes():
    d = doc()
    invented = Citation(quote="Provider waives all rights of subrogation against Client.", page=2, start=0, end=10)
    real = Citation(quote='shall name Client as an "additional insured"', page=1, start=0, end=1)
    profile = InsuranceProfile(
        insurance_required=True,
        insurance_evidence=[real],
        policies=[Policy(type="cyber", evidence=[invented])],
        additional_insured=Term(present=True, evidence=[real]),
        waiver_of_subrogation=Term(present=True, evidence=[invented]),
    )
    g = ground_profile(d, profile)
    assert g.additional_insured.present and is_verbatim(d, g.additional_insured.evidence[0])
    assert g.additional_insured.evidence[0].page == 2
    assert not g.waiver_of_subrogation.present and g.waiver_of_subrogation.evidence == []
    assert g.policies == []  # a policy with no grounded quote is not a finding of the document
    assert {u.field for u in g.ungrounded} == {"waiver_of_subrogation", "policies.cyber"}
    for cite in g.all_citations():
        assert is_verbatim(d, cite)
