"""Round-trip the reviewed Word draft on real contracts: each CUAD text is written as a DOCX
(one paragraph per line, each split into two runs, one in three bold), reviewed, marked up
with ``write_redline``, and then

- our changes rejected must give back the draft's text exactly;
- every change accepted, a re-review must no longer raise the findings the changes address.

    python eval/redline_roundtrip.py [--playbook technology-services] [--limit 150] [--seed 7]

Prints one line per failure and a summary; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import docx

from contract_review import wordml
from contract_review.loaders import load_document
from contract_review.pipeline import Reviewer
from contract_review.redline import write_redline

CUAD_TXT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cuad" / "txt"
AUTHOR = "Round Trip"


def as_docx(text: str) -> bytes:
    d = docx.Document()
    for i, line in enumerate(text.replace("\x0c", "\n").split("\n")):
        p = d.add_paragraph()
        half = len(line) // 2
        if line[:half]:
            p.add_run(line[:half]).bold = i % 3 == 0
        if line[half:]:
            p.add_run(line[half:])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def applied(data: bytes, how, author: str | None) -> bytes:
    d = docx.Document(io.BytesIO(data))
    how(d.element.body, author)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def round_trip(reviewer: Reviewer, name: str, data: bytes) -> tuple[str | None, int]:
    """A failure message (None when it holds) and the number of tracked fixes."""
    result = reviewer.review(name, data, index=False)
    if result.status != "ok":
        return f"not reviewed: {result.error}", 0
    out = write_redline(data, result, author=AUTHOR, date="2026-12-01T00:00:00Z")
    if load_document(name, data=applied(out, wordml.reject, AUTHOR)).text != load_document(name, data=data).text:
        return "rejecting our changes does not give back the draft", 0
    again = reviewer.review(name, applied(out, wordml.accept, None), index=False)
    # A finding is addressed when its fixes cover all it cites (a vague-language finding may
    # quote several obligations, of which only the whole sentences are rewritten).
    fixed = {
        f.rule
        for f in result.findings
        if f.covered_by or (f.fixes and (f.rule != "INS003" or len(f.fixes) == len(f.evidence)))
    }
    left = sorted(fixed & {f.rule for f in again.findings if f.severity != "info"})
    n = sum(len(f.fixes) for f in result.findings)
    return (f"still raised after accepting: {', '.join(left)}" if left else None), n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--playbook", default="general")
    ap.add_argument("--limit", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cuad", type=Path, default=CUAD_TXT)
    args = ap.parse_args(argv)
    files = sorted(args.cuad.glob("*.txt"))
    random.Random(args.seed).shuffle(files)
    reviewer = Reviewer(playbook=args.playbook)
    failures, fixes, t0 = 0, 0, time.perf_counter()
    for path in files[: args.limit]:
        problem, n = round_trip(reviewer, path.stem + ".docx", as_docx(path.read_text(errors="replace")))
        fixes += n
        if problem:
            failures += 1
            print(f"FAIL {path.name}: {problem}")
    n = min(args.limit, len(files))
    print(
        f"{n - failures}/{n} contracts round-trip ({args.playbook}); {fixes} tracked fixes; "
        f"{time.perf_counter() - t0:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
