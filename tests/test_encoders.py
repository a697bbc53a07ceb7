"""The embedding backends: the bundled MiniLM exported to ONNX offline, cached, and giving
the vectors torch gives (int8 within a small angle), without importing torch once cached."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from contract_review.encoders import get_encoder, model_path, onnx_model_file

pytestmark = [pytest.mark.xdist_group("embedding"), pytest.mark.slow]

TEXTS = [
    "Contractor shall name Owner as an additional insured under its commercial general liability policy.",
    "Client shall pay each undisputed invoice within thirty days of receipt.",
    "This Agreement is governed by the laws of the State of Delaware.",
    "Vendor waives all rights of subrogation against Customer. " * 40,  # longer than the model's 256 tokens
]

# In a fresh process: encode TEXTS with the backend, print the vectors and the imported modules.
# Run under tests/netguard: every lookup or connection beyond loopback is refused and logged
# to $NETGUARD_LOG, from this process and from any process it starts.
ENCODE = r"""
import json, sys
from pathlib import Path
from contract_review.encoders import get_encoder
enc = get_encoder("all-MiniLM-L6-v2", sys.argv[1], Path(sys.argv[2]), threads=1)
vecs = enc.encode(json.loads(sys.argv[3]))
print(json.dumps({"vectors": vecs.tolist(), "modules": sorted(m for m in sys.modules if sys.modules[m] is not None),
                  "backend": enc.backend}))
"""


NETGUARD = Path(__file__).parent / "netguard"


def needs_openvino() -> None:
    """Skip where OpenVINO is not installed, without importing it here: ``import openvino``
    loads its model converter, whose import sends a usage event and writes ~/intel (the
    product imports it with that blocked; conftest fails a test that imports it unblocked)."""
    if importlib.util.find_spec("openvino") is None:
        pytest.skip("OpenVINO is not installed")


def guarded_env(home: Path, env_extra=None) -> dict:
    """The environment of an encoding process: HOME in the test's folder (so a write to the
    user's home shows), the network guard loaded, and the offline hints removed: the product
    must stay offline without them."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "CI")}
    home.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(p for p in (str(NETGUARD), env.get("PYTHONPATH")) if p)
    return dict(env, HOME=str(home), PYTHONPATH=path, NETGUARD_LOG=str(home / "net.log"), **(env_extra or {}))


