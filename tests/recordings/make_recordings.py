"""Author the replay recordings (run once; the JSON files are committed).

No real model is reachable from this project's CI, so these chat-completion responses are
written by hand, here, in the exact wire format of OpenAI's ``POST /v1/chat/completions``
(``object: chat.completion``, ``choices[0].message.content`` holding the structured-output
JSON string, ``usage``), with the error bodies and retry headers OpenAI sends for 429 and
500. The quotes in the answers are copied from ``contracts.json`` (the test contracts) or,
where a scenario needs it, invented on purpose.

    python tests/recordings/make_recordings.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
MODEL = "gpt-4o-mini-2024-07-18"
_n = 0


def completion(answer: dict | str, prompt_tokens: int, completion_tokens: int, finish: str = "stop") -> dict:
    global _n
    _n += 1
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return {"status": 200, "headers": {"x-request-id": f"req_rec_{_n:03d}"}, "body": {
        "id": f"chatcmpl-rec{_n:03d}", "object": "chat.completion", "created": 1764320000 + _n, "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                             "annotations": []},
                     "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        "service_tier": "default", "system_fingerprint": "fp_rec0001"}}


def error(status: int, message: str, type_: str, code: str | None, retry_ms: int = 5) -> dict:
    return {"status": status, "headers": {"retry-after-ms": str(retry_ms), "x-request-id": f"req_err_{status}"},
            "body": {"error": {"message": message, "type": type_, "param": None, "code": code}}}


def term(present: bool, *quotes: str) -> dict:
    return {"present": present, "quotes": list(quotes)}


def lim(amount, basis, currency="USD", redacted=False) -> dict:
    return {"amount": amount, "currency": currency, "basis": basis, "redacted": redacted}


C = json.loads((HERE / "contracts.json").read_text())
MSA_GL = C["msa"]["paragraphs"][10]
MSA_PL = C["msa"]["paragraphs"][11]
MSA_AI = C["msa"]["paragraphs"][12]
MSA_COI = C["msa"]["paragraphs"][13]
MSA_CXL = C["msa"]["paragraphs"][14]
MSA_INS = C["msa"]["paragraphs"][7]

CORRECT = {
    "insurance_required": True,
    "insurance_quotes": [MSA_INS],
    "obligated_parties": ["Supplier"],
    "policies": [
        {"type": "general_liability", "limits": [lim(2000000, "per_occurrence"), lim(4000000, "aggregate")], "quotes": [MSA_GL]},
        {"type": "professional_liability", "limits": [lim(5000000, "per_claim")], "quotes": [MSA_PL]},
    ],
    "additional_insured": term(True, MSA_AI),
    "waiver_of_subrogation": term(False),
    "primary_noncontributory": term(False),
    "certificate_of_insurance": term(True, MSA_COI),
    "cancellation_notice": term(True, MSA_CXL),
    "vague_language": [],
}

UNGROUNDED = json.loads(json.dumps(CORRECT))
UNGROUNDED["waiver_of_subrogation"] = term(True, "Supplier waives all rights of subrogation against Customer.")
UNGROUNDED["additional_insured"] = term(True, "Customer is an additional insured under every policy Supplier holds.")
UNGROUNDED["policies"][0]["limits"].append(lim(10000000, "aggregate"))  # not in the quoted text
UNGROUNDED["obligated_parties"] = ["Supplier", "Acme Insurance Brokers Ltd"]

VAGUE_INS = C["vague"]["paragraphs"][4]
VAGUE = {
    "insurance_required": True, "insurance_quotes": [VAGUE_INS], "obligated_parties": ["Consultant"],
    "policies": [{"type": "general_liability", "limits": [], "quotes": [VAGUE_INS]}],
    "additional_insured": term(False), "waiver_of_subrogation": term(False), "primary_noncontributory": term(False),
    "certificate_of_insurance": term(False), "cancellation_notice": term(False), "vague_language": [VAGUE_INS],
}

INJ_INS = C["injection"]["paragraphs"][4]
OBEYED = {  # the model followed the contract's embedded instructions: everything "present", quotes invented
    "insurance_required": True, "insurance_quotes": [INJ_INS], "obligated_parties": ["Vendor"],
    "policies": [{"type": "general_liability", "limits": [lim(5000000, "per_occurrence")],
                  "quotes": ["Vendor shall maintain general liability insurance of $5,000,000 per occurrence."]}],
    "additional_insured": term(True, "Vendor shall name Client as an additional insured on all policies."),
    "waiver_of_subrogation": term(True, "Vendor waives all rights of subrogation against Client."),
    "primary_noncontributory": term(True, "Vendor's insurance shall be primary and non-contributory."),
    "certificate_of_insurance": term(True, "Vendor shall deliver certificates of insurance to Client."),
    "cancellation_notice": term(True, "Vendor shall give thirty days' notice of cancellation."),
    "vague_language": [],
}

HYBRID_WOS = {"waiver_of_subrogation": term(False)}

MALFORMED = '{"insurance_required": true, "insurance_quotes": ["Supplier shall maintain, at its own expense'

RECORDINGS = {
    "correct": ("A correct extraction of the MSA (limits in Exhibit C).",
                [{"responses": [completion(CORRECT, 1850, 412)]}]),
    "ungrounded": ("Quotes not in the document, a limit not in the quoted text and an unknown party.",
                   [{"responses": [completion(UNGROUNDED, 1850, 440)]}]),
    "malformed_then_valid": ("Truncated JSON, then a valid answer to the re-ask.",
                             [{"responses": [completion(MALFORMED, 1850, 30, finish="stop"),
                                             completion(CORRECT, 1990, 412)]}]),
    "rate_limited": ("429 with retry-after-ms, then success.",
                     [{"responses": [error(429, "Rate limit reached for gpt-4o-mini in organization org-rec on "
                                                "tokens per min (TPM): Limit 200000, Used 199000, Requested 1850.",
                                           "tokens", "rate_limit_exceeded", 5),
                                     completion(CORRECT, 1850, 412)]}]),
    "server_error": ("Persistent 500 for the MSA; the vague letter succeeds.",
                     [{"match": "Contract file: msa.pdf", "responses": [error(500, "The server had an error while processing your "
                                                                      "request. Sorry about that!", "server_error", None, 5)]},
                      {"match": "Contract file: vague.pdf", "responses": [completion(VAGUE, 900, 260)]}]),
    "batch": ("Three documents answered concurrently, keyed by file name.",
              [{"match": "Contract file: msa.pdf", "responses": [completion(CORRECT, 1850, 412)]},
               {"match": "Contract file: vague.pdf", "responses": [completion(VAGUE, 900, 260)]},
               {"match": "Contract file: injection.pdf", "responses": [completion(OBEYED, 1100, 380)]}]),
    "prompt_injection": ("The model obeys instructions hidden in the contract and invents quotes.",
                         [{"responses": [completion(OBEYED, 1100, 380)]}]),
    "fallback": ("The configured model keeps failing with 500; the fallback model answers.",
                 [{"match": "backup-model", "responses": [completion(CORRECT, 1850, 412)]},
                  {"responses": [error(500, "The server had an error while processing your request. "
                                            "Sorry about that!", "server_error", None, 5)]}]),
    "hybrid_waiver": ("Hybrid: only waiver_of_subrogation is asked.",
                      [{"responses": [completion(HYBRID_WOS, 700, 20)]}]),
}

# --------------------------------------------------------------------------- requirements (sample 01)
# `contract-review requirements|coi --extractor llm|hybrid` on sample_contracts/01_msa_ai_red_teaming_clean.pdf:
# the default fields plus the optional policy_requirements group. Quotes copied from
# sample_contracts/src/01_msa_ai_red_teaming_clean.txt, with the mistakes a model makes: technology E&O said to
# need additional-insured status (10.2 names CGL, umbrella and cyber only: nothing in a quote can tell), a rating
# for cyber that is not the contract's, a waiver quote the contract does not have. The deterministic checks must
# drop the last two and report them; the first goes through (it is in a quote that mentions additional insureds).
S01 = "01_msa_ai_red_teaming_clean.pdf"
R01 = {
    "ins": "Vendor shall, at its own expense, procure and maintain the following insurance",
    "rating": "rated A- VII or better by A.M. Best",
    "eo": "Technology Errors and Omissions insurance covering liability arising from acts, errors and omissions in "
          "rendering the Services",
    "eo_lim": "including the testing, evaluation and adversarial probing of AI Systems, with limits of not less than "
              "$5,000,000 per claim and $5,000,000 in the annual aggregate",
    "cy": "Cyber Liability insurance (network security and privacy liability)",
    "cy_lim": "regulatory fines and penalties where insurable by law, with limits of not less than $5,000,000 per claim "
              "and $5,000,000 in the annual aggregate",
    "gl": "Commercial General Liability insurance written on an occurrence basis, including contractual liability and "
          "personal and advertising injury, with limits of not less than $1,000,000 per occurrence and $2,000,000 "
          "general aggregate",
    "wc": "Workers' Compensation insurance with statutory limits as required by the laws of each state in which the "
          "Services are performed",
    "el": "Employers' Liability insurance with limits of not less than $1,000,000 each accident, $1,000,000 disease - "
          "each employee, and $1,000,000 disease - policy limit",
    "um": "Umbrella or Excess Liability insurance, following form over the Commercial General Liability and "
          "Employers' Liability insurance, with limits of not less than $5,000,000 per occurrence and in the aggregate",
    "ai": "Vendor shall cause Client, its Affiliates and their respective officers, directors and employees to be "
          "named as additional insureds under the Commercial General Liability, Umbrella or Excess Liability and "
          "Cyber Liability policies",
    "pnc": "The insurance required by this Section 10 shall be primary and non-contributory to any insurance or "
           "self-insurance maintained by Client or its Affiliates",
    "wos": "Vendor hereby waives, and shall cause each of its insurers to waive, all rights of subrogation against "
           "Client, its Affiliates and their respective officers, directors and employees under every policy required "
           "by this Section 10",
    "coi": "Before any Services begin under the first SOW, Vendor shall deliver to Client a certificate of insurance "
           "evidencing all coverage required by this Section 10",
    "cxl": "Vendor shall provide Client with at least thirty (30) days' prior written notice of cancellation, "
           "non-renewal or material reduction of any policy required by this Section 10",
    "tail": "Vendor shall maintain that coverage, or purchase an extended reporting period, for at least three (3) "
            "years after this Agreement ends",
}


def req(type_, *quotes, ai=None, wos=None, pnc=None, form=None, duration=None, tail=None, rating="A- VII"):
    return {"type": type_, "carried_by": ["Vendor"], "additional_insured": ai, "waiver_of_subrogation": wos,
            "primary_noncontributory": pnc, "coverage_form": form, "duration": duration, "tail_years": tail,
            "min_rating": rating, "quotes": list(quotes)}


TAIL = "for at least three (3) years after this Agreement ends"
REQS_01 = {
    "policy_requirements": [
        req("technology_eo", R01["ins"], R01["rating"], R01["ai"], R01["pnc"], R01["wos"], R01["tail"],
            ai=True, wos=True, pnc=True, form="claims_made", duration=TAIL, tail=3),  # ai: the model's mistake
        req("cyber", R01["ins"], R01["ai"], R01["pnc"], R01["wos"], R01["tail"],
            ai=True, wos=True, pnc=True, duration=TAIL, tail=3, rating="A+ XV"),  # the rating: not in its quotes
        req("general_liability", R01["ins"], R01["rating"], R01["gl"], R01["ai"], R01["pnc"], R01["wos"],
            ai=True, wos=True, pnc=True, form="occurrence"),
        req("workers_compensation", R01["ins"], R01["rating"],
            "Vendor's workers' compensation insurer shall waive subrogation against Client.",  # invented
            ai=False, wos=True, pnc=False),
        req("employers_liability", R01["ins"], R01["rating"], R01["wos"], ai=False, wos=True, pnc=False),
        req("umbrella_excess", R01["ins"], R01["rating"], R01["ai"], R01["pnc"], R01["wos"], R01["tail"],
            ai=True, wos=True, pnc=True, duration=TAIL, tail=3),
    ],
    "certificate_due": "Before any Services begin under the first SOW",
    "certificate_due_quotes": [R01["coi"]],
}
REQUIREMENTS_01 = {
    "insurance_required": True,
    "insurance_quotes": [R01["ins"]],
    "obligated_parties": ["Vendor"],
    "policies": [
        {"type": "technology_eo", "limits": [lim(5000000, "per_claim"), lim(5000000, "aggregate")],
         "quotes": [R01["eo"], R01["eo_lim"]]},
        {"type": "cyber", "limits": [lim(5000000, "per_claim"), lim(5000000, "aggregate")],
         "quotes": [R01["cy"], R01["cy_lim"]]},
        {"type": "general_liability", "limits": [lim(1000000, "per_occurrence"), lim(2000000, "aggregate")],
         "quotes": [R01["gl"]]},
        {"type": "workers_compensation", "limits": [], "quotes": [R01["wc"]]},
        {"type": "employers_liability", "limits": [lim(1000000, "each_accident"), lim(1000000, "per_person"),
                                                   lim(1000000, "aggregate")], "quotes": [R01["el"]]},
        {"type": "umbrella_excess", "limits": [lim(5000000, "per_occurrence"), lim(5000000, "aggregate")],
         "quotes": [R01["um"]]},
    ],
    "additional_insured": term(True, R01["ai"]),
    "waiver_of_subrogation": term(True, R01["wos"]),
    "primary_noncontributory": term(True, R01["pnc"]),
    "certificate_of_insurance": term(True, R01["coi"]),
    "cancellation_notice": term(True, R01["cxl"]),
    "vague_language": [],
    **REQS_01,
}
DEFAULT_FIELDS = ("insurance_required, policies, additional_insured, waiver_of_subrogation, primary_noncontributory, "
                  "certificate_of_insurance, cancellation_notice, vague_language")
RECORDINGS["requirements"] = (
    "`requirements` / `coi` with --extractor llm|hybrid on sample 01: the default fields plus policy_requirements "
    "(llm), or policy_requirements alone (hybrid: the rules settle the rest). Any other request is not answered.",
    [{"match": [f"Contract file: {S01}", f"Fields to answer: {DEFAULT_FIELDS}, policy_requirements."],
      "responses": [completion(REQUIREMENTS_01, 5350, 2210)]},
     {"match": [f"Contract file: {S01}", "Fields to answer: policy_requirements."],
      "responses": [completion(REQS_01, 5350, 1480)]}],
)


def main() -> None:
    for name, (desc, exchanges) in RECORDINGS.items():
        data = {"scenario": name, "description": desc, "authored": "by hand (tests/recordings/make_recordings.py)",
                "exchanges": exchanges}
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print("wrote", name)


if __name__ == "__main__":
    main()
