"""End to end in a real browser: `streamlit run app.py` on a free loopback port (headless,
telemetry off), driven by Playwright through Debian's Chromium.

Uploads a sample contract with known flaws and checks that the findings its labels call for,
with their quotes, are on the page; that a bad file gets its own message; and that two
browser sessions never see each other's uploads. Screenshots go to the test's tmp_path.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsers import BROWSER_MARKS, free_port, running_server
from conftest import ENCODER_CACHE

from contract_review.checks import get_rule
from contract_review.pipeline import Reviewer
from contract_review.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
FLAWED = "02_engagement_letter_vague_insurance.pdf"  # labelled: vague language, nothing else required
SLOW = 180_000  # ms: the first review loads the embedding model on a shared 2-core machine

pytestmark = BROWSER_MARKS


def norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Server:
    url: str
    tmp: Path  # TMPDIR of the app process

    def session_dirs(self) -> list[Path]:
        return sorted(self.tmp.glob("contract-review-ui-*"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served by `streamlit run`, with its own CONTRACT_REVIEW_HOME and no LLM endpoint."""
    home = tmp_path_factory.mktemp("app-home")
    tmp = tmp_path_factory.mktemp("app-tmp")  # where the app's per-session folders go
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_URL", "CONTRACT_REVIEW_CONFIG")
    }
    env.update(
        CONTRACT_REVIEW_HOME=str(home),
        CONTRACT_REVIEW_ENCODER_CACHE=str(ENCODER_CACHE),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        TMPDIR=str(tmp),
    )
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.disconnectedSessionTTL",
        "2",
    ]
    with running_server(cmd, cwd=ROOT, env=env, log=home / "streamlit.log", port=port) as url:
        yield Server(url, tmp)


def open_app(browser, url, requests: list[str] | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    if requests is not None:
        context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(url)
    page.get_by_text("Contract review: insurance terms").wait_for(timeout=60_000)
    return context, page


def upload(page, files: list[Path]) -> None:
    page.locator(".st-key-review_files input[type=file]").set_input_files([str(f) for f in files])


def wait_for_reviews(page, n: int) -> None:
    """Until every uploaded file has its review box and nothing is running."""
    page.wait_for_function(f"document.querySelectorAll('[class*=\"st-key-review-\"] h3').length >= {n}", timeout=SLOW)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=SLOW)


def sample_label(name: str) -> dict:
    with open(SAMPLES / "labels.jsonl", encoding="utf-8") as fh:
        return next(d for d in map(json.loads, fh) if d["file"] == name)


def test_review_of_a_flawed_contract_shows_its_findings_and_quotes(server, browser, tmp_path):
    contract = SAMPLES / FLAWED
    if not contract.is_file():
        pytest.skip(f"{contract} not built")
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    requests: list[str] = []
    context, page = open_app(browser, server.url, requests)
    try:
        page.get_by_text("Everything runs on this machine").wait_for()
        upload(page, [contract, corrupt])
        wait_for_reviews(page, 2)
        page.locator(".cr-finding").first.wait_for(timeout=SLOW)
        # Streamlit scrolls inside its main block, so a tall viewport shows the whole review
        page.set_viewport_size({"width": 1400, "height": 3000})
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        text = norm(page.locator("section.main, [data-testid='stMain']").first.inner_text())

        # what the labels call for: vague language, quoted
        label = sample_label(FLAWED)
        assert label["vague_language"]
        vague = get_rule("vague-insurance-language")
        findings = [norm(t) for t in page.locator(".cr-finding").all_inner_texts()]
        vague_boxes = [f for f in findings if vague.code in f]
        assert vague_boxes, f"no {vague.code} finding among {findings}"
        for quote in label["evidence"]["vague_language"]:
            assert norm(quote) in vague_boxes[0]

        # and exactly what the pipeline finds, in order, each with its quotes and page
        expected = Reviewer(Settings()).review(contract).sorted_findings()
        assert len(findings) == len(expected)
        for shown, f in zip(findings, expected, strict=True):
            assert shown.startswith(f"{f.severity.upper()} {f.rule} {f.slug}")
            for c in f.evidence[:3]:
                assert f"p. {c.page}" in shown and norm(c.quote) in shown
        # suggested clauses are code blocks with a copy button
        assert page.locator('[data-testid="stCode"]').count() == sum(bool(f.suggestion) for f in expected)
        # the policy and endorsement tables and the searched sections follow
        for heading in ("Policies", "Endorsements and terms", "Sections searched"):
            assert heading in text
        # the corrupt file has its own message and did not stop the other review
        assert "Could not review corrupt.pdf (unreadable)" in text

        # selecting a quote shows its page with the quote highlighted
        marks = page.locator(".cr-page mark")
        assert marks.count() == 1
        assert norm(marks.inner_text()) in {norm(c.quote) for f in expected for c in f.evidence} | {
            norm(q) for q in label["evidence"]["vague_language"]
        }
        page.locator(".cr-page").first.screenshot(path=str(tmp_path / "page-highlight.png"))

        # nothing on the page was fetched from anywhere but the app itself
        elsewhere = [u for u in requests if not (u.startswith(server.url) or u.startswith(("data:", "blob:")))]
        assert requests and not elsewhere, elsewhere
    finally:
        context.close()


