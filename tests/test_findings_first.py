"""`contract-review review` as a user runs it: the findings do not wait for the search index.

Real subprocesses: what a review without the index imports (none of the embedding and
store stack; with the semantic layer turned on, only onnxruntime, and only when the
insurance region has sentences the rules did not decide), the findings on stdout before the
indexing is done, the status line on a
terminal (a pseudo-terminal as stderr) and none otherwise, and the contract searchable after."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_pdf

CLAUSE = (
    "12. INSURANCE\nProvider shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Client as an additional insured. Provider waives "
    "subrogation against Client."
)
HEAVY = ("torch", "sentence_transformers", "transformers", "chromadb", "onnxruntime", "langchain_text_splitters")
# A sentence of the insurance region that none of the rules' terms cites: the semantic layer reads it.
UNDECIDED = " Such insurance shall be placed with carriers rated A- or better and kept in force for the term."

# Runs the console script's main() and writes the top-level modules it imported to argv[1].
IMPORTS = r"""
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted({m.split(".")[0] for m in sys.modules}))))
from contract_review.cli import main
main()
"""


def exe() -> str:
    return shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))


def contract(tmp_path: Path) -> Path:
    path = tmp_path / "msa.pdf"
    path.write_bytes(make_pdf(["MASTER SERVICES AGREEMENT", "1. Services. Provider shall perform.", CLAUSE]))
    return path


def imported_by_review(path: Path, tmp_path: Path, env: dict | None = None) -> set[str]:
    out = tmp_path / "modules.json"
    r = subprocess.run(
        [sys.executable, "-c", IMPORTS, str(out), "review", str(path), "--no-index"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert r.returncode == 0, r.stderr
    assert "INS" in r.stdout and "msa.pdf" in r.stdout
    modules = set(json.loads(out.read_text()))
    assert "contract_review" in modules and modules & {"pypdf", "pypdfium2"}  # it did parse the PDF
    return modules


def test_a_review_without_the_index_imports_no_embedding_or_store_library(tmp_path):
    """The default review (the semantic layer off) imports no embedding or store library; nor,
    with the layer on, does a contract every insurance sentence of which is the rules'
    evidence of a term they found: the layer has nothing to read and loads no encoder."""
    path = contract(tmp_path)
    modules = imported_by_review(path, tmp_path)
    assert not modules & set(HEAVY), modules & set(HEAVY)
    on = imported_by_review(path, tmp_path, {"CONTRACT_REVIEW_SEMANTIC": "1"})
    assert not on & set(HEAVY), on & set(HEAVY)


def test_a_sentence_the_rules_did_not_decide_loads_only_the_onnx_encoder(tmp_path):
    """The semantic layer reads it with onnxruntime (the default int8 backend, its export
    cached): never torch, sentence-transformers or the store; turned off, nothing heavy."""
    path = tmp_path / "msa.pdf"
    path.write_bytes(
        make_pdf(["MASTER SERVICES AGREEMENT", "1. Services. Provider shall perform.", CLAUSE + UNDECIDED])
    )
    from contract_review.encoders import get_encoder
    from contract_review.settings import Settings

    s = Settings()
    get_encoder(s.embedding_model, s.embedding_backend, s.encoder_cache_dir)  # the one export (made with torch)
    modules = imported_by_review(path, tmp_path, {"CONTRACT_REVIEW_SEMANTIC": "1"})
    assert "onnxruntime" in modules
    assert not modules & (set(HEAVY) - {"onnxruntime"}), modules & set(HEAVY)
    off = imported_by_review(path, tmp_path)  # the default: the layer is off
    assert not off & set(HEAVY), off & set(HEAVY)


def test_review_prints_its_findings_then_indexes_quietly_when_not_on_a_terminal(tmp_path):
    path = contract(tmp_path)
    proc = subprocess.Popen(
        [exe(), "review", str(path), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()  # the findings, flushed before the index is built
        result = json.loads(line)
        assert result["status"] == "ok" and result["findings"]
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and stdout == "" and stderr == ""  # no status line off a terminal
    found = subprocess.run([exe(), "search", "waiver of subrogation", "-k", "1"], capture_output=True, text=True)
    assert found.returncode == 0 and found.stdout.startswith("1. msa.pdf  p.1"), found.stdout + found.stderr


def test_review_on_a_terminal_says_it_indexed_and_a_rerun_that_it_had(tmp_path):
    path = contract(tmp_path)

    def review() -> tuple[subprocess.CompletedProcess, str]:
        master, slave = pty.openpty()
        try:
            r = subprocess.run(
                [exe(), "review", str(path)],
                stdout=subprocess.PIPE,
                stderr=slave,
                timeout=300,
                env=dict(os.environ, COLUMNS="200", TERM="xterm"),
            )
        finally:
            os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        return r, b"".join(chunks).decode("utf-8", "replace")

    first, status = review()
    assert first.returncode == 0 and b"INS" in first.stdout
    assert "indexed msa.pdf for search: " in status and "chunk(s)" in status
    again, status = review()
    assert again.returncode == 0 and "msa.pdf was already indexed for search" in status


def test_no_index_leaves_the_store_alone(tmp_path):
    r = subprocess.run([exe(), "review", str(contract(tmp_path)), "--no-index"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    assert not (Path(os.environ["CONTRACT_REVIEW_HOME"]) / "chroma").exists()


def test_the_per_document_budget_still_bounds_the_parse_review_does_in_a_thread(cuad_dir, tmp_path):
    """review parses while it imports the checker; the time budget covers that parse too."""
    pdf = cuad_dir / "pdf" / "PareteumCorp_20081001_8-K_EX-99.1_2654808_EX-99.1_Hosting Agreement.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf.name} not in the CUAD corpus")
    env = dict(os.environ, CONTRACT_REVIEW_TIME_BUDGET="0.05", CONTRACT_REVIEW_PDF_PARSER="pypdf")
    r = subprocess.run(
        [exe(), "review", str(pdf), "--no-index", "--format", "json"], capture_output=True, text=True, env=env
    )
    assert r.returncode == 2, r.stderr
    assert json.loads(r.stdout)["error"]["code"] == "timeout"
