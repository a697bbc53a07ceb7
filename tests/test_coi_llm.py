"""The LLM extractor's optional per-policy requirements: a strict schema (every key
required, nullable where absence is a value), not in the default schema, and mapped onto
the profile with grounded quotes only."""

from __future__ import annotations

from conftest import SAMPLES

from contract_review.extract.llm.answer import FIELDS, answer_model
from contract_review.extract.llm.profile import to_profile
from contract_review.extract.retrieval import Context
from contract_review.grounding import ground_profile
from contract_review.loaders import load_document


def _strict(schema: dict) -> None:
    for sub in [schema, *schema.get("$defs", {}).values()]:
        if sub.get("type") == "object":
            assert sub["additionalProperties"] is False
            assert set(sub["required"]) == set(sub["properties"]), sub.get("title")
            for name, prop in sub["properties"].items():
                assert prop.get("description"), name


def test_policy_requirements_are_optional_and_strict():
    assert "policy_requirements" not in FIELDS  # the default schema, and its recordings, are unchanged
    assert "policy_requirements" not in answer_model(FIELDS).model_json_schema()["properties"]
    schema = answer_model(("policies", "policy_requirements")).model_json_schema()
    assert {"policies", "policy_requirements", "certificate_due", "certificate_due_quotes"} == set(schema["properties"])
    _strict(schema)


def test_answer_maps_onto_policies_and_ungrounded_values_are_dropped():
    doc = load_document(SAMPLES / "01_msa_ai_red_teaming_clean.pdf")
    model = answer_model(("policies", "policy_requirements"))
    ai = "Vendor shall cause Client, its Affiliates and their respective officers, directors"
    answer = model.model_validate(
        {
            "policies": [
                {
                    "type": "general_liability",
                    "limits": [],
                    "quotes": ["Commercial General Liability insurance written on an occurrence basis"],
                },
                {
                    "type": "cyber",
                    "limits": [],
                    "quotes": ["Cyber Liability insurance (network security and privacy liability)"],
                },
            ],
            "policy_requirements": [
                {
                    "type": "general_liability",
                    "carried_by": ["Vendor"],
                    "additional_insured": True,
                    "waiver_of_subrogation": None,
                    "primary_noncontributory": None,
                    "coverage_form": "occurrence",
                    "duration": None,
                    "tail_years": None,
                    "min_rating": "A- VII",
                    "quotes": [ai, "rated A- VII or better by A.M. Best"],
                },
                {
                    "type": "cyber",
                    "carried_by": ["Vendor"],
                    "additional_insured": True,
                    "waiver_of_subrogation": None,
                    "primary_noncontributory": None,
                    "coverage_form": None,
                    "duration": "for ten years",
                    "tail_years": 10,
                    "min_rating": None,
                    "quotes": ["Cyber cover shall last for ten years after the end of time"],  # not in the contract
                },
            ],
            "certificate_due": "Before any Services begin under the first SOW",
            "certificate_due_quotes": ["Before any Services begin under the first SOW"],
        }
    )
    ctx = Context(spans=[], text="", tokens=0, doc_tokens=0)
    p = ground_profile(doc, to_profile(doc, answer, ("policies", "policy_requirements"), ctx))
    gl, cyber = p.policies
    assert gl.carried_by == ["Vendor"] and gl.additional_insured and gl.additional_insured.present
    assert gl.coverage_form == "occurrence" and gl.min_rating and gl.min_rating.value == "A- VII"
    assert all(doc.text[c.start : c.end] == c.quote for c in gl.additional_insured.evidence)
    assert cyber.duration is None and cyber.additional_insured is None  # its only quote is not in the document
    assert p.certificate_due and p.certificate_due.evidence
