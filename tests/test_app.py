"""The Streamlit app's logic: services in contract_review.ui (pure functions) and the pages
driven by streamlit.testing.v1.AppTest, with real uploads, real PDFs and a real Chroma store
on disk. The browser path is in test_e2e_browser.py."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from contract_review import ui
from contract_review.loaders import Document
from contract_review.pipeline import Reviewer
from contract_review.schema import Citation, Finding, ReviewResult
from contract_review.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLES = ROOT / "sample_contracts"
TIMEOUT = 180


# --------------------------------------------------------------------------- files


def make_pdf(paragraphs: list[str]) -> bytes:
    """A real text PDF (reportlab), one paragraph per block, page breaks as needed."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buf = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buf, pagesize=letter, invariant=1)
    doc.build([Paragraph(p, styles["BodyText"]) for p in paragraphs])
    return buf.getvalue()


FLAWED = [
    "MASTER SERVICES AGREEMENT",
    'This Master Services Agreement is made between Northwind Parcel Co. ("Customer") and '
    'Bluefin Analytics LLC ("Vendor").',
    "1. Services. Vendor shall provide the data analysis services described in each statement of work.",
    "2. Fees. Customer shall pay each undisputed invoice within thirty (30) days of receipt.",
    "3. Insurance. Vendor shall maintain adequate insurance.",
    "4. Governing Law. This Agreement is governed by the laws of the State of Delaware.",
]


def scanned_pdf() -> bytes:
    """A PDF page with only a drawing (no text layer), like a scan."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.rect(72, 72, 400, 600, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf(FLAWED))).pages:
        writer.add_page(page)
    writer.encrypt("owner-and-user-secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} not built yet")
    return path


def norm(text: str) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- AppTest helpers


def new_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, files: list[tuple[str, bytes]], key: str = "review_files") -> AppTest:
    at.file_uploader(key=key).set_value([(n, d, "application/octet-stream") for n, d in files])
    at.run()
    assert not at.exception, at.exception
    return at


def html_bodies(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def frame(at: AppTest, column: str):
    """The one dataframe on the page that has ``column`` (None when there is none)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) <= 1
    return found[0] if found else None


def workspace(at: AppTest) -> ui.Workspace:
    return at.session_state["workspace"]


# =========================================================================== pure services


def test_md_escape_neutralises_markdown_links_images_and_directives():
    nasty = "![x](http://example.invalid/leak?q=1) [click](javascript:alert(1)) :red[big] <b>x</b> **bold**"
    out = ui.md_escape(nasty)
    for token in ("![", "](", ":red[", "<b>", "**"):
        assert token not in out
    # every removed character is still there, escaped
    assert out.replace("\\", "") == nasty


def test_highlight_html_escapes_contract_text_and_marks_only_the_quote():
    page1 = "Recitals.\n"
    page2 = 'Vendor <script>alert("x")</script> shall maintain adequate insurance & more.'
    doc = Document.from_page_texts("c.txt", "0" * 64, [page1, page2], "text")
    start = doc.text.index("shall maintain")
    end = start + len("shall maintain adequate insurance")
    html = ui.highlight_html(doc, Citation(quote=doc.text[start:end], page=2, start=start, end=end))
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark>shall maintain adequate insurance</mark>" in html
    assert "&amp; more." in html
    assert "Recitals" not in html  # only the quote's page
    assert "Page 2 of 2" in html


def test_highlight_clips_a_quote_that_runs_over_the_page_break():
    doc = Document.from_page_texts("c.txt", "0" * 64, ["first page ends here", "second page"], "text")
    start = doc.text.index("ends")
    end = doc.text.index("page", doc.text.index("second")) + 4
    html = ui.highlight_html(doc, Citation(quote=doc.text[start:end], page=1, start=start, end=end))
    assert "first page <mark>ends here</mark>" in html


def test_finding_html_escapes_message_and_quotes():
    f = Finding(
        rule="INS003",
        slug="vague-insurance-language",
        severity="high",
        message="Uses <img src=x onerror=alert(1)>",
        suggestion="x",
        evidence=[Citation(quote='"adequate" <insurance>', page=4, start=0, end=5)],
    )
    html = ui.finding_html(f)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;insurance&gt;" in html and "p.&nbsp;4" in html and "INS003" in html and "HIGH" in html


