"""Render eval metrics for people (plain text, Markdown with confusion-matrix plots) and
for machines (``metrics.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from .fields import FIELDS


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


FIELD_COLUMNS = ("field", "n", "support", "TP", "FP", "FN", "TN", "precision", "recall", "F1", "gate")


def unscored_fields(metrics: dict) -> list[str]:
    """Fields no row of the labels scores (coarse CUAD labels have only one)."""
    return [name for name, m in metrics["fields"].items() if m["n"] == 0 and not m["uncertain_excluded"]]


def field_rows(metrics: dict) -> list[list[str]]:
    gate = (metrics.get("gate") or {}).get("f1", {})
    rows = []
    skip = set(unscored_fields(metrics))
    for name, m in metrics["fields"].items():
        if name in skip:
            continue
        floor = gate.get(name)
        verdict = (
            ""
            if floor is None
            else (
                "n/a"
                if m["f1"] is None or m["n"] == 0
                else ("pass" if m["f1"] >= floor else "FAIL") + f" (>= {floor:.2f})"
            )
        )
        rows.append(
            [
                name,
                str(m["n"]),
                str(m["support"]),
                str(m["tp"]),
                str(m["fp"]),
                str(m["fn"]),
                str(m["tn"]),
                _num(m["precision"]),
                _num(m["recall"]),
                _num(m["f1"]),
                verdict,
            ]
        )
    return rows


def _summary_lines(metrics: dict) -> list[str]:
    lim, g, e, d = metrics["limits"], metrics["grounding"], metrics["errors"], metrics["documents"]
    out = []
    if unscored_fields(metrics):
        out.append(f"Not in these labels (not scored): {', '.join(unscored_fields(metrics))}")
    out.append(
        f"Documents: {d['labelled']} labelled, {d['scored']} scored, {d['errored']} errored"
        + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(e['by_code'].items()))})" if e["count"] else "")
    )
    if lim["labelled"] or lim["predicted"]:
        out.append(
            f"Limits: {lim['labelled']} labelled; found with amount+type+basis {lim['found_full']} "
            f"({_pct(lim['recall_full'])}); with amount {lim['found_amount']} ({_pct(lim['recall_amount'])}); "
            f"{lim['predicted']} predicted, {lim['predicted_matched']} matching a labelled amount "
            f"({_pct(lim['precision_amount'])})"
        )
    out.append(
        f"Grounding: {g['verbatim']}/{g['citations']} citations verbatim ({_pct(g['verbatim_rate'])}); "
        f"{g['ungrounded']} proposed quote(s) dropped as ungrounded"
    )
    return out


def _run_line(run: dict) -> str:
    keys = ("extractor", "prompt_version", "playbook", "package_version", "labels", "docs", "date")
    return " · ".join(f"{k} {run.get(k)}" for k in keys if k in run)


def _text_row(cells: tuple[str, ...] | list[str], widths: list[int]) -> str:
    """One row of the text table: the first column left-aligned, the numbers right-aligned."""
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def render_text(metrics: dict) -> str:
    rows = field_rows(metrics)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(FIELD_COLUMNS)]
    out = [_run_line(metrics["run"]), "", _text_row(FIELD_COLUMNS, widths)]
    out += [_text_row(r, widths) for r in rows]
    out += ["", *_summary_lines(metrics)]
    failures = (metrics.get("gate") or {}).get("failures")
    if failures is not None:
        out += ["", "Gate: " + ("passed" if not failures else "FAILED")] + [f"  - {f}" for f in failures]
    n = len(metrics["disagreements"])
    out += ["", f"{n} disagreement(s)" + (" (see report.md for quotes)" if n else "")]
    return "\n".join(out) + "\n"


def _md_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(esc(c) for c in r) + " |" for r in rows
    ]


def render_markdown(metrics: dict, plots: dict[str, str] | None = None) -> str:
    run = metrics["run"]
    out = ["# Eval report", ""]
    out += _md_table(["", ""], [[k, str(v)] for k, v in run.items()])
    out += ["", "## Fields", ""]
    out += _md_table(FIELD_COLUMNS, field_rows(metrics))
    out += [
        "",
        "Uncertain labels left out: "
        + (
            ", ".join(f"{k} {m['uncertain_excluded']}" for k, m in metrics["fields"].items() if m["uncertain_excluded"])
            or "none"
        ),
        "",
    ]
    out += [
        "F1 = 2·TP/(2·TP+FP+FN); n/a when nothing is positive in labels or predictions. "
        "`vague_language` is predicted by the checker's rule firing; `policy_types` is "
        "micro-averaged over (document, type) pairs.",
        "",
    ]
    out += [f"- {line}" for line in _summary_lines(metrics)]
    gate = metrics.get("gate")
    if gate is not None:
        out += [
            "",
            "## Gate",
            "",
            f"Thresholds: `{gate.get('source')}`. " + ("**Passed.**" if not gate["failures"] else "**Failed:**"),
        ]
        out += [f"- {f}" for f in gate["failures"]]
    by_type = metrics["policy_types_by_type"]
    if by_type:
        out += ["", "## Policy types", ""]
        out += _md_table(
            ["type", "support", "TP", "FP", "FN", "precision", "recall", "F1"],
            [
                [
                    t,
                    str(m["support"]),
                    str(m["tp"]),
                    str(m["fp"]),
                    str(m["fn"]),
                    _num(m["precision"]),
                    _num(m["recall"]),
                    _num(m["f1"]),
                ]
                for t, m in by_type.items()
            ],
        )
    e = metrics["errors"]
    if e["count"]:
        out += ["", "## Documents that errored", ""]
        out += _md_table(["file", "code", "message"], [[x["file"], x["code"], x["message"]] for x in e["files"]])
    g = metrics["grounding"]
    if g["not_verbatim_quotes"]:
        out += ["", "## Citations that are not verbatim", ""]
        out += [f'- {q["file"]}: "{q["quote"]}"' for q in g["not_verbatim_quotes"]]
    if g["ungrounded_quotes"]:
        out += ["", "## Quotes dropped by grounding", ""]
        out += [f'- {q["file"]} ({q["field"]}): "{q["quote"]}"' for q in g["ungrounded_quotes"]]
    if plots:
        out += ["", "## Confusion matrices", ""]
        out += [f"![{name}]({png})" for name, png in plots.items()]
    out += ["", "## Disagreements", ""]
    if not metrics["disagreements"]:
        out.append("None.")
    by_file: dict[str, list[dict]] = {}
    for d in metrics["disagreements"]:
        by_file.setdefault(d["file"], []).append(d)
    for file in sorted(by_file):
        out += [f"### {file}", ""]
        for d in by_file[file]:
            what = d["field"] + (f" `{d['item']}`" if d.get("item") else "")
            why = {
                "FP": "predicted, not labelled",
                "FN": "labelled, not predicted",
                "MISMATCH": "amount found, policy type or basis differs",
            }[d["kind"]]
            out.append(f"- **{d['kind']}** {what}: {why}" + ("" if d["quotes"] else f" (no {d['source']} quote)"))
            for q in d["quotes"]:
                where = f"p.{q['page']} " if q.get("page") else ("label: " if d["source"] == "label" else "")
                out.append(f'  - {where}"{q["quote"]}"')
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_json(metrics: dict) -> str:
    return json.dumps(metrics, indent=2, ensure_ascii=False, default=str)


def plot_confusions(metrics: dict, out_dir: Path) -> dict[str, str]:
    """One PNG per scored field (``confusion_<field>.png``); returns field -> file name.
    Uses matplotlib's Agg canvas directly, so no display and no global backend change."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    files = {}
    for name, m in metrics["fields"].items():
        if m["n"] == 0:
            continue
        cells = [[m["tp"], m["fn"]], [m["fp"], m["tn"]]]
        fig = Figure(figsize=(3.4, 3.0), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.imshow(cells, cmap="Blues", vmin=0, vmax=max(1, max(max(r) for r in cells)))
        ax.set_xticks([0, 1], ["yes", "no"])
        ax.set_yticks([0, 1], ["yes", "no"])
        ax.set_xlabel("predicted")
        ax.set_ylabel("label")
        unit = " (doc × type)" if FIELDS.get(name) and FIELDS[name].kind == "set" else ""
        ax.set_title(f"{name}{unit}\nF1 {_num(m['f1'])}", fontsize=9)
        top = max(max(r) for r in cells)
        for i in range(2):
            for j in range(2):
                v = cells[i][j]
                ax.text(j, i, str(v), ha="center", va="center", color="white" if top and v > top / 2 else "black")
        fig.tight_layout()
        fname = f"confusion_{name}.png"
        fig.savefig(out_dir / fname)
        files[name] = fname
    return files


def write_outputs(metrics: dict, out_dir: str | Path, results_jsonl: list[str] | None = None) -> dict[str, Path]:
    """Write ``report.md``, ``metrics.json``, the confusion-matrix PNGs and (when given) the
    raw review results as ``results.jsonl`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots = plot_confusions(metrics, out)
    paths = {"report": out / "report.md", "metrics": out / "metrics.json"}
    paths["report"].write_text(render_markdown(metrics, plots), encoding="utf-8")
    paths["metrics"].write_text(to_json(metrics) + "\n", encoding="utf-8")
    if results_jsonl is not None:
        paths["results"] = out / "results.jsonl"
        paths["results"].write_text("".join(line + "\n" for line in results_jsonl), encoding="utf-8")
    for name, fname in plots.items():
        paths[f"plot:{name}"] = out / fname
    return paths