def test_a_word_draft_is_downloaded_reviewed_with_comments_and_tracked_changes(server, browser, tmp_path):
    import docx

    from contract_review import wordml
    from contract_review.loaders import load_document

    draft = SAMPLES / "13_pilot_agreement_insurance_as_required.docx"
    context, page = open_app(browser, server.url)
    try:
        upload(page, [draft])
        wait_for_reviews(page, 1)
        author = page.get_by_label("Author of the changes")
        author.fill("Jane Roe")
        author.press("Enter")
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=SLOW)
        page.wait_for_timeout(500)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Reviewed draft (DOCX)").click()
        assert dl.value.suggested_filename == "13_pilot_agreement_insurance_as_required-reviewed.docx"
        data = Path(dl.value.path()).read_bytes()
        d = docx.Document(io.BytesIO(data))
        expected = Reviewer(Settings()).review(draft)
        assert {c.author for c in d.comments} == {"Jane Roe"}
        assert len(d.comments) == len(expected.findings)
        ours = [el for el in d.element.body.iter(f"{wordml.W}ins", f"{wordml.W}del")]
        assert ours and all(el.get(f"{wordml.W}author") == "Jane Roe" for el in ours)
        wordml.reject(d.element.body, "Jane Roe")
        buf = io.BytesIO()
        d.save(buf)
        assert load_document("x.docx", data=buf.getvalue()).text == load_document(draft).text
    finally:
        context.close()


