#!/usr/bin/env python
"""Check field labels of CUAD contracts (e.g. ``eval/labels/fresh_labels.jsonl``).

    python eval/check_cuad_labels.py eval/labels/fresh_labels.jsonl /work/shared/data/cuad

Reuses the record checks of ``sample_contracts/check_labels.py`` (fields and order of
LABELS.md, vocabularies, internal consistency, 1-3 quotes under 300 characters per true
field) and checks that every evidence quote is verbatim in the contract's CUAD text
(``txt/<stem>.txt``, whitespace runs collapsed to one space, as LABELS.md asks), that the
PDF named by ``file`` exists in ``pdf/`` and that no file is labelled twice.
Exits 1 if anything fails.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("check_labels", HERE.parent / "sample_contracts" / "check_labels.py")
assert _spec and _spec.loader
check_labels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_labels)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__)
        return 1
    labels, cuad = Path(args[0]), Path(args[1])
    failures = quotes_ok = 0
    seen: set[str] = set()
    for n, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        name = rec.get("file", f"<line {n}>")
        errs = check_labels.check_record(rec)
        if name in seen:
            errs.append("labelled twice")
        seen.add(name)
        if not (cuad / "pdf" / name).exists():
            errs.append("no such file in pdf/")
        txt = cuad / "txt" / (Path(name).stem + ".txt")
        if not txt.exists():
            errs.append(f"no text file {txt.name}")
        else:
            text = check_labels.norm(txt.read_text(encoding="utf-8", errors="replace"))
            for field_name, quotes in rec["evidence"].items():
                for q in quotes:
                    if check_labels.norm(q) in text:
                        quotes_ok += 1
                    else:
                        errs.append(f"{field_name}: quote not found: {q[:70]!r}")
        if errs:
            failures += 1
            print(f"FAIL {name}")
            for e in errs:
                print(f"     - {e}")
    print(f"{len(seen)} labelled files, {quotes_ok} evidence quotes found verbatim, {failures} file(s) with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