def encode_in_a_process(backend: str, cache, env_extra=None, home: Path | None = None) -> dict:
    home = home or Path(cache).parent / "home"
    r = subprocess.run(
        [sys.executable, "-c", ENCODE, backend, str(cache), json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        env=guarded_env(home, env_extra),
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    assert not (home / "net.log").exists(), (home / "net.log").read_text()  # no lookup, no connection
    return json.loads(r.stdout)


def test_the_onnx_export_is_made_offline_once_and_matches_torch(tmp_path):
    cache = tmp_path / "models"
    no_network = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    first = encode_in_a_process("onnx-int8", cache, no_network)  # exports (torch), quantises, encodes
    files = sorted(p.name for p in cache.rglob("*") if p.is_file())
    assert files == ["model-int8.onnx", "model.onnx"]  # nothing half-written left beside them
    exported = onnx_model_file(model_path("all-MiniLM-L6-v2"), cache, quantized=True)
    stamp = exported.stat().st_mtime_ns

    again = encode_in_a_process("onnx-int8", cache)
    assert exported.stat().st_mtime_ns == stamp  # the cached export, not a new one
    assert not {"torch", "sentence_transformers"} & {m.split(".")[0] for m in again["modules"]}
    assert np.allclose(first["vectors"], again["vectors"], atol=1e-6)

    fp32 = np.array(encode_in_a_process("onnx", cache)["vectors"])
    torch_vecs = get_encoder("all-MiniLM-L6-v2", "torch", cache).encode(TEXTS)
    int8 = np.array(first["vectors"])
    assert np.allclose(np.linalg.norm(int8, axis=1), 1, atol=1e-5)
    assert (fp32 * torch_vecs).sum(axis=1).min() > 0.9999  # the same model
    assert (int8 * torch_vecs).sum(axis=1).min() > 0.97  # int8: within a small angle
    # and it still ranks as torch does: each text is nearest to its own torch vector
    assert list((int8 @ torch_vecs.T).argmax(axis=1)) == list(range(len(TEXTS)))


def test_one_encoder_per_process_and_backend(tmp_path):
    from contract_review.encoders import resolve_backend
    from contract_review.settings import Settings
    from contract_review.store import Store

    a = Store(Settings(home=tmp_path / "a")).embeddings.model
    b = Store(Settings(home=tmp_path / "b")).embeddings.model
    assert a is b and a.backend == resolve_backend(Settings().embedding_backend)


def test_an_unknown_backend_is_a_typed_error(tmp_path):
    from contract_review.encoders import EncoderError
    from contract_review.errors import ConfigError
    from contract_review.settings import Settings

    with pytest.raises(EncoderError, match="unknown embedding backend 'gpu'"):
        get_encoder("all-MiniLM-L6-v2", "gpu", tmp_path)
    with pytest.raises(ConfigError, match="embedding_backend"):
        Settings(embedding_backend="gpu")


def test_openvino_compiles_the_same_export_offline_caches_it_and_gives_torchs_vectors(tmp_path):
    needs_openvino()
    cache = tmp_path / "models"
    home = tmp_path / "home"
    # two processes at once on an empty cache (a batch's workers): both export, compile and encode
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ENCODE, "openvino", str(cache), json.dumps(TEXTS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=guarded_env(home),
        )
        for _ in range(2)
    ]
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        runs.append(json.loads(out))
    # OpenVINO's converter, whose import sends a usage event, and its telemetry never load
    assert not (home / "net.log").exists(), (home / "net.log").read_text()
    assert not (home / "intel").exists()  # where openvino-telemetry keeps its client id
    for r in runs:
        assert r["backend"] == "openvino" and "openvino" in r["modules"]
        assert not {"openvino.tools.ovc", "openvino_telemetry"} & set(r["modules"])
    assert np.allclose(runs[0]["vectors"], runs[1]["vectors"], atol=1e-6)
    compiled = sorted(cache.rglob("openvino/*"))
    assert compiled, "the compiled model is cached beside the export"
    stamps = {p: p.stat().st_mtime_ns for p in compiled}

    again = encode_in_a_process("openvino", cache, home=home)
    assert {p: p.stat().st_mtime_ns for p in sorted(cache.rglob("openvino/*"))} == stamps  # reused, not rewritten
    assert not {"torch", "sentence_transformers"} & {m.split(".")[0] for m in again["modules"]}

    vecs = np.array(again["vectors"])
    torch_vecs = get_encoder("all-MiniLM-L6-v2", "torch", cache).encode(TEXTS)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert (vecs * torch_vecs).sum(axis=1).min() > 0.9995  # bf16 on a CPU with it, fp32 elsewhere
    assert list((vecs @ torch_vecs.T).argmax(axis=1)) == list(range(len(TEXTS)))

    # the compile holds a lock on the cache folder: a process that finds it held waits, and
    # writes nothing meanwhile (OpenVINO writes its cache file in place; a reader that finds a
    # half-written one removes it, and the writer then fails)
    from contract_review.encoders import _folder_lock

    folder = compiled[0].parent
    for blob in folder.glob("*.blob"):
        blob.unlink()
    with _folder_lock(folder):
        p = subprocess.Popen(
            [
                sys.executable,
                "-c",
                'import sys; print("start", file=sys.stderr, flush=True)\n' + ENCODE,
                "openvino",
                str(cache),
                json.dumps(TEXTS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=guarded_env(home),
        )
        assert p.stderr.readline().strip() == "start"
        time.sleep(5)  # far longer than a compile takes
        assert p.poll() is None and not list(folder.glob("*.blob"))
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    assert list(folder.glob("*.blob"))
    assert np.allclose(json.loads(out)["vectors"], vecs, atol=1e-6)


def test_auto_is_openvino_where_the_cpu_has_bf16_and_onnx_int8_elsewhere(tmp_path, monkeypatch):
    from contract_review import encoders

    monkeypatch.setattr(encoders, "openvino_has_native_bf16", lambda: False)
    assert encoders.resolve_backend("auto") == "onnx-int8"
    monkeypatch.setattr(encoders, "openvino_has_native_bf16", lambda: True)
    assert encoders.resolve_backend("auto") == "openvino"
    assert encoders.resolve_backend("torch") == "torch"


def test_without_openvino_installed_auto_means_onnx_int8(monkeypatch):
    from contract_review import encoders

    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino raises ImportError
    encoders.openvino_has_native_bf16.cache_clear()
    try:
        assert encoders.openvino_has_native_bf16() is False
        assert encoders.resolve_backend("auto") == "onnx-int8"
    finally:
        encoders.openvino_has_native_bf16.cache_clear()


def test_auto_follows_the_cpus_bf16_flags():
    needs_openvino()
    from contract_review import encoders

    flags = encoders._cpu_flags()
    if flags is None:
        pytest.skip("no /proc/cpuinfo here")
    # the CPU's own flags, not OpenVINO's view of them: an independent account of the machine
    assert encoders.resolve_backend("auto") == ("openvino" if flags & {"amx_bf16", "avx512_bf16"} else "onnx-int8")


def test_a_failed_openvino_request_fails_that_call_only(tmp_path, monkeypatch):
    needs_openvino()
    from contract_review import encoders

    enc = encoders.OpenVinoEncoder(model_path("all-MiniLM-L6-v2"), tmp_path / "models", threads=1)
    before = enc.encode(TEXTS[:2])
    batches = encoders._batches

    def wrong_rank(*args):  # inputs of three dimensions where the model takes two: the request fails
        for idx, feed in batches(*args):
            yield idx, {k: v[None] for k, v in feed.items()}

    monkeypatch.setattr(encoders, "_batches", wrong_rank)
    with pytest.raises(encoders.EncoderError, match="OpenVINO failed to encode"):
        enc.encode(TEXTS[:2])
    monkeypatch.setattr(encoders, "_batches", batches)
    assert np.allclose(enc.encode(TEXTS[:2]), before, atol=1e-6)  # the queue does not keep the error


def test_auto_takes_onnx_int8_when_openvino_cannot_be_built(tmp_path, monkeypatch):
    from contract_review import encoders

    def broken(*a, **k):
        raise encoders.EncoderError("OpenVINO could not compile model.onnx: no CPU plugin")

    monkeypatch.setattr(encoders, "openvino_has_native_bf16", lambda: True)
    monkeypatch.setattr(encoders, "OpenVinoEncoder", broken)
    monkeypatch.setattr(encoders, "_OPENVINO_FAILED", [])
    monkeypatch.setattr(encoders, "_ENCODERS", {})
    assert encoders.get_encoder("all-MiniLM-L6-v2", "auto", tmp_path).backend == "onnx-int8"
    assert encoders.resolve_backend("auto") == "onnx-int8"  # and it does not try again
    with pytest.raises(encoders.EncoderError, match="no CPU plugin"):  # asked for by name: the error
        encoders.get_encoder("all-MiniLM-L6-v2", "openvino", tmp_path)
