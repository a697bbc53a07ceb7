"""The command line as a user runs it: a subprocess, real files, exit codes, the output contract."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_docx, make_image_only_pdf, make_pdf

from contract_review.schema import ReviewResult

TESTS = Path(__file__).parent
CLAUSE = (
    "12. INSURANCE\nProvider shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Client as an additional insured."
)


def run(*args, env_extra=None, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for k, v in (env_extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


@pytest.fixture
def contracts(tmp_path) -> Path:
    d = tmp_path / "incoming"
    (d / "sub folder").mkdir(parents=True)
    (d / "Acme, Inc. & Co MSA .pdf").write_bytes(make_pdf(["MASTER SERVICES AGREEMENT", CLAUSE]))
    (d / "sub folder" / "sow.docx").write_bytes(make_docx(["STATEMENT OF WORK", CLAUSE]))
    (d / "sub folder" / "notes.md").write_text("# Engagement letter\n\nNo insurance terms here.\n")
    (d / "locked.pdf").write_bytes(make_pdf([CLAUSE], encrypt_password="pw"))
    (d / "scan.pdf").write_bytes(make_image_only_pdf())
    (d / "ignored.png").write_bytes(b"\x89PNG")  # folders yield only supported types
    return d


def test_screen_writes_one_contract_line_per_document(contracts):
    r = run("screen", str(contracts))
    assert r.returncode == 2, r.stderr  # some files errored
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    by_file = {row["file"]: row for row in rows}
    assert set(by_file) == {"Acme, Inc. & Co MSA .pdf", "sow.docx", "notes.md", "locked.pdf", "scan.pdf"}
    for row in rows:
        ReviewResult.model_validate(row)  # exactly the schema
        assert set(row) >= {
            "file",
            "path",
            "sha256",
            "status",
            "error",
            "pages",
            "extractor",
            "prompt_version",
            "profile",
            "findings",
        }
    assert by_file["locked.pdf"]["status"] == "error" and by_file["locked.pdf"]["error"]["code"] == "encrypted"
    assert by_file["scan.pdf"]["error"]["code"] == "no_text_layer"
    ok = by_file["Acme, Inc. & Co MSA .pdf"]
    assert ok["status"] == "ok" and ok["pages"] == 2 and ok["error"] is None and len(ok["sha256"]) == 64
    assert ok["path"].startswith(str(contracts)) and ok["extractor"] == "rules"
    assert "searched" in ok["profile"]


def test_screen_exit_zero_when_all_files_process_and_csv(contracts, tmp_path):
    out = tmp_path / "out.csv"
    good = contracts / "Acme, Inc. & Co MSA .pdf"
    r = run("screen", str(good), str(contracts / "sub folder"), "--format", "csv", "--output", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["file"] for row in rows] and all(row["status"] == "ok" for row in rows)
    assert {"insurance_required", "additional_insured", "findings", "limits"} <= set(rows[0])


def _usage_error(r: subprocess.CompletedProcess, command: str) -> bool:
    """typer's short usage message for ``command``, exit 1, and no traceback."""
    return (
        r.returncode == 1
        and "Traceback" not in r.stderr
        and r.stderr.startswith(f"Usage: contract-review {command}")
        and len(r.stderr.splitlines()) <= 8
    )


def test_usage_errors_exit_one(tmp_path):
    assert run("screen", str(tmp_path / "does-not-exist")).returncode == 1
    r = run("screen", "--workers", "0", str(tmp_path))
    assert r.returncode == 1 and "(usage)" in r.stderr
    assert _usage_error(run("screen", "--no-such-flag", str(tmp_path)), "screen")


def test_usage_errors_through_the_installed_script_are_short(tmp_path):
    f = tmp_path / "x.pdf"
    f.write_bytes(make_pdf([CLAUSE]))
    bogus = run("review", str(f), "--bogus")
    assert _usage_error(bogus, "review") and "--bogus" in bogus.stderr
    missing = run("review")
    assert _usage_error(missing, "review") and "'file'" in missing.stderr
    assert _usage_error(run("nonesuch-command"), "")


@pytest.mark.parametrize(
    "config,named",
    [
        ("max_pages = [\n", "config.toml"),  # not TOML
        ('llm_modle = "x"\n', "'llm_model'"),  # an unknown key, and the setting it was meant to be
        ('pdf_parser = "pdfiumm"\n', "pdf_parser"),  # not one of the parsers
    ],
)
def test_a_bad_config_file_is_a_typed_error(tmp_path, config, named):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(config, encoding="utf-8")
    f = tmp_path / "x.txt"
    f.write_text(CLAUSE, encoding="utf-8")
    r = run("review", str(f), "--no-index", env_extra={"CONTRACT_REVIEW_HOME": str(home)})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "(bad_config)" in r.stderr and named in r.stderr


