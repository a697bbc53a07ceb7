"""Benchmark OCR of scanned contracts: accuracy against the typed originals, and speed
against Tesseract's own time.

    python eval/bench_ocr.py                        # accuracy on every sample PDF, speed on 4
    python eval/bench_ocr.py --only speed --files 2 # a quick speed check
    python eval/bench_ocr.py --scans DIR            # keep the scans (else a temporary folder)

The scans are made by :mod:`contract_review.evaluation.scans` (each page at 200 dpi, mild
noise, a 1-2° skew, back to an image-only PDF), seeded, so every run reads the same images.

* ``accuracy``: the eval (``sample_contracts/labels.jsonl``, the PDF rows) on the originals
  and on their scans; per field F1 of both. ``quotes verbatim`` is the share of the
  originals' report quotes (every citation of profile and findings) found in the OCR text of
  the scan (:func:`contract_review.grounding.find_quote`: exact modulo whitespace runs and
  quote/dash variants, as grounding matches); ``scan grounding`` the share of the scans'
  own quotes that are verbatim OCR text (must be 100%).
* ``speed``: ``pages/s per core``, OCR alone (render, straighten, Tesseract) in one process;
  ``floor``, the sum of Tesseract's own time on the same pages (the ``tesseract`` program
  run on each prepared page image, single-threaded, as the pipeline runs it); ``w1`` / ``w2``,
  ``contract-review screen --workers 1`` / ``2`` on the folder of scans, each a fresh
  process with an empty CONTRACT_REVIEW_HOME and ``--force`` (wall time includes start-up).
  Targets: w1 <= 1.2x floor, w2 >= 1.8x faster than w1. ``--repeat N`` keeps the fastest of
  N runs (the least disturbed on a shared machine).

Writes a Markdown report (``--out``, default ``eval/bench_ocr.md``) and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_contracts"
LABELS = SAMPLES / "labels.jsonl"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_scans import make_scans  # noqa: E402

# --------------------------------------------------------------------------- accuracy


def _pdf_labels(tmp: Path) -> Path:
    """The labels of the sample PDFs (a scan is made of a PDF only)."""
    rows = [line for line in LABELS.read_text().splitlines() if line.strip()]
    keep = [r for r in rows if json.loads(r)["file"].endswith(".pdf") and (SAMPLES / json.loads(r)["file"]).exists()]
    out = tmp / "labels-pdf.jsonl"
    out.write_text("\n".join(keep) + "\n")
    return out


def _load(path: str):
    from contract_review.loaders import load_document
    from contract_review.settings import Settings

    return load_document(path, Settings())


def accuracy(scans: Path, tmp: Path, workers: int) -> dict:
    from contract_review.evaluation.evaluate import run_eval
    from contract_review.evaluation.labels import load_labels
    from contract_review.evaluation.runner import Reviewed, result_citations
    from contract_review.evaluation.scoring import score
    from contract_review.grounding import find_quote, is_verbatim
    from contract_review.pipeline import Reviewer
    from contract_review.settings import Settings

    labels = _pdf_labels(tmp)
    rows = load_labels(labels)
    orig_metrics, orig_reviews = run_eval(labels, SAMPLES, settings=Settings(ocr="never"))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        docs = dict(zip([r.file for r in rows], pool.map(_load, [str(scans / r.file) for r in rows]), strict=True))
    ocr_seconds = time.perf_counter() - t0
    reviewer = Reviewer(Settings())
    pairs, found, quotes, own, own_ok, missed = [], 0, 0, 0, 0, []
    confidences = []
    for row, orig in zip(rows, orig_reviews, strict=True):
        doc = docs[row.file]
        confidences += [o.confidence for o in doc.ocr_pages]
        result = reviewer.review_document(doc)
        rev = Reviewed(result)
        for c in result_citations(result):
            rev.citations += 1
            ok = is_verbatim(doc, c) and c.ocr
            rev.verbatim += ok
            if not ok:
                rev.not_verbatim.append(c.quote)
        own += rev.citations
        own_ok += rev.verbatim
        pairs.append((row, rev))
        for c in result_citations(orig.result):
            quotes += 1
            if find_quote(doc, c.quote) is not None:
                found += 1
            else:
                missed.append((row.file, c.quote))
    scan_metrics = score(pairs, {"docs": str(scans)})
    fields = {}
    for name, m in orig_metrics["fields"].items():
        fields[name] = (m["f1"], scan_metrics["fields"][name]["f1"], m["support"])
    limits = {
        k: (orig_metrics["limits"].get(k), scan_metrics["limits"].get(k))
        for k in ("recall_full", "recall_amount", "precision_amount")
    }
    return {
        "limits": limits,
        "docs": len(rows),
        "pages": sum(len(d.pages) for d in docs.values()),
        "ocr_seconds": round(ocr_seconds, 1),
        "workers": workers,
        "fields": fields,
        "quotes": quotes,
        "quotes_found": found,
        "missed": sorted(set(missed)),
        "scan_citations": own,
        "scan_citations_verbatim": own_ok,
        "mean_confidence": round(sum(confidences) / max(len(confidences), 1), 1),
        "min_confidence": min(confidences, default=None),
    }


# --------------------------------------------------------------------------- speed

OCR_ALONE = r"""
import json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path
import pypdfium2 as pdfium
from contract_review import ocr
from contract_review.settings import Settings
files = json.loads(sys.argv[1]); s = Settings(); tmp = Path(tempfile.mkdtemp())
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
def cpu():  # this process and its reaped children (Tesseract)
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
pages = 0; alone = floor = alone_cpu = floor_cpu = 0.0
for f in files:
    pdf = pdfium.PdfDocument(f)
    for i in range(len(pdf)):
        t0, c0 = time.perf_counter(), cpu()
        img = ocr.render(pdf[i], s.ocr_dpi)
        ocr.read_image(img, s)
        alone += time.perf_counter() - t0; alone_cpu += cpu() - c0
        prepared = ocr.clean(img)
        pgm = tmp / f"p{pages}.pgm"; prepared.save(pgm)
        t0, c0 = time.perf_counter(), cpu()
        subprocess.run([s.tesseract_cmd, str(pgm), str(tmp / "out"), "-l", s.ocr_language, "--psm", "3",
                        "--dpi", str(s.ocr_dpi), "tsv"], check=True, capture_output=True)
        floor += time.perf_counter() - t0; floor_cpu += cpu() - c0
        pages += 1
