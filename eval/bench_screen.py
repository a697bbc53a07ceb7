"""Benchmark ``contract-review screen`` against its floor, in one run on the same files.

    python eval/bench_screen.py                       # 60 PDFs from ../shared/data/cuad/pdf
    python eval/bench_screen.py --files 10 --src DIR  # a quick check
    python eval/bench_screen.py --only floor,w1,w2    # a subset of the runs

What it measures (every screen run is a fresh process with an empty CONTRACT_REVIEW_HOME and
``--force``, so nothing comes from a cache; wall time includes start-up):

* ``floor``: pypdf parse-only time of the files, in one process (no chunking, no rules; the
  imports frozen out of the garbage collector, as a screen worker does);
* ``stages``: where one process spends its time per stage (parse, chunk, extract, ground,
  checks), to show the share of the rules extractor;
* ``w1`` / ``w2``: ``screen --workers 1 --parser pypdf`` / ``--workers 2`` (with two workers a
  long PDF is read in page ranges by both; the report says whether every row equals the
  one-worker row); pypdf is named explicitly since pdfium became the default (issue 14), so
  these rows keep comparing the pipeline with the pypdf floor;
* ``pdfium``: ``screen --workers 1 --parser pdfium`` (the default parser); ``pdfium_w2``: the same
  with ``--workers 2``; ``floor_pdfium``: pdfium parse-only time, as ``floor``;
* ``semantic`` / ``semantic_w2``: ``screen --workers 1`` / ``--workers 2 --parser pdfium`` with the
  semantic layer on (``CONTRACT_REVIEW_SEMANTIC=1``, the configured encoder backend, onnx-int8 by
  default, its export made once before the runs and not counted); every other screen row runs
  with ``CONTRACT_REVIEW_SEMANTIC=0``, so each row names what it measures whatever the default;
  ``semantic_load``: in a fresh process, the layer's import, encoder load, prototype
  embeddings and per-document time on the same files (pdfium parse excluded);
* ``index``: ``screen --workers 1 --parser pypdf --index``; its indexing throughput is the chunks indexed
  divided by the time it adds to ``w1``, compared with the bare encoder's chunks/s on the
  same chunks (``encoder``: the bundled MiniLM encoding each document's chunks, as
  ``Store.index`` does, model load excluded);
* peak RSS: the largest resident set of any single process of the run (``wait4``).

``--repeat N`` keeps the fastest of N runs of the floors and every screen row but index (the
screen rows interleaved, one of each in turn): on a shared machine the load changes between
runs, and the minimum is the least disturbed. Rows are compared without their timings.

Targets on a 2-core machine: w1 <= 1.3x floor, w2 >= 1.8x faster than w1, pdfium >= 4x
faster than w1, index >= 85% of the encoder's chunks/s, peak RSS <= 1.5 GB per process; the
semantic rows are held to the same rule against the parser they use: semantic <= 1.3x
floor_pdfium (and semantic_w2 against it too), and both against pdfium / pdfium_w2 are shown.
Writes a Markdown table (``--out``, default ``eval/bench_screen.md``) and prints it.
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
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SRC = REPO.parent / "shared" / "data" / "cuad" / "pdf"
RUNS = ["floor", "stages", "encoder", "w1", "w2", "pdfium", "index"]
EXTRA_RUNS = ["floor_pdfium", "pdfium_w2", "semantic_load", "semantic", "semantic_w2"]  # with --only


def pick_files(src: Path, n: int) -> list[str]:
    """``n`` PDFs spread evenly over the sorted folder (not just the first letters)."""
    files = sorted(str(p) for p in src.iterdir() if p.suffix.lower() == ".pdf")
    if not files:
        sys.exit(f"no PDFs in {src}")
    if n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def measured(cmd: list[str], env: dict) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd``; return wall seconds, peak RSS in bytes of its largest process (``wait4``
    reports the maximum over the process and the children it reaped), and the result, whose
    ``cpu`` attribute is the CPU seconds (user + system) of the process and those children:
    on a shared machine, less disturbed by the load than the wall time."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, rusage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(cmd, p.returncode, out.read(), err.read())
        done.cpu = rusage.ru_utime + rusage.ru_stime  # type: ignore[attr-defined]
        return wall, rusage.ru_maxrss * 1024, done


def run_child(code: str, files: list[str], env: dict) -> tuple[float, int, dict]:
    """Run a Python snippet in a fresh process (it prints one JSON object last)."""
    wall, peak, r = measured([sys.executable, "-c", code, json.dumps(files)], env)
    if r.returncode != 0:
        sys.exit(f"child failed:\n{r.stderr[-3000:]}")
    return wall, peak, dict(json.loads(r.stdout.strip().splitlines()[-1]), process_cpu=r.cpu)  # type: ignore[attr-defined]


FLOOR = r"""
import gc, json, os, sys, time
from contract_review.loaders import load_document
from contract_review.settings import Settings
files = json.loads(sys.argv[1]); s = Settings(pdf_parser=os.environ.get("BENCH_PARSER", "pypdf"))
gc.collect(); gc.freeze()  # as a screen worker does: imports stay out of the GC's full passes
t0 = time.perf_counter(); pages = errors = 0
for f in files:
    try:
        pages += len(load_document(f, s).pages)
    except Exception:
        errors += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "pages": pages, "errors": errors}))
