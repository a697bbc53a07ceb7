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

from ..fmt import money, short
from ..schema import Citation, InsuranceProfile, Limit
from .fields import FIELDS, ScoredField
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


#: A predicted limit: its policy's type, the limit, and the policy's citations.
PredLimit = tuple[str, Limit, list[Citation]]


def _pred_limits(profile: InsuranceProfile) -> list[PredLimit]:
    return [(pol.type, lim, pol.evidence) for pol in profile.policies for lim in pol.limits]


def _match(gold: list[dict], pred: list[PredLimit], full: bool) -> tuple[list[int], set[int]]:
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


def _fmt_limit(policy_type: str, amount: float | None, currency: str | None, basis: str, redacted: bool) -> str:
    # The eval names a redacted amount without its currency ("[redacted]", not "USD [redacted]").
    shown = money(amount, None if redacted or amount is None else currency, redacted)
    return f"{policy_type} {shown} {basis}"


def _gold_limit(g: dict) -> str:
    return _fmt_limit(
        g["policy_type"], g.get("amount"), g.get("currency"), g.get("basis", "other"), bool(g.get("redacted"))
    )


def _pred_limit(ptype: str, lim: Limit) -> str:
    return _fmt_limit(ptype, lim.amount, lim.currency, lim.basis, lim.redacted)


#: Where the quotes of a disagreement come from, by its kind.
SOURCE = {"FP": "predicted", "FN": "label", "MISMATCH": "predicted"}


def _disagreement(file: str, field: str, kind: str, item: str | None, quotes: list[dict]) -> dict:
    return {"file": file, "field": field, "kind": kind, "item": item, "source": SOURCE[kind], "quotes": quotes}


def _limit_disagreement(file: str, kind: str, item: str, quotes: list[dict]) -> dict:
    # metrics.json has always listed a limit's "source" before its "item".
    return {"file": file, "field": "limits", "kind": kind, "source": SOURCE[kind], "item": item, "quotes": quotes}


