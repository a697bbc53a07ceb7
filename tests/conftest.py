"""Shared fixtures. Every test gets its own CONTRACT_REVIEW_HOME and no LLM endpoint."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
# The ONNX export of the bundled model is derived from the installed package (and keyed by
# its files and versions): one cache for every test, so it is exported once, not per test.
ENCODER_CACHE = Path(tempfile.gettempdir()) / "contract-review-test-encoders"
SHARED = Path(os.environ.get("CONTRACT_REVIEW_SHARED", ROOT.parent / "shared"))
CUAD = SHARED / "data" / "cuad"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTRACT_REVIEW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CONTRACT_REVIEW_ENCODER_CACHE", str(ENCODER_CACHE))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_URL", "CONTRACT_REVIEW_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    yield
    # OpenVINO's model converter sends a usage event and writes ~/intel when it is imported;
    # the product imports OpenVINO only with it blocked (encoders._openvino). A test that
    # imports OpenVINO itself (pytest.importorskip("openvino") does) sends it from this process.
    for name in ("openvino.tools.ovc", "openvino_telemetry"):
        assert sys.modules.get(name) is None, f"{name} was imported: OpenVINO imported without its telemetry block"


@pytest.fixture(scope="session")
def cuad_dir() -> Path:
    """../shared/data/cuad, or skip (with the reason) when this checkout has no ../shared."""
    if not (CUAD / "pdf").is_dir():
        pytest.skip(f"CUAD corpus not found at {CUAD} (needs ../shared beside the checkout)")
    return CUAD


@pytest.fixture(scope="session")
def dev_labels(cuad_dir) -> list[dict]:
    with open(cuad_dir / "dev_labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def sample_labels() -> list[dict]:
    with open(SAMPLES / "labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium per test module, driven by Playwright (tests/browsers.py)."""
    from browsers import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
