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


def main() -> None:
    for name, (desc, exchanges) in RECORDINGS.items():
        data = {"scenario": name, "description": desc, "authored": "by hand (tests/recordings/make_recordings.py)",
                "exchanges": exchanges}
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print("wrote", name)


if __name__ == "__main__":
    main()