def test_search_hit_html_escapes_and_severity_summary_counts():
    row = ui.SearchRow(
        document="<b>x</b>.pdf",
        page=3,
        section="9. <i>Insurance</i>",
        score=0.51234,
        text="shall & <script>",
        source="this session",
    )
    html = ui.search_hit_html(row)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;.pdf" in html
    assert "&lt;i&gt;Insurance" in html and "&amp; &lt;script&gt;" in html and "p.&nbsp;3" in html
    assert "0.512" in html
    r = _result("a.pdf", [("INS003", "v", "medium"), ("INS001", "m", "high"), ("INS005", "c", "medium")])
    assert ui.severity_summary(r) == "3 finding(s): 1 high, 2 medium"
    assert ui.severity_summary(_result("b.pdf", [])) == "no findings"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\contract.pdf", "contract.pdf"),
        ("bad\x00name\n.pdf", "badname.pdf"),
        ("..", "upload"),
        ("", "upload"),
        ("Vertrag März.pdf", "Vertrag März.pdf"),
    ],
)
def test_safe_filename(given, expected):
    assert ui.safe_filename(given) == expected


def test_remote_extractors_are_off_without_an_endpoint_and_named_with_one():
    names = ["hybrid", "llm", "rules"]
    off = ui.extractor_options(Settings(), names)
    assert [o.name for o in off] == ["rules", "hybrid", "llm"]
    assert [o.enabled for o in off] == [True, False, False]
    assert ui.llm_endpoint(Settings()) is None

    on = ui.extractor_options(Settings(OPENAI_BASE_URL="http://127.0.0.1:9/v1"), names)
    assert all(o.enabled for o in on)
    assert all("http://127.0.0.1:9/v1" in o.reason for o in on if o.remote)
    assert ui.llm_endpoint(Settings(OPENAI_API_KEY="sk-test")).startswith("https://api.openai.com/v1")
    # an extractor nobody declared local is treated as sending text away
    assert ui.extractor_options(Settings(), ["some-plugin"])[0].enabled is False


def test_upload_limit_is_the_smaller_of_streamlit_and_settings():
    assert ui.upload_limit_mb(Settings(), 50) == 50
    assert ui.upload_limit_mb(Settings(max_bytes=5 * 1024 * 1024), 50) == 5
    assert ui.upload_limit_mb(Settings(max_bytes=1000), 50) == 1  # never shows 0 MB
    assert ui.upload_types() == sorted(ui.upload_types()) and "pdf" in ui.upload_types()


def _result(name: str, rules: list[tuple[str, str, str]], status: str = "ok") -> ReviewResult:
    from contract_review.schema import ErrorInfo, InsuranceProfile

    if status == "error":
        return ReviewResult(file=name, path=name, status="error", error=ErrorInfo(code="encrypted", message="locked"))
    return ReviewResult(
        file=name,
        path=name,
        profile=InsuranceProfile(),
        findings=[Finding(rule=c, slug=s, severity=sev, message="m") for c, s, sev in rules],
    )


def test_summary_rows_have_one_column_per_flag_and_filter():
    results = [
        _result(
            "a.pdf",
            [("INS001", "missing-additional-insured", "high"), ("INS003", "vague-insurance-language", "medium")],
        ),
        _result("b.pdf", [("INS003", "vague-insurance-language", "medium")]),
        _result("c.pdf", []),
        _result("locked.pdf", [], status="error"),
    ]
    rows = ui.summary_rows(results)
    assert ui.rule_flag_columns(results) == ["INS001 missing-additional-insured", "INS003 vague-insurance-language"]
    assert [r["INS003 vague-insurance-language"] for r in rows] == [True, True, False, False]
    assert list(rows[0])[:6] == [
        "file",
        "status",
        "max_severity",
        "n_findings",
        "INS001 missing-additional-insured",
        "INS003 vague-insurance-language",
    ]
    assert "path" not in rows[0] and "additional_insured" in rows[0]
    assert rows[3]["status"] == "error" and rows[3]["error_code"] == "encrypted"

    files = lambda rs: [r["file"] for r in rs]  # noqa: E731
    assert files(ui.filter_rows(rows, flags=["INS003 vague-insurance-language"])) == ["a.pdf", "b.pdf"]
    assert files(
        ui.filter_rows(rows, flags=["INS001 missing-additional-insured", "INS003 vague-insurance-language"])
    ) == ["a.pdf"]
    assert files(ui.filter_rows(rows, status="error")) == ["locked.pdf"]
    assert files(ui.filter_rows(rows, min_severity="high")) == ["a.pdf"]
    assert files(ui.filter_rows(rows, min_severity="medium")) == ["a.pdf", "b.pdf"]
    assert files(ui.filter_rows(rows, name_contains="B.P")) == ["b.pdf"]


