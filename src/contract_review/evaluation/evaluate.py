"""One eval run end to end: read labels, review the documents, score, gate."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..checks import load_playbook
from ..extract import get_extractor
from ..playbook import Playbook
from ..settings import Settings
from .labels import load_labels
from .runner import Reviewed, review_labelled
from .scoring import score
from .thresholds import Thresholds, check


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_eval(
    labels: str | Path,
    docs: str | Path,
    *,
    settings: Settings | None = None,
    extractor: str = "rules",
    playbook: Playbook | str | None = None,
    workers: int = 1,
    thresholds: Thresholds | None = None,
    thresholds_source: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict, list[Reviewed]]:
    """Review every labelled document in ``docs`` and score it. Returns the metrics
    (with a ``gate`` section when ``thresholds`` are given) and the reviews, in label order.

    The extractor and the playbook are built here first, so a bad name or a missing LLM
    endpoint is a :class:`~contract_review.errors.ConfigError` before any work starts."""
    settings = settings or Settings()
    labels, docs = Path(labels), Path(docs)
    rows = load_labels(labels)
    ext = get_extractor(extractor, settings)
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    started = time.perf_counter()
    pairs = review_labelled(
        rows, docs, dict(settings=settings, extractor=extractor, playbook=pb), workers=workers, progress=progress
    )
    elapsed = time.perf_counter() - started
    versions = sorted({r.result.prompt_version for _, r in pairs if r.result.prompt_version})
    run: dict[str, object] = {
        "extractor": ext.name,
        "prompt_version": ", ".join(versions) if versions else ext.prompt_version,
        "playbook": pb.name,
        "package_version": __version__,
        "labels": str(labels),
        "labels_sha256": _sha256(labels),
        "docs": str(docs),
        "n_docs": len(rows),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": workers,
        "seconds": round(elapsed, 1),
    }
    usages = [r.result.usage for _, r in pairs if r.result.usage is not None]
    if usages:
        costs = [u.cost_usd for u in usages if u.cost_usd is not None]
        run["usage"] = {
            "prompt_tokens": sum(u.prompt_tokens for u in usages),
            "completion_tokens": sum(u.completion_tokens for u in usages),
            "total_tokens": sum(u.total_tokens for u in usages),
            "cost_usd": round(sum(costs), 6) if costs else None,
        }
    metrics = score(pairs, run)
    if thresholds is not None:
        metrics["gate"] = {
            "source": thresholds_source,
            "f1": thresholds.f1,
            "verbatim_rate": thresholds.verbatim_rate,
            "max_errors": thresholds.max_errors,
            "failures": check(metrics, thresholds),
        }
    return metrics, [r for _, r in pairs]
