"""Batch screening in-process: discovery, the pdfium parser and its fallback, the journal,
the cache, and the CSV/XLSX renderers. Real generated PDFs, real files on disk."""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import make_docx, make_pdf

from contract_review.batch import Journal, ResultCache, cache_key, discover, screen_files
from contract_review.errors import EncryptedDocument
from contract_review.loaders import load_document
from contract_review.report import CSV_COLUMNS, write_csv, write_xlsx
from contract_review.schema import Citation, ErrorInfo, Finding, InsuranceProfile, ReviewResult, Term
from contract_review.settings import Settings

CLAUSE = (
    "12. INSURANCE\nSupplier shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Customer as an additional insured."
)


def pages_with_markers(n: int) -> list[str]:
    return [f"Page marker P{i:03d}Q. " + ("Recitals and terms of the agreement. " * 8) for i in range(1, n + 1)]


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    (d / "sub dir").mkdir(parents=True)
    (d / ".hidden").mkdir()
    (d / "Acme, Inc. & Co MSA .pdf").write_bytes(make_pdf(["AGREEMENT", CLAUSE]))
    (d / "UPPER.PDF").write_bytes(make_pdf([CLAUSE]))
    (d / "sub dir" / "sow.docx").write_bytes(make_docx(["STATEMENT OF WORK", CLAUSE]))
    (d / "sub dir" / "letter.txt").write_text("Engagement letter. No insurance terms.\n")
    (d / "sub dir" / "~$sow.docx").write_bytes(b"lock")
    (d / ".hidden" / "x.pdf").write_bytes(make_pdf([CLAUSE]))
    (d / "._resource.pdf").write_bytes(b"\x00\x05\x16\x07")
    (d / "data.csv").write_text("a,b\n")
    return d


def test_discover_walks_folders_for_supported_types_with_any_file_name(folder):
    found = discover([folder])
    names = sorted(p.split("/in/")[1] for p in found)
    assert names == ["Acme, Inc. & Co MSA .pdf", "UPPER.PDF", "sub dir/letter.txt", "sub dir/sow.docx"]
    # A file named directly is kept whatever its type (it gets its typed error); no duplicates.
    again = discover([folder, folder / "data.csv", folder / "UPPER.PDF"])
    assert len(again) == 5 and str(folder / "data.csv") in again


@pytest.mark.parametrize("n_pages", [1, 7])
def test_pdfium_and_pypdf_number_pages_the_same(tmp_path, n_pages):
    f = tmp_path / "multi.pdf"
    f.write_bytes(make_pdf(pages_with_markers(n_pages)))
    docs = {p: load_document(f, Settings(pdf_parser=p)) for p in ("pypdf", "pdfium")}
    for parser, doc in docs.items():
        assert len(doc.pages) == n_pages, parser
        for i in range(1, n_pages + 1):
            marker = f"P{i:03d}Q"
            at = doc.norm.find(marker)
            assert at >= 0 and doc.page_at(at) == i, (parser, marker)
            assert doc.norm.count(marker) == 1
    assert docs["pypdf"].sha256 == docs["pdfium"].sha256


def test_pdfium_failure_falls_back_to_pypdf(tmp_path, monkeypatch):
    import pypdfium2

    f = tmp_path / "c.pdf"
    f.write_bytes(make_pdf(pages_with_markers(3)))

    def broken(*a, **k):
        raise pypdfium2.PdfiumError("Failed to load document (simulated PDFium failure)")

    monkeypatch.setattr(pypdfium2, "PdfDocument", broken)
    doc = load_document(f, Settings(pdf_parser="pdfium"))
    assert len(doc.pages) == 3 and "P002Q" in doc.pages[1].text


def test_pdfium_gives_the_typed_error_for_a_password_protected_pdf(tmp_path):
    f = tmp_path / "locked.pdf"
    f.write_bytes(make_pdf([CLAUSE], encrypt_password="pw"))
    with pytest.raises(EncryptedDocument):
        load_document(f, Settings(pdf_parser="pdfium"))


def _result(path: str, **kw) -> ReviewResult:
    return ReviewResult(**{"file": path.rsplit("/", 1)[-1], "path": path, "sha256": "ab" * 32, "pages": 2, **kw})