def test_workspace_files_are_private_and_deleted_on_close(tmp_path):
    a, b = ui.Workspace(Settings()), ui.Workspace(Settings())
    try:
        assert a.dir != b.dir and a.settings.home != b.settings.home
        assert (a.dir.stat().st_mode & 0o777) == 0o700
        p1 = a.save("../x.pdf", b"1")
        p2 = a.save("x.pdf", b"2")
        assert p1 != p2 and p1.name == p2.name == "x.pdf"
        assert p1.is_relative_to(a.dir) and p1.read_bytes() == b"1"
        assert not any(b.dir.rglob("x.pdf"))
    finally:
        a.close()
        b.close()
    assert a.closed and not a.dir.exists() and not b.dir.exists()


def test_a_dropped_workspace_deletes_its_files():
    import gc

    ws = ui.Workspace(Settings())
    ws.save("c.pdf", b"%PDF-")
    folder = ws.dir
    assert folder.is_dir()
    del ws
    gc.collect()
    assert not folder.exists()


def test_registry_closes_a_workspace_only_after_its_session_is_gone_for_the_grace_period():
    reg = ui.WorkspaceRegistry()
    a, b = ui.Workspace(Settings()), ui.Workspace(Settings())
    reg.register("a", a)
    reg.register("b", b)
    active = {"a", "b"}
    try:
        assert reg.sweep(active.__contains__, grace=120, now=0) == []
        active.discard("b")  # b's browser went away
        assert reg.sweep(active.__contains__, grace=120, now=10) == []  # first seen gone
        assert reg.sweep(active.__contains__, grace=120, now=100) == [] and b.dir.exists()
        active.add("b")  # b reconnected in time: the clock starts again
        assert reg.sweep(active.__contains__, grace=120, now=200) == []
        active.discard("b")
        assert reg.sweep(active.__contains__, grace=120, now=300) == []
        assert reg.sweep(active.__contains__, grace=120, now=420) == ["b"]
        assert b.closed and not b.dir.exists() and a.dir.exists() and len(reg) == 1
    finally:
        a.close()
        b.close()
    assert reg.sweep(active.__contains__, grace=120, now=500) == [] and len(reg) == 0


def test_workspace_folder_errors_are_domain_errors(tmp_path):
    with pytest.raises(ui.InputError, match="no such folder"):
        ui.Workspace.folder_files(str(tmp_path / "missing"))
    with pytest.raises(ui.InputError, match="enter the path"):
        ui.Workspace.folder_files("  ")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ui.InputError, match="no .* files under"):
        ui.Workspace.folder_files(str(tmp_path / "empty"))


# =========================================================================== the pages


def test_page_states_that_everything_runs_locally_without_an_endpoint():
    at = new_app()
    info = " ".join(i.value for i in at.sidebar.info)
    assert "Everything runs on this machine" in info
    radio = at.radio(key="extractor")
    assert radio.options == [o.name for o in ui.extractor_options(Settings()) if o.enabled]
    assert "rules" in radio.options and "llm" not in radio.options and "hybrid" not in radio.options
    assert not at.sidebar.warning
    assert [t.label for t in at.tabs] == ["Review", "Batch", "Certificates", "Search"]
    uploader = at.file_uploader(key="review_files")
    assert "50 MB" in uploader.help
    assert {".pdf", ".docx", ".txt"} <= {"." + t.lstrip(".") for t in uploader.allowed_type}


def test_page_names_the_endpoint_when_one_is_configured(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    at = new_app()
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "127" in warning and "9/v1" in warning and "sent there" in warning
    assert not at.sidebar.info or "Everything runs on this machine" not in " ".join(i.value for i in at.sidebar.info)


class _Proposer:
    """A plugin extractor that proposes one quote from the document and one it invented."""

    name = "test-proposer"
    prompt_version = "test-v1"
    needs_store = False
    INVENTED = "Customer is named as an additional insured on every policy"

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):
        from contract_review.extract import Extraction
        from contract_review.schema import InsuranceProfile, Term

        return Extraction(
            InsuranceProfile(
                insurance_required=True,
                insurance_evidence=[
                    Citation(quote="Vendor shall maintain adequate insurance.", page=1, start=0, end=0)
                ],
                additional_insured=Term(present=True, evidence=[Citation(quote=self.INVENTED, page=1, start=0, end=0)]),
            ),
            prompt_version=self.prompt_version,
        )