print(json.dumps({"pages": pages, "ocr_alone": alone, "floor": floor, "ocr_alone_cpu": alone_cpu,
                  "floor_cpu": floor_cpu}))
"""


def run_child(code: str, files: list[str], env: dict) -> dict:
    r = subprocess.run([sys.executable, "-c", code, json.dumps(files)], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"child failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def screen(folder: Path, workers: int, env: dict, tmp: Path) -> tuple[float, float, list[dict]]:
    """Wall seconds, CPU seconds (the whole process tree: ``wait4`` counts every reaped
    descendant, workers and Tesseract runs) and the rows of one screen run."""
    home = Path(tempfile.mkdtemp(dir=tmp))
    out = home / "out.jsonl"
    cmd = [sys.executable, "-m", "contract_review.cli", "screen", str(folder), "--workers", str(workers)]
    cmd += ["--force", "--quiet", "--output", str(out)]
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env={**env, "CONTRACT_REVIEW_HOME": str(home)}, stdout=subprocess.DEVNULL, stderr=err)
        _, status, rusage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        if code not in (0, 3):
            sys.exit(f"screen failed ({code}):\n{err.read()[-3000:]}")
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return wall, rusage.ru_utime + rusage.ru_stime, rows


def speed(scans: Path, files: int, repeat: int, tmp: Path) -> dict:
    picked = sorted(scans.glob("*.pdf"))[:files]
    folder = tmp / "speed"
    folder.mkdir()
    for p in picked:
        shutil.copyfile(p, folder / p.name)  # a copy: screen reports symlinks out of its folder
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    best: dict[str, float] = {}
    pages = 0
    rows_ok = True
    for _ in range(repeat):
        alone = run_child(OCR_ALONE, [str(p) for p in picked], env)
        pages = alone["pages"]
        for k in ("ocr_alone", "floor", "ocr_alone_cpu", "floor_cpu"):
            best[k] = min(best.get(k, 1e9), alone[k])
        for w in (1, 2):
            wall, cpu, rows = screen(folder, w, env, tmp)
            best[f"w{w}"] = min(best.get(f"w{w}", 1e9), wall)
            best[f"w{w}_cpu"] = min(best.get(f"w{w}_cpu", 1e9), cpu)
            rows_ok &= all(r["status"] == "ok" for r in rows) and sum(len(r["ocr_pages"]) for r in rows) == pages
    return {"files": len(picked), "pages": pages, "repeat": repeat, "rows_ok": rows_ok, **best}


# --------------------------------------------------------------------------- report


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def render(acc: dict | None, spd: dict | None) -> str:
    from contract_review.ocr import _version
    from contract_review.settings import Settings

    s = Settings()
    out = [
        "# OCR benchmark",
        "",
        f"{datetime.now(UTC).isoformat(timespec='seconds')} · {platform.node()} · {os.cpu_count()} CPU(s) · "
        f"{_version(s.tesseract_cmd)} · {s.ocr_dpi} dpi · `python eval/bench_ocr.py` · load average at the end "
        f"{os.getloadavg()[0]:.1f}",
        "",
    ]
    if acc:
        out += [
            "## Accuracy: scans vs originals",
            "",
            f"{acc['docs']} sample PDFs, {acc['pages']} pages scanned at 200 dpi with noise and a 1-2° skew, "
            f"OCR'd in {acc['ocr_seconds']}s with {acc['workers']} process(es); Tesseract mean confidence "
            f"{acc['mean_confidence']} (lowest page {acc['min_confidence']}).",
            "",
            "| field | support | F1 original | F1 scanned |",
            "|---|---|---|---|",
        ]
        for name, (f_orig, f_scan, support) in acc["fields"].items():
            mark = "" if f_orig == f_scan else " **differs**"
            out.append(f"| {name} | {support} | {_f(f_orig)} | {_f(f_scan)}{mark} |")
        for k, (l_orig, l_scan) in acc["limits"].items():
            mark = "" if l_orig == l_scan else " **differs**"
            out.append(f"| limits: {k.replace('_', ' ')} | | {_f(l_orig)} | {_f(l_scan)}{mark} |")
        out += [
            "",
            f"- quotes of the originals' reports found verbatim in the OCR text: {acc['quotes_found']}/"
            f"{acc['quotes']} ({acc['quotes_found'] / max(acc['quotes'], 1):.1%})",
            f"- the scans' own quotes verbatim in their OCR text and marked OCR: {acc['scan_citations_verbatim']}/"
            f"{acc['scan_citations']}",
            "",
            "Distinct quotes of the originals not found verbatim in the OCR text (misread, or read in another order):",
            "",
        ]
        out += [f'- {file}: "{" ".join(q.split())[:160]}"' for file, q in acc["missed"]]
        out.append("")
    if spd:
        fl, fc = spd["floor"], spd["floor_cpu"]
        out += [
            "## Speed",
            "",
            f"{spd['files']} scans, {spd['pages']} pages; fastest of {spd['repeat']} run(s); every row ok and every "
            f"page OCR'd: {'yes' if spd['rows_ok'] else 'NO'}. CPU seconds are those of the whole process tree "
            "(workers and Tesseract runs): on a loaded machine they show the work done, wall seconds also the "
            "waiting for a core.",
            "",
            "| run | wall s | wall vs floor | CPU s | CPU vs floor | target |",
            "|---|---|---|---|---|---|",
            f"| OCR alone (render, straighten, Tesseract), one process | {spd['ocr_alone']:.1f} | "
            f"{spd['ocr_alone'] / fl:.2f}x | {spd['ocr_alone_cpu']:.1f} | {spd['ocr_alone_cpu'] / fc:.2f}x | "
            f"{spd['pages'] / spd['ocr_alone']:.2f} pages/s per core (wall), "
            f"{spd['pages'] / spd['ocr_alone_cpu']:.2f} per CPU second |",
            f"| floor: Tesseract's own time | {fl:.1f} | 1.00x | {fc:.1f} | 1.00x | |",
            f"| screen --workers 1 | {spd['w1']:.1f} | {spd['w1'] / fl:.2f}x | {spd['w1_cpu']:.1f} | "
            f"{spd['w1_cpu'] / fc:.2f}x | <= 1.2x floor |",
            f"| screen --workers 2 | {spd['w2']:.1f} | {spd['w2'] / fl:.2f}x | {spd['w2_cpu']:.1f} | "
            f"{spd['w2_cpu'] / fc:.2f}x | {spd['w1'] / spd['w2']:.2f}x faster than w1 (>= 1.8x) |",
            "",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="accuracy,speed", help="accuracy, speed or both (comma-separated).")
    ap.add_argument("--scans", type=Path, default=None, help="Write the scans here (else a temporary folder).")
    ap.add_argument("--files", type=int, default=4, help="Scans in the speed runs (the first N by name).")
    ap.add_argument("--workers", type=int, default=2, help="Processes that OCR the scans for the accuracy run.")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=REPO / "eval" / "bench_ocr.md")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as t:
        tmp = Path(t)
        os.environ["CONTRACT_REVIEW_HOME"] = str(tmp / "home")
        scans = a.scans or tmp / "scans"
        if not any(scans.glob("*.pdf")):
            make_scans(SAMPLES, scans)
        acc = accuracy(scans, tmp, a.workers) if "accuracy" in only else None
        spd = speed(scans, a.files, a.repeat, tmp) if "speed" in only else None
        text = render(acc, spd)
    a.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
