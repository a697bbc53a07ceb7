"""Coarse labels from CUAD: one row per contract with ``insurance_required`` only.

Reads either CUAD v1's ``master_clauses.csv`` (columns ``Filename``, ``Insurance`` and
``Insurance-Answer``) or the project's ``cuad_insurance.csv`` (columns ``file``,
``cuad_insurance``, ``cuad_insurance_spans``). CUAD's annotators' spans become the label
evidence, so a disagreement shows what CUAD marked.

CUAD asks a narrower question than ours ("must a party maintain insurance for the
counterparty's benefit?"), so its "No" includes contracts where, by our labelling guide,
insurance is required (for example a party's own key-man or property cover); expect
false positives against it that are not errors of the tool.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .labels import LabelError

#: column names: (file, answer, spans)
LAYOUTS = {
    "master_clauses.csv": ("Filename", "Insurance-Answer", "Insurance"),
    "cuad_insurance.csv": ("file", "cuad_insurance", "cuad_insurance_spans"),
}


def parse_spans(raw: str | None) -> list[str]:
    """CUAD stores a clause's spans as a Python list literal; a plain string is one span."""
    raw = (raw or "").strip()
    if not raw:
        return []
    if raw.startswith("["):
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return [raw]
        return [str(s) for s in value if str(s).strip()] if isinstance(value, list) else [str(value)]
    return [raw]


def _answer(raw: str, where: str) -> bool:
    value = (raw or "").strip().lower()
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    raise LabelError(f"{where}: insurance answer must be Yes or No, got {raw!r}")


_EXT = re.compile(r"\.(pdf|txt|docx|md)$", re.IGNORECASE)


def _key(name: str) -> str:
    """A file's stem for matching, ignoring case, a known extension and stray spaces (CUAD
    names contain dots, so ``Path.stem`` would cut them)."""
    return _EXT.sub("", name.strip()).strip().lower()


def read_exclusions(path: str | Path) -> set[str]:
    """Names to leave out: a labels JSONL file (its ``file`` values) or a text file with
    one file name or stem per line (``dev_subset.txt``). Compared by stem, ignoring case."""
    out = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            line = json.loads(line).get("file", "")
        out.add(_key(line))
    return out


def cuad_rows(path: str | Path, exclude: Iterable[str] = ()) -> Iterator[dict]:
    """Coarse label rows from a CUAD CSV; files whose stem is in ``exclude`` are skipped."""
    path = Path(path)
    skip = {_key(x) for x in exclude}
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelError(f"CUAD file not found: {path}") from None
    with fh:
        reader = csv.DictReader(fh)
        columns = set(reader.fieldnames or [])
        layout = next((v for v in LAYOUTS.values() if set(v[:2]) <= columns), None)
        if layout is None:
            expected = "; ".join(f"{k}: {', '.join(v)}" for k, v in LAYOUTS.items())
            raise LabelError(f"{path.name}: unknown columns {sorted(columns)}; expected {expected}")
        file_col, answer_col, spans_col = layout
        for n, rec in enumerate(reader, 2):
            name = rec[file_col]
            if not name or _key(name) in skip:
                continue
            required = _answer(rec[answer_col], f"{path.name}:{n}")
            spans = parse_spans(rec.get(spans_col)) if required else []
            yield {
                "file": name,
                "insurance_required": required,
                "evidence": {"insurance_required": spans} if spans else {},
                "notes": f"coarse label from CUAD ({path.name}: {answer_col}={rec[answer_col].strip()})",
            }


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(
        prog="cuad_to_labels",
        description="Turn CUAD's master_clauses.csv or cuad_insurance.csv into coarse JSONL labels "
        "(insurance_required only) for `contract-review eval`.",
    )
    ap.add_argument("csv", help="master_clauses.csv or cuad_insurance.csv")
    ap.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="FILE",
        help="leave out the files named in FILE (a labels JSONL or one name/stem a line); repeatable",
    )
    args = ap.parse_args(argv)
    try:
        exclude: set[str] = set()
        for x in args.exclude:
            exclude |= read_exclusions(x)
        n = 0
        for row in cuad_rows(args.csv, exclude):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    except (LabelError, OSError) as e:
        print(f"error: {getattr(e, 'message', e)}", file=sys.stderr)
        return 1
    print(f"{n} row(s)", file=sys.stderr)
    return 0