def test_a_plugin_extractor_needs_an_endpoint_and_its_dropped_quotes_are_listed(monkeypatch):
    from contract_review.extract import EXTRACTORS

    monkeypatch.setitem(EXTRACTORS, "test-proposer", _Proposer)
    at = new_app()
    assert "test-proposer" not in at.radio(key="extractor").options
    assert "test-proposer" in " ".join(c.value for c in at.sidebar.caption)  # listed as not available

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    at = new_app()
    radio = at.radio(key="extractor")
    assert "test-proposer" in radio.options
    radio.set_value("test-proposer")
    at.run()
    upload(at, [("msa.pdf", make_pdf(FLAWED))])
    assert not at.error
    assert any("were not found verbatim" in w.value for w in at.warning)
    dropped = frame(at, "reason")
    assert list(dropped["field"]) == ["additional_insured"] and list(dropped["quote"]) == [_Proposer.INVENTED]
    terms = frame(at, "term")
    assert terms.loc[terms["term"] == "Additional insured", "status"].item() == "absent"
    assert "extractor test-proposer" in " ".join(c.value for c in at.caption)


class _Crasher(_Proposer):
    """A plugin extractor with a bug that shows on documents mentioning a fee."""

    name = "test-crasher"

    def extract(self, doc, chunks):
        if "Fees" in doc.text:
            raise RuntimeError("bug in a plugin")
        return super().extract(doc, chunks)


def test_a_crash_on_one_file_is_reported_and_the_other_files_go_on(monkeypatch):
    from contract_review.extract import EXTRACTORS

    monkeypatch.setitem(EXTRACTORS, "test-crasher", _Crasher)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    crashing = make_pdf(FLAWED)
    fine = make_pdf([p for p in FLAWED if "Fees" not in p])
    at = new_app()
    at.radio(key="extractor").set_value("test-crasher")
    at.run()
    upload(at, [("crash.pdf", crashing), ("fine.pdf", fine)])
    assert not at.exception
    assert len(at.error) == 1 and "crash\\.pdf" in at.error[0].value and "RuntimeError" in at.error[0].value
    assert [s.value for s in at.subheader] == ["fine\\.pdf"]

    at.radio(key="batch_source").set_value("Upload files")
    at.run()
    at.file_uploader(key="batch_files").set_value(
        [
            ("crash.pdf", crashing, "application/pdf"),
            ("fine.pdf", fine, "application/pdf"),
            ("fine2.pdf", fine, "application/pdf"),
        ]
    )
    at.run()
    at.button(key="batch_run").click()
    at.run()
    assert not at.exception
    batch_errors = [e.value for e in at.error if e.value.startswith("crash\\.pdf (internal_error)")]
    assert len(batch_errors) == 1 and "RuntimeError" in batch_errors[0]
    table = frame(at, "max_severity")
    assert list(table["file"]) == ["crash.pdf", "fine.pdf", "fine2.pdf"]
    assert list(table["status"]) == ["error", "ok", "ok"]


