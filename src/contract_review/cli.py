"""The ``contract-review`` command line. Exit status: 0 when every file was processed
(findings are data, not failures), 2 when any file errored, 1 on a usage error,
3 with ``--fail-on`` when a finding at or above that severity was found."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# before it parses (each string annotation evaluated twice, ~10 ms for all commands).
import functools
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.exceptions import Abort, TyperException

from .errors import ContractReviewError
from .evaluation.command import eval_command  # imports only typer; the eval itself loads on use
from .fmt import printable
from .settings import get_settings

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from .loaders import Document

# What a command does not need is imported in the command (a review imports neither the
# eval, the batch runner, the certificate reader nor the Word writer), and rich only when
# something goes to standard error: `review` prints its findings without it.
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0] if __doc__ else None)


@functools.cache
def _err() -> "Console":
    """Standard error's console: a path or message is never broken across lines."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def escape(text: str) -> str:
    """``text`` with rich's markup escaped (rich imported on use)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


EXIT_OK, EXIT_USAGE, EXIT_FILE_ERRORS, EXIT_FINDINGS = 0, 1, 2, 3


class OutFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


class ReviewFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    docx = "docx"


class AudienceOpt(str, Enum):
    internal = "internal"
    counterparty = "counterparty"


ExtractorOpt = Annotated[str, typer.Option("--extractor", "-e", help="rules (offline, default), llm or hybrid.")]
PlaybookOpt = Annotated[
    str | None, typer.Option("--playbook", "-p", help="Built-in name (general, technology-services) or a YAML file.")
]


class OcrMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


OcrOpt = Annotated[
    OcrMode | None,
    typer.Option(
        "--ocr",
        help="OCR scanned PDF pages with Tesseract: auto (pages without a text layer; default), always, never.",
    ),
]


def _fail(msg: str, code: int = EXIT_USAGE) -> None:
    _err().print(f"[red]error[/red] (usage): {escape(msg)}")
    raise typer.Exit(code)


@app.command()
def review(
    file: Annotated[Path, typer.Argument(help="A contract: PDF, DOCX, TXT or MD.")],
    fmt: Annotated[
        ReviewFormat, typer.Option("--format", "-f", help="text, md, json, or docx (the review memo; needs --output).")
    ] = ReviewFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    extractor: ExtractorOpt = "rules",
    playbook: PlaybookOpt = None,
    index: Annotated[
        bool, typer.Option("--index/--no-index", help="Add the contract to the search index (after the findings).")
    ] = True,
    redline: Annotated[
        Path | None,
        typer.Option(
            "--redline",
            help="Write the reviewed DOCX here: the draft with comments and tracked changes (a memo for a PDF or text).",
        ),
    ] = None,
    author: Annotated[str, typer.Option("--author", help="Author of the comments and tracked changes.")] = "",
    audience: Annotated[
        AudienceOpt, typer.Option("--audience", help="internal (the reasoning) or counterparty (polite requests).")
    ] = AudienceOpt.internal,
    ocr: OcrOpt = None,
) -> None:
    """Review one contract: findings first, most severe first, then the policy table.

    The findings are printed as soon as they are decided; the contract is indexed for search
    after that (a status line on a terminal; --no-index skips it)."""
    if fmt is ReviewFormat.docx and output is None:
        _fail("--format docx writes a Word file: give it a path with --output")
    for target in (output, redline):
        if target is not None and target.resolve() == file.resolve():
            _fail(f"{target} is the contract itself: write the result to another file")
    settings = get_settings(ocr=ocr.value if ocr else None)
    data = _read_for_redline(file, settings) if redline is not None else None
    # The PDF is parsed (PDFium, outside the GIL) while the checker is imported. Only for
    # the rules extractor: nothing it imports meets what the loader imports (two threads
    # initialising numpy at once can see it half-imported; an LLM stack may import it). Its
    # semantic layer imports its encoder only once the document is loaded and has sentences
    # the rules did not decide.
    loading = _Loading(file, settings, data) if extractor == "rules" else None
    from .pipeline import Reviewer
    from .report import render_text, to_json_line

    reviewer = Reviewer(settings, extractor=extractor, playbook=playbook, index=index)
    result, pending = reviewer.review_deferred(str(file), data, load=loading.document if loading is not None else None)
    if fmt is ReviewFormat.docx or redline is not None:  # python-docx and lxml only for Word output
        from .redline import DEFAULT_AUTHOR, reviewed_docx

        options = {"author": author or DEFAULT_AUTHOR, "audience": audience.value, "playbook": reviewer.playbook}
    if fmt is ReviewFormat.docx:
        _write(output, reviewed_docx(None, result, memo=True, **options), "review memo")  # type: ignore[arg-type]
    else:
        text = (
            to_json_line(result) + "\n"
            if fmt is ReviewFormat.json
            else render_text(result, markdown=fmt is ReviewFormat.md)
        )
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    if redline is not None and result.status == "ok":
        kind = "reviewed draft" if file.suffix.lower() == ".docx" else "review memo (the contract is not a DOCX)"
        _write(redline, reviewed_docx(data, result, **options), kind)  # type: ignore[arg-type]
    elif redline is not None:
        _err().print(f"no reviewed DOCX written: {escape(printable(result.file))} could not be reviewed")
    if pending is not None:
        _index_after_review(pending, result.file)
    raise typer.Exit(EXIT_FILE_ERRORS if result.status == "error" else EXIT_OK)


def _read_for_redline(file: Path, settings) -> bytes | None:
    """The contract's bytes for the reviewed draft, read once: only a regular file within
    ``max_bytes`` (else the review itself gives the typed error)."""
    from .errors import DocumentError
    from .loaders import open_regular

    try:
        return open_regular(file, settings.max_bytes)[1]
    except (OSError, DocumentError):
        return None


class _Loading:
    """Loads the contract in a thread, started at once; :meth:`document` is the document,
    or ``None`` when it could not be loaded (the review then loads it again, and its
    typed error becomes the standard error result). Anything else is raised here.

    The parser libraries are imported first, here: the thread is left with the parse, much
    of it in PDFium outside the GIL, while this thread imports the checker. Until the
    document is taken, the interpreter switches threads every 0.5 ms rather than 5 ms: the
    parse gives up the GIL for each PDFium call and would otherwise wait up to 5 ms to get
    it back after each (two calls a page). While it waits for the document, this thread
    compiles the rules' patterns that are compiled on first use (:mod:`.extract.lazyre`): a
    contract with an insurance section would otherwise compile most of them after its parse.
    It switches every 0.1 ms meanwhile, so that the parse, back from PDFium, waits less for the
    GIL (at 0.5 ms the compiling made a 20-page parse ~40 ms slower; at 0.1 ms, no slower
    than the noise)."""

    SWITCH_INTERVAL = 0.0005
    COMPILE_SWITCH_INTERVAL = 0.0001

    def __init__(self, file: Path, settings, data: bytes | None):
        import threading

        from .loaders import import_parsers

        import_parsers(file, settings)
        self._doc: Document | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, args=(file, settings, data), daemon=True)
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, self.SWITCH_INTERVAL))
        self._thread.start()

    def _load(self, file: Path, settings, data: bytes | None) -> None:
        from .errors import DocumentError
        from .loaders import load_document

        try:
            self._doc = load_document(str(file), settings, data=data)
        except DocumentError:
            pass
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread by document()
            self._error = e

    def document(self) -> "Document | None":
        """Waits for the thread (a signal, such as the per-document budget's, interrupts the wait)."""
        from .extract.lazyre import compile_pending

        try:
            sys.setswitchinterval(self.COMPILE_SWITCH_INTERVAL)  # the parse waits less for the GIL
            compile_pending(self._thread.is_alive)
            self._thread.join()
        finally:
            sys.setswitchinterval(self._interval)
        if self._error is not None:
            raise self._error
        return self._doc


def _index_after_review(pending, name: str) -> None:
    """Index the reviewed contract once its findings are out. A status line on a terminal;
    nothing on stderr otherwise. Interrupted, it leaves the contract not indexed (the
    store writes a document all or nothing) and the next review or index completes it."""
    import time

    sys.stdout.flush()
    if not _err().is_terminal:
        pending()
        return
    t0 = time.perf_counter()
    with _err().status(f"indexing {escape(printable(name))} for search…", spinner="line"):
        added = pending()
    took = time.perf_counter() - t0
    _err().print(
        f"indexed {escape(printable(name))} for search: {added} chunk(s) in {took:.1f}s"
        if added
        else f"{escape(printable(name))} was already indexed for search",
        highlight=False,
    )


def _write(path: Path, data: bytes, what: str) -> None:
    path.write_bytes(data)
    _err().print(f"wrote {what}: {escape(printable(str(path)))}")


class FailOn(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"


class PdfParser(str, Enum):
    pypdf = "pypdf"
    pdfium = "pdfium"


@app.command()
def screen(
    paths: Annotated[list[str], typer.Argument(help="Files and folders (searched recursively).")],
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="jsonl (the contract), csv or xlsx.")
    ] = OutFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Parallel worker processes (default: the number of CPUs).")
    ] = None,
    index: Annotated[bool, typer.Option("--index", help="Also embed and index each contract (slower).")] = False,
    extractor: ExtractorOpt = "rules",
    playbook: PlaybookOpt = None,
    parser: Annotated[
        PdfParser | None,
        typer.Option("--parser", help="PDF parser: pdfium (default, faster; falls back to pypdf) or pypdf."),
    ] = None,
    chroma_url: Annotated[
        str | None, typer.Option("--chroma-url", help="Chroma server URL (else the embedded store).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute everything: ignore the cache and an interrupted run's output.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary on stderr.")] = False,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 3 when a finding at or above this severity is found.")
    ] = None,
    follow_symlinks: Annotated[
        bool,
        typer.Option("--follow-symlinks", help="Read symbolic links that point out of a folder (else reported)."),
    ] = False,
    executor: Annotated[str, typer.Option("--executor", help="local (worker processes) or ray.")] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to join (else a local Ray for the run).")
    ] = None,
    ocr: OcrOpt = None,
) -> None:
    """Screen many contracts: one JSON object (or CSV/XLSX row) per document.

    Resumable: results are written as each document finishes; the same command run again
    after an interruption finishes the rest (a cache under CONTRACT_REVIEW_HOME skips work
    already done; --force recomputes). Exit status: 2 when any document errored (checked
    first), else 3 with --fail-on when a finding at or above that severity was found, else 0;
    1 on a usage error."""
    from .batch import Progress, ScreenOutput, default_workers, discover, screen_files

    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or folder: {', '.join(printable(m) for m in missing)}")
    if workers is not None and workers < 1:
        _fail("--workers must be at least 1")
    if fmt is OutFormat.xlsx and output is None and sys.stdout.isatty():
        _fail("--format xlsx writes a binary workbook: give --output FILE.xlsx")
    settings = get_settings(
        pdf_parser=parser.value if parser else None, chroma_url=chroma_url, ocr=ocr.value if ocr else None
    )
    files = discover(paths, follow_symlinks=follow_symlinks)
    out = ScreenOutput(fmt.value, output)
    with Progress(len(files), mode="off" if quiet else "auto") as progress:
        run = screen_files(
            files,
            settings,
            extractor=extractor,
            playbook=playbook,
            index=index,
            workers=workers or default_workers(),
            executor=executor,
            executor_options={"ray_address": ray_address},
            journal=out.journal,
            force=force,
            listener=out.listener(progress),
        )
    out.finish(run.results)
    s = run.stats
    if not quiet:
        _err().print(
            f"{s.total} file(s): {s.total - run.errors} ok, {run.errors} error(s); {s.computed} computed, "
            f"{s.cached} from cache, {s.resumed} resumed; {s.pages_computed} page(s) in {s.elapsed:.1f}s"
            + (f"; {s.split} long PDF(s) read in {s.parts} parts by all workers" if s.split else "")
            + (f"; {s.ocr_pages} page(s) OCR'd in {s.ocr_seconds:.1f}s" if s.ocr_pages else ""),
            soft_wrap=True,
        )
    if run.errors:
        raise typer.Exit(EXIT_FILE_ERRORS)
    if fail_on is not None and run.has_findings_at(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


@app.command("index")
def index_cmd(paths: Annotated[list[str], typer.Argument(help="Files and folders to add to the store.")]) -> None:
    """Add contracts to the search index (Chroma, embedded by default)."""
    from .batch import discover
    from .budget import time_budget
    from .chunking import chunk_document
    from .errors import DocumentError
    from .loaders import load_document
    from .store import Store

    settings = get_settings()
    store = Store(settings)
    errors = 0
    files = discover(paths)
    for f in files:
        name = escape(printable(f))
        try:
            if f in files.problems:
                raise files.problems[f]
            with time_budget(settings.time_budget):
                doc = load_document(f, settings)
        except DocumentError as e:
            errors += 1
            _err().print(f"{name}: [red]{e.code}[/red] {escape(printable(e.message))}")
            continue
        added = store.index(doc, chunk_document(doc, settings.chunk_size, settings.chunk_overlap))
        typer.echo(f"{printable(f)}: {added} chunk(s) added" if added else f"{printable(f)}: already indexed")
    raise typer.Exit(EXIT_FILE_ERRORS if errors else EXIT_OK)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='What to look for, e.g. "waiver of subrogation".')],
    top_k: Annotated[int, typer.Option("--top-k", "-k")] = 5,
) -> None:
    """Search indexed contracts; prints document, page and section of each match."""
    from .store import Store

    hits = Store(get_settings()).search(query, top_k=top_k)
    if not hits:
        _err().print("no indexed contracts match (index some with `contract-review index PATH`)")
    for i, h in enumerate(hits, 1):
        typer.echo(f"{i}. {printable(h.file)}  {h.pages}  {h.section or ''}  (score {h.score:.3f})")
        typer.echo("   " + " ".join(h.text.split())[:300])