def test_a_certificate_is_checked_against_the_reviewed_contract(server, browser, tmp_path):
    from test_coi_parse import BLANK, _maker

    if not BLANK.exists():
        pytest.skip(f"blank ACORD 25 not found at {BLANK} (needs ../shared beside the checkout)")
    maker = _maker()
    cert = tmp_path / "01_redline_gaps_filled.pdf"
    cert.write_bytes(maker.make(dict(maker.specs()[cert.name])))
    contract = SAMPLES / "01_msa_ai_red_teaming_clean.pdf"
    context, page = open_app(browser, server.url)
    try:
        upload(page, [contract])
        wait_for_reviews(page, 1)
        page.get_by_role("tab", name="Certificates").click()
        page.locator(".st-key-coi_files input[type=file]").set_input_files([str(cert)])
        page.get_by_role("button", name="Download JSON").wait_for(timeout=SLOW)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=SLOW)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download JSON").click()
        (got,) = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
        assert got["file"] == cert.name and got["status"] == "ok"
        # What the CLI reports for the same pair, as of the day the page checked it.
        from datetime import date

        cli = subprocess.run(
            [
                str(Path(sys.executable).with_name("contract-review")),
                "coi",
                str(contract),
                str(cert),
                "--as-of",
                date.today().isoformat(),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        want = json.loads(cli.stdout)
        want = want[0] if isinstance(want, list) else want
        assert sorted(f["slug"] for f in got["findings"]) == sorted(f["slug"] for f in want["findings"])
        assert {"coi-policy-missing", "coi-limit-below-requirement"} <= {f["slug"] for f in got["findings"]}
        text = page.locator("[data-testid='stMain']").first.inner_text()
        assert cert.name in text
    finally:
        context.close()


def test_two_sessions_never_see_each_others_uploads(server, browser, tmp_path):
    contract = SAMPLES / "13_pilot_agreement_insurance_as_required.pdf"
    if not contract.is_file():
        pytest.skip(f"{contract} not built")
    ctx_a, a = open_app(browser, server.url)
    ctx_b, b = open_app(browser, server.url)
    try:
        upload(a, [contract])
        wait_for_reviews(a, 1)
        assert contract.name in a.locator('[class*="st-key-review-"] h3').first.inner_text()
        holding = [d for d in server.session_dirs() if any(d.rglob(contract.name))]
        assert len(holding) == 1  # only session A's folder has the upload

        def search(page, query, until_hit=False):
            page.get_by_role("tab", name="Search").click()
            page.get_by_label("Search indexed contracts").wait_for(state="visible")  # the tab is shown
            page.get_by_text("Still indexing").wait_for(state="hidden", timeout=SLOW)
            page.get_by_label("Search indexed contracts").fill(query)
            deadline = time.monotonic() + SLOW / 1000
            while True:
                page.get_by_role("button", name="Search", exact=True).click()
                page.wait_for_timeout(500)
                page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=SLOW)
                # an upload is indexed in the background after its findings: until then, no hit
                if not until_hit or page.locator(".cr-hit").count() or time.monotonic() > deadline:
                    return
                page.wait_for_timeout(2000)

        search(a, "insurance as required by Customer", until_hit=True)
        hit = a.locator(".cr-hit").first
        hit.wait_for(timeout=SLOW)
        a.screenshot(path=str(tmp_path / "search-a.png"), full_page=True)
        assert contract.name in hit.inner_text() and "this session" in hit.inner_text()

        b.reload()
        b.get_by_text("Contract review: insurance terms").wait_for()
        assert b.locator('[class*="st-key-review-"]').count() == 0
        assert contract.name not in b.locator("body").inner_text()
        search(b, "insurance as required by Customer")
        b.get_by_text("No indexed contract matches").wait_for(timeout=SLOW)
        assert contract.name not in b.locator("body").inner_text()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_findings_are_shown_before_the_upload_is_indexed(server, browser, tmp_path):
    """The review is on the page while the upload is still being indexed; the Search tab
    says so until the background indexing is done, then finds the upload, with no reload."""
    contract = SAMPLES / FLAWED
    if not contract.is_file():
        pytest.skip(f"{contract} not built")
    # A contract the server has never indexed (its own bytes), so its indexing starts now.
    fresh = tmp_path / "fresh-engagement.pdf"
    fresh.write_bytes(contract.read_bytes() + b"\n% a different file\n")
    context, page = open_app(browser, server.url)
    try:
        upload(page, [fresh])
        page.locator(".cr-finding").first.wait_for(timeout=SLOW)
        page.get_by_role("tab", name="Search").click()
        page.get_by_label("Search indexed contracts").wait_for(state="visible")  # the tab is shown
        status = page.get_by_text("Still indexing fresh")
        seen_indexing = status.count() > 0  # on a fast machine the indexing may be over already
        status.wait_for(state="hidden", timeout=SLOW)  # the status refreshes itself, no reload
        page.get_by_label("Search indexed contracts").fill("adequate insurance")
        page.get_by_role("button", name="Search", exact=True).click()
        hit = page.locator(".cr-hit").first
        hit.wait_for(timeout=SLOW)
        assert "fresh-engagement.pdf" in hit.inner_text(), seen_indexing
    finally:
        context.close()


def test_batch_screening_in_the_browser_with_downloads(server, browser, tmp_path):
    contracts = [SAMPLES / FLAWED, SAMPLES / "09_data_licence_no_insurance.pdf"]
    for c in contracts:
        if not c.is_file():
            pytest.skip(f"{c} not built")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")  # its own error; the batch goes on
    context, page = open_app(browser, server.url)
    try:
        page.get_by_role("tab", name="Batch").click()
        page.locator(".st-key-batch_files input[type=file]").set_input_files([str(c) for c in contracts] + [str(empty)])
        # Under load the click can beat the upload: wait until the uploader lists the last file.
        page.locator(".st-key-batch_files").get_by_text("empty.txt").first.wait_for(timeout=SLOW)
        # and until the rerun the upload caused is over: a click during it can be lost
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=SLOW)
        page.get_by_role("button", name="Screen", exact=True).click()
        page.get_by_text("3 contract(s), 2 reviewed, 1 error(s)").wait_for(timeout=SLOW)
        assert "empty.txt (unreadable): file is empty" in norm(page.locator("[data-testid='stMain']").inner_text())
        grid = page.locator('[data-testid="stDataFrame"]')
        grid.wait_for(timeout=SLOW)
        grid.locator("table").wait_for(state="attached", timeout=SLOW)
        cells = grid.locator("table").text_content()  # the canvas grid's accessible table mirrors its cells
        for name in ("empty.txt", *(c.name for c in contracts)):
            assert name in cells
        page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)

        with page.expect_download() as dl:
            page.get_by_role("button", name="Download JSONL").click()
        lines = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
        got = {d["file"]: d for d in map(json.loads, lines)}
        assert set(got) == {c.name for c in contracts} | {"empty.txt"}
        assert got["empty.txt"]["status"] == "error"
        expected = {c.name: Reviewer(Settings()).review(c) for c in contracts}
        for name, result in expected.items():
            assert sorted(f["rule"] for f in got[name]["findings"]) == sorted(f.rule for f in result.findings)

        with page.expect_download() as dl:
            page.get_by_role("button", name="Download CSV").click()
        assert dl.value.suggested_filename == "screening.csv"
        csv_text = Path(dl.value.path()).read_text(encoding="utf-8")
        assert all(name in csv_text for name in got)

        with page.expect_download() as dl:
            page.get_by_role("button", name="Download XLSX").click()
        from openpyxl import load_workbook

        assert dl.value.suggested_filename == "screening.xlsx"
        sheet = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).worksheets[0]
        assert {c.value for row in sheet.iter_rows() for c in row} >= set(got)
    finally:
        context.close()


def test_a_sessions_files_are_deleted_when_it_ends(server, browser):
    contract = SAMPLES / FLAWED
    if not contract.is_file():
        pytest.skip(f"{contract} not built")
    before = set(server.session_dirs())
    context, page = open_app(browser, server.url)
    try:
        upload(page, [contract])
        wait_for_reviews(page, 1)
        mine = [d for d in server.session_dirs() if d not in before and any(d.rglob(contract.name))]
        assert len(mine) == 1
        assert (mine[0].stat().st_mode & 0o777) == 0o700
    finally:
        context.close()
    # After server.disconnectedSessionTTL (2 s here) the next page run anywhere deletes it:
    # Streamlit has no end-of-session hook, so the app sweeps on every run.
    time.sleep(1)
    other, page = open_app(browser, server.url)  # another user's page run: first sees the session gone
    try:
        page.get_by_role("tab", name="Batch").click()
        deadline = time.monotonic() + 60
        while mine[0].exists() and time.monotonic() < deadline:
            time.sleep(3)
            page.get_by_text("Folder on the server").click()  # a widget change reruns the page
            page.get_by_text("Upload files").click()
        assert not mine[0].exists(), "the session's uploads outlived the session"
    finally:
        other.close()