def test_journal_drops_a_partial_last_line_and_keeps_the_last_line_per_path(tmp_path):
    out = tmp_path / "out.jsonl"
    j = Journal(out)
    assert j.open() == {}
    j.append(_result("/x/a.pdf"))
    j.append(_result("/x/b.pdf", pages=5))
    j.append(_result("/x/b.pdf", pages=6))
    j.close()
    with open(out, "a") as fh:
        fh.write("not json\n")
        fh.write('{"file": "c.pdf", "path": "/x/c.p')  # killed in the middle of a write
    j = Journal(out)
    existing = j.open()
    j.close()
    assert sorted(existing) == ["/x/a.pdf", "/x/b.pdf"] and existing["/x/b.pdf"].pages == 6
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)


def test_journal_refuses_a_second_writer(tmp_path):
    from contract_review.errors import ConfigError

    a, b = Journal(tmp_path / "o.jsonl"), Journal(tmp_path / "o.jsonl")
    a.open()
    try:
        with pytest.raises(ConfigError):
            b.open()
    finally:
        a.close()


def test_cache_key_covers_playbook_content_parser_and_extractor():
    s = Settings()
    base = dict(extractor="rules", prompt_version=None, playbook={"name": "general", "rules": {}}, settings=s)
    k = cache_key("00" * 32, **base)
    assert k == cache_key("00" * 32, **base)
    assert k != cache_key("11" * 32, **base)
    assert k != cache_key("00" * 32, **{**base, "playbook": {"name": "general", "rules": {"INS001": "off"}}})
    assert k != cache_key("00" * 32, **{**base, "settings": Settings(pdf_parser="pypdf")})  # pdfium is the default
    assert k != cache_key("00" * 32, **{**base, "settings": Settings(semantic=True)})  # off by default
    assert k != cache_key("00" * 32, **{**base, "settings": Settings(embedding_backend="torch")})  # its scores
    assert k != cache_key("00" * 32, **{**base, "extractor": "llm", "prompt_version": "extract-v1"})


def test_result_cache_keeps_document_errors_but_not_transient_ones(tmp_path):
    cache = ResultCache(tmp_path)
    locked = _result("/x/l.pdf", status="error", error=ErrorInfo(code="encrypted", message="m"))
    failed = _result("/x/f.pdf", status="error", error=ErrorInfo(code="llm_failed", message="m"))
    cache.put("aa" * 32, locked)
    cache.put("bb" * 32, failed)
    assert cache.get("aa" * 32) == locked and cache.get("bb" * 32) is None


def test_screen_files_caches_then_force_recomputes(folder):
    files = discover([folder])
    first = screen_files(files, Settings(), workers=1)
    assert first.stats.computed == len(files) == 4 and first.errors == 0
    assert [r.path for r in first.results] == files  # discovery order
    second = screen_files(files, Settings(), workers=1)
    assert second.stats.cached == 4 and second.stats.computed == 0
    assert [r.model_dump() for r in second.results] == [r.model_dump() for r in first.results]
    # The same bytes under another name come from the cache with their own name.
    copy = folder / "copy of UPPER.pdf"
    copy.write_bytes((folder / "UPPER.PDF").read_bytes())
    third = screen_files([str(copy)], Settings(), workers=1)
    assert third.stats.cached == 1 and third.results[0].file == "copy of UPPER.pdf"
    forced = screen_files(files, Settings(), workers=1, force=True)
    assert forced.stats.computed == 4
    # A different parser (pdfium is the default) is a different key.
    assert screen_files(files[:1], Settings(pdf_parser="pypdf"), workers=1).stats.computed == 1


def test_screen_files_in_two_processes_gives_the_same_results(folder):
    files = discover([folder])
    one = screen_files(files, Settings(), workers=1, force=True)
    two = screen_files(files, Settings(), workers=2, force=True)
    assert two.stats.computed == 4
    assert [r.model_dump() for r in two.results] == [r.model_dump() for r in one.results]


def _reviewed(name: str) -> ReviewResult:
    quote = "Supplier shall name Customer as an additional insured"
    cite = Citation(quote=quote, page=2, start=10, end=10 + len(quote))
    prof = InsuranceProfile(insurance_required=True, additional_insured=Term(present=True, evidence=[cite]))
    return ReviewResult(
        file=name,
        path=f"/in/{name}",
        sha256="cd" * 32,
        pages=3,
        profile=prof,
        findings=[
            Finding(rule="INS002", slug="missing-waiver-of-subrogation", severity="medium", message="No waiver."),
            Finding(rule="INS001", slug="x", severity="high", message="=cmd|' /C calc'!A0", evidence=[cite]),
        ],
    )


