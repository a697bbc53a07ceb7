"""Labels files (JSONL, one contract a line; format in ``LABELS.md``) and the documents
they name.

A row scores only the fields it has: coarse CUAD rows carry only ``insurance_required``;
fields listed in a row's ``uncertain`` are left out of scoring for that row. Rows are
checked when read, and a bad row is a :class:`LabelError` that names the line and the key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContractReviewError
from ..schema import BASES, POLICY_TYPES

BOOL_KEYS = (
    "insurance_required",
    "has_minimum_limits",
    "additional_insured",
    "waiver_of_subrogation",
    "primary_noncontributory",
    "coi_required",
    "cancellation_notice",
    "vague_language",
)


class LabelError(ContractReviewError):
    """A labels file is missing, unreadable or has a row that breaks the format."""

    code = "bad_labels"


@dataclass
class LabelRow:
    """One labelled contract."""

    file: str
    data: dict
    line: int = 0
    uncertain: frozenset[str] = field(default_factory=frozenset)

    def has(self, key: str) -> bool:
        """True when ``key`` is labelled for this row and not marked uncertain."""
        return key in self.data and key not in self.uncertain

    def gold(self, key: str):
        """The labelled value of ``key``, or ``None`` when the row does not score it."""
        return self.data[key] if self.has(key) else None

    def evidence(self, key: str) -> list[str]:
        ev = self.data.get("evidence") or {}
        quotes = ev.get(key) or []
        return [quotes] if isinstance(quotes, str) else list(quotes)


def _check_bools(obj: dict, where: str) -> None:
    for key in BOOL_KEYS:
        if key in obj and not isinstance(obj[key], bool):
            raise LabelError(f"{where}: '{key}' must be true or false, got {obj[key]!r}")


def _check_policy_types(obj: dict, where: str) -> None:
    if "policy_types" in obj:
        types = obj["policy_types"]
        if not isinstance(types, list) or any(t not in POLICY_TYPES for t in types):
            raise LabelError(f"{where}: 'policy_types' must be a list of {', '.join(POLICY_TYPES)}; got {types!r}")


def _check_limit(lim: object, where: str) -> None:
    """One entry of ``limits``; ``where`` names it (``labels.jsonl:3: limits[0]``)."""
    if not isinstance(lim, dict):
        raise LabelError(f"{where} must be an object")
    if lim.get("policy_type") not in POLICY_TYPES:
        raise LabelError(f"{where}.policy_type {lim.get('policy_type')!r} is not a policy type")
    if lim.get("basis", "other") not in BASES:
        raise LabelError(f"{where}.basis {lim.get('basis')!r} is not one of {', '.join(BASES)}")
    amount = lim.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float))):
        raise LabelError(f"{where}.amount must be a number or null, got {amount!r}")


def _check_uncertain(obj: dict, where: str) -> frozenset[str]:
    uncertain = obj.get("uncertain") or []
    if not isinstance(uncertain, list) or not all(isinstance(u, str) for u in uncertain):
        raise LabelError(f"{where}: 'uncertain' must be a list of field names")
    return frozenset(uncertain)


def _check_row(obj: object, where: str) -> LabelRow:
    """A checked row; the checks run in the order of the format (the first failure is reported)."""
    if not isinstance(obj, dict):
        raise LabelError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    name = obj.get("file")
    if not isinstance(name, str) or not name.strip():
        raise LabelError(f"{where}: 'file' must name a document in --docs")
    _check_bools(obj, where)
    _check_policy_types(obj, where)
    for i, lim in enumerate(obj.get("limits") or []):
        _check_limit(lim, f"{where}: limits[{i}]")
    uncertain = _check_uncertain(obj, where)
    if not isinstance(obj.get("evidence") or {}, dict):
        raise LabelError(f"{where}: 'evidence' must be an object of field -> quotes")
    return LabelRow(file=name, data=obj, uncertain=uncertain)


def load_labels(path: str | Path) -> list[LabelRow]:
    """Read and check a labels file. Blank lines are skipped; a file named twice is an error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelError(f"labels file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise LabelError(f"cannot read labels file {path}: {e}") from None
    rows: list[LabelRow] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise LabelError(f"{where}: not valid JSON ({e.msg})") from None
        row = _check_row(obj, where)
        row.line = n
        if row.file in seen:
            raise LabelError(f"{where}: {row.file!r} is already labelled on line {seen[row.file]}")
        seen[row.file] = n
        rows.append(row)
    if not rows:
        raise LabelError(f"labels file {path} has no rows")
    return rows


class DocIndex:
    """Finds the document a label names in ``--docs`` or its sub-folders (CUAD v1 files its
    PDFs by contract type): the exact name first, then the same name in another case (CUAD
    mixes ``.pdf`` and ``.PDF``), then the same stem with another supported extension in the
    order given (so CUAD's ``txt/`` folder works too). Where two sub-folders hold the same
    name, the first in sorted order wins."""

    def __init__(self, docs_dir: str | Path, extensions: list[str] | tuple[str, ...]):
        self.dir = Path(docs_dir)
        if not self.dir.is_dir():
            raise LabelError(f"--docs is not a folder: {self.dir}")
        self.names: dict[str, Path] = {}
        for root, dirs, files in os.walk(self.dir):
            dirs.sort()
            for name in sorted(files):
                self.names.setdefault(name, Path(root) / name)
        self.lower: dict[str, Path] = {}
        self.stems: dict[str, list[Path]] = {}
        for name, p in self.names.items():
            self.lower.setdefault(name.lower(), p)
            self.stems.setdefault(p.stem.lower(), []).append(p)
        self.extensions = [e.lower() for e in extensions]

    def resolve(self, name: str) -> Path | None:
        if name in self.names:
            return self.names[name]
        if name.lower() in self.lower:
            return self.lower[name.lower()]
        candidates = self.stems.get(Path(name).stem.lower(), [])
        for ext in self.extensions:
            for p in candidates:
                if p.suffix.lower() == ext:
                    return p
        return None
