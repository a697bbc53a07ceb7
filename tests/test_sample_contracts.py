"""The sample contracts are what their sources build, and their labels hold against the files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "sample_contracts"


def test_labels_quotes_are_found_in_the_rendered_files():
    r = subprocess.run([sys.executable, str(SAMPLES / "check_labels.py")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 file(s) with problems" in r.stdout


def test_committed_files_are_what_build_py_renders(tmp_path):
    r = subprocess.run(
        [sys.executable, str(SAMPLES / "build.py"), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    built = sorted(p.name for p in tmp_path.iterdir())
    assert len([b for b in built if b.endswith((".pdf", ".docx"))]) >= 10
    stale = [name for name in built if (tmp_path / name).read_bytes() != (SAMPLES / name).read_bytes()]
    assert not stale, f"rebuild with `python sample_contracts/build.py`: {stale}"
