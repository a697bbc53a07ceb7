"""Retrieval coverage of the LLM chain on the dev contracts.

For each dev-labelled CUAD contract: load the PDF, chunk it, index it in a throw-away
Chroma store (unless ``--no-semantic``), build the LLM context with
:func:`contract_review.extract.retrieval.retrieve`, and measure

* the share of CUAD insurance spans (``cuad_insurance.csv``, ``cuad_insurance_spans``; text
  from the txt files, located in the PDF text modulo whitespace, quote marks and dashes)
  that lie inside the retrieved context, and
* the retrieved tokens as a share of the document's tokens (``bpe_openai``).

Target: >= 99% of spans covered at <= 20% of the tokens.

    python eval/retrieval_coverage.py [--cuad ../shared/data/cuad] [--budget N] [--top-k K]
           [--no-semantic] [--json out.json]
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CUAD = Path(os.environ.get("CONTRACT_REVIEW_SHARED", ROOT.parent / "shared")) / "data" / "cuad"


def _spans(cell: str) -> list[str]:
    cell = (cell or "").strip()
    if not cell:
        return []
    try:
        return list(json.loads(cell))
    except json.JSONDecodeError:
        return list(ast.literal_eval(cell))


def _squash_index(norm: str) -> tuple[str, list[int]]:
    """``norm`` without whitespace, with the offset of each kept character."""
    out, offs = [], []
    for i, ch in enumerate(norm):
        if not ch.isspace():
            out.append(ch.lower())
            offs.append(i)
    return "".join(out), offs


def locate(doc, span: str, squashed: tuple[str, list[int]]) -> list[tuple[int, int]]:
    """Where the CUAD span lies in the PDF text, as a list of located fragments.

    Compared without whitespace, case, quote and dash variants (pypdf breaks lines and words
    differently from the txt files). A span with CUAD's ``<omitted>`` marker, or one that a
    page header/footer interrupts in the PDF, is split into fragments (the ``<omitted>``
    parts, then sentences); fragments that cannot be found are ignored, an empty list means
    the span was not found at all."""
    from contract_review.loaders import searchable

    text, offs = squashed

    def find(piece: str, after: int = 0, min_chars: int = 12) -> tuple[int, int] | None:
        s = re.sub(r"\s+", "", searchable(piece)).lower()
        if len(s) < min_chars:
            return None
        pos = text.find(s, after)
        return None if pos < 0 else (pos, pos + len(s))

    out, after = [], 0
    for part in span.split("<omitted>"):
        whole = find(part, after) or find(part)
        if whole:
            out.append(whole)
            after = whole[1]
            continue
        for sentence in re.split(r"(?<=[.;:])\s+|\n\s*\n", part):
            # a sentence alone must be long enough not to match a running header elsewhere
            where = find(sentence, after, min_chars=30)
            if where:
                out.append(where)
                after = where[1]
    return [(offs[a], offs[b - 1] + 1) for a, b in out]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cuad", type=Path, default=DEFAULT_CUAD)
    ap.add_argument("--budget", type=int, default=None, help="Token budget (default: settings.llm_token_budget).")
    ap.add_argument("--top-k", type=int, default=None, help="Semantic hits per query (default: settings.llm_top_k).")
    ap.add_argument("--no-semantic", action="store_true", help="Lexical candidates and cross-references only.")
    ap.add_argument("--json", type=Path, help="Write per-document rows here.")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", default="", help="Only files whose name contains this text.")
    args = ap.parse_args(argv)

    if not os.environ.get("CONTRACT_REVIEW_HOME"):  # a throw-away store, removed at the end
        scratch = tempfile.TemporaryDirectory(prefix="cr-retrieval-")
        os.environ["CONTRACT_REVIEW_HOME"] = scratch.name
    from contract_review.chunking import chunk_document
    from contract_review.extract.retrieval import retrieve
    from contract_review.loaders import load_document
    from contract_review.settings import Settings

    flags = {}
    if args.top_k is not None:
        flags["llm_top_k"] = args.top_k
    if args.no_semantic:
        flags["llm_top_k"] = 0
    settings = Settings(**flags)
    store = None
    if settings.llm_top_k > 0:
        from contract_review.store import Store

        store = Store(settings)

    labels = [json.loads(line) for line in open(args.cuad / "dev_labels.jsonl", encoding="utf-8") if line.strip()]
    spans_by_file = {
        r["file"]: _spans(r["cuad_insurance_spans"])
        for r in csv.DictReader(open(args.cuad / "cuad_insurance.csv", encoding="utf-8"))
    }
    if args.only:
        labels = [lab for lab in labels if args.only.lower() in lab["file"].lower()]
    if args.limit:
        labels = labels[: args.limit]

    rows = []
    n_spans = n_covered = n_unlocated = n_frags = n_frags_covered = n_ev = n_ev_covered = 0
    ctx_tokens = doc_tokens = 0
    shares = []
    t0 = time.perf_counter()
    for lab in labels:
        name = lab["file"]
        doc = load_document(args.cuad / "pdf" / name, settings)
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
        if store is not None:
            store.index(doc, chunks)
        ctx = retrieve(doc, chunks, settings, store=store, budget=args.budget)
        squashed = _squash_index(doc.norm)
        missed, unlocated, covered, frags, frags_covered = [], [], 0, 0, 0
        spans = spans_by_file.get(name, [])
        for sp in spans:
            where = locate(doc, sp, squashed)
            if not where:
                unlocated.append(sp[:120])
                continue
            frags += len(where)
            frags_covered += sum(1 for w in where if ctx.covers(*w))
            if all(ctx.covers(*w) for w in where):
                covered += 1
            else:
                first = next(w for w in where if not ctx.covers(*w))
                missed.append({"page": doc.page_at(first[0]), "span": doc.text[first[0] : first[1]][:160]})
        # our own labels' evidence quotes (every field), as a second, field-level measure
        ev_total = ev_covered = 0
        for field_name, quotes in (lab.get("evidence") or {}).items():
            for q in quotes or []:
                where = locate(doc, q, squashed)
                if where:
                    ev_total += 1
                    if all(ctx.covers(*w) for w in where):
                        ev_covered += 1
                    else:
                        missed.append({"page": doc.page_at(where[0][0]), "span": f"[label {field_name}] {q[:140]}"})
        n_ev += ev_total
        n_ev_covered += ev_covered
        located = len(spans) - len(unlocated)
        n_spans += located
        n_covered += covered
        n_unlocated += len(unlocated)
        n_frags += frags
        n_frags_covered += frags_covered
        ctx_tokens += ctx.tokens
        doc_tokens += ctx.doc_tokens
        shares.append(ctx.share)
        rows.append(
            {
                "file": name,
                "spans": len(spans),
                "located": located,
                "covered": covered,
                "tokens": ctx.tokens,
                "doc_tokens": ctx.doc_tokens,
                "share": round(ctx.share, 4),
                "notes": ctx.notes,
                "missed": missed,
                "unlocated": unlocated,
            }
        )
        flag = " MISSED" if missed else ""  # a CUAD span or a label quote outside the context
        print(
            f"{covered}/{located} spans  {ctx.share:6.1%} of {ctx.doc_tokens:>6} tokens  {name[:70]}{flag}",
            file=sys.stderr,
        )
    elapsed = time.perf_counter() - t0
    shares_sorted = sorted(shares)
    summary = {
        "documents": len(labels),
        "spans_located": n_spans,
        "spans_unlocated": n_unlocated,
        "spans_covered": n_covered,
        "span_coverage": round(n_covered / n_spans, 4) if n_spans else None,
        "fragments_located": n_frags,
        "fragment_coverage": round(n_frags_covered / n_frags, 4) if n_frags else None,
        "label_evidence_quotes": n_ev,
        "label_evidence_coverage": round(n_ev_covered / n_ev, 4) if n_ev else None,
        "token_share_aggregate": round(ctx_tokens / doc_tokens, 4) if doc_tokens else None,
        "token_share_mean": round(sum(shares) / len(shares), 4) if shares else None,
        "token_share_p90": round(shares_sorted[int(0.9 * (len(shares) - 1))], 4) if shares else None,
        "token_share_max": round(shares_sorted[-1], 4) if shares else None,
        "budget": args.budget or settings.llm_token_budget,
        "semantic_top_k": settings.llm_top_k,
        "budget_cut_documents": sum(1 for r in rows if r["notes"]),
        "seconds": round(elapsed, 1),
    }
    for r in rows:
        for m in r["missed"]:
            print(f"missed: {r['file'][:60]} p.{m['page']}: {m['span'][:120]!r}", file=sys.stderr)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "documents": rows}, indent=2))
    ok = (
        summary["span_coverage"] is not None
        and summary["span_coverage"] >= 0.99
        and summary["token_share_aggregate"] <= 0.20
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