class _Tally:
    """The running counts of one eval run, fed one reviewed document at a time."""

    def __init__(self) -> None:
        self.fields = {name: Confusion() for name in FIELDS}
        self.by_type: dict[str, Confusion] = {}
        self.uncertain: Counter[str] = Counter()
        self.disagreements: list[dict] = []
        self.limits: Counter[str] = Counter()
        self.grounding: Counter[str] = Counter()
        self.dropped: list[dict] = []
        self.not_verbatim: list[dict] = []
        self.errors: list[dict] = []
        self.scored_docs = 0

    def add(self, row: LabelRow, rev: Reviewed) -> None:
        """Count one document: an error, or its grounding, every field and its limits."""
        result = rev.result
        if result.status != "ok" or result.profile is None:
            self.add_error(row, rev)
            return
        self.scored_docs += 1
        self.add_grounding(row, rev, result.profile)
        for name, fld in FIELDS.items():
            self.add_field(row, rev, name, fld)
        if "limits" in row.data and not ({"limits", "has_minimum_limits"} & row.uncertain):
            self.add_limits(row, result.profile)

    def add_error(self, row: LabelRow, rev: Reviewed) -> None:
        error = rev.result.error
        self.errors.append(
            {"file": row.file, "code": error.code if error else "error", "message": error.message if error else ""}
        )

    def add_grounding(self, row: LabelRow, rev: Reviewed, profile: InsuranceProfile) -> None:
        self.grounding["citations"] += rev.citations
        self.grounding["verbatim"] += rev.verbatim
        self.not_verbatim.extend({"file": row.file, "quote": short(q, QUOTE_CHARS)} for q in rev.not_verbatim)
        for u in profile.ungrounded:
            self.dropped.append(
                {"file": row.file, "field": u.field, "quote": short(u.quote, QUOTE_CHARS), "reason": u.reason}
            )

    def add_field(self, row: LabelRow, rev: Reviewed, name: str, fld: ScoredField) -> None:
        """Score one field of one document, unless its label is uncertain or missing."""
        if fld.label_key in row.uncertain or name in row.uncertain:
            self.uncertain[name] += fld.label_key in row.data
            return
        gold = row.gold(fld.label_key)
        if gold is None:
            return
        if fld.kind == "set":
            self.add_set_field(row, rev, name, fld, gold)
        else:
            self.add_binary_field(row, rev, name, fld, gold)

    def add_set_field(self, row: LabelRow, rev: Reviewed, name: str, fld: ScoredField, gold: list[str]) -> None:
        pred = fld.predict(rev.result)
        members = pred.members
        self.fields[name].add_sets(members, gold, fld.universe)
        for t in sorted(set(fld.universe) | set(members) | set(gold)):
            self.by_type.setdefault(t, Confusion()).add(t in members, t in gold)
        for t in sorted(set(members) - set(gold)):
            self.disagreements.append(_disagreement(row.file, name, "FP", t, _cites(pred.citations_for(t))))
        for t in sorted(set(gold) - set(members)):
            self.disagreements.append(
                _disagreement(row.file, name, "FN", t, _label_quotes(row.evidence(fld.label_key)))
            )

    def add_binary_field(self, row: LabelRow, rev: Reviewed, name: str, fld: ScoredField, gold: bool) -> None:
        pred = fld.predict(rev.result)
        cell = self.fields[name].add(pred.flag, bool(gold))
        if cell == "fp":
            self.disagreements.append(_disagreement(row.file, name, "FP", None, _cites(pred.citations)))
        elif cell == "fn":
            self.disagreements.append(
                _disagreement(row.file, name, "FN", None, _label_quotes(row.evidence(fld.label_key)))
            )

    def add_limits(self, row: LabelRow, profile: InsuranceProfile) -> None:
        """Match the labelled limits with the predicted ones, by amount and by amount, type
        and basis; every labelled limit not found, found with another type or basis, and
        every predicted limit matching none is a disagreement."""
        gold_limits = list(row.data.get("limits") or [])
        pred_limits = _pred_limits(profile)
        full, _ = _match(gold_limits, pred_limits, full=True)
        amount, used = _match(gold_limits, pred_limits, full=False)
        self.limits["labelled"] += len(gold_limits)
        self.limits["found_full"] += len(full)
        self.limits["found_amount"] += len(amount)
        self.limits["predicted"] += len(pred_limits)
        self.limits["predicted_matched"] += len(used)
        for gi, g in enumerate(gold_limits):
            if gi not in amount:
                quotes = _label_quotes(row.evidence("has_minimum_limits"))
                self.disagreements.append(_limit_disagreement(row.file, "FN", _gold_limit(g), quotes))
            elif gi not in full:
                gkey = _amount_key(g.get("amount"), bool(g.get("redacted")))
                t, lim, ev = next(p for p in pred_limits if _amount_key(p[1].amount, p[1].redacted) == gkey)
                item = f"labelled {_gold_limit(g)}; predicted {_pred_limit(t, lim)}"
                self.disagreements.append(_limit_disagreement(row.file, "MISMATCH", item, _cites(ev[:1])))
        for pi, (ptype, lim, ev) in enumerate(pred_limits):
            if pi not in used:
                self.disagreements.append(_limit_disagreement(row.file, "FP", _pred_limit(ptype, lim), _cites(ev[:1])))

    def metrics(self, labelled: int, run: dict | None) -> dict:
        return {
            "run": dict(run or {}),
            "documents": {"labelled": labelled, "scored": self.scored_docs, "errored": len(self.errors)},
            "fields": {name: self.field_metrics(name, c) for name, c in self.fields.items()},
            "policy_types_by_type": {t: c.to_dict() for t, c in sorted(self.by_type.items()) if c.tp + c.fp + c.fn},
            "limits": self.limit_metrics(),
            "grounding": {
                "citations": self.grounding["citations"],
                "verbatim": self.grounding["verbatim"],
                "verbatim_rate": ratio(self.grounding["verbatim"], self.grounding["citations"]),
                "ungrounded": len(self.dropped),
                "ungrounded_quotes": self.dropped,
                "not_verbatim_quotes": self.not_verbatim,
            },
            "errors": {
                "count": len(self.errors),
                "by_code": dict(Counter(e["code"] for e in self.errors)),
                "files": self.errors,
            },
            "disagreements": self.disagreements,
        }

    def field_metrics(self, name: str, c: Confusion) -> dict:
        return {
            **c.to_dict(),
            "label_key": FIELDS[name].label_key,
            "kind": FIELDS[name].kind,
            "description": FIELDS[name].description,
            "uncertain_excluded": self.uncertain[name],
        }

    def limit_metrics(self) -> dict:
        lim = self.limits
        return {
            **{k: lim[k] for k in ("labelled", "found_full", "found_amount", "predicted", "predicted_matched")},
            "recall_full": ratio(lim["found_full"], lim["labelled"]),
            "recall_amount": ratio(lim["found_amount"], lim["labelled"]),
            "precision_amount": ratio(lim["predicted_matched"], lim["predicted"]),
        }


def score(pairs: list[tuple[LabelRow, Reviewed]], run: dict | None = None) -> dict:
    """The metrics of one eval run (see the module docstring)."""
    tally = _Tally()
    for row, rev in pairs:
        tally.add(row, rev)
    return tally.metrics(len(pairs), run)