@app.command("rules")
def rules_cmd(playbook: PlaybookOpt = None) -> None:
    """List the checker's rules: code, slug and severity under the playbook (see docs/rules.md)."""
    from .checks import all_rules, enabled, load_playbook, severity_for

    pb = load_playbook(playbook)
    typer.echo(f"playbook {pb.name}")
    for r in all_rules():
        sev = severity_for(pb, r.code) if enabled(pb, r.code) else "off"
        typer.echo(f"{r.code}  {r.slug:<34} {sev:<7} {r.summary}")
    from .coi.registry import all_coi_rules

    typer.echo("certificate of insurance rules (contract-review coi)")
    for c in all_coi_rules():
        typer.echo(f"{c.code}  {c.slug:<34} {c.severity:<7} {c.summary}")


class ReqFormat(str, Enum):
    json = "json"
    csv = "csv"
    yaml = "yaml"


@app.command("requirements")
def requirements_cmd(
    contract: Annotated[Path, typer.Argument(help="A contract: PDF, DOCX, TXT or MD.")],
    fmt: Annotated[
        ReqFormat, typer.Option("--format", "-f", help="json, csv (one row per policy x requirement) or yaml.")
    ] = ReqFormat.json,
    extractor: ExtractorOpt = "rules",
    playbook: PlaybookOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Export what the contract requires of each policy, for a COI tracker."""
    from .coi.check import contract_requirements
    from .coi.requirements import to_csv, to_yaml

    if not contract.exists():
        _fail(f"no such file: {contract}")
    req = contract_requirements(contract, get_settings(), extractor=extractor, playbook=playbook)
    text = {
        "json": lambda: req.model_dump_json(indent=2) + "\n",
        "csv": lambda: to_csv(req),
        "yaml": lambda: to_yaml(req),
    }[fmt.value]()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


class CoiFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    jsonl = "jsonl"


@app.command("coi")
def coi_cmd(
    contract: Annotated[Path, typer.Argument(help="The contract that requires the insurance.")],
    certificates: Annotated[list[Path], typer.Argument(help="Certificates of insurance (ACORD 25 PDFs).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Check date YYYY-MM-DD (default: today).")] = None,
    fmt: Annotated[CoiFormat, typer.Option("--format", "-f")] = CoiFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    extractor: ExtractorOpt = "rules",
    playbook: PlaybookOpt = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 3 when a finding at or above this severity is found.")
    ] = None,
    ocr: OcrOpt = None,
) -> None:
    """Check certificates of insurance against the contract that requires them: one result
    per certificate. Exit status as for screen: 2 when any certificate could not be read,
    else 3 with --fail-on, else 0."""
    import datetime as dt
    import json as _json

    from .coi.check import check_files, contract_requirements, render, to_json
    from .schema import SEVERITY_ORDER

    missing = [str(p) for p in [contract, *certificates] if not p.exists()]
    if missing:
        _fail(f"no such file: {', '.join(missing)}")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        _fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
        return
    settings = get_settings(ocr=ocr.value if ocr else None)
    req = contract_requirements(contract, settings, extractor=extractor, playbook=playbook)
    results = check_files(req, [str(c) for c in certificates], settings, day)
    if fmt is CoiFormat.jsonl:
        text = "".join(to_json(r) + "\n" for r in results)
    elif fmt is CoiFormat.json:
        text = _json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False) + "\n"
    else:
        text = "\n".join(render(r, markdown=fmt is CoiFormat.md) for r in results)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    if any(r.status == "error" for r in results):
        raise typer.Exit(EXIT_FILE_ERRORS)
    if fail_on is not None and any(
        SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on.value] for r in results for f in r.findings
    ):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


app.command("eval")(eval_command)


def main(argv: list[str] | None = None) -> None:
    """The console script. A usage error prints typer's short usage message, a
    :class:`ContractReviewError` its code and message; both exit 1, never a traceback."""
    try:
        rv = app(args=argv, standalone_mode=False)
    except (Abort, KeyboardInterrupt):
        sys.exit(130)
    except TyperException as e:  # typer's own (vendored) click: UsageError, NoSuchOption, MissingParameter...
        show = getattr(e, "show", None)
        if callable(show):
            show()
        else:  # pragma: no cover - every TyperException typer raises for usage has show()
            _err().print(f"error: {e.format_message()}", markup=False, highlight=False)
        sys.exit(EXIT_USAGE)
    except ContractReviewError as e:
        _err().print(f"[red]error[/red] ({e.code}): {escape(printable(e.message))}")
        sys.exit(EXIT_USAGE)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
