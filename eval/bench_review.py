"""Time to findings and embedding speed, side by side in one run (issue 16).

    python eval/bench_review.py [--pdf CONTRACT.pdf] [--runs 5] [--compile] [--ui-memory] [--recall]
                                [--recall-backends torch,onnx-int8,openvino] [--json out.json]

Measures, each ``--runs`` times (interleaved, the median reported):

* cold: ``contract-review review FILE`` from process start to the first byte of its
  findings on stdout (the default, indexing command) and to its exit; ``--no-index`` to its
  exit; and a fresh ``python -c`` that only imports the loader and parses the same PDF.
  Each run has its own empty ``CONTRACT_REVIEW_HOME`` (so it really indexes) and the shared
  encoder cache (exported once before the runs).
* warm UI: in one process that has served a review already, ``Workspace.review_upload`` of
  the contract (a new name each run: a new review) to its findings, against parsing the
  same PDF in the same process (the background indexer idle before each).
* embedding: chunks/s of each backend on the contract's own chunks (batch 8, 2 threads,
  fresh processes, the backends taking turns; model load time apart; ``auto`` is reported
  with the backend it stands for on this machine).
* ``--ui-memory``: peak RSS (VmHWM) of ``streamlit run app.py`` after two Chromium
  sessions (Playwright, Debian's /usr/bin/chromium) each upload the contract (different
  bytes, so both are reviewed and indexed) and their indexing is done.
* the semantic layer of the rules extractor is on or off as the environment says
  (``CONTRACT_REVIEW_SEMANTIC``; on by default), recorded as ``semantic_layer``: run the bench
  once with ``=0`` and once with ``=1`` on a contract whose insurance region has sentences the
  rules did not decide (the default hosting agreement requires no insurance: the layer never
  runs on it);
* ``--recall``: recall@5 of the insurance clauses on the dev set
  (:mod:`contract_review.evaluation.recall`) per backend. Slow with torch (~25 min on a
  shared 2-core machine).

The report says whether the package's modules had bytecode (``package_bytecode``). A
process start compiles the source of every module without it, and nothing writes it when
``PYTHONDONTWRITEBYTECODE=1`` (as on the machine these figures come from) or the source
tree is read-only; a ``pip install`` writes it. ``--compile`` byte-compiles the package
first (``compileall``, into its ``__pycache__`` folders, which git ignores), so that the
cold figures are those of an installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONTRACT_REVIEW_SHARED", ROOT.parent / "shared"))
CUAD = SHARED / "data" / "cuad"
DEFAULT_PDF = CUAD / "pdf" / "PareteumCorp_20081001_8-K_EX-99.1_2654808_EX-99.1_Hosting Agreement.pdf"
BACKENDS = ("torch", "onnx", "onnx-int8", "openvino")  # and "auto", which is one of them

PARSE_ONLY = "from contract_review.loaders import load_document; import sys; load_document(sys.argv[1])"

ENCODE = r"""
import json, statistics, sys, time
from pathlib import Path
from contract_review.chunking import chunk_document
from contract_review.encoders import get_encoder
from contract_review.loaders import load_document
from contract_review.settings import Settings
backend, pdf, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = Settings()
texts = [c.text for c in chunk_document(load_document(pdf, s), s.chunk_size, s.chunk_overlap)]
t0 = time.perf_counter(); enc = get_encoder(s.embedding_model, backend, s.encoder_cache_dir, threads=2)
load = time.perf_counter() - t0
enc.encode(texts[:8])
times = []
for _ in range(runs):
    t0 = time.perf_counter(); enc.encode(texts, batch_size=8); times.append(time.perf_counter() - t0)
print(json.dumps({"chunks": len(texts), "times": times, "load_seconds": load, "backend": enc.backend,
                  "precision": getattr(enc, "precision", None)}))
"""


def exe() -> str:
    return shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))


def median(xs: list[float]) -> float:
    return round(statistics.median(xs), 3) if xs else float("nan")


def timed_review(pdf: Path, env: dict, *extra: str) -> tuple[float, float]:
    """(seconds to the first byte on stdout, seconds to exit) of ``contract-review review``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [exe(), "review", str(pdf), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None
    proc.stdout.read(1)
    first = time.perf_counter() - t0
    _, err = proc.communicate()
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"review failed ({proc.returncode}): {err.decode()[-2000:]}")
    return first, total


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{cmd[:3]} failed: {r.stderr.decode()[-2000:]}")
    return time.perf_counter() - t0


