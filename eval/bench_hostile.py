"""The figures of the README's "Hostile files" section.

    python eval/bench_hostile.py extraction 1 2 4 8      # rules extractor CPU seconds per size (MB)
    python eval/bench_hostile.py cases [SRC]              # each hostile case through `screen`

``cases`` runs ``contract-review screen --force`` on a folder holding a good file and one
hostile file (built by tests/hostile.py), with ``PYTHONPATH=SRC`` (default: this checkout's
``src``; give an older checkout's to measure before a change), under a 4 GB address-space cap
and killed after 60 s; it prints the wall time, the peak RSS of the CLI and its workers,
and each file's status. ``extraction`` times the rules extractor alone on contract-like text.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]
LIMIT_S = 60
AS_LIMIT = 4 * 1024**3  # a bomb cannot take the machine

CLAUSES = [
    "{n}. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and $2,000,000 in the aggregate.",
    "{n}.1 Supplier shall name Customer as an additional insured and shall deliver a certificate of insurance "
    "before work begins.",
    "{n}.2 The parties agree to the following terms and conditions. Each party shall perform its obligations "
    "in a workmanlike manner.",
    "{n}.3 Supplier shall carry adequate insurance as is customary in the industry, including workers' "
    "compensation insurance as required by law.",
    "{n}.4 Payment shall be made within thirty (30) days of receipt of a correct invoice.",
    "{n}. CONFIDENTIALITY\nEach party shall keep the other party's Confidential Information in confidence.",
]


def contract_text(mb: float) -> str:
    out, n, size = [], 1, 0
    while size < mb * 1024 * 1024:
        for c in CLAUSES:
            out.append(c.format(n=n))
            size += len(out[-1]) + 1
        n += 1
    return "\n".join(out)


def extraction(sizes: list[float]) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from contract_review.extract.rules import RulesExtractor
    from contract_review.loaders import Document

    for mb in sizes:
        doc = Document.from_page_texts("x.txt", "0" * 64, [contract_text(mb)], "text")
        t0 = time.process_time()
        RulesExtractor().extract(doc)
        print(f"{mb:g} MB: {time.process_time() - t0:.2f} s", flush=True)


def _exe() -> str:
    return shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))


def _run(src: str, folder: Path, extra, env, prefix):
    home = Path(tempfile.mkdtemp())
    e = dict(os.environ, PYTHONPATH=src, CONTRACT_REVIEW_HOME=str(home), **(env or {}))
    cmd = [*prefix, "prlimit", f"--as={AS_LIMIT}", _exe(), "screen", str(folder), "--force", *extra]
    t0 = time.monotonic()
    with open(home / "out", "w") as out, open(home / "err", "w") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=e, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > LIMIT_S:
                os.killpg(p.pid, signal.SIGKILL)
                _pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
    rows = {}
    for line in (home / "out").read_text().splitlines():
        r = json.loads(line)
        rows[r["file"]] = r["status"] if r["status"] == "ok" else r["error"]["code"]
    shutil.rmtree(home, ignore_errors=True)
    return time.monotonic() - t0, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), rows


def cases(src: str) -> None:
    import hostile

    caps = "-dac_override,-dac_read_search"
    nodac = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"] if os.geteuid() == 0 else []
    outside = Path(tempfile.mkdtemp())

    def locked(d: Path) -> None:
        sub = d / "locked"
        sub.mkdir()
        (sub / "inner.txt").write_text(hostile.CLAUSE)
        sub.chmod(0)

    one, two = ("--workers", "1"), ("--workers", "2")
    table = [
        ("DOCX bomb (document.xml inflates to 256 MB)", hostile.docx_bomb, one, None, []),
        ("DOCX linking a 256 MB image part", hostile.docx_huge_image, two, None, []),
        ("FIFO", hostile.fifo, one, None, []),
        ("FIFO, 2 workers", hostile.fifo, two, None, []),
        ("1 MB of contract text", hostile.long_text, one, None, []),
        ("PDF page with 4 MB of text", lambda d: hostile.huge_page_pdf(d, 4 * hostile.MB), one, None, []),
        ("1 MB text, time_budget 0.5 s, 2 workers", hostile.long_text, two, {"CONTRACT_REVIEW_TIME_BUDGET": "0.5"}, []),
        ("unreadable sub-folder", locked, one, None, nodac),
        ("newline in a file name", hostile.newline_name, one, None, []),
        ("UTF-16 text with a BOM", hostile.utf16_text, one, None, []),
        ("DOCX with an XML entity", hostile.docx_entity, one, None, []),
        ("DOCX billion laughs", lambda d: hostile.docx_entity(d, laughs=True), one, None, []),
        ("symlink out of the folder", lambda d: hostile.symlink_out(d, outside), one, None, []),
    ]
    for name, build, extra, env, prefix in table:
        d = Path(tempfile.mkdtemp()) / "in"
        d.mkdir()
        hostile.good_file(d)
        build(d)
        secs, rss, rc, rows = _run(src, d, extra, env, prefix)
        for sub in d.iterdir():
            if sub.is_dir():
                sub.chmod(0o755)
        shutil.rmtree(d.parent, ignore_errors=True)
        killed = f" (killed at {LIMIT_S} s)" if secs >= LIMIT_S else ""
        print(f"{name:44s} {secs:5.1f} s {rss:6.0f} MB exit {rc}{killed} {rows}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["extraction"]:
        extraction([float(x) for x in sys.argv[2:]] or [1, 2, 4, 8])
    elif sys.argv[1:2] == ["cases"]:
        cases(sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "src"))
    else:
        sys.exit(__doc__)
