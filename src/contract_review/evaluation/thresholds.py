"""The quality gate. One YAML file (``eval/thresholds.yaml`` in the repository) holds the
floors that ``tests/test_eval.py`` and ``contract-review eval --thresholds FILE`` apply:

.. code-block:: yaml

    f1:                      # per scored field: F1 must be at least this
      insurance_required: 0.95
    verbatim_rate: 1.0       # share of citations that are verbatim document text
    max_errors: 0            # documents that could not be reviewed

A field whose F1 is undefined (nothing positive to find or predict in the labels given)
passes; so does a field the labels do not have (coarse CUAD rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ConfigError
from .fields import FIELDS


@dataclass
class Thresholds:
    f1: dict[str, float] = field(default_factory=dict)
    verbatim_rate: float | None = None
    max_errors: int | None = None

    def with_min_f1(self, floor: float | None) -> Thresholds:
        """A copy in which every scored field must reach at least ``floor``."""
        if floor is None:
            return self
        f1 = {name: max(self.f1.get(name, 0.0), floor) for name in FIELDS}
        return Thresholds(f1, self.verbatim_rate, self.max_errors)


def _fraction(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{where} must be a number between 0 and 1, got {value!r}")
    return float(value)


def load_thresholds(path: str | Path) -> Thresholds:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"thresholds file not found: {path}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"thresholds file {path} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"thresholds file {path} must be a mapping")
    unknown = set(data) - {"f1", "verbatim_rate", "max_errors"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; expected f1, verbatim_rate, max_errors"
        )
    f1 = data.get("f1") or {}
    if not isinstance(f1, dict):
        raise ConfigError(f"{path}: f1 must map field names to numbers")
    for name in f1:
        if name not in FIELDS:
            raise ConfigError(f"{path}: f1.{name} is not a scored field; choose from {', '.join(FIELDS)}")
    max_errors = data.get("max_errors")
    if max_errors is not None and (isinstance(max_errors, bool) or not isinstance(max_errors, int) or max_errors < 0):
        raise ConfigError(f"{path}: max_errors must be a whole number >= 0, got {max_errors!r}")
    return Thresholds(
        f1={name: _fraction(v, f"{path}: f1.{name}") for name, v in f1.items()},
        verbatim_rate=None
        if data.get("verbatim_rate") is None
        else _fraction(data["verbatim_rate"], f"{path}: verbatim_rate"),
        max_errors=max_errors,
    )


def check(metrics: dict, thresholds: Thresholds) -> list[str]:
    """The gate's failures, one readable line each (empty when the run passes)."""
    failures = []
    for name, floor in thresholds.f1.items():
        m = metrics["fields"].get(name)
        if not m or m["n"] == 0 or m["f1"] is None:
            continue
        if m["f1"] < floor:
            failures.append(
                f"{name}: F1 {m['f1']:.3f} < {floor:.2f} (TP {m['tp']}, FP {m['fp']}, FN {m['fn']}, TN {m['tn']})"
            )
    g = metrics["grounding"]
    if (
        thresholds.verbatim_rate is not None
        and g["verbatim_rate"] is not None
        and g["verbatim_rate"] < thresholds.verbatim_rate
    ):
        failures.append(
            f"grounding: {g['verbatim']}/{g['citations']} citations verbatim "
            f"({g['verbatim_rate']:.1%} < {thresholds.verbatim_rate:.0%})"
        )
    e = metrics["errors"]
    if thresholds.max_errors is not None and e["count"] > thresholds.max_errors:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(e["by_code"].items()))
        failures.append(f"errors: {e['count']} document(s) could not be reviewed ({codes}) > {thresholds.max_errors}")
    return failures
