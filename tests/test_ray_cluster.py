"""``screen --executor ray --ray-address`` against a real Ray cluster started with the ``ray``
CLI (``ray start --head``, 2 CPUs, a private temp dir and token, stopped after the test):
the batch runs on that cluster's workers and gives the same rows as local processes.

Proof that the cluster was used: the cluster (not the CLI) is started with the fault-injection
sitecustomize in tracing mode (tests/faultinject), so each plain-text document read by one of
*its* workers leaves a ``load-text <pid>`` line in a log. A CLI that ignored ``--ray-address``
would start a Ray of its own, whose workers inherit the CLI's environment and write nothing.

Not ``ray stop`` for the teardown: it stops every Ray on the machine; the ``ray start --block``
process is stopped instead (SIGTERM: it drains and stops its own processes), and its process
group is killed if anything is left. Both Ray modules share the xdist group ``ray`` all the
same: two Rays on a 2-CPU machine at once would only slow each other down."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import make_image_only_pdf, make_pdf

from contract_review.schema import ReviewResult

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'contract-review[ray]')")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ray")]

TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Customer as an additional insured."
)
START_TIMEOUT = 240  # a cold `ray start` on a busy 2-core machine


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACT_REVIEW_FAULTS", "RAY_"))}
    env.update(RAY_USAGE_STATS_ENABLED="0", **extra)
    return env


@dataclass
class Cluster:
    address: str
    auth: dict[str, str]  # what a driver needs to join (token authentication)
    trace: Path  # load-text <pid> lines written by the cluster's workers
    logs: Path


@pytest.fixture
def ray_cluster(tmp_path):
    # The temp dir is not under tmp_path: Ray's AF_UNIX sockets live in it, and a pytest
    # tmp_path makes them longer than the 107-byte limit (`ray start` refuses to start).
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    port, client_port, dashboard_port = free_ports(3)
    # A token of our own: `ray start` turns token auth on by itself when ~/.ray/auth_token
    # exists, and a driver does not; setting both sides explicitly makes the test hermetic.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    trace = tmp_path / "cluster-trace.log"
    env = base_env(
        **auth,
        CONTRACT_REVIEW_FAULTS="1",
        CONTRACT_REVIEW_FAULTS_LOG=str(trace),
        PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS / "faultinject"), os.environ.get("PYTHONPATH")])),
    )
    out = tmp_path / "ray-start.log"
    cmd = [
        str(BIN / "ray"),
        "start",
        "--head",
        "--node-ip-address",
        "127.0.0.1",
        "--port",
        str(port),
        "--ray-client-server-port",
        str(client_port),
        "--dashboard-port",
        str(dashboard_port),
        "--num-cpus",
        "2",
        "--include-dashboard=false",
        "--disable-usage-stats",
        "--temp-dir",
        str(temp),
        "--block",
    ]
    with open(out, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "block forever" not in out.read_text():
            if proc.poll() is not None:
                pytest.fail(f"ray start exited with {proc.returncode}:\n{out.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"ray start not ready after {START_TIMEOUT}s:\n{out.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Cluster(address=f"127.0.0.1:{port}", auth=auth, trace=trace, logs=temp / "session_latest" / "logs")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # drains, then stops the processes it started
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):  # anything of that cluster still there
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        shutil.rmtree(temp, ignore_errors=True)


def screen(*args: str, home: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    exe = shutil.which("contract-review") or str(BIN / "contract-review")
    return subprocess.run(
        [exe, "screen", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(env, CONTRACT_REVIEW_HOME=str(home)),
    )


def by_path(p: Path) -> dict:
    rows = [ReviewResult.model_validate_json(x) for x in p.read_text().splitlines()]
    assert len(rows) == len({x.path for x in rows})
    return {x.path: x.model_dump() for x in rows}


def test_screen_runs_on_the_ray_cluster_given_by_ray_address(ray_cluster, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        (d / f"contract {i}.pdf").write_bytes(make_pdf([f"AGREEMENT {i}", CLAUSE]))
    (d / "scan.pdf").write_bytes(make_image_only_pdf())
    (d / "notes.txt").write_text(f"SERVICES AGREEMENT\n{CLAUSE}\n")
    ray_out, local_out = tmp_path / "ray.jsonl", tmp_path / "local.jsonl"

    r = screen(
        str(d),
        "--executor",
        "ray",
        "--ray-address",
        ray_cluster.address,
        "--workers",
        "2",
        "-o",
        str(ray_out),
        home=tmp_path / "h1",
        env=base_env(**ray_cluster.auth),
    )
    assert r.returncode == 2, r.stderr  # the scanned file
    assert "5 file(s): 4 ok, 1 error(s); 5 computed" in r.stderr

    # The text file was read by a worker of the cluster (it alone has the tracing hook).
    reads = ray_cluster.trace.read_text().split() if ray_cluster.trace.exists() else []
    assert reads[::2] == ["load-text"], f"no document was read on the cluster: {reads}"

    loc = screen(str(d), "--workers", "1", "-o", str(local_out), home=tmp_path / "h2", env=base_env())
    assert loc.returncode == 2, loc.stderr
    ray_rows = by_path(ray_out)
    assert len(ray_rows) == 5 and ray_rows == by_path(local_out)
    assert ray_rows[str(d / "scan.pdf")]["error"]["code"] == "no_text_layer"
    assert ray_rows[str(d / "notes.txt")]["status"] == "ok"


def test_an_unreachable_ray_address_is_a_clear_error_in_seconds(tmp_path):
    """Ray itself retries a dead address for about 14 minutes; screen checks it first."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.pdf").write_bytes(make_pdf(["AGREEMENT"]))
    (port,) = free_ports(1)  # bound then closed: nothing listens there
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    r = screen(
        str(d),
        "--executor",
        "ray",
        "--ray-address",
        f"127.0.0.1:{port}",
        "-o",
        str(out),
        home=tmp_path / "h",
        env=base_env(),
    )
    assert r.returncode == 1, r.stderr
    assert time.monotonic() - t0 < 60
    assert f"cannot reach the Ray cluster at 127.0.0.1:{port}" in " ".join(r.stderr.split())
    assert not out.exists()  # checked before the output is opened