"""

STAGES = r"""
import json, sys, time
from contract_review.checks import run_checks
from contract_review.chunking import chunk_document
from contract_review.extract import get_extractor
from contract_review.grounding import ground_profile
from contract_review.loaders import load_document
from contract_review.playbook import load_playbook
from contract_review.settings import Settings
files = json.loads(sys.argv[1]); s = Settings(); ext = get_extractor("rules", s); pb = load_playbook(None)
t = dict(parse=0.0, chunk=0.0, extract=0.0, ground=0.0, checks=0.0); chunks = 0
for f in files:
    a = time.perf_counter()
    try:
        doc = load_document(f, s)
    except Exception:
        continue
    b = time.perf_counter(); ch = chunk_document(doc, s.chunk_size, s.chunk_overlap)
    c = time.perf_counter(); x = ext.extract(doc, ch)
    d = time.perf_counter(); prof = ground_profile(doc, x.profile)
    e = time.perf_counter(); run_checks(prof, pb)
    g = time.perf_counter()
    t["parse"] += b - a; t["chunk"] += c - b; t["extract"] += d - c; t["ground"] += e - d; t["checks"] += g - e
    chunks += len(ch)
print(json.dumps({"stages": t, "chunks": chunks}))
"""

ENCODER = r"""
import json, sys, time
from contract_review.chunking import chunk_document
from contract_review.loaders import load_document
from contract_review.settings import Settings
from contract_review.store import LocalEmbeddings
files = json.loads(sys.argv[1]); s = Settings()
docs = []
for f in files:
    try:
        doc = load_document(f, s)
    except Exception:
        continue
    docs.append([c.text for c in chunk_document(doc, s.chunk_size, s.chunk_overlap)])
emb = LocalEmbeddings(s.embedding_model, s.embedding_batch_size)
t0 = time.perf_counter(); emb.model; load = time.perf_counter() - t0
t0 = time.perf_counter(); n = 0
for texts in docs:
    if texts:
        emb.embed_documents(texts); n += len(texts)
sec = time.perf_counter() - t0
print(json.dumps({"seconds": sec, "chunks": n, "load_seconds": load}))
"""


SEMANTIC_LOAD = r"""
import json, sys, time
t0 = time.perf_counter()
from contract_review.extract.rules import RulesExtractor
from contract_review.loaders import load_document
from contract_review.settings import Settings
files = json.loads(sys.argv[1]); s = Settings(semantic=True, pdf_parser="pdfium")
docs = []
for f in files:
    try:
        docs.append(load_document(f, s))
    except Exception:
        continue
plain = RulesExtractor(Settings(semantic=False))
for d in docs:
    plain.extract(d, [])  # the rules' own patterns compiled and warm before timing
t1 = time.perf_counter(); ex = RulesExtractor(s); import contract_review.extract.semantic  # noqa
t2 = time.perf_counter(); ex.semantic.encoder()
t3 = time.perf_counter(); ex.semantic.prototype_vectors()
t4 = time.perf_counter()
rules = with_layer = 0.0; reached = 0
real = ex.semantic._encode
calls = []
def counting(texts):
    calls.append(len(texts)); return real(texts)
ex.semantic._encode = counting
for d in docs:
    a = time.perf_counter(); plain.extract(d, []); b = time.perf_counter()
    n = len(calls); ex.extract(d, []); c = time.perf_counter()
    rules += b - a; with_layer += c - b; reached += len(calls) > n
print(json.dumps({"import_seconds": t2 - t1, "load_seconds": t3 - t2, "prototypes_seconds": t4 - t3,
    "documents": len(docs), "reached": reached, "sentences": sum(calls), "rules_seconds": rules,
    "with_layer_seconds": with_layer, "backend": s.embedding_backend}))