def test_write_csv_one_row_per_document_and_no_formulas():
    results = [
        _reviewed('=HYPERLINK("http://x").pdf'),
        _result("/x/bad.pdf", status="error", error=ErrorInfo(code="no_text_layer", message="scanned")),
    ]
    buf = io.StringIO()
    write_csv(results, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 2
    assert rows[0]["file"].startswith("'=") and rows[0]["max_severity"] == "high"
    assert rows[0]["additional_insured"] == "True" and rows[0]["waiver_of_subrogation"] == "False"
    assert rows[1]["status"] == "error" and rows[1]["error_code"] == "no_text_layer"


def test_write_xlsx_summary_and_findings_sheets(tmp_path):
    import openpyxl

    results = [
        _reviewed("a.pdf"),
        _reviewed("=b.pdf"),
        _result("/x/bad.pdf", status="error", error=ErrorInfo(code="encrypted", message="password \x07protected")),
    ]
    out = tmp_path / "r.xlsx"
    write_xlsx(results, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Findings"]
    summary, findings = wb["Summary"], wb["Findings"]
    header = [c.value for c in summary[1]]
    assert summary.max_row == 4 and header[0] == "File"
    assert summary.cell(3, 1).value == "=b.pdf" and summary.cell(3, 1).data_type == "s"  # text, not a formula
    col = {h: i + 1 for i, h in enumerate(header)}
    assert summary.cell(2, col["Additional insured"]).value is True
    assert summary.cell(4, col["Status"]).value == "error"
    assert len(summary.conditional_formatting) >= 5
    fh = [c.value for c in findings[1]]
    assert fh[:7] == ["File", "Rule", "Name", "Severity", "Message", "Quote", "Page"]
    assert findings.max_row == 5  # two findings per reviewed document, most severe first
    assert [findings.cell(2, i).value for i in (2, 4, 7)] == ["INS001", "high", 2]
    assert findings.cell(2, 5).data_type == "s"
    # A file object works too (the UI's download button).
    buf = io.BytesIO()
    write_xlsx(results, buf)
    assert buf.getvalue()[:2] == b"PK"


@pytest.mark.slow
def test_two_workers_index_into_the_embedded_store_through_the_main_process(folder):
    """Workers embed, the main process is the single writer of the embedded Chroma store."""
    from contract_review.chunking import chunk_document
    from contract_review.store import Store

    files = discover([folder])
    run = screen_files(files, Settings(), workers=2, index=True)
    assert run.errors == 0 and run.stats.computed == 4
    expected = sum(len(chunk_document(load_document(f))) for f in files)
    assert run.stats.chunks_indexed == expected > 0
    store = Store(Settings())
    assert store.collection.count() == expected
    hits = store.search("additional insured general liability", top_k=2)
    assert hits and "additional insured" in hits[0].text
    # Cached results are not re-embedded: the store already holds them.
    again = screen_files(files, Settings(), workers=2, index=True)
    assert again.stats.computed == 0 and again.stats.chunks_indexed == 0 and store.collection.count() == expected


class _BatchProbe:
    """An extractor with ``extract_batch`` (like the LLM one) that records how it was called."""

    name, prompt_version, needs_store = "batch-probe", "probe-v1", False
    calls: list[int] = []

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):  # pragma: no cover - the batch path must not need it
        raise AssertionError("extract() called one document at a time")

    def extract_batch(self, items):
        from contract_review.errors import ExtractionError
        from contract_review.extract import Extraction

        _BatchProbe.calls.append(len(items))
        out = []
        for doc, _chunks in items:
            if "FAILME" in doc.text:
                out.append(ExtractionError("the model kept failing", attempts=3))
            else:
                q = "general liability insurance"
                at = doc.norm.find(q)
                cite = Citation(quote=doc.text[at : at + len(q)], page=doc.page_at(at), start=at, end=at + len(q))
                prof = InsuranceProfile(insurance_required=True, insurance_evidence=[cite])
                out.append(Extraction(prof, prompt_version="probe-v1"))
        return out


def test_an_extractor_with_extract_batch_gets_documents_in_batches(tmp_path):
    from contract_review.extract import register_extractor

    register_extractor("batch-probe")(_BatchProbe)
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"c{i}.pdf").write_bytes(make_pdf([f"Agreement {i}. " + CLAUSE + (" FAILME" if i == 3 else "")]))
    (d / "bad.pdf").write_text("not a pdf")
    _BatchProbe.calls.clear()
    run = screen_files(discover([d]), Settings(llm_concurrency=2), extractor="batch-probe", workers=1)
    # Batches of 2 x llm_concurrency files (bad, c0, c1, c2 | c3, c4); the unreadable one never reaches it.
    assert _BatchProbe.calls == [3, 2]
    by = {r.file: r for r in run.results}
    assert by["bad.pdf"].error.code == "unreadable"
    assert by["c3.pdf"].status == "error" and by["c3.pdf"].error.code == "llm_failed"
    ok = [by[f"c{i}.pdf"] for i in (0, 1, 2, 4)]
    assert all(r.status == "ok" and r.profile.insurance_required and r.prompt_version == "probe-v1" for r in ok)
    # Transient LLM failures are not cached: the next run asks again for that one only.
    _BatchProbe.calls.clear()
    again = screen_files(discover([d]), Settings(llm_concurrency=2), extractor="batch-probe", workers=1)
    assert again.stats.cached == 5 and _BatchProbe.calls == [1]


