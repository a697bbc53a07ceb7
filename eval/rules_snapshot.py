"""Snapshot the rules extractor's answers, to prove a change to it (a speed-up) changes none.

    python eval/rules_snapshot.py dump OUT_DIR [--pdf-every 10]   # before and after the change
    python eval/rules_snapshot.py compare BEFORE_DIR AFTER_DIR      # "N documents, 0 differences"

``dump`` reviews (rules extractor, general playbook, no index) every CUAD text of
``../shared/data/cuad/txt``, every sample contract and every ``--pdf-every``-th CUAD PDF,
and writes one JSON per document: the extraction as the extractor returns it (profile,
notes, uncertain fields) and the full review result (grounded profile and findings). Run it
on the code before the change (``git archive BASE src | tar -x -C /tmp/base`` and
``PYTHONPATH=/tmp/base/src``), then after; ``compare`` lists the documents whose JSON differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONTRACT_REVIEW_SHARED", ROOT.parent / "shared"))
CUAD = SHARED / "data" / "cuad"
SUFFIXES = (".pdf", ".docx", ".txt", ".md")


def documents(pdf_every: int) -> list[Path]:
    """The CUAD texts, the sample contracts and a sample of the CUAD PDFs, in a fixed order."""
    files = sorted((CUAD / "txt").iterdir()) if (CUAD / "txt").is_dir() else []
    files += sorted(p for p in (ROOT / "sample_contracts").iterdir() if p.suffix.lower() in SUFFIXES)
    pdfs = sorted((CUAD / "pdf").iterdir()) if (CUAD / "pdf").is_dir() else []
    return files + pdfs[::pdf_every]


def dump(out: Path, pdf_every: int) -> int:
    from contract_review.extract.rules import RulesExtractor
    from contract_review.loaders import load_document
    from contract_review.pipeline import Reviewer
    from contract_review.settings import Settings
    from contract_review.ui import load_playbook

    settings = Settings()
    reviewer = Reviewer(settings, extractor="rules", playbook=load_playbook("general"), index=False)
    extractor = RulesExtractor(settings)
    out.mkdir(parents=True, exist_ok=True)
    files = documents(pdf_every)
    for f in files:
        try:
            doc = load_document(f, settings)
        except Exception as e:  # noqa: BLE001 - a load error is an answer too
            record: dict = {"load_error": repr(e)}
        else:
            ex = extractor.extract(doc)
            result, _ = reviewer.review_document_deferred(load_document(f, settings))
            record = {
                "extraction": {
                    "profile": json.loads(ex.profile.model_dump_json()),
                    "notes": ex.notes,
                    "uncertain": ex.uncertain,
                },
                "result": json.loads(result.model_dump_json()),
            }
        name = hashlib.sha1(str(f).encode()).hexdigest()[:10] + "_" + f.name[:60] + ".json"
        (out / name).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(files)} documents dumped into {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    names_a = sorted(p.name for p in before.iterdir())
    names_b = sorted(p.name for p in after.iterdir())
    if names_a != names_b:
        print(f"different documents: {len(set(names_a) ^ set(names_b))} in only one of the two")
        return 1
    diff = [n for n in names_a if (before / n).read_bytes() != (after / n).read_bytes()]
    print(f"{len(names_a)} documents, {len(diff)} differences")
    for n in diff:
        print("  " + n)
    return 1 if diff else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--pdf-every", type=int, default=10)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    return dump(args.out, args.pdf_every) if args.cmd == "dump" else compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