"""


def export_encoder(env: dict) -> float:
    """Make the ONNX export of the configured backend once (not timed in the screen rows)."""
    code = (
        "from contract_review.settings import Settings; from contract_review.encoders import get_encoder; "
        "s = Settings(); get_encoder(s.embedding_model, s.embedding_backend, s.encoder_cache_dir)"
    )
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"encoder export failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0


def screen(files: list[str], extra: list[str], env: dict) -> tuple[float, int, list[dict], float]:
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as home:
        out = Path(home) / "out.jsonl"
        wall, peak, r = measured(
            [exe, "screen", *files, "-o", str(out), "--force", "-q", *extra],
            dict(env, CONTRACT_REVIEW_HOME=str(Path(home) / "home")),
        )
        if r.returncode not in (0, 2):
            sys.exit(f"screen {' '.join(extra)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
        rows = [json.loads(x) for x in out.read_text().splitlines()]
        if len(rows) != len(files):
            sys.exit(f"screen {' '.join(extra)} wrote {len(rows)} lines for {len(files)} files")
        return wall, peak, rows, r.cpu  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--only", default=",".join(RUNS), help=f"comma-separated subset of {','.join(RUNS)}")
    ap.add_argument("--out", type=Path, default=REPO / "eval" / "bench_screen.md")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run floor, w1, w2 and pdfium this many times and keep the fastest (noise on a shared machine)",
    )
    ap.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="TEXT",
        help="leave out picked files whose name contains TEXT (e.g. one pathological PDF)",
    )
    ap.add_argument("--note", default="", help="a line for the report (e.g. 'machine shared with 6 other jobs')")
    args = ap.parse_args()
    only = set(args.only.split(","))
    files = pick_files(args.src, args.files)
    if args.exclude:
        files = [f for f in files if not any(x in Path(f).name for x in args.exclude)]
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False", HF_HUB_OFFLINE="1", RAY_USAGE_STATS_ENABLED="0")
    env.pop("CHROMA_URL", None)
    # every screen run has an empty home; the encoder's export is shared (made once, below)
    env.setdefault("CONTRACT_REVIEW_ENCODER_CACHE", str(Path(tempfile.gettempdir()) / "contract-review-bench-encoders"))
    off = dict(env, CONTRACT_REVIEW_SEMANTIC="0")
    on = dict(env, CONTRACT_REVIEW_SEMANTIC="1")
    m: dict[str, dict] = {}
    rows: dict[str, dict] = {}

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    say(f"{len(files)} files from {args.src}")
    for name, parser in (("floor", "pypdf"), ("floor_pdfium", "pdfium")):
        if name not in only:
            continue
        for _ in range(args.repeat):
            wall, peak, d = run_child(FLOOR, files, dict(off, BENCH_PARSER=parser))
            if name not in m or d["seconds"] < m[name]["seconds"]:
                m[name] = dict(seconds=d["seconds"], pages=d["pages"], peak=peak, cpu=d["process_cpu"])
            say(f"{name}: {d['seconds']:.1f}s, {d['pages']} pages")
    if only & {"semantic", "semantic_w2", "semantic_load"}:
        m["export_seconds"] = export_encoder(on)
        say(f"encoder export (or cached): {m['export_seconds']:.1f}s")
    if "semantic_load" in only:
        _, peak, d = run_child(SEMANTIC_LOAD, files, on)
        m["semantic_load"] = dict(d, peak=peak)
        say(f"semantic_load: {json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()})}")
    if "stages" in only:
        _, peak, d = run_child(STAGES, files, off)
        m["stages"] = d
        say(f"stages: {json.dumps({k: round(v, 2) for k, v in d['stages'].items()})}")
    if "encoder" in only:
        _, peak, d = run_child(ENCODER, files, env)
        m["encoder"] = dict(d, peak=peak)
        say(f"encoder: {d['chunks']} chunks in {d['seconds']:.1f}s (+{d['load_seconds']:.1f}s model load)")
    screens = []
    for name, extra, run_env in (
        ("w1", ["--workers", "1", "--parser", "pypdf"], off),
        ("w2", ["--workers", "2", "--parser", "pypdf"], off),
        ("pdfium", ["--workers", "1", "--parser", "pdfium"], off),
        ("pdfium_w2", ["--workers", "2", "--parser", "pdfium"], off),
        ("semantic", ["--workers", "1", "--parser", "pdfium"], on),
        ("semantic_w2", ["--workers", "2", "--parser", "pdfium"], on),
        ("index", ["--workers", "1", "--parser", "pypdf", "--index"], off),
    ):
        if name in only:
            screens.append((name, extra, run_env))
    for i in range(args.repeat):  # interleaved: a change of load on a shared machine hits every row alike
        for name, extra, run_env in screens:
            if name == "index" and i:
                continue
            wall, peak, got, cpu = screen(files, extra, run_env)
            pages = sum(x.get("pages") or 0 for x in got)
            if name not in m or wall < m[name]["seconds"]:
                m[name] = dict(seconds=wall, peak=peak, pages=pages, cpu=min(cpu, m.get(name, {}).get("cpu", cpu)))
            m[name]["cpu"] = min(cpu, m[name]["cpu"])
            rows[name] = {x["path"]: _stable(x) for x in got}
            say(
                f"{name}: {wall:.1f}s, cpu {cpu:.1f}s, {pages} pages, peak {peak / 2**20:.0f} MB, "
                f"load {os.getloadavg()[0]:.1f}"
            )
    if "w1" in rows and "w2" in rows:  # long PDFs are read in parts with 2 workers: same results?
        differ = sorted(p for p in rows["w1"] if rows["w1"][p] != rows["w2"].get(p))
        m["same"] = dict(files=len(rows["w1"]), differ=differ)
        say(f"w2 rows identical to w1: {len(rows['w1']) - len(differ)}/{len(rows['w1'])}")
    if "semantic" in rows and "semantic_w2" in rows:
        differ = sorted(p for p in rows["semantic"] if rows["semantic"][p] != rows["semantic_w2"].get(p))
        m["same_semantic"] = dict(files=len(rows["semantic"]), differ=differ)
    if "semantic" in rows and "pdfium" in rows:  # what the layer changed: the documents it added a term to
        changed = sorted(
            p for p in rows["pdfium"] if _profile(rows["pdfium"][p]) != _profile(rows["semantic"].get(p, {}))
        )
        m["semantic_changed"] = dict(files=len(rows["pdfium"]), changed=changed)

    report = render(m, files, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


def _stable(x):
    """A screen row without its timings (``seconds`` of the document and of its OCR'd pages)."""
    if isinstance(x, dict):
        return {k: _stable(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [_stable(v) for v in x]
    return x


def _profile(row: dict) -> dict:
    """The profile of a screen row without its notes (the layer adds one when it adds a term)."""
    return {k: v for k, v in (row.get("profile") or {}).items() if k != "notes"}


def render(m: dict, files: list[str], args) -> str:
    floor = m.get("floor", {}).get("seconds")
    w1 = m.get("w1", {}).get("seconds")
    lines = [
        "# screen benchmark",
        "",
        f"{len(files)} PDFs from `{args.src}` · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · load average at the end "
        f"{os.getloadavg()[0]:.1f}" + (f" · {args.note}" if args.note else ""),
        "",
        "| run | wall s | CPU s | pages/s | × floor | speed-up vs w1 | peak RSS MB | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    targets = {
        "w1": ("≤ 1.3× floor", lambda r: r["seconds"] <= 1.3 * floor if floor else None),
        "w2": ("≥ 1.8× faster than w1", lambda r: w1 / r["seconds"] >= 1.8 if w1 else None),
        "pdfium": ("≥ 4× faster than w1", lambda r: w1 / r["seconds"] >= 4 if w1 else None),
    }
    fp = m.get("floor_pdfium", {}).get("seconds")
    for name in ("semantic", "semantic_w2"):
        targets[name] = ("≤ 1.3× pdfium floor", lambda r, fp=fp: r["seconds"] <= 1.3 * fp if fp else None)
    for name, label in (
        ("floor", "pypdf parse only (1 process)"),
        ("w1", "screen --workers 1 --parser pypdf"),
        ("w2", "screen --workers 2 --parser pypdf"),
        ("pdfium", "screen --workers 1 --parser pdfium (the default)"),
        ("floor_pdfium", "pdfium parse only (1 process)"),
        ("pdfium_w2", "screen --workers 2 --parser pdfium"),
        ("semantic", "screen --workers 1 --parser pdfium, semantic layer on"),
        ("semantic_w2", "screen --workers 2 --parser pdfium, semantic layer on"),
        ("index", "screen --workers 1 --parser pypdf --index"),
    ):
        r = m.get(name)
        if not r:
            continue
        pages = r.get("pages") or m.get("floor", {}).get("pages") or 0
        ratio = f"{r['seconds'] / floor:.2f}" if floor else "-"
        if fp and name in ("floor_pdfium", "pdfium", "pdfium_w2", "semantic", "semantic_w2"):
            ratio = f"{r['seconds'] / fp:.2f} (pdfium floor)"
        speed = f"{w1 / r['seconds']:.2f}" if w1 and name != "floor" else "-"
        peak_ok = r["peak"] <= 1.5 * 2**30
        t = targets.get(name)
        ok = t[1](r) if t else None
        verdict = (
            f"{t[0]}: {'met' if ok else 'NOT met'}; " if ok is not None else ""
        ) + f"RSS {'ok' if peak_ok else 'over 1.5 GB'}"
        lines.append(
            f"| {label} | {r['seconds']:.1f} | {r['cpu']:.1f} | {pages / r['seconds']:.1f} | {ratio} | {speed} | "
            f"{r['peak'] / 2**20:.0f} | {verdict} |"
        )
    if "same" in m:
        same = m["same"]
        lines += [
            "",
            f"`--workers 2` results identical to `--workers 1` (long PDFs read in page ranges by both "
            f"workers): {same['files'] - len(same['differ'])}/{same['files']} documents"
            + (f"; different: {', '.join(Path(p).name for p in same['differ'])}" if same["differ"] else ""),
        ]
    if "same_semantic" in m:
        same = m["same_semantic"]
        lines += [
            "",
            f"Semantic layer on, `--workers 2` results identical to `--workers 1`: "
            f"{same['files'] - len(same['differ'])}/{same['files']} documents"
            + (f"; different: {', '.join(Path(p).name for p in same['differ'])}" if same["differ"] else ""),
        ]
    if "semantic_changed" in m:
        ch = m["semantic_changed"]
        lines += [
            "",
            f"Profiles the semantic layer changed (vs the pdfium row): {len(ch['changed'])}/{ch['files']}"
            + (f" ({', '.join(Path(p).name for p in ch['changed'])})" if ch["changed"] else ""),
        ]
    for a, b in (("pdfium", "semantic"), ("pdfium_w2", "semantic_w2")):
        if a in m and b in m:
            extra = m[b]["seconds"] - m[a]["seconds"]
            lines += [
                "",
                f"The semantic layer adds {extra:+.1f}s of wall time to `{a}` ({m[b]['seconds'] / m[a]['seconds']:.2f}×) "
                f"and {m[b]['cpu'] - m[a]['cpu']:+.1f}s of CPU (all processes; {m[a]['cpu']:.1f}s → "
                f"{m[b]['cpu']:.1f}s, the least of the runs), peak RSS {m[a]['peak'] / 2**20:.0f} → "
                f"{m[b]['peak'] / 2**20:.0f} MB.",
            ]
    if "semantic_load" in m:
        d = m["semantic_load"]
        per = (d["with_layer_seconds"] - d["rules_seconds"]) / d["reached"] if d["reached"] else 0.0
        lines += [
            "",
            f"Semantic layer cost in one process ({d['backend']}): import {d['import_seconds']:.2f}s, "
            f"encoder load {d['load_seconds']:.2f}s, prototype embeddings {d['prototypes_seconds']:.2f}s "
            f"(once per process); {d['reached']}/{d['documents']} documents reach it, {d['sentences']} sentences "
            f"embedded, {per * 1000:.0f} ms per document that reaches it (rules alone: "
            f"{d['rules_seconds'] / max(d['documents'], 1) * 1000:.0f} ms per document); peak RSS of that "
            f"process {d['peak'] / 2**20:.0f} MB. ONNX export before the runs: {m.get('export_seconds', 0):.1f}s "
            "(once per machine; cached).",
        ]
    if "index" in m and "w1" in m and "encoder" in m:
        added = m["index"]["seconds"] - m["w1"]["seconds"]
        chunks = m["encoder"]["chunks"]
        bare = chunks / m["encoder"]["seconds"]
        got = chunks / added if added > 0 else float("inf")
        lines += [
            "",
            "Indexing throughput (chunks/s):",
            "",
            "| chunks | bare encoder | screen --index (time added to w1) | share | target | encoder peak RSS MB |",
            "|---:|---:|---:|---:|---|---:|",
            f"| {chunks} | {bare:.1f} | {got:.1f} | {got / bare:.0%} | ≥ 85%: {'met' if got >= 0.85 * bare else 'NOT met'} "
            f"| {m['encoder']['peak'] / 2**20:.0f} |",
            "",
            f"(The bare encoder loads its model in {m['encoder']['load_seconds']:.1f}s, not counted; "
            "the screen run pays it, overlapped with parsing the first document.)",
        ]
    if "stages" in m:
        st = m["stages"]["stages"]
        total = sum(st.values()) or 1
        lines += [
            "",
            "Time per stage in one process (rules extractor, pypdf):",
            "",
            "| " + " | ".join(st) + " |",
            "|" + "---:|" * len(st),
            "| " + " | ".join(f"{v:.1f}s ({v / total:.0%})" for v in st.values()) + " |",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
