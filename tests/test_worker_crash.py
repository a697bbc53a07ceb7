"""``contract-review screen --workers 2`` when a worker process dies (``os._exit``, as a
segfaulting parser would) while reading one document: that document gets ``worker_crashed``,
every other one is reviewed as usual (including one that was in flight in the other worker
when the pool broke), exit status 2, one line per file, and the crash is not cached.

The crash is injected by tests/faultinject/sitecustomize.py (on PYTHONPATH of the CLI; the
spawned pool workers inherit it), which acts in worker processes only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_pdf

from contract_review.schema import ReviewResult

TESTS = Path(__file__).resolve().parent
CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence, shall name Customer as an additional insured, and shall deliver a "
    "certificate of insurance before work begins."
)


def run(
    *args, home: Path, faults_log: Path | None = None, crash_after_slow: bool = False
) -> subprocess.CompletedProcess:
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    env = dict(os.environ, CONTRACT_REVIEW_HOME=str(home))
    for var in ("CONTRACT_REVIEW_FAULTS", "CONTRACT_REVIEW_FAULTS_LOG", "CONTRACT_REVIEW_FAULTS_CRASH_AFTER_SLOW"):
        env.pop(var, None)
    if faults_log is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS / "faultinject"), env.get("PYTHONPATH")]))
        env["CONTRACT_REVIEW_FAULTS"] = "1"
        env["CONTRACT_REVIEW_FAULTS_LOG"] = str(faults_log)
        if crash_after_slow:
            env["CONTRACT_REVIEW_FAULTS_CRASH_AFTER_SLOW"] = "1"
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=600)


def rows(path: Path) -> list[ReviewResult]:
    return [ReviewResult.model_validate_json(line) for line in path.read_text().splitlines()]


def events(log: Path) -> list[tuple[str, int]]:
    return [(e, int(pid)) for e, pid in (line.split() for line in log.read_text().splitlines())]


@pytest.mark.slow
def test_a_worker_that_dies_on_one_document_costs_only_that_document(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"contract {i}.pdf").write_bytes(make_pdf([f"SERVICES AGREEMENT No. {i}", CLAUSE]))
    (d / "slow.txt").write_text(f"SERVICES AGREEMENT (SLOW-THIS-WORKER)\n{CLAUSE}\n")
    crash = d / "crash.txt"
    crash.write_text(f"SERVICES AGREEMENT (CRASH-THIS-WORKER)\n{CLAUSE}\n")
    others = sorted(str(p) for p in d.iterdir() if p != crash)
    home, out, log = tmp_path / "home", tmp_path / "out.jsonl", tmp_path / "faults.log"

    # The reference: the same documents but the crashing one, no fault injection.
    ref = run("screen", *others, "--workers", "2", "-o", str(tmp_path / "ref.jsonl"), home=tmp_path / "ref-home")
    assert ref.returncode == 0, ref.stderr
    expected = {r.path: r.model_dump() for r in rows(tmp_path / "ref.jsonl")}
    assert len(expected) == 6 and all(r["status"] == "ok" for r in expected.values())

    r = run("screen", str(d), "--workers", "2", "-o", str(out), home=home, faults_log=log, crash_after_slow=True)
    assert r.returncode == 2, r.stderr
    got = rows(out)
    assert sorted(x.path for x in got) == sorted([*others, str(crash)])  # exactly one line per file
    by_path = {x.path: x for x in got}
    dead = by_path.pop(str(crash))
    assert dead.status == "error" and dead.error.code == "worker_crashed", dead
    assert dead.sha256 and dead.file == "crash.txt"
    assert {p: x.model_dump() for p, x in by_path.items()} == expected
    assert "7 file(s): 6 ok, 1 error(s); 7 computed" in r.stderr
    assert "re-running 2 document(s)" in r.stderr  # crash.txt and the one in flight beside it

    # The crash happened while slow.txt was being read in the other worker; it was read
    # again (in a new process) rather than lost. crash.txt was tried in the pool, then alone.
    ev = events(log)
    assert [e for e, _ in ev].count("crash") == 2, ev
    starts = [pid for e, pid in ev if e == "slow-start"]
    crash_pids = [pid for e, pid in ev if e == "crash"]
    assert len(starts) == 2 and starts[0] != crash_pids[0] and len(set(starts)) == 2, ev
    assert ev.index(("crash", crash_pids[0])) < ev.index(("slow-start", starts[1])), ev
    assert [e for e, _ in ev].count("slow-end") == 1, ev

    # Nothing in the cache says worker_crashed: the same command retries that document
    # (and only it: the others are resumed from the output), and it dies again.
    cached = [json.loads(p.read_text()) for p in (home / "cache" / "screen").rglob("*.json")]
    assert len(cached) == 6 and all(c["status"] == "ok" for c in cached)
    again = run("screen", str(d), "--workers", "2", "-o", str(out), home=home, faults_log=log)
    assert again.returncode == 2, again.stderr
    assert "7 file(s): 6 ok, 1 error(s); 1 computed, 0 from cache, 6 resumed" in again.stderr
    assert [e for e, _ in events(log)].count("crash") == 4  # tried twice more: pool, then alone
    second = rows(out)
    assert len(second) == 7 and {x.path: x.model_dump() for x in second} == {x.path: x.model_dump() for x in got}

    # Once the fault is gone, the next run reviews it; the output still has one line per file.
    fixed = run("screen", str(d), "--workers", "2", "-o", str(out), home=home)
    assert fixed.returncode == 0, fixed.stderr
    assert "1 computed, 0 from cache, 6 resumed" in fixed.stderr
    final = rows(out)
    assert sorted(x.path for x in final) == sorted([*others, str(crash)])
    healed = next(x for x in final if x.path == str(crash))
    assert healed.status == "ok" and healed.findings, healed
