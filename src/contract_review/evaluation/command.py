"""``contract-review eval``: registered on the main CLI app in :mod:`contract_review.cli`.
Only typer is imported here; the work is imported when the command runs."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

EXIT_OK, EXIT_FILE_ERRORS, EXIT_GATE = 0, 2, 4


class EvalFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


def eval_command(
    labels: Annotated[Path, typer.Option("--labels", "-l", help="Labels file (JSONL, format in LABELS.md).")],
    docs: Annotated[Path, typer.Option("--docs", "-d", help="Folder holding the labelled files.")],
    extractor: Annotated[
        str, typer.Option("--extractor", "-e", help="rules (offline, default), llm or hybrid.")
    ] = "rules",
    playbook: Annotated[str | None, typer.Option("--playbook", "-p", help="Built-in name or a YAML file.")] = None,
    fmt: Annotated[
        EvalFormat, typer.Option("--format", "-f", help="What to print: text, md or json.")
    ] = EvalFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write report.md, metrics.json, plots and results.jsonl here."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel worker processes.")] = 1,
    thresholds: Annotated[
        Path | None,
        typer.Option("--thresholds", "-t", help="Gate: YAML of minimum F1 per field (eval/thresholds.yaml)."),
    ] = None,
    min_f1: Annotated[float | None, typer.Option("--min-f1", help="Gate: minimum F1 for every scored field.")] = None,
    parser: Annotated[str | None, typer.Option("--parser", help="PDF parser: pdfium (default) or pypdf.")] = None,
) -> None:
    """Score the pipeline on labelled contracts: per-field precision/recall/F1, limits,
    grounding, errors and disagreements. Exit 0, 2 when a document errored, 4 when a
    --thresholds/--min-f1 floor is not met."""
    from rich.console import Console

    from ..settings import get_settings
    from .evaluate import run_eval
    from .render import render_markdown, render_text, to_json, write_outputs
    from .thresholds import Thresholds, load_thresholds

    err = Console(stderr=True)
    if workers < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--workers")
    if min_f1 is not None and not 0 <= min_f1 <= 1:
        raise typer.BadParameter("must be between 0 and 1", param_hint="--min-f1")
    if parser not in (None, "pypdf", "pdfium"):
        raise typer.BadParameter(f"must be pypdf or pdfium, not {parser!r}", param_hint="--parser")
    gate = load_thresholds(thresholds) if thresholds else None
    if min_f1 is not None:
        gate = (gate or Thresholds()).with_min_f1(min_f1)
    source = " + ".join(
        s for s in (str(thresholds) if thresholds else "", f"--min-f1 {min_f1}" if min_f1 is not None else "") if s
    )

    def progress(done: int, total: int) -> None:
        if err.is_terminal or done == total:
            err.print(f"reviewed {done}/{total}", end="\r" if done < total else "\n")

    metrics, reviews = run_eval(
        labels,
        docs,
        settings=get_settings(pdf_parser=parser),
        extractor=extractor,
        playbook=playbook,
        workers=workers,
        thresholds=gate,
        thresholds_source=source or None,
        progress=progress,
    )
    if output:
        from ..report import to_json_line

        paths = write_outputs(metrics, output, [to_json_line(r.result) for r in reviews])
        err.print(f"wrote {paths['report']} and {paths['metrics']}")
    if fmt is EvalFormat.json:
        typer.echo(to_json(metrics))
    elif fmt is EvalFormat.md:
        typer.echo(render_markdown(metrics), nl=False)
    else:
        typer.echo(render_text(metrics), nl=False)
    if gate is not None and metrics["gate"]["failures"]:
        raise typer.Exit(EXIT_GATE)
    raise typer.Exit(EXIT_FILE_ERRORS if metrics["errors"]["count"] else EXIT_OK)
