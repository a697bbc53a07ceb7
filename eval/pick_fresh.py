#!/usr/bin/env python
"""Pick the fresh test set (issue 14): CUAD contracts outside the dev set, at random.

    python eval/pick_fresh.py /work/shared/data/cuad > eval/labels/fresh_pick.txt

Stratified on CUAD's coarse ``Insurance`` answer (``cuad_insurance.csv``) so that about two
thirds of the set has insurance terms: ``--yes`` contracts drawn from CUAD's "Yes" rows and
``--no`` from its "No" rows, each with ``random.Random(seed)`` over the sorted file names,
then the whole pick is printed in sorted order, one file name a line, with the stratum.
The labels themselves are written by reading each full text (``LABELS.md``), not from
CUAD's spans. Seed 14 (the issue number), 40 "Yes" + 20 "No" are the published pick.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path


def pick(cuad_dir: Path, seed: int, n_yes: int, n_no: int) -> list[tuple[str, str]]:
    dev = {
        line.strip() for line in (cuad_dir / "dev_subset.txt").read_text(encoding="utf-8").splitlines() if line.strip()
    }
    with (cuad_dir / "cuad_insurance.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rest = [r for r in rows if Path(r["file"]).stem not in dev and r["file"] not in dev]
    yes = sorted(r["file"] for r in rest if r["cuad_insurance"] == "Yes")
    no = sorted(r["file"] for r in rest if r["cuad_insurance"] != "Yes")
    rng = random.Random(seed)
    chosen = [(f, "yes") for f in rng.sample(yes, n_yes)] + [(f, "no") for f in rng.sample(no, n_no)]
    return sorted(chosen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cuad_dir", type=Path, help="folder with cuad_insurance.csv and dev_subset.txt")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--yes", type=int, default=40)
    ap.add_argument("--no", type=int, default=20)
    args = ap.parse_args(argv)
    for name, stratum in pick(args.cuad_dir, args.seed, args.yes, args.no):
        print(f"{stratum}\t{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