def test_an_unreachable_llm_endpoint_is_a_per_file_message(monkeypatch):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    monkeypatch.setenv("CONTRACT_REVIEW_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("CONTRACT_REVIEW_LLM_TIMEOUT", "5")
    at = new_app()
    if "llm" not in at.radio(key="extractor").options:
        pytest.skip("the llm extractor is not installed")
    assert f"127.0.0.1:{port}/v1" in " ".join(w.value for w in at.sidebar.warning)
    at.radio(key="extractor").set_value("llm")
    at.run()
    upload(at, [("msa.pdf", make_pdf(FLAWED)), ("notes.txt", "\n\n".join(FLAWED).encode())])
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and all("(llm_failed)" in e for e in errors), errors
    assert not html_bodies(at)


def test_review_shows_exactly_the_pipeline_findings_policies_and_terms():
    path = sample("02_engagement_letter_vague_insurance.pdf")
    data = path.read_bytes()
    expected = Reviewer(Settings()).review(path)
    assert expected.status == "ok"

    at = upload(new_app(), [(path.name, data)])
    assert not at.error
    assert [s.value for s in at.subheader] == [ui.md_escape(path.name)]
    bodies = html_bodies(at)
    finding_bodies = [b for b in bodies if 'class="cr-finding"' in b]
    findings = expected.sorted_findings()
    assert len(finding_bodies) == len(findings) and findings
    for body, f in zip(finding_bodies, findings, strict=True):  # most severe first, as the pipeline orders them
        assert f.rule in body and f.slug in body and f.severity.upper() in body
        for c in f.evidence[:3]:
            assert ui.esc(c.quote) in body and f"p.&nbsp;{c.page}" in body
    # each suggested clause is a code block (copy button)
    assert [c.value for c in at.code] == [f.suggestion for f in findings if f.suggestion]
    # the five endorsements and terms, present or absent
    terms = next(d.value for d in at.dataframe if "term" in d.value.columns)
    assert list(terms["term"]) == [r["term"] for r in ui.term_rows(expected)]
    assert list(terms["status"]) == [r["status"] for r in ui.term_rows(expected)]
    searched = next(d.value for d in at.dataframe if list(d.value.columns) == ["page", "section"])
    assert len(searched) == len(expected.profile.searched) > 0


def test_the_chosen_builtin_playbook_decides_the_findings():
    path = sample("03_sow_insurance_in_exhibit_c.pdf")
    at = new_app()
    names = at.selectbox(key="playbook_choice").options
    assert names[: len(ui.playbook_names())] == ui.playbook_names() and names[0] == "general"
    upload(at, [(path.name, path.read_bytes())])
    for name in ui.playbook_names():
        at.selectbox(key="playbook_choice").set_value(name)
        at.run()
        assert not at.exception and not at.error
        expected = Reviewer(Settings(), playbook=name).review(path).sorted_findings()
        shown = [b for b in html_bodies(at) if 'class="cr-finding"' in b]
        assert [f"<code>{f.rule}</code>" in b for f, b in zip(expected, shown, strict=True)] == [True] * len(expected)
        assert f"playbook {ui.md_escape(name)}" in " ".join(c.value for c in at.caption)


def test_a_docx_with_redacted_limits_fills_the_policy_table():
    path = sample("10_reseller_agreement_redacted_limits.docx")
    expected = Reviewer(Settings()).review(path)
    at = upload(new_app(), [(path.name, path.read_bytes())])
    assert not at.error
    policies = frame(at, "limit")
    assert list(policies.columns) == ["type", "limit", "basis", "obligated party", "page", "quote"]
    want = ui.policy_rows(expected)
    assert want and policies.to_dict("records") == want
    # a review can be taken away as the CLI's Markdown report and as its JSON line
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Reviewed draft (DOCX)", "Report (Markdown)", "Result (JSON)"]
    md = ui.report_markdown(expected).decode()
    assert md.startswith(f"# {path.name}") and "## Findings" in md
    assert json.loads(ui.jsonl_bytes([expected]))["file"] == path.name


def test_selecting_a_quote_shows_its_page_with_the_quote_highlighted():
    path = sample("02_engagement_letter_vague_insurance.pdf")
    at = upload(new_app(), [(path.name, path.read_bytes())])
    item = next(iter(workspace(at)._reviews.values()))
    choices = ui.citation_choices(item.result)
    if not choices:
        pytest.skip("the extractor quoted nothing in this contract yet")
    box = at.selectbox(key=f"cite-0-{item.result.sha256}")
    assert box.options == [c.label for c in choices]
    last = len(choices) - 1
    box.set_value(last)
    at.run()
    c = choices[last].citation
    page = [b for b in html_bodies(at) if 'class="cr-page"' in b]
    assert len(page) == 1
    assert f"Page {c.page} of" in page[0]
    marked = re.search(r"<mark>(.*?)</mark>", page[0], re.S).group(1)
    assert norm(marked) == norm(ui.esc(c.quote))


def test_a_bad_file_gets_its_own_message_and_the_others_are_still_reviewed():
    good = make_pdf(FLAWED)
    at = upload(
        new_app(),
        [
            ("good.pdf", good),
            ("encrypted.pdf", encrypted_pdf()),
            ("scanned.pdf", scanned_pdf()),
            ("corrupt.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50),
            ("renamed.docx", b"just text, not a Word file"),
        ],
    )
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 4
    assert "encrypted\\.pdf (encrypted)" in errors[0] and "password" in errors[0]
    assert "scanned\\.pdf (no_text_layer)" in errors[1] and "OCR" in errors[1]
    assert "corrupt\\.pdf (unreadable)" in errors[2]
    assert "renamed\\.docx (unreadable)" in errors[3]
    assert [s.value for s in at.subheader] == [
        "good\\.pdf",
        "encrypted\\.pdf",
        "scanned\\.pdf",
        "corrupt\\.pdf",
        "renamed\\.docx",
    ]
    # the good contract was reviewed and displayed
    expected = Reviewer(Settings()).review("good.pdf", data=good)
    assert sum('class="cr-finding"' in b for b in html_bodies(at)) == len(expected.findings)


def test_the_size_limit_is_stated_and_enforced(monkeypatch):
    monkeypatch.setenv("CONTRACT_REVIEW_MAX_BYTES", str(2 * 1024 * 1024))
    at = new_app()
    assert "2 MB per file" in at.file_uploader(key="review_files").help
    big = make_pdf(FLAWED) + b"\n%" + b"x" * (2 * 1024 * 1024)
    upload(at, [("big.pdf", big)])
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "(too_large)" in errors[0] and "limit" in errors[0]


def test_an_uploaded_playbook_is_validated_and_errors_are_shown():
    at = new_app()
    at.selectbox(key="playbook_choice").set_value("Upload a YAML playbook…")
    at.run()
    assert any("Upload a playbook" in i.value for i in at.sidebar.info)
    at.sidebar.file_uploader(key="playbook_file").set_value(
        ("mine.yaml", b"name: mine\nrules: [unclosed\n", "text/yaml")
    )
    at.run()
    assert not at.exception
    err = " ".join(e.value for e in at.sidebar.error)
    assert "mine\\.yaml" in err and "YAML" in err and "contract-review-ui-" not in err
    # reviews wait for a valid playbook
    upload(at, [("good.pdf", make_pdf(FLAWED))])
    assert any("valid playbook" in w.value for w in at.warning)
    assert not html_bodies(at)

    at.sidebar.file_uploader(key="playbook_file").set_value(("mine.yaml", b"name: mine\n", "text/yaml"))
    at.run()
    assert not at.sidebar.error and any("mine" in s.value for s in at.sidebar.success)
    assert not at.warning
    assert "playbook mine" in " ".join(c.value for c in at.caption)
    at.run()  # a rerun validates nothing again
    assert len(list((workspace(at).dir / "playbooks").iterdir())) == 2


def test_batch_of_uploads_gives_a_row_per_contract_filters_and_downloads():
    good = make_pdf(FLAWED)
    at = new_app()
    at.radio(key="batch_source").set_value("Upload files")
    at.run()
    at.file_uploader(key="batch_files").set_value(
        [
            ("one.pdf", good, "application/pdf"),
            ("two.txt", "\n\n".join(FLAWED).encode(), "text/plain"),
            ("locked.pdf", encrypted_pdf(), "application/pdf"),
        ]
    )
    at.run()
    at.button(key="batch_run").click()
    at.run()
    assert not at.exception, at.exception
    assert at.get("progress"), "a progress bar is shown while screening"
    assert len(at.error) == 1 and "locked\\.pdf (encrypted)" in at.error[0].value
    table = frame(at, "max_severity")
    assert list(table["file"]) == ["one.pdf", "two.txt", "locked.pdf"]
    assert list(table["status"]) == ["ok", "ok", "error"]
    results = workspace(at).batch_results
    for flag in ui.rule_flag_columns(results):
        assert flag in table.columns

    at.selectbox(key="batch_filter_status").set_value("error")
    at.run()
    assert list(frame(at, "max_severity")["file"]) == ["locked.pdf"]

    downloads = {d.proto.label: d for d in at.get("download_button")}
    assert set(downloads) == {"Download CSV", "Download XLSX", "Download JSONL"}
    jsonl = ui.jsonl_bytes(results).decode().splitlines()
    assert [json.loads(line)["file"] for line in jsonl] == ["one.pdf", "two.txt", "locked.pdf"]
    rows = list(csv.DictReader(io.StringIO(ui.csv_bytes(results).decode())))
    assert [r["file"] for r in rows] == ["one.pdf", "two.txt", "locked.pdf"]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(ui.xlsx_bytes(results)))
    values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "one.pdf" in values and "locked.pdf" in values


def test_batch_from_a_server_folder_and_a_missing_folder(tmp_path):
    folder = tmp_path / "contracts"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.pdf").write_bytes(make_pdf(FLAWED))
    (folder / "sub" / "b.txt").write_text("\n\n".join(FLAWED), encoding="utf-8")
    (folder / "notes.xyz").write_text("ignored")
    at = new_app()
    at.radio(key="batch_source").set_value("Folder on the server")
    at.run()
    at.text_input(key="batch_folder").input(str(tmp_path / "nope"))
    at.button(key="batch_run").click()
    at.run()
    assert "no such folder" in " ".join(e.value for e in at.error)

    at.text_input(key="batch_folder").input(str(folder))
    at.button(key="batch_run").click()
    at.run()
    assert not at.error
    assert list(frame(at, "max_severity")["file"]) == ["a.pdf", "b.txt"]


def test_search_finds_a_reviewed_upload_and_sessions_never_see_each_others():
    data = make_pdf(FLAWED)
    a = upload(new_app(), [("northwind-msa.pdf", data)])
    b = new_app()
    ws_a, ws_b = workspace(a), workspace(b)
    assert ws_a is not ws_b and ws_a.dir != ws_b.dir
    assert ws_a.indexer.wait(TIMEOUT)  # uploads are indexed in the background, after their findings

    for at in (a, b):
        at.text_input(key="search_query").input("adequate insurance")
        at.button(key="search_run").click()
        at.run()
        assert not at.exception, at.exception
    hits = [h for h in html_bodies(a) if 'class="cr-hit"' in h]
    assert hits and "northwind-msa.pdf" in hits[0]
    assert "p.&nbsp;1" in hits[0] and "this session" in hits[0] and "adequate insurance" in hits[0]
    rows = ws_a.search("adequate insurance", 5)
    assert [ui.search_hit_html(r) for r in rows] == hits
    # the other session has neither the upload nor its index
    assert not [h for h in html_bodies(b) if 'class="cr-hit"' in h]
    assert ws_b.search("adequate insurance", 5) == []
    assert any("No indexed contract matches" in i.value for i in b.info)
    assert not any(ws_b.dir.rglob("northwind-msa.pdf"))
    assert not b.file_uploader(key="review_files").value


def test_findings_come_first_and_search_says_what_is_still_being_indexed(monkeypatch):
    """The upload's indexing is held back: its findings are on the page all the same, the
    Search tab says it is still being indexed, the next upload is reviewed meanwhile, and
    once the indexing runs, search finds both."""
    import threading

    from contract_review.store import Store

    gate, started = threading.Event(), threading.Event()
    real_index = Store.index

    def held_index(self, doc, chunks):
        started.set()
        assert gate.wait(TIMEOUT)
        return real_index(self, doc, chunks)

    monkeypatch.setattr(Store, "index", held_index)
    at = upload(new_app(), [("first-msa.pdf", make_pdf(FLAWED))])
    ws = workspace(at)
    assert started.wait(TIMEOUT)
    expected = Reviewer(Settings(), index=False).review(next(ws.dir.rglob("first-msa.pdf")))
    shown = [h for h in html_bodies(at) if 'class="cr-finding' in h]
    assert len(shown) == len(expected.findings) > 0  # the findings did not wait for the index
    assert ws.indexing() == ["first-msa.pdf"]
    assert any(i.value.startswith(r"Still indexing first\-msa\.pdf for search") for i in at.info)

    # the next upload before the first is indexed: reviewed at once, queued for indexing
    second = make_pdf([p.replace("Northwind Parcel Co.", "Southwind Freight Inc.") for p in FLAWED])
    upload(at, [("first-msa.pdf", make_pdf(FLAWED)), ("second-msa.pdf", second)])
    assert len([h for h in html_bodies(at) if 'class="cr-finding' in h]) == 2 * len(expected.findings)
    assert ws.indexing() == ["first-msa.pdf", "second-msa.pdf"]
    at.text_input(key="search_query").input("adequate insurance")
    at.button(key="search_run").click()
    at.run()
    assert any(r"Still indexing first\-msa\.pdf, second\-msa\.pdf" in i.value for i in at.info)

    gate.set()
    assert ws.indexer.wait(TIMEOUT) and not ws.indexer.errors
    at.run()
    assert not any("Still indexing" in i.value for i in at.info)
    assert {r.document for r in ws.search("adequate insurance", 5)} == {"first-msa.pdf", "second-msa.pdf"}


def test_a_session_that_ends_while_its_upload_is_indexed_breaks_nothing(monkeypatch):
    """The user leaves (the workspace is closed and its folder deleted) in the middle of the
    indexing: the job fails quietly, the queued ones are dropped, and the next session
    reviews, indexes and searches with the same encoder (one per server process)."""
    import threading

    from contract_review.store import Store

    gate, started = threading.Event(), threading.Event()
    real_index = Store.index

    def held_index(self, doc, chunks):
        started.set()
        gate.wait(TIMEOUT)
        return real_index(self, doc, chunks)

    monkeypatch.setattr(Store, "index", held_index)
    at = upload(new_app(), [("leaving.pdf", make_pdf(FLAWED)), ("queued.pdf", make_pdf(FLAWED[:4]))])
    ws = workspace(at)
    assert started.wait(TIMEOUT)
    ws.close()
    assert not ws.dir.exists()
    gate.set()
    assert ws.indexer.wait(TIMEOUT)
    assert ws.indexer.errors == [] and "queued.pdf" not in ws.indexer.done
    assert not ws.dir.exists()  # what the cut-short job wrote into the gone session was removed

    monkeypatch.setattr(Store, "index", real_index)
    nxt = upload(new_app(), [("next.pdf", make_pdf(FLAWED))])
    ws2 = workspace(nxt)
    assert ws2.indexer.wait(TIMEOUT) and ws2.indexer.done == ["next.pdf"]
    assert ws2.search("adequate insurance", 1)[0].document == "next.pdf"
    assert Store(ws2.settings).embeddings.model is Store(ws.settings).embeddings.model


def test_search_also_covers_the_shared_index(monkeypatch, tmp_path):
    from contract_review.chunking import chunk_document
    from contract_review.loaders import load_document
    from contract_review.store import Store

    settings = Settings()
    path = tmp_path / "shared-contract.pdf"
    path.write_bytes(make_pdf(FLAWED))
    doc = load_document(path, settings)
    Store(settings).index(doc, chunk_document(doc, settings.chunk_size, settings.chunk_overlap))

    at = new_app()
    at.text_input(key="search_query").input("insurance")
    at.button(key="search_run").click()
    at.run()
    hits = [h for h in html_bodies(at) if 'class="cr-hit"' in h]
    assert hits and "shared-contract.pdf" in hits[0] and "shared index" in hits[0]
    top = workspace(at).search("insurance", 5)[0]
    assert (top.document, top.source) == ("shared-contract.pdf", "shared index")
    assert top.page == 1 and top.text and 0 < top.score <= 1


def test_a_word_draft_comes_back_as_a_reviewed_docx_for_the_chosen_audience():
    import io

    import docx

    from contract_review import wordml
    from contract_review.loaders import load_document

    path = sample("13_pilot_agreement_insurance_as_required.docx")
    at = upload(new_app(), [(path.name, path.read_bytes())])
    item = next(iter(workspace(at)._reviews.values()))
    key = f"0-{item.result.sha256}"
    at.selectbox(key=f"audience-{key}").set_value("counterparty")
    at.text_input(key=f"author-{key}").set_value("Jane Roe")
    at.run()
    assert not at.exception, at.exception
    assert [d.proto.label for d in at.get("download_button")][0] == "Reviewed draft (DOCX)"
    assert item.data == path.read_bytes()
    out = ui.word_bytes(
        item.result, item.data, at.text_input(key=f"author-{key}").value, at.selectbox(key=f"audience-{key}").value
    )
    d = docx.Document(io.BytesIO(out))
    assert {c.author for c in d.comments} == {"Jane Roe"}
    assert all(c.text.startswith("We ") for c in d.comments)
    # our changes rejected: the upload's text
    wordml.reject(d.element.body, "Jane Roe")
    buf = io.BytesIO()
    d.save(buf)
    assert load_document("x.docx", data=buf.getvalue()).text == load_document(path).text


def test_a_pdf_review_offers_the_review_memo():
    path = sample("02_engagement_letter_vague_insurance.pdf")
    at = upload(new_app(), [(path.name, path.read_bytes())])
    assert [d.proto.label for d in at.get("download_button")][0] == "Review memo (DOCX)"


@pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed (apt-get install tesseract-ocr)"
)
def test_a_scanned_upload_is_read_by_ocr_and_its_quotes_are_marked():
    from contract_review.evaluation.scans import scan_pdf

    scanned = scan_pdf(make_pdf(FLAWED), seed=2)
    at = new_app()
    assert at.selectbox(key="ocr").value == "auto" and list(at.selectbox(key="ocr").options) == list(ui.OCR_MODES)
    assert any("tesseract" in c.value for c in at.sidebar.caption)
    at = upload(at, [("scanned.pdf", scanned)])
    assert not at.error
    assert any("read by OCR" in w.value and "p\\.1 \\(" in w.value for w in at.warning)
    findings = [h for h in html_bodies(at) if 'class="cr-finding"' in h]
    assert findings and any(">OCR</span>" in h for h in findings)
    item = workspace(at).review_upload("scanned.pdf", scanned, "rules", ui.load_playbook(None))
    assert item.doc is not None and item.doc.ocr_pages and item.result.ocr_pages
    # OCR off in the sidebar: the same upload is the typed error again
    at.selectbox(key="ocr").set_value("never")
    at.run()
    assert any("scanned\\.pdf (no_text_layer)" in e.value and "OCR is off" in e.value for e in at.error)