class _BatchDown:
    """An extractor with ``extract_batch`` whose every call fails as a whole (the endpoint is
    down); it counts the calls of both kinds."""

    name, prompt_version, needs_store = "batch-down", "down-v1", False
    batches: list[int] = []
    singles = 0
    error: type[Exception] | None = None  # what extract_batch raises; None: an ExtractionError

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):
        _BatchDown.singles += 1
        raise AssertionError("extract() called one document at a time")

    def extract_batch(self, items):
        from contract_review.errors import ExtractionError

        _BatchDown.batches.append(len(items))
        if _BatchDown.error is not None:
            raise _BatchDown.error("a bug in the batch call")
        raise ExtractionError("the endpoint refused every request", attempts=3)


@pytest.fixture
def batch_down(tmp_path):
    from contract_review.extract import EXTRACTORS, register_extractor

    register_extractor("batch-down")(_BatchDown)
    _BatchDown.batches, _BatchDown.singles, _BatchDown.error = [], 0, None
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"c{i}.pdf").write_bytes(make_pdf([f"Agreement {i}. " + CLAUSE]))
    (d / "bad.pdf").write_text("not a pdf")
    yield discover([d])
    EXTRACTORS.pop("batch-down")


def test_a_failed_extract_batch_call_gives_each_document_llm_failed_without_asking_again(batch_down):
    run = screen_files(batch_down, Settings(llm_concurrency=2), extractor="batch-down", workers=1)
    assert _BatchDown.batches == [3, 2] and _BatchDown.singles == 0  # nothing is re-run one by one
    by = {r.file: r for r in run.results}
    assert by["bad.pdf"].error.code == "unreadable"
    for i in range(5):
        r = by[f"c{i}.pdf"]
        assert r.status == "error" and r.error.code == "llm_failed" and "refused" in r.error.message
        assert r.sha256 and r.pages == 1 and r.extractor == "batch-down" and r.prompt_version == "down-v1"
    # Transient: not cached, the next run asks again (in one call).
    _BatchDown.batches.clear()
    again = screen_files(batch_down, Settings(llm_concurrency=5), extractor="batch-down", workers=1)
    assert again.stats.cached == 1 and _BatchDown.batches == [5] and _BatchDown.singles == 0


def test_a_bug_in_extract_batch_is_reported_for_each_document_not_retried_one_by_one(batch_down):
    _BatchDown.error = TypeError
    run = screen_files(batch_down, Settings(llm_concurrency=2), extractor="batch-down", workers=1)
    assert _BatchDown.batches == [3, 2] and _BatchDown.singles == 0  # the batch goes on; nothing asked twice
    codes = {r.file: r.error.code for r in run.results if r.error}
    assert codes == {"bad.pdf": "unreadable", **{f"c{i}.pdf": "internal_error" for i in range(5)}}
    assert all("TypeError" in r.error.message for r in run.results if r.file != "bad.pdf")


# --------------------------------------------------------------------------- large PDFs read in parts


def _long_contract(n: int = 30) -> bytes:
    pages = pages_with_markers(n)
    pages[n - 3] += "\n" + CLAUSE  # the insurance clause near the end: its page number must survive assembly
    return make_pdf(pages)


