"""The semantic layer's decisions on each embedding backend, side by side (issue 14).

    python eval/semantic_backends.py                          # dev, samples and fresh; torch vs onnx-int8
    python eval/semantic_backends.py --sets dev,samples --backends torch,onnx,onnx-int8
    python eval/semantic_backends.py --json /tmp/sem.json

Each labelled document is parsed once (pdfium, as ``screen`` does by default) and read by the
rules extractor with the semantic layer on every backend named, in this one process. It
reports, per set and backend:

* what the layer added: (document, term) pairs, and whether they are the same on every
  backend (the decision that matters) and cite the same sentences;
* sentence-level agreement: for every candidate sentence of the insurance region and every
  term, whether it would be accepted (at or above the term's threshold, closer to a
  prototype than to any contrast, and closer to this term than to any other); and the
  smallest distance of any sentence's best score from its threshold (how close a call was);
* cost: the encoder's load time, and the time the layer adds per document that reaches it
  (the extractor with the layer minus the extractor without, summed over the set).

It measures; it sets nothing. Thresholds live in ``prompts/semantic-prototypes.yaml`` and
may only be set on the dev set and the sample contracts, never on the fresh set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from contract_review.encoders import BACKENDS
from contract_review.evaluation.labels import DocIndex, load_labels
from contract_review.extract.rules import RulesExtractor
from contract_review.extract.semantic import SemanticLayer
from contract_review.loaders import load_document
from contract_review.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CUAD = ROOT.parent / "shared" / "data" / "cuad"
SETS = {
    "dev": (CUAD / "dev_labels.jsonl", CUAD / "pdf"),
    "samples": (ROOT / "sample_contracts" / "labels.jsonl", ROOT / "sample_contracts"),
    "fresh": (ROOT / "eval" / "labels" / "fresh_labels.jsonl", CUAD / "pdf"),
}


def sentence_decisions(layer: SemanticLayer, ex: RulesExtractor, doc) -> tuple[dict, float]:
    """Per (sentence span, term, asked): accepted?, and the smallest |best score - threshold|
    (empty when the document has no sentence for the layer to read). ``asked``: the rules
    had not found the term, so the layer's answer counts."""
    captured: dict = {}
    real = layer.add_terms

    def spy(run, profile):
        spans = layer.undecided(run, profile)
        if spans and profile.insurance_required:
            texts = [run.clauses.norm[a:b] for a, b in spans]
            captured["spans"], captured["scores"] = spans, layer.scores(texts)
            captured["asked"] = {
                n for n in layer.prototypes.terms if not getattr(profile, n).present and n not in run.uncertain
            }
        return real(run, profile)

    layer.add_terms = spy  # type: ignore[method-assign]
    try:
        ex.extract(doc, [])
    finally:
        del layer.add_terms
    if not captured:
        return {}, float("inf")
    out, margin = {}, float("inf")
    scores = captured["scores"]
    for name, per in scores.items():
        thr = layer.prototypes.terms[name].threshold
        for i, (p, n) in enumerate(per):
            ok = p >= thr and p > n and all(p >= scores[o][i][0] for o in scores if o != name)
            out[(captured["spans"][i], name, name in captured["asked"])] = ok
            if name in captured["asked"]:
                margin = min(margin, abs(p - thr))
    return out, margin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,samples,fresh")
    ap.add_argument("--backends", default="torch,onnx-int8")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    backends = args.backends.split(",")
    for b in backends:
        if b not in BACKENDS:
            sys.exit(f"unknown backend {b!r}")
    settings = Settings()
    plain = RulesExtractor(Settings(semantic=False))
    extractors: dict[str, RulesExtractor] = {}
    load: dict[str, float] = {}
    for b in backends:
        ex = RulesExtractor(Settings(semantic=True, embedding_backend=b))
        assert ex.semantic is not None
        t0 = time.perf_counter()
        ex.semantic.encoder()
        load[b] = round(time.perf_counter() - t0, 2)
        ex.semantic.prototype_vectors()
        extractors[b] = ex
    report: dict = {"backends": backends, "encoder_load_seconds": load, "sets": {}}
    for set_name in args.sets.split(","):
        labels, docs_dir = SETS[set_name]
        index = DocIndex(docs_dir, [".pdf", ".docx", ".txt", ".md"])
        added: dict[str, set] = {b: set() for b in backends}
        cited: dict[str, set] = {b: set() for b in backends}
        sent: dict[str, dict] = {b: {} for b in backends}
        margins: dict[str, float] = {b: float("inf") for b in backends}
        seconds = {b: 0.0 for b in backends}
        reached = 0
        base_seconds = 0.0
        for row in load_labels(labels):
            path = index.resolve(row.file)
            if path is None:
                continue
            try:
                doc = load_document(str(path), settings)
            except Exception:  # noqa: BLE001 - a document that cannot be read is not this script's concern
                continue
            t0 = time.perf_counter()
            plain.extract(doc, [])
            base = time.perf_counter() - t0
            base_seconds += base
            for b, ex in extractors.items():
                t0 = time.perf_counter()
                p = ex.extract(doc, []).profile
                seconds[b] += time.perf_counter() - t0 - base
                for term, who in p.decided_by.items():
                    if who.startswith("semantic:"):
                        added[b].add((row.file, term))
                        for c in getattr(p, term).evidence:
                            cited[b].add((row.file, term, c.quote))
                assert ex.semantic is not None
                dec, margin = sentence_decisions(ex.semantic, ex, doc)
                sent[b].update({(row.file, *k): v for k, v in dec.items()})
                margins[b] = min(margins[b], margin)
                reached += bool(dec) and b == backends[0]
        ref = backends[0]
        keys = set(sent[ref])
        out = {
            "documents_reaching_the_layer": reached,
            "rules_extract_seconds": round(base_seconds, 2),
        }
        for b in backends:
            flips = sorted(
                f"{k[0]} {k[1]} {k[2]}{'' if k[3] else ' (found by the rules)'}: {sent[ref].get(k)} -> {sent[b].get(k)}"
                for k in keys | set(sent[b])
                if sent[ref].get(k) != sent[b].get(k)
            )
            asked_flips = [f for f in flips if "(found by the rules)" not in f]
            out[b] = {
                "terms_added": len(added[b]),
                "added": sorted(f"{f} {t}" for f, t in added[b]),
                "same_terms_as_" + ref: added[b] == added[ref],
                "same_quotes_as_" + ref: cited[b] == cited[ref],
                "sentence_term_pairs": len(sent[b]),
                "sentence_decisions_differing_from_" + ref: flips,
                "of_which_on_terms_the_layer_was_asked": len(asked_flips),
                "closest_score_to_a_threshold_on_asked_terms": round(margins[b], 4),
                "layer_seconds_added": round(seconds[b], 2),
            }
        report["sets"][set_name] = out
        summary = ", ".join(
            f"{b}: {out[b]['terms_added']} terms added, same as {ref}: {out[b]['same_terms_as_' + ref]}, "
            f"{len(out[b]['sentence_decisions_differing_from_' + ref])} sentence decisions differ "
            f"({out[b]['of_which_on_terms_the_layer_was_asked']} on terms it was asked), "
            f"+{out[b]['layer_seconds_added']:.1f}s"
            for b in backends
        )
        print(f"{set_name}: {reached} documents reach the layer; {summary}", file=sys.stderr, flush=True)
    text = json.dumps(report, indent=2, default=str)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
