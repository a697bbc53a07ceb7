"""Turn reviewed documents and their labels into the metrics dictionary that is written
as ``metrics.json`` and rendered as the report.

What is scored:

- every registered field (:data:`~.fields.FIELDS`) on every document that was reviewed
  without error and whose label row has the field and does not list it in ``uncertain``;
- limits: of the labelled limits, the share found with the right amount, policy type and
  basis, and with the right amount alone (one-to-one matching; a redacted amount matches
  a redacted amount); rows whose ``limits`` or ``has_minimum_limits`` is uncertain are left out;
- grounding: the share of all citations in the results that are verbatim document text,
  and the quotes the extractor proposed that grounding dropped (``profile.ungrounded``);
- errors: documents that could not be reviewed, by code (they are not scored).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..fmt import short
from ..schema import Citation, Limit, ReviewResult
from .fields import FIELDS, Prediction
from .labels import LabelRow
from .metrics import Confusion, ratio
from .runner import Reviewed

QUOTE_CHARS = 300


def _cites(cites: Iterable[Citation]) -> list[dict]:
    return [{"page": c.page, "quote": short(c.quote, QUOTE_CHARS)} for c in cites]


def _label_quotes(quotes: Iterable[str]) -> list[dict]:
    return [{"page": None, "quote": short(q, QUOTE_CHARS)} for q in quotes]


def _amount_key(amount: float | None, redacted: bool) -> object:
    return "redacted" if redacted or amount is None else round(float(amount), 2)


def _pred_limits(result: ReviewResult) -> list[tuple[str, Limit, list[Citation]]]:
    return [(pol.type, lim, pol.evidence) for pol in result.profile.policies for lim in pol.limits]


def _match(gold: list[dict], pred: list[tuple[str, Limit, list[Citation]]], full: bool) -> tuple[list[int], set[int]]:
    """Greedy one-to-one matching; returns the indices of gold limits matched and of
    predicted limits used."""
    used: set[int] = set()
    matched: list[int] = []
    for gi, g in enumerate(gold):
        gkey = _amount_key(g.get("amount"), bool(g.get("redacted")))
        for pi, (ptype, lim, _) in enumerate(pred):
            if pi in used or _amount_key(lim.amount, lim.redacted) != gkey:
                continue
            if full and (ptype != g["policy_type"] or lim.basis != g.get("basis", "other")):
                continue
            used.add(pi)
            matched.append(gi)
            break
    return matched, used


def _fmt_limit(policy_type: str, amount, currency, basis: str, redacted: bool) -> str:
    money = "[redacted]" if redacted or amount is None else f"{currency or ''} {amount:,.0f}".strip()
    return f"{policy_type} {money} {basis}"


def score(pairs: list[tuple[LabelRow, Reviewed]], run: dict | None = None) -> dict:
    """The metrics of one eval run (see the module docstring)."""
    fields = {name: Confusion() for name in FIELDS}
    by_type: dict[str, Confusion] = {}
    uncertain = Counter()
    disagreements: list[dict] = []
    limits = Counter()
    grounding = Counter()
    dropped: list[dict] = []
    not_verbatim: list[dict] = []
    errors: list[dict] = []
    scored_docs = 0

    for row, rev in pairs:
        result = rev.result
        if result.status != "ok" or result.profile is None:
            errors.append(
                {
                    "file": row.file,
                    "code": result.error.code if result.error else "error",
                    "message": result.error.message if result.error else "",
                }
            )
            continue
        scored_docs += 1
        grounding["citations"] += rev.citations
        grounding["verbatim"] += rev.verbatim
        not_verbatim.extend({"file": row.file, "quote": short(q, QUOTE_CHARS)} for q in rev.not_verbatim)
        for u in result.profile.ungrounded:
            dropped.append(
                {"file": row.file, "field": u.field, "quote": short(u.quote, QUOTE_CHARS), "reason": u.reason}
            )

        for name, fld in FIELDS.items():
            if fld.label_key in row.uncertain or name in row.uncertain:
                uncertain[name] += fld.label_key in row.data
                continue
            gold = row.gold(fld.label_key)
            if gold is None:
                continue
            pred: Prediction = fld.predict(result)
            if fld.kind == "set":
                fields[name].add_sets(pred.value, gold, fld.universe)
                for t in sorted(set(fld.universe) | set(pred.value) | set(gold)):
                    by_type.setdefault(t, Confusion()).add(t in pred.value, t in gold)
                for t in sorted(set(pred.value) - set(gold)):
                    disagreements.append(
                        {
                            "file": row.file,
                            "field": name,
                            "kind": "FP",
                            "item": t,
                            "source": "predicted",
                            "quotes": _cites(pred.evidence.get(t, [])),
                        }
                    )
                for t in sorted(set(gold) - set(pred.value)):
                    disagreements.append(
                        {
                            "file": row.file,
                            "field": name,
                            "kind": "FN",
                            "item": t,
                            "source": "label",
                            "quotes": _label_quotes(row.evidence(fld.label_key)),
                        }
                    )
                continue
            cell = fields[name].add(bool(pred.value), bool(gold))
            if cell == "fp":
                disagreements.append(
                    {
                        "file": row.file,
                        "field": name,
                        "kind": "FP",
                        "item": None,
                        "source": "predicted",
                        "quotes": _cites(pred.evidence),
                    }
                )
            elif cell == "fn":
                disagreements.append(
                    {
                        "file": row.file,
                        "field": name,
                        "kind": "FN",
                        "item": None,
                        "source": "label",
                        "quotes": _label_quotes(row.evidence(fld.label_key)),
                    }
                )

        if "limits" in row.data and not ({"limits", "has_minimum_limits"} & row.uncertain):
            gold_limits = list(row.data.get("limits") or [])
            pred_limits = _pred_limits(result)
            full, _ = _match(gold_limits, pred_limits, full=True)
            amount, used = _match(gold_limits, pred_limits, full=False)
            limits["labelled"] += len(gold_limits)
            limits["found_full"] += len(full)
            limits["found_amount"] += len(amount)
            limits["predicted"] += len(pred_limits)
            limits["predicted_matched"] += len(used)
            for gi, g in enumerate(gold_limits):
                label = _fmt_limit(
                    g["policy_type"],
                    g.get("amount"),
                    g.get("currency"),
                    g.get("basis", "other"),
                    bool(g.get("redacted")),
                )
                if gi not in amount:
                    disagreements.append(
                        {
                            "file": row.file,
                            "field": "limits",
                            "kind": "FN",
                            "source": "label",
                            "item": label,
                            "quotes": _label_quotes(row.evidence("has_minimum_limits")),
                        }
                    )
                elif gi not in full:
                    gkey = _amount_key(g.get("amount"), bool(g.get("redacted")))
                    same = [(t, lim, ev) for t, lim, ev in pred_limits if _amount_key(lim.amount, lim.redacted) == gkey]
                    t, lim, ev = same[0]
                    disagreements.append(
                        {
                            "file": row.file,
                            "field": "limits",
                            "kind": "MISMATCH",
                            "source": "predicted",
                            "item": f"labelled {label}; predicted "
                            + _fmt_limit(t, lim.amount, lim.currency, lim.basis, lim.redacted),
                            "quotes": _cites(ev[:1]),
                        }
                    )
            for pi, (ptype, lim, ev) in enumerate(pred_limits):
                if pi not in used:
                    disagreements.append(
                        {
                            "file": row.file,
                            "field": "limits",
                            "kind": "FP",
                            "source": "predicted",
                            "item": _fmt_limit(ptype, lim.amount, lim.currency, lim.basis, lim.redacted),
                            "quotes": _cites(ev[:1]),
                        }
                    )

    return {
        "run": dict(run or {}),
        "documents": {"labelled": len(pairs), "scored": scored_docs, "errored": len(errors)},
        "fields": {
            name: {
                **c.to_dict(),
                "label_key": FIELDS[name].label_key,
                "kind": FIELDS[name].kind,
                "description": FIELDS[name].description,
                "uncertain_excluded": uncertain[name],
            }
            for name, c in fields.items()
        },
        "policy_types_by_type": {t: c.to_dict() for t, c in sorted(by_type.items()) if c.tp + c.fp + c.fn},
        "limits": {
            **{k: limits[k] for k in ("labelled", "found_full", "found_amount", "predicted", "predicted_matched")},
            "recall_full": ratio(limits["found_full"], limits["labelled"]),
            "recall_amount": ratio(limits["found_amount"], limits["labelled"]),
            "precision_amount": ratio(limits["predicted_matched"], limits["predicted"]),
        },
        "grounding": {
            "citations": grounding["citations"],
            "verbatim": grounding["verbatim"],
            "verbatim_rate": ratio(grounding["verbatim"], grounding["citations"]),
            "ungrounded": len(dropped),
            "ungrounded_quotes": dropped,
            "not_verbatim_quotes": not_verbatim,
        },
        "errors": {"count": len(errors), "by_code": dict(Counter(e["code"] for e in errors)), "files": errors},
        "disagreements": disagreements,
    }
