"""The LLM extractor's optional per-policy requirements: a strict schema (every key
required, nullable where absence is a value), not in the default schema, and mapped onto
the profile with grounded quotes only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES
from llm_replay import ReplayServer
from test_coi_parse import _write, maker  # noqa: F401  (the fixture)

from contract_review.extract.llm.answer import FIELDS, answer_model
from contract_review.extract.llm.profile import to_profile
from contract_review.extract.retrieval import Context
from contract_review.grounding import ground_profile
from contract_review.loaders import load_document

SECRET = "sk-test-DO-NOT-RECORD-coi"
MSA = SAMPLES / "01_msa_ai_red_teaming_clean.pdf"
LABELS = next(
    json.loads(line)
    for line in (SAMPLES / "requirements_labels.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip() and json.loads(line)["file"] == MSA.name
)


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
    ai = "Vendor shall cause Client, its Affiliates and their respective officers, directors and employees to be named as additional insureds"
    occ = "Commercial General Liability insurance written on an occurrence basis"
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
                    "quotes": [ai, occ, "rated A- VII or better by A.M. Best"],
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


# --------------------------------------------------------------------------- values checked against their quotes


def _answer(doc, **req):
    model = answer_model(("policies", "policy_requirements"))
    base = {
        "type": "general_liability",
        "carried_by": ["Vendor"],
        "additional_insured": None,
        "waiver_of_subrogation": None,
        "primary_noncontributory": None,
        "coverage_form": None,
        "duration": None,
        "tail_years": None,
        "min_rating": None,
        "quotes": [],
    }
    answer = model.model_validate(
        {
            "policies": [
                {
                    "type": "general_liability",
                    "limits": [],
                    "quotes": ["Commercial General Liability insurance written on an occurrence basis"],
                }
            ],
            "policy_requirements": [{**base, **req}],
            "certificate_due": None,
            "certificate_due_quotes": [],
        }
    )
    ctx = Context(spans=[], text="", tokens=0, doc_tokens=0)
    return ground_profile(doc, to_profile(doc, answer, ("policies", "policy_requirements"), ctx))


def test_each_requirement_value_must_be_said_by_a_quote():
    doc = load_document(SAMPLES / "01_msa_ai_red_teaming_clean.pdf")
    rating = "rated A- VII or better by A.M. Best"
    tail = "for at least three (3) years after this Agreement ends"
    p = _answer(
        doc,
        additional_insured=True,  # no quote mentions additional insureds
        waiver_of_subrogation=True,  # nor subrogation
        coverage_form="claims_made",  # the quotes say nothing of claims-made
        duration="for at least five (5) years after this Agreement ends",
        tail_years=5,  # the quote says three
        min_rating="A+ XV",  # the quote says A- VII
        quotes=[rating, tail],
    )
    (gl,) = p.policies
    assert gl.additional_insured is None and gl.waiver_of_subrogation is None and gl.coverage_form is None
    assert gl.duration is None and gl.tail_years is None and gl.min_rating is None
    dropped = {u.field: u for u in p.ungrounded}
    assert set(dropped) == {
        "policies.general_liability.additional_insured",
        "policies.general_liability.waiver_of_subrogation",
        "policies.general_liability.coverage_form",
        "policies.general_liability.duration",
        "policies.general_liability.min_rating",
    }
    assert dropped["policies.general_liability.min_rating"].quote == "A+ XV"
    # the same values, said by their quotes, are kept, each with the quote that says it
    p = _answer(doc, duration=tail, tail_years=3, min_rating="A- VII", quotes=[rating, tail])
    (gl,) = p.policies
    assert gl.tail_years == 3 and [" ".join(c.quote.split()) for c in gl.duration.evidence] == [tail]
    assert gl.min_rating.value == "A- VII" and [" ".join(c.quote.split()) for c in gl.min_rating.evidence] == [rating]
    assert not p.ungrounded


# --------------------------------------------------------------------------- the commands, over HTTP to a replay server


def _cli(srv, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        OPENAI_BASE_URL=srv.base_url,
        OPENAI_API_KEY=SECRET,
        CONTRACT_REVIEW_LLM_TOP_K="0",
        CONTRACT_REVIEW_LLM_MAX_RETRIES="0",
    )
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=600)


def _asked(srv) -> list[set[str]]:
    """The answer-schema properties of each request the server received."""
    out = []
    for r in srv.chat_requests():
        schema = r["body"]["response_format"]["json_schema"]["schema"]
        out.append(set(schema["properties"]))
    return out


def test_requirements_command_asks_the_llm_for_the_per_policy_requirements(tmp_path):
    doc = load_document(MSA)
    with ReplayServer("requirements") as srv:
        r = _cli(srv, "requirements", str(MSA), "--extractor", "llm", "--format", "json")
        assert r.returncode == 0, r.stderr
        (asked,) = _asked(srv)
        assert SECRET not in json.dumps(srv.requests)
    assert {"policy_requirements", "certificate_due", "policies", "additional_insured"} <= asked
    req = json.loads(r.stdout)
    by = {p["type"]: p for p in req["policies"]}
    assert set(by) == set(LABELS["policies"])
    assert by["general_liability"]["coverage_form"] == "occurrence"
    assert by["cyber"]["tail_years"] == 3 and by["cyber"]["duration"]["evidence"]
    assert (
        by["cyber"]["additional_insured"]["present"]
        and by["employers_liability"]["additional_insured"]["present"] is False
    )
    assert req["certificate_due"]["value"] == "Before any Services begin under the first SOW"
    assert req["contract_term"]["end"] == "2029-03-02"  # read by deterministic code whatever the extractor
    # every value kept is grounded verbatim ...
    cites = [c for p in by.values() for k in ("carried_by_evidence", "coverage_form_evidence") for c in p[k]]
    cites += [
        c
        for p in by.values()
        for k in ("additional_insured", "duration", "min_rating")
        if p[k]
        for c in p[k]["evidence"]
    ]
    assert cites and all(doc.text[c["start"] : c["end"]] == c["quote"] for c in cites)
    # ... and what the model made up is dropped and reported: a rating its quotes do not say, a quote not in the
    # contract, a form no quote names
    dropped = {(u["field"], u["quote"]) for u in req["ungrounded"]}
    assert ("policies.cyber.min_rating", "A+ XV") in dropped and by["cyber"]["min_rating"] is None
    assert any(f == "policies.workers_compensation.requirements" and "insurer shall waive" in q for f, q in dropped)
    assert ("policies.technology_eo.coverage_form", "claims_made") in dropped
    # scored against the labels (the honest miss: the model put technology E&O under the additional-insured clause)
    wrong = [
        t
        for t, want in LABELS["policies"].items()
        if by[t]["additional_insured"]["present"] != want["additional_insured"]
    ]
    assert wrong == ["technology_eo"]


def test_the_default_review_does_not_ask_for_them(tmp_path):
    with ReplayServer("requirements") as srv:
        r = _cli(srv, "review", str(MSA), "--extractor", "llm", "--format", "json", "--no-index")
        (asked,) = _asked(srv)
    assert "policy_requirements" not in asked and "certificate_due" not in asked
    # the recording answers only a request for the requirements: this one is not answered
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "llm_failed"


def test_coi_command_with_the_llm_and_hybrid_extractors(tmp_path, maker):  # noqa: F811
    cert = _write(tmp_path, maker, "01_redline_gaps_filled.pdf")
    with ReplayServer("requirements") as srv:
        r = _cli(srv, "coi", str(MSA), str(cert), "--extractor", "llm", "--as-of", "2026-06-01", "--format", "json")
        assert r.returncode == 0, r.stderr
        h = _cli(srv, "requirements", str(MSA), "--extractor", "hybrid", "--format", "json")
        assert h.returncode == 0, h.stderr
        llm_asked, hybrid_asked = _asked(srv)
    (res,) = json.loads(r.stdout)
    found = {(f["slug"], f["policy"]) for f in res["findings"] if f["severity"] != "info" or f["rule"] == "COI006"}
    assert {
        ("coi-additional-insured-not-shown", "general_liability"),
        ("coi-waiver-not-shown", "workers_compensation"),
        ("coi-policy-missing", "umbrella_excess"),
        ("coi-policy-expires-early", "general_liability"),  # against the term end, which the llm path has too
    } <= found
    assert any("were dropped" in n for n in res["notes"])
    # hybrid: the rules settle this contract, so the LLM is asked for the requirements alone, and its values
    # fill only what the rules left unsaid (technology E&O stays without additional-insured status)
    assert "policy_requirements" in llm_asked and "policies" in llm_asked
    assert hybrid_asked == {"policy_requirements", "certificate_due", "certificate_due_quotes"}
    by = {p["type"]: p for p in json.loads(h.stdout)["policies"]}
    assert (
        by["technology_eo"]["additional_insured"]["present"] is False and by["cyber"]["min_rating"]["value"] == "A- VII"
    )
