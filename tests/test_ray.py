"""``screen --executor ray`` on a real local Ray instance (started for the run, 2 CPUs):
the same per-document function, the same results and the same resumable writer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_image_only_pdf, make_pdf

from contract_review.schema import ReviewResult

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'contract-review[ray]')")

CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Customer as an additional insured."
)


def run(*args, home: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    env = dict(os.environ, CONTRACT_REVIEW_HOME=str(home), RAY_USAGE_STATS_ENABLED="0")
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=900)


@pytest.mark.slow
@pytest.mark.xdist_group("ray")  # with tests/test_ray_cluster.py: one Ray at a time
def test_ray_executor_gives_the_same_results_as_local_processes(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"contract {i}.pdf").write_bytes(make_pdf([f"AGREEMENT {i}", CLAUSE]))
    (d / "scan.pdf").write_bytes(make_image_only_pdf())
    ray_out, local_out = tmp_path / "ray.jsonl", tmp_path / "local.jsonl"
    r = run("screen", str(d), "--executor", "ray", "--workers", "2", "-o", str(ray_out), home=tmp_path / "h1")
    assert r.returncode == 2, r.stderr  # the scanned file
    loc = run("screen", str(d), "--workers", "2", "-o", str(local_out), home=tmp_path / "h2")
    assert loc.returncode == 2, loc.stderr

    def by_path(p: Path) -> dict:
        rows = [ReviewResult.model_validate_json(x) for x in p.read_text().splitlines()]
        assert len(rows) == len({x.path for x in rows})
        return {x.path: x.model_dump() for x in rows}

    ray_rows = by_path(ray_out)
    assert len(ray_rows) == 6 and ray_rows == by_path(local_out)
    assert ray_rows[str(d / "scan.pdf")]["error"]["code"] == "no_text_layer"