def cold(pdf: Path, runs: int, env: dict) -> dict:
    out: dict[str, list[float]] = {"findings": [], "review_total": [], "no_index": [], "parse_only": []}
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        timed_review(pdf, dict(env, CONTRACT_REVIEW_HOME=f"{tmp}/warmup"))  # exports the encoder once
        for i in range(runs):
            home = dict(env, CONTRACT_REVIEW_HOME=f"{tmp}/run{i}")
            out["parse_only"].append(timed([sys.executable, "-c", PARSE_ONLY, str(pdf)], home))
            first, total = timed_review(pdf, home)
            out["findings"].append(first)
            out["review_total"].append(total)
            out["no_index"].append(timed([exe(), "review", str(pdf), "--no-index"], home))
    res = {k: median(v) for k, v in out.items()}
    res["findings_over_parse"] = round(res["findings"] / res["parse_only"], 2)
    return res


def warm_ui(pdf: Path, runs: int) -> dict:
    from contract_review.loaders import load_document
    from contract_review.settings import Settings
    from contract_review.ui import Workspace, load_playbook

    ws = Workspace(Settings())
    playbook = load_playbook("general")
    data = pdf.read_bytes()
    ws.review_upload("warm-up.pdf", data, "rules", playbook)
    ws.indexer.wait()
    findings, parse = [], []
    for i in range(runs):
        ws.indexer.wait()
        t0 = time.perf_counter()
        load_document(pdf)
        parse.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        item = ws.review_upload(f"run{i}.pdf", data, "rules", playbook)
        findings.append(time.perf_counter() - t0)
        assert item.result.status == "ok"
    ws.indexer.wait()
    ws.close()
    res = {"findings": median(findings), "parse": median(parse)}
    res["findings_over_parse"] = round(res["findings"] / res["parse"], 2)
    return res


def embedding(pdf: Path, runs: int, env: dict, backends: tuple[str, ...], rounds: int = 3) -> dict:
    """chunks/s per backend: ``rounds`` fresh processes each, the backends taking turns
    (torch, onnx, …, torch, onnx, …) so that a change in the machine's load falls on all of
    them; each process times ``runs`` passes over the chunks after one warm-up batch. The
    median over every pass of a backend is reported, and its best."""
    seconds: dict[str, list[float]] = {b: [] for b in backends}
    info: dict[str, dict] = {}
    for _ in range(rounds):
        for b in backends:
            r = subprocess.run(
                [sys.executable, "-c", ENCODE, b, str(pdf), str(runs)], capture_output=True, text=True, env=env
            )
            if r.returncode != 0:
                sys.exit(f"encoding with {b} failed: {r.stderr[-2000:]}")
            d = json.loads(r.stdout)
            seconds[b] += d["times"]
            info[b] = {"chunks": d["chunks"], "load_seconds": round(d["load_seconds"], 2), "runs_as": d["backend"]}
            if d["precision"]:  # OpenVINO's: bf16 or f32 on this CPU
                info[b]["precision"] = d["precision"]
    out = {}
    for b in backends:
        n = info[b]["chunks"]
        out[b] = {
            **info[b],
            "chunks_per_s": round(n / statistics.median(seconds[b]), 1),
            "best_chunks_per_s": round(n / min(seconds[b]), 1),
        }
    if "torch" in out:
        for b in out:
            out[b]["speedup_vs_torch"] = round(out[b]["chunks_per_s"] / out["torch"]["chunks_per_s"], 2)
    return out


def recall(backends: list[str], docs_limit: int | None) -> dict:
    from contract_review.encoders import get_encoder
    from contract_review.evaluation.labels import load_labels
    from contract_review.evaluation.recall import build_recall_set, recall_at_k
    from contract_review.settings import Settings

    s = Settings()
    rows = load_labels(CUAD / "dev_labels.jsonl")
    rs = build_recall_set(rows[:docs_limit] if docs_limit else rows, CUAD / "pdf", s)
    out: dict = {"documents": len(rs.docs), "chunks": rs.chunk_count, "queries": rs.query_count}
    for b in backends:
        enc = get_encoder(s.embedding_model, b, s.encoder_cache_dir, threads=2)
        mean, per_term = recall_at_k(rs, lambda texts, enc=enc: enc.encode(texts, batch_size=8))
        out[b] = {"recall@5": round(100 * mean, 2), "per_term": {k: round(100 * v, 1) for k, v in per_term.items()}}
    return out


