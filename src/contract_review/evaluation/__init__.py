"""The eval suite: run the review pipeline on labelled contracts and score it per field.

``contract-review eval --labels FILE.jsonl --docs DIR`` reviews every labelled file exactly
as ``screen`` does, compares the result with the labels (format: ``LABELS.md``) and reports
per field TP/FP/FN/TN, precision, recall, F1 and support, limit extraction, quote
grounding, errored documents and every disagreement with the quotes behind it.

Modules (nothing heavy is imported here; matplotlib only when a plot is drawn):

- :mod:`.metrics` confusion counts and their precision/recall/F1 conventions;
- :mod:`.labels` reading and checking a labels file, finding each labelled document;
- :mod:`.fields` the registry of scored fields (what is predicted, what is labelled);
- :mod:`.runner` reviewing the labelled documents (parallel workers);
- :mod:`.scoring` turning reviews + labels into the metrics dictionary (``metrics.json``);
- :mod:`.render` text, Markdown and confusion-matrix plots;
- :mod:`.thresholds` the CI gate (``eval/thresholds.yaml``);
- :mod:`.cuad` coarse labels from CUAD's ``master_clauses.csv`` / ``cuad_insurance.csv``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .labels import LabelError, LabelRow, load_labels
    from .metrics import Confusion

__all__ = ["Confusion", "LabelError", "LabelRow", "load_labels"]

# Imported when first asked for: the CLI imports this package for `contract-review eval`'s
# options (.command), and every other command would otherwise pay for the labels' models.
_LAZY = {"Confusion": ".metrics", "LabelError": ".labels", "LabelRow": ".labels", "load_labels": ".labels"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
