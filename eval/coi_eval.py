#!/usr/bin/env python3
"""Score the COI feature on our labelled sample data.

    PYTHONPATH=src python eval/coi_eval.py [--output eval/coi_eval.md]

Three measures:

1. **Requirements** (the contract side): the rules extractor's per-policy requirement
   fields against ``sample_contracts/requirements_labels.jsonl`` (accuracy per field over
   the labelled policies; a policy the extractor did not find counts every field wrong),
   the certificate due date (its label's words found in the extracted value) and the
   parties' legal names. Then the same for the ``llm`` extractor on the contracts that have
   a replay recording (``tests/recordings/requirements.json``, answered over HTTP by
   ``tests/llm_replay.py``): the answer is one we wrote, so this scores what the mapping and
   the deterministic checks keep of it, not a model.
2. **Parsing**: each certificate built from its spec (``sample_contracts/certificates/*.yaml``,
   the blank form from ``../shared``) and read back; every box the spec fills is compared
   with what the parser read (per field group).
3. **Checks**: the findings of ``contract-review coi`` (severity info left out) against
   ``sample_contracts/certificates/labels.jsonl`` as (rule slug, policy) pairs:
   precision and recall, and the typed error for a file that is no readable certificate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
CERTS = SAMPLES / "certificates"
REQ_FIELDS = (
    "carried_by",
    "additional_insured",
    "waiver_of_subrogation",
    "primary_noncontributory",
    "coverage_form",
    "tail_years",
    "min_rating",
)


def _maker():
    spec = importlib.util.spec_from_file_location("make_certificates", CERTS / "make_certificates.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_certificates"] = mod
    spec.loader.exec_module(mod)
    return mod


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- requirements


def _requirements(contract: str, extractor: str = "rules"):
    from contract_review.coi.check import contract_requirements
    from contract_review.settings import Settings

    return contract_requirements(SAMPLES / contract, Settings(), extractor=extractor)


#: The sample contracts ``tests/recordings/requirements.json`` answers (see make_recordings.py).
REPLAYED = ("01_msa_ai_red_teaming_clean.pdf",)


def _value(pol, name: str):
    if name in ("additional_insured", "waiver_of_subrogation", "primary_noncontributory"):
        return getattr(pol, name).present
    if name == "min_rating":
        return pol.min_rating.value if pol.min_rating else None
    if name == "tail_years":
        return pol.tail_years
    return getattr(pol, name)


def score_requirements(lines: list[str], extractor: str = "rules", files: tuple[str, ...] | None = None) -> dict:
    right: Counter = Counter()
    total: Counter = Counter()
    blind_right: Counter = Counter()  # contracts labelled after the rules were written ("Labelled blind")
    blind_total: Counter = Counter()
    misses: list[str] = []
    dropped: list[str] = []  # what the deterministic checks took out of the extractor's answer
    extra = {"certificate_due": [0, 0], "legal_names": [0, 0]}
    for lab in _jsonl(SAMPLES / "requirements_labels.jsonl"):
        if files is not None and lab["file"] not in files:
            continue
        req = _requirements(lab["file"], extractor)
        dropped += [f"{lab['file']} {u.field}: {u.quote!r} ({u.reason})" for u in req.ungrounded]
        blind = lab.get("notes", "").startswith("Labelled blind")
        by_type = {p.type: p for p in req.policies}
        for typ, want in lab["policies"].items():
            pol = by_type.get(typ)
            for name in REQ_FIELDS:
                total[name] += 1
                got = _value(pol, name) if pol else "(policy not found)"
                exp = want[name]
                if isinstance(exp, (int, float)) and not isinstance(exp, bool) and isinstance(got, (int, float)):
                    ok = abs(float(exp) - float(got)) < 1e-9
                else:
                    ok = got == exp
                right[name] += ok
                if blind:
                    blind_total[name] += 1
                    blind_right[name] += ok
                if not ok:
                    misses.append(f"{lab['file']} {typ}.{name}: expected {exp!r}, got {got!r}")
        due = req.certificate_due.value if req.certificate_due else ""
        extra["certificate_due"][1] += 1
        if lab["certificate_due"].lower() in due.lower():
            extra["certificate_due"][0] += 1
        else:
            misses.append(f"{lab['file']} certificate_due: expected {lab['certificate_due']!r}, got {due!r}")
        for party, name in lab["legal_names"].items():
            extra["legal_names"][1] += 1
            got = req.legal_names.get(party)
            extra["legal_names"][0] += got == name
            if got != name:
                misses.append(f"{lab['file']} legal name of {party}: expected {name!r}, got {got!r}")
    if extractor == "rules":
        lines += [
            "## Requirements (contract side, rules extractor)",
            "",
            "Six sample contracts; 07 and 08 were labelled after the rules were written (blind), the",
            "other four are the ones the rules were developed on, so their figures are optimistic.",
        ]
    else:
        lines += [
            f"## Requirements (contract side, {extractor} extractor, replayed)",
            "",
            f"{', '.join(files or ())}: the model's answer is replayed from `tests/recordings/requirements.json`",
            "over real HTTP. We wrote that answer, with the mistakes a model makes, so these figures show",
            "what the answer mapping and its deterministic checks keep (a value no quote says is dropped),",
            "not how well any model reads contracts.",
        ]
    lines += [
        "",
        "| field | correct | accuracy | of which blind |",
        "|---|---:|---:|---:|",
    ]
    for name in REQ_FIELDS:
        blind_cell = f"{blind_right[name]}/{blind_total[name]}" if blind_total[name] else ""
        lines.append(f"| {name} | {right[name]}/{total[name]} | {right[name] / total[name]:.2f} | {blind_cell} |")
    for name, (ok, n) in extra.items():
        lines.append(f"| {name} | {ok}/{n} | {ok / n:.2f} | |")
    lines += ["", "Disagreements:", ""] + [f"- {m}" for m in misses] + [""]
    if dropped:
        lines += ["Dropped from the answer by the deterministic checks (and reported):", ""]
        lines += [f"- {d}" for d in dropped] + [""]
    return {"right": dict(right), "total": dict(total), "extra": extra, "misses": misses, "dropped": dropped}


def score_llm_requirements(lines: list[str]) -> dict:
    """:func:`score_requirements` for the ``llm`` extractor, its model answered by the replay
    server from the authored recording (loopback only; no key, no real endpoint)."""
    import os

    sys.path.insert(0, str(ROOT / "tests"))
    from llm_replay import ReplayServer

    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CONTRACT_REVIEW_LLM_TOP_K")}
    with ReplayServer("requirements") as srv:
        os.environ.update(OPENAI_BASE_URL=srv.base_url, OPENAI_API_KEY="replay", CONTRACT_REVIEW_LLM_TOP_K="0")
        try:
            return score_requirements(lines, "llm", REPLAYED)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


# --------------------------------------------------------------------------- parsing


def _group(field: str) -> str:
    if field.startswith(("Producer_", "NamedInsured_", "CertificateHolder_")):
        return field.split("_")[0] + (" name" if "FullName" in field else " address")
    if field.startswith("Insurer_"):
        return "insurer name" if "FullName" in field else "insurer NAIC"
    for key, group in (
        ("LimitAmount", "limits"),
        ("Amount_A", "limits"),
        ("CoverageCode", "limit labels"),
        ("LimitDescription", "limit labels"),
        ("InsurerLetterCode", "insurer letter"),
        ("PolicyNumber", "policy number"),
        ("EffectiveDate", "dates"),
        ("ExpirationDate", "dates"),
        ("AdditionalInsuredCode", "ADDL INSD"),
        ("SubrogationWaivedCode", "SUBR WVD"),
        ("Indicator", "check boxes"),
        ("Description", "descriptions"),
        ("RemarkText", "description of operations"),
        ("CompletionDate", "dates"),
        ("CertificateNumber", "certificate number"),
    ):
        if key in field:
            return group
    return "other"


def _norm(v: str) -> str:
    return " ".join(str(v).split())


def score_parsing(maker, lines: list[str], tmp: Path) -> dict:
    from contract_review.coi.parse import is_marked, read_values

    right: Counter = Counter()
    total: Counter = Counter()
    kinds: Counter = Counter()
    misses = []
    blank = maker.BLANK.read_bytes()
    for name, spec in maker.specs().items():
        if spec.get("kind") == "scanned":
            continue
        data = maker.make(spec, blank)
        (tmp / name).write_bytes(data)
        want = maker.values_of(spec)
        got = read_values(data)
        kinds[spec.get("kind", "filled")] += 1
        for field, value in want.items():
            g = _group(field)
            total[g] += 1
            have = got.get(field, "")
            ok = is_marked(have) if value == "X" else _norm(have) == _norm(value)
            right[g] += ok
            if not ok:
                misses.append(f"{name} {field}: expected {value!r}, got {have!r}")
    lines += [
        "## Certificate parsing (every filled box read back)",
        "",
        "Synthetic certificates: our generator fills (or prints onto) the one ACORD 25 (2016/03) layout",
        "the parser knows, so this shows the round trip is exact, not accuracy on agency software's output.",
        "",
        f"Certificates: {', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}.",
        "",
        "| field | correct | accuracy |",
        "|---|---:|---:|",
    ]
    _accuracy_rows(lines, right, total)
    if misses:
        lines += ["Misread boxes:", ""] + [f"- {m}" for m in misses] + [""]
    scans = score_scans(maker, lines)
    return {"right": dict(right), "total": dict(total), "misses": misses, "scans": scans}


def _accuracy_rows(lines: list[str], right: Counter, total: Counter) -> None:
    """The rows of a per-field accuracy table and its total."""
    for g in sorted(total):
        lines.append(f"| {g} | {right[g]}/{total[g]} | {right[g] / total[g]:.2f} |")
    n_right, n_total = sum(right.values()), sum(total.values())
    lines += [f"| **all boxes** | {n_right}/{n_total} | {n_right / n_total:.2f} |", ""]


def score_scans(maker, lines: list[str]) -> dict:
    """Every non-scanned sample certificate printed, then scanned (200 dpi, 1-2 degrees of
    skew, noise) and read back by OCR: the accuracy per field that a risk team gets from a
    scan. Skipped, saying so, without Tesseract."""
    from contract_review import ocr
    from contract_review.coi.parse import is_marked, read_values
    from contract_review.coi.scan import mark_fields
    from contract_review.evaluation.scans import scan_pdf
    from contract_review.settings import Settings

    settings = Settings()
    why = ocr.unavailable(settings)
    lines += ["## Scanned certificates (OCR)", ""]
    if why:
        lines += [f"Not measured: {why}.", ""]
        return {}
    marks = set(mark_fields())
    right: Counter = Counter()
    total: Counter = Counter()
    blank = maker.BLANK.read_bytes()
    n = 0
    for spec in maker.specs().values():
        if spec.get("kind") == "scanned":
            continue
        values = maker.values_of(spec)
        scan = scan_pdf(maker.flattened(values, blank), dpi=200, skew=(1.0, 2.0), seed=1)
        got = read_values(scan, settings)
        n += 1
        for field, value in values.items():
            g = "mark boxes" if field in marks or value == "X" else _group(field)
            have = got.get(field, "")
            ok = is_marked(have) == is_marked(value) if g == "mark boxes" else _norm(have) == _norm(value)
            total[g] += 1
            right[g] += ok
    lines += [
        f"{n} certificates printed, then scanned at 200 dpi with 1-2° of skew and noise "
        "(`contract_review.evaluation.scans`), read back by OCR (Tesseract "
        f"{ocr.tesseract_version(settings) or '?'}).",
        "",
        "| field | correct | accuracy |",
        "|---|---:|---:|",
    ]
    _accuracy_rows(lines, right, total)
    return {"right": dict(right), "total": dict(total)}


# --------------------------------------------------------------------------- checks


def score_checks(maker, lines: list[str], tmp: Path) -> dict:
    from contract_review.coi.check import check_files, contract_requirements
    from contract_review.settings import Settings

    blank = maker.BLANK.read_bytes()
    specs = maker.specs()
    tp = fp = fn = 0
    errors_ok = errors_n = 0
    rows = []
    reqs: dict[str, object] = {}
    for lab in _jsonl(CERTS / "labels.jsonl"):
        path = (CERTS / lab["file"]).resolve() if lab["file"].startswith("..") else tmp / lab["file"]
        if lab["file"] in specs:
            path.write_bytes(maker.make(specs[lab["file"]], blank))
        if lab["contract"] not in reqs:
            reqs[lab["contract"]] = contract_requirements(SAMPLES / lab["contract"], Settings())
        res = check_files(reqs[lab["contract"]], [str(path)], Settings(), dt.date.fromisoformat(lab["as_of"]))[0]  # type: ignore[arg-type]
        if lab["status"] == "error":
            errors_n += 1
            got = res.error.code if res.error else None
            errors_ok += got == lab["error"]
            rows.append(f"| {lab['file']} | error {lab['error']} | {got} | |")
            continue
        want = Counter((s, p) for s, p in lab["findings"])
        have = Counter((f.slug, f.policy) for f in res.findings if f.severity != "info")
        both = want & have
        tp += sum(both.values())
        fp += sum((have - want).values())
        fn += sum((want - have).values())
        extra = ", ".join(f"{s} {p or ''}".strip() for s, p in (have - want).elements())
        missed = ", ".join(f"{s} {p or ''}".strip() for s, p in (want - have).elements())
        rows.append(
            f"| {lab['file']} | {sum(want.values())} | {sum(both.values())} | {extra or '-'} / {missed or '-'} |"
        )
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    lines += [
        "## Checks (findings against the labels, info notes left out)",
        "",
        "The certificates and their labels were written with the rules, one per kind of gap: these",
        "figures show each gap is found on them; they are not a held-out measure.",
        "",
        "| certificate | expected | found | extra / missed |",
        "|---|---:|---:|---|",
        *rows,
        "",
        f"Findings: {tp} right, {fp} extra, {fn} missed: precision {prec:.2f}, recall {rec:.2f}. "
        f"Typed errors: {errors_ok}/{errors_n}.",
        "",
    ]
    return {"tp": tp, "fp": fp, "fn": fn, "precision": prec, "recall": rec, "errors": [errors_ok, errors_n]}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--output", type=Path)
    args = ap.parse_args(argv)
    maker = _maker()
    lines = [
        "# COI evaluation",
        "",
        "Generated by `PYTHONPATH=src python eval/coi_eval.py --output eval/coi_eval.md`.",
        "",
    ]
    out: dict[str, dict] = {}
    out["requirements"] = score_requirements(lines)
    out["requirements_llm"] = score_llm_requirements(lines)
    if not maker.BLANK.exists():
        lines.append(f"Certificates skipped: the blank ACORD 25 is not at {maker.BLANK}.")
    else:
        with tempfile.TemporaryDirectory() as d:
            out["parsing"] = score_parsing(maker, lines, Path(d))
            out["checks"] = score_checks(maker, lines, Path(d))
    text = "\n".join(lines).rstrip() + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
