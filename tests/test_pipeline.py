"""The pipeline is extractor-agnostic: whatever an extractor returns is grounded, checked,
and its usage and notes reach the output row."""

from __future__ import annotations

from contract_review.extract import EXTRACTORS, Extraction, register_extractor
from contract_review.pipeline import Reviewer
from contract_review.schema import Citation, InsuranceProfile, Term, Usage

TEXT = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance of not less than "
    "$2,000,000 per occurrence and shall deliver a certificate of insurance before work starts."
)


class _Proposer:
    """Stands in for a model: proposes one real and one invented quote."""

    name = "test-proposer"
    prompt_version = "test@1"
    needs_store = False

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):
        real = Citation(quote="shall deliver a certificate of insurance", page=0, start=0, end=0)
        fake = Citation(quote="Supplier shall name Buyer as an additional insured", page=0, start=0, end=0)
        profile = InsuranceProfile(
            insurance_required=True,
            insurance_evidence=[real],
            certificate_of_insurance=Term(present=True, evidence=[real]),
            additional_insured=Term(present=True, evidence=[fake]),
        )
        return Extraction(
            profile,
            usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
            prompt_version="test@1",
            notes=["context cut at the token budget"],
        )


def test_any_extractor_is_grounded_and_checked():
    register_extractor("test-proposer")(_Proposer)
    try:
        r = Reviewer(extractor="test-proposer").review("supply.txt", data=TEXT.encode())
    finally:
        EXTRACTORS.pop("test-proposer")
    assert r.status == "ok" and r.extractor == "test-proposer" and r.prompt_version == "test@1"
    assert r.usage.total_tokens == 15 and r.notes == ["context cut at the token budget"]
    p = r.profile
    assert p.certificate_of_insurance.present and p.certificate_of_insurance.evidence[0].start == TEXT.index(
        "shall deliver"
    )
    assert not p.additional_insured.present  # the invented quote was dropped...
    assert [u.field for u in p.ungrounded] == ["additional_insured"]  # ...and reported
    assert "INS001" in {f.rule for f in r.findings}  # so the checker flags the missing term


class _Collector:
    """A store of the caller's own (a batch worker's embed-only collector): records what it is given."""

    def __init__(self):
        self.indexed: list[str] = []

    def index(self, doc, chunks):
        self.indexed.append(doc.sha256)
        return len(chunks)


def test_review_document_takes_a_ready_extraction_and_indexes_into_the_given_store():
    from contract_review.errors import ExtractionError

    collector = _Collector()
    reviewer = Reviewer(extractor="rules", store=collector, index=True)
    doc = reviewer.load("supply.txt", TEXT.encode())
    ready = _Proposer(None).extract(doc, [])  # what a batch's extract_batch made for this document
    r = reviewer.review_document(doc, extraction=ready)
    assert collector.indexed == [doc.sha256]
    assert r.status == "ok" and r.extractor == "rules" and r.prompt_version == "test@1"
    assert r.notes == ["context cut at the token budget"]
    assert not r.profile.additional_insured.present  # grounded and checked as usual
    failed = reviewer.review_document(doc, extraction=ExtractionError("the endpoint is down"), index=False)
    assert failed.status == "error" and failed.error.code == "llm_failed" and failed.sha256 == doc.sha256
    assert collector.indexed == [doc.sha256]  # index=False: not indexed again