@pytest.fixture
def shuffling_executor():
    """An executor that runs in this process but returns outcomes out of order: it takes every
    task it can get (until the queue says WAIT or is empty), runs them in reverse order and
    yields them. The parts of a split PDF come back last-first, the way workers of unequal
    speed return them."""
    from contract_review import batch

    seen: list = []

    def run(config, tasks, workers, options):
        while True:
            taken = []
            for task in tasks:
                if task is batch.WAIT:
                    break
                taken.append(task)
            if not taken:
                return
            seen.extend(taken)
            for task in reversed(taken):
                yield batch.run_task(config, task)

    batch.EXECUTORS["shuffling"] = run
    yield seen
    del batch.EXECUTORS["shuffling"]


def test_a_long_pdf_read_in_parts_gives_the_same_result(tmp_path, shuffling_executor):
    path = tmp_path / "long.pdf"
    path.write_bytes(_long_contract(30))
    (tmp_path / "short.pdf").write_bytes(make_pdf(["AGREEMENT", CLAUSE]))
    files = [str(path), str(tmp_path / "short.pdf")]
    whole = screen_files(files, Settings(), workers=1, force=True)
    parts = screen_files(files, Settings(split_pdf_pages=4), executor="shuffling", force=True)
    ranges = [t.part for t in shuffling_executor if t.path == str(path) and t.part]
    assert ranges == [(0, 4), (4, 8), (8, 12), (12, 16), (16, 20), (20, 24), (24, 28), (28, 30)]
    assert [t.part for t in shuffling_executor if t.path != str(path)] == [None]  # 2 pages: not split
    assert parts.stats.computed == 2
    assert [r.model_dump() for r in parts.results] == [r.model_dump() for r in whole.results]
    long = parts.results[0]
    assert long.pages == 30 and long.status == "ok"
    quotes = [c for t in (long.profile.additional_insured,) for c in t.evidence]
    assert quotes and all(c.page == 28 for c in quotes)


def test_a_part_that_cannot_be_read_is_the_documents_typed_error(tmp_path, shuffling_executor, monkeypatch):
    from contract_review import loaders
    from contract_review.errors import UnreadableDocument

    path = tmp_path / "long.pdf"
    path.write_bytes(_long_contract(12))
    real = loaders.load_pdf

    def flaky(data, settings, pages=None):
        if pages is not None and 4 in pages:
            raise UnreadableDocument("PDF is corrupt or truncated: a damaged page 5")
        return real(data, settings, pages)

    monkeypatch.setattr(loaders, "load_pdf", flaky)
    run = screen_files([str(path)], Settings(split_pdf_pages=4), executor="shuffling", force=True)
    assert len(run.results) == 1 and run.stats.done == 1
    r = run.results[0]
    assert r.status == "error" and r.error.code == "unreadable" and "page 5" in r.error.message
    assert r.sha256 and r.path == str(path)
    # The verdict is cached like any document error: the next run reads nothing.
    again = screen_files([str(path)], Settings(split_pdf_pages=4), executor="shuffling")
    assert again.stats.cached == 1 and again.results[0].error.code == "unreadable"


def test_a_scanned_long_pdf_read_in_parts_has_no_text_layer(tmp_path, shuffling_executor):
    from builders import make_image_only_pdf

    path = tmp_path / "scan.pdf"
    path.write_bytes(make_image_only_pdf(9))
    r = screen_files([str(path)], Settings(split_pdf_pages=2), executor="shuffling", force=True).results[0]
    assert sum(1 for t in shuffling_executor if t.part) == 5
    assert r.status == "error" and r.error.code == "no_text_layer"


@pytest.mark.parametrize("parser", ["pypdf", "pdfium"])
def test_page_ranges_read_separately_join_to_the_whole_text(tmp_path, parser):
    from contract_review.loaders import load_pdf

    data = _long_contract(23)
    s = Settings(pdf_parser=parser)
    joined = [t for a in range(0, 23, 5) for t in load_pdf(data, s, pages=range(a, min(a + 5, 23)))]
    assert joined == load_pdf(data, s)


def test_an_in_process_run_freezes_the_gc_while_it_runs_and_unfreezes_after(folder):
    """Parsing is much faster with the long-lived objects frozen out of the collector, but a
    long-lived caller (the UI) must get a normal collector back after each run."""
    import gc

    files = discover([folder])
    during: list[int] = []
    for _ in range(2):  # the second run reuses the worker built by the first
        screen_files(
            files,
            Settings(),
            workers=1,
            force=True,
            listener=lambda result, source, stats: during.append(gc.get_freeze_count()),
        )
        assert gc.get_freeze_count() == 0
    assert len(during) == 8 and all(n > 0 for n in during)