def test_a_bad_setting_in_the_environment_is_a_typed_error(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text(CLAUSE, encoding="utf-8")
    r = run("review", str(f), "--no-index", env_extra={"CONTRACT_REVIEW_PDF_PARSER": "pdfiumm"})
    assert r.returncode == 1 and "(bad_config)" in r.stderr and "pdf_parser" in r.stderr


def test_review_uses_the_general_playbook_by_default(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text(CLAUSE, encoding="utf-8")
    out = json.loads(run("review", str(f), "--no-index", "--format", "json").stdout)
    assert out["playbook"] == "general"
    # general leaves INS002 at its default severity; technology-services raises it to high
    sev = {x["rule"]: x["severity"] for x in out["findings"]}
    assert sev["INS002"] == "low"
    tech = json.loads(run("review", str(f), "--no-index", "--format", "json", "-p", "technology-services").stdout)
    assert {x["rule"]: x["severity"] for x in tech["findings"]}["INS002"] == "high"


def test_review_one_contract_for_a_person(contracts):
    r = run("review", str(contracts / "Acme, Inc. & Co MSA .pdf"), "--no-index")
    assert r.returncode == 0, r.stderr
    assert "Findings" in r.stdout and "Policies" in r.stdout and "Additional insured" in r.stdout
    j = run("review", str(contracts / "locked.pdf"), "--format", "json", "--no-index")
    assert j.returncode == 2 and json.loads(j.stdout)["error"]["code"] == "encrypted"


@pytest.mark.xdist_group("embedding")
def test_index_then_search(contracts, tmp_path):
    env = {"CONTRACT_REVIEW_HOME": str(tmp_path / "home")}
    r = run("index", str(contracts / "Acme, Inc. & Co MSA .pdf"), str(contracts / "sub folder"), env_extra=env)
    assert r.returncode == 0, r.stderr
    assert "chunk(s) added" in r.stdout
    again = run("index", str(contracts / "Acme, Inc. & Co MSA .pdf"), env_extra=env)
    assert "already indexed" in again.stdout
    s = run("search", "additional insured", "--top-k", "2", env_extra=env)
    assert s.returncode == 0, s.stderr
    hits = [line for line in s.stdout.splitlines() if line[:1].isdigit()]
    assert len(hits) == 2 and all("12. INSURANCE" in h for h in hits)
    # The PDF's clause follows a title page, so its chunk runs from page 1 onto page 2.
    assert any("MSA .pdf  p.1-2" in h for h in hits) and any("sow.docx  p.1 " in h for h in hits), hits


@pytest.mark.xdist_group("embedding")
def test_whole_screen_runs_with_every_non_loopback_connection_refused(contracts, tmp_path):
    """Offline by default: screening and indexing open no socket beyond loopback."""
    log = tmp_path / "net.log"
    env = {
        "PYTHONPATH": str(TESTS / "netguard"),
        "NETGUARD_LOG": str(log),
        "CONTRACT_REVIEW_HOME": str(tmp_path / "home"),
        # Undo the offline hints: the product itself must not need them to stay offline.
        "HF_HUB_OFFLINE": None,
        "TRANSFORMERS_OFFLINE": None,
        "ANONYMIZED_TELEMETRY": None,
    }
    r = run("screen", "--index", str(contracts), env_extra=env)
    assert r.returncode == 2, r.stderr  # the encrypted and scanned files, as always
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert sum(row["status"] == "ok" for row in rows) == 3
    assert not log.exists() or log.read_text() == "", log.read_text()
    s = run("search", "additional insured", env_extra=env)
    assert s.returncode == 0 and "12. INSURANCE" in s.stdout.splitlines()[0]
    assert not log.exists() or log.read_text() == "", log.read_text()


@pytest.mark.xdist_group("embedding")
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) for a network namespace")
def test_whole_screen_inside_a_network_namespace_with_no_route(contracts, tmp_path):
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.decode().strip()}")
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    env = dict(os.environ, CONTRACT_REVIEW_HOME=str(tmp_path / "home"))
    r = subprocess.run(
        ["unshare", "-rn", exe, "screen", "--index", str(contracts)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 2 and sum(row["status"] == "ok" for row in rows) == 3, r.stderr