def ui_memory(pdf: Path, env: dict) -> dict:
    """Peak RSS of a streamlit server after two browser sessions each review (and index) the contract."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        senv = dict(env, CONTRACT_REVIEW_HOME=f"{tmp}/home", TMPDIR=tmp, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1"]
        cmd += ["--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=senv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("streamlit did not start")
                    time.sleep(0.5)
            files = []
            for i in range(2):  # different bytes: each session reviews and indexes its own contract
                f = Path(tmp) / f"contract-{i}.pdf"
                f.write_bytes(pdf.read_bytes() + f"\n% session {i}\n".encode())
                files.append(f)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"])
                pages = []
                for f in files:
                    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                    page.goto(url)
                    page.get_by_text("Contract review: insurance terms").wait_for(timeout=120_000)
                    page.locator(".st-key-review_files input[type=file]").set_input_files([str(f)])
                    pages.append(page)
                t0 = time.perf_counter()
                for page in pages:
                    page.locator(".cr-finding").first.wait_for(timeout=300_000)
                both_findings = time.perf_counter() - t0
                for page in pages:
                    page.get_by_role("tab", name="Search").click()
                    page.get_by_text("Still indexing").wait_for(state="hidden", timeout=600_000)
                browser.close()
            status = Path(f"/proc/{proc.pid}/status").read_text()
            kb = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")}
            return {
                "peak_rss_mb": round(kb["VmHWM"] / 1024),
                "rss_mb": round(kb["VmRSS"] / 1024),
                "both_findings_seconds": round(both_findings, 2),
            }
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def package_bytecode() -> str:
    """``compiled`` when every module of the package has bytecode at least as new as its
    source, ``source`` when none has, else ``partly``."""
    import importlib.util

    import contract_review

    fresh = []
    for src in Path(contract_review.__file__).parent.rglob("*.py"):
        pyc = Path(importlib.util.cache_from_source(str(src)))
        fresh.append(pyc.is_file() and pyc.stat().st_mtime >= src.stat().st_mtime)
    return "compiled" if all(fresh) else "source" if not any(fresh) else "partly"


def compile_package() -> None:
    import compileall

    import contract_review

    if not compileall.compile_dir(str(Path(contract_review.__file__).parent), quiet=1):
        sys.exit("compileall failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--embed-rounds", type=int, default=3, help="fresh processes per embedding backend")
    ap.add_argument("--ui-memory", action="store_true")
    ap.add_argument("--recall", action="store_true")
    ap.add_argument("--recall-backends", default="torch,onnx-int8,openvino")
    ap.add_argument("--recall-docs", type=int, default=None, help="only the first N labelled contracts")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--compile", action="store_true", help="byte-compile the package first (as pip install does)")
    a = ap.parse_args()
    if not a.pdf.is_file():
        sys.exit(f"no such PDF: {a.pdf} (give one with --pdf)")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env.setdefault("CONTRACT_REVIEW_ENCODER_CACHE", str(Path(tempfile.gettempdir()) / "contract-review-bench-encoders"))
    os.environ.update(env)
    if a.compile:
        compile_package()
    from contract_review.loaders import load_document
    from contract_review.settings import Settings

    report: dict = {
        "pdf": a.pdf.name,
        "pages": len(load_document(a.pdf).pages),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "package_bytecode": package_bytecode(),
        "semantic_layer": Settings().semantic,  # CONTRACT_REVIEW_SEMANTIC=0|1 in the environment decides
    }
    report["cold_cli"] = cold(a.pdf, a.runs, env)
    report["warm_ui"] = warm_ui(a.pdf, a.runs)
    report["embedding"] = embedding(a.pdf, 3, env, tuple(a.backends.split(",")), a.embed_rounds)
    if a.ui_memory:
        report["ui_two_sessions"] = ui_memory(a.pdf, env)
    if a.recall:
        report["recall"] = recall(a.recall_backends.split(","), a.recall_docs)
    report["load_average_end"] = os.getloadavg()[0]
    text = json.dumps(report, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
