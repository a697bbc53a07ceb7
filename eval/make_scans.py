"""Write "scanned" copies of PDFs: each page rendered at 200 dpi, mild noise, a 1-2° skew,
back to an image-only PDF (no text layer), under the same file name.

    python eval/make_scans.py sample_contracts /tmp/scans            # every PDF there
    python eval/make_scans.py sample_contracts /tmp/scans --files 3  # the first three

The scans are made, not committed: they are large and the same arguments give the same
bytes (see :mod:`contract_review.evaluation.scans`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from contract_review.evaluation.scans import scan_pdf


def make_scans(src: Path, out: Path, files: int | None = None, dpi: int = 200, seed: int = 0) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for i, pdf in enumerate(sorted(src.glob("*.pdf"))[:files]):
        target = out / pdf.name
        target.write_bytes(scan_pdf(pdf.read_bytes(), dpi=dpi, seed=seed + i))
        made.append(target)
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=None, help="Only the first N PDFs (by name).")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    for p in make_scans(a.src, a.out, a.files, a.dpi, a.seed):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
