"""A team shares one index through a Chroma server: ``chroma run`` on loopback, ``screen
--index --chroma-url``, then a search through the same server; the server is stopped after."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import make_pdf

from contract_review.schema import ReviewResult
from contract_review.settings import Settings
from contract_review.store import Store

CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Customer as an additional insured on a primary and "
    "non-contributory basis, with a waiver of subrogation in favour of Customer."
)
OTHER = "4. PAYMENT\nCustomer shall pay each invoice within thirty days of receipt. " * 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "chroma run exited at start"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "chroma run did not listen within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_screen_indexes_into_a_chroma_server_and_search_reads_it(tmp_path, chroma_server):
    d = tmp_path / "in"
    d.mkdir()
    (d / "msa one.pdf").write_bytes(make_pdf(["MASTER SERVICES AGREEMENT\n" + OTHER, CLAUSE]))
    (d / "sow two.pdf").write_bytes(make_pdf([OTHER, OTHER, CLAUSE]))
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    env = dict(os.environ, CONTRACT_REVIEW_HOME=str(tmp_path / "home"))
    r = subprocess.run(
        [exe, "screen", str(d), "--index", "--chroma-url", chroma_server, "--workers", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    results = [ReviewResult.model_validate_json(x) for x in r.stdout.splitlines()]
    shas = {x.sha256 for x in results}
    assert len(shas) == 2
    # Nothing went to the embedded store: the server holds the index.
    assert not (tmp_path / "home" / "chroma").exists()
    store = Store(Settings(chroma_url=chroma_server, home=tmp_path / "elsewhere"))
    assert {m["sha256"] for m in store.collection.get(include=["metadatas"])["metadatas"]} == shas
    hits = store.search("waiver of subrogation additional insured", top_k=3)
    assert hits and hits[0].sha256 in shas and "subrogation" in hits[0].text
    page_of_clause = {"msa one.pdf": 2, "sow two.pdf": 3}
    assert hits[0].page == page_of_clause[hits[0].file]
    # The same command again indexes nothing twice.
    before = store.collection.count()
    again = subprocess.run(
        [exe, "screen", str(d), "--index", "--chroma-url", chroma_server, "--force", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert again.returncode == 0 and store.collection.count() == before
