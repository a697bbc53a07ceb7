"""The fresh test set of issue 14 (``eval/labels/fresh_labels.jsonl``): 60 CUAD contracts
outside the dev set, labelled from their full text. Its first score was blind; the rules of
issue 14 were then written after reading its misses (as general rules, tested on our own
text), so it now guards against regressions rather than measuring unseen wording.

- the labels are well formed and every evidence quote is verbatim in the contract's text
  (``eval/check_cuad_labels.py``, which reuses ``sample_contracts/check_labels.py``);
- the pick is reproducible from its seed (``eval/pick_fresh.py``);
- the rules extractor, alone (the default) and with the opt-in semantic layer, meets the
  issue's targets in ``eval/thresholds-fresh.yaml`` and keeps precision at or above 0.95 on
  every field it predicts, policy types included.

All need ``../shared`` (the CUAD corpus) and skip, saying so, without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

LABELS = ROOT / "eval" / "labels" / "fresh_labels.jsonl"
PICK = ROOT / "eval" / "labels" / "fresh_pick.txt"
THRESHOLDS = ROOT / "eval" / "thresholds-fresh.yaml"
MIN_PRECISION = 0.95


def _run(*args: str, env: dict | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_fresh_labels_are_well_formed_and_quotes_verbatim(cuad_dir):
    proc = _run(str(ROOT / "eval" / "check_cuad_labels.py"), str(LABELS), str(cuad_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "60 labelled files" in proc.stdout and "0 file(s) with problems" in proc.stdout


def test_fresh_pick_is_reproducible_and_outside_the_dev_set(cuad_dir):
    proc = _run(str(ROOT / "eval" / "pick_fresh.py"), str(cuad_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == PICK.read_text(encoding="utf-8")
    picked = [line.split("\t", 1)[1] for line in proc.stdout.splitlines()]
    dev = set((cuad_dir / "dev_subset.txt").read_text(encoding="utf-8").split("\n"))
    assert len(picked) == len(set(picked)) == 60
    assert not {name.rsplit(".", 1)[0] for name in picked} & dev
    labelled = [json.loads(line)["file"] for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(labelled) == sorted(picked)


@pytest.mark.slow
@pytest.mark.dev_set
@pytest.mark.xdist_group("dev_set")
@pytest.mark.parametrize("semantic", ["0", "1"], ids=["rules", "rules+semantic"])
def test_eval_gate_on_the_fresh_set(cuad_dir, tmp_path, semantic):
    out = tmp_path / "out"
    proc = _run(
        "-c",
        "from contract_review.cli import main; main()",
        "eval",
        "--labels",
        str(LABELS),
        "--docs",
        str(cuad_dir / "pdf"),
        "--thresholds",
        str(THRESHOLDS),
        "--workers",
        "2",
        "--output",
        str(out),
        env={"MPLBACKEND": "Agg", "CONTRACT_REVIEW_SEMANTIC": semantic},
    )
    assert (out / "metrics.json").exists(), proc.stdout + proc.stderr
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert m["documents"]["scored"] == 60
    low = {
        name: f["precision"]
        for name, f in m["fields"].items()
        if f.get("precision") is not None and f["precision"] < MIN_PRECISION
    }
    assert not low, f"precision below {MIN_PRECISION}: {low}"
