"""``policies``: every type named in a duty, a list under it or a referenced exhibit, with
its limits. An amount (see :mod:`..amounts`) goes to the type nearest before it in its
clause segment, walking back over "X and Y insurance" (both) and "X, including Y" (X); a
type right after it, the previous amount's types or a table row label in the cell before
are the fallbacks. Deductibles, fees, caps, periods and amounts under 1,000 are not limits;
a limit's basis is named after the amount, or just before it in a table header. A type named
without an amount after a negated duty, as an option, as cover another party may require
later or as insurance being sold is not a policy (:func:`not_required`).
"""

from __future__ import annotations

from ...schema import POLICY_TYPES, InsuranceProfile, Limit, Policy
from .. import lexicon as lx
from ..amounts import Amount
from .clauses import MAX_EVIDENCE, Clauses, Mention, Unit, is_heading
from .reader import Reader
from .state import Run


def basis_of(text: str) -> str:
    """The first basis named in ``text`` (``"other"`` when none)."""
    for name, pat in lx.BASIS_PATTERNS:
        if pat.search(text):
            return name
    return "other"


def bases_in(text: str) -> list[str]:
    """Every basis named in ``text``, in the order of :data:`lexicon.BASIS_PATTERNS`
    ("$5,000,000 per occurrence and in the aggregate" names two)."""
    found = [name for name, pat in lx.BASIS_PATTERNS if pat.search(text)]
    if "combined_single" in found and "per_occurrence" in found:
        found.remove("per_occurrence")  # "combined single limit per occurrence"
    return found


class _Policies:
    """The policies being gathered: each type's limits (each once) and evidence."""

    def __init__(self, clauses: Clauses):
        self.clauses = clauses
        self.by_type: dict[str, Policy] = {}
        self.limits_seen: set[tuple[str, float | None, str | None, str, bool]] = set()
        self.amount_units: set[Unit] = set()

    def policy(self, typ: str) -> Policy:
        return self.by_type.setdefault(typ, Policy(type=typ))

    def cite(self, pol: Policy, unit: Unit, focus: int) -> None:
        if len(pol.evidence) < MAX_EVIDENCE and not any(c.start <= focus < c.end for c in pol.evidence):
            pol.evidence.append(self.clauses.cite(unit[0], unit[1], focus))

    def add_limit(self, typ: str, a: Amount, bases: list[str], unit: Unit) -> None:
        pol = self.policy(typ)
        for basis in bases:
            key = (typ, a.value, a.currency, basis, a.redacted)
            if key in self.limits_seen:
                continue
            self.limits_seen.add(key)
            pol.limits.append(Limit(amount=a.value, currency=a.currency, basis=basis, redacted=a.redacted))
        self.cite(pol, unit, a.start)


def policies(run: Run, p: InsuranceProfile) -> tuple[list[Mention], set[Unit]]:
    """Decide ``policies`` on ``p``; return the types named in the region and the units
    that gave a limit (the vague-language rules read both)."""
    reader = run.reader
    mentions: list[Mention] = []
    for u in run.region.units:
        mentions.extend(reader.mentions_in(u))
    found = _Policies(run.clauses)
    for u in run.region.units:
        _unit_limits(run, u, found)
    _named_types(run, mentions, found)
    p.policies = [found.by_type[t] for t in POLICY_TYPES if t in found.by_type and found.by_type[t].evidence]
    return mentions, found.amount_units


def _unit_limits(run: Run, u: Unit, found: _Policies) -> None:
    """The limits of the amounts in unit ``u``, each under the types it belongs to."""
    reader = run.reader
    amounts = reader.amounts(u)
    if not amounts:
        return
    t = run.clauses.text(u)
    insurance_like = bool(lx.INSURANCE_WORD.search(t) or lx.INSURANCE_LIKE.search(t))
    last: list[str] = []
    for i, a in enumerate(amounts):
        nxt = amounts[i + 1].start if i + 1 < len(amounts) else u[1]
        after = run.clauses.norm[a.end : min(nxt, a.end + 70, u[1])]
        if not _is_limit(run.clauses.norm, u, a, after):
            continue
        prev_end = _item_start(reader, u, a, amounts[i - 1].end if i > 0 else u[0])
        types = types_for(reader, a, prev_end, nxt, u, last)
        if not types:
            if not insurance_like:
                continue
            types = ["other"]
            run.uncertain.add("policies")
        last = types
        found.amount_units.add(u)
        bases = _bases(run.clauses.norm, u, amounts, i, after)
        for typ in types:
            found.add_limit(typ, a, bases, u)


def _is_limit(norm: str, u: Unit, a: Amount, after: str) -> bool:
    """Not a deductible, fee, cap or the like, and not a small sum."""
    before = norm[max(u[0], a.start - 80) : a.start]
    if lx.NOT_A_LIMIT_BEFORE.search(before) and not lx.LIMIT_CUE_END.search(before):
        return False
    if lx.NOT_A_LIMIT_AFTER.search(after):
        return False
    return not (a.value is not None and a.value < 1000)


def _item_start(reader: Reader, u: Unit, a: Amount, prev_end: int) -> int:
    """Where the amount's own list item starts ("(6) umbrella ... $1,000,000"): after the
    last clause cut before it that a type follows; else ``prev_end``."""
    start = prev_end
    for cut in lx.CLAUSE_CUT.finditer(reader.clauses.norm, prev_end, a.start):
        if [m for m in reader.mentions_in(u) if cut.end() <= m.start and m.end <= a.start]:
            start = cut.end()
    return start


def _bases(norm: str, u: Unit, amounts: list[Amount], i: int, after: str) -> list[str]:
    """The bases of amount ``i``: those named after it; else the one just before it, or,
    for "$1,000,000 / $2,000,000", per occurrence then aggregate."""
    a = amounts[i]
    lead_start = amounts[i - 1].end if i > 0 else max(u[0], a.start - 45)
    bases = bases_in(lx.OCCURRENCE_FORM.sub(" ", after.split(";")[0]))  # "Occurrence form" is no basis
    if bases:
        return bases
    b = basis_of(norm[lead_start : a.start][-45:])
    if b == "other" and i + 1 < len(amounts) and lx.SLASH_ONLY.fullmatch(norm[a.end : amounts[i + 1].start]):
        return ["per_occurrence"]
    if b == "other" and i > 0 and lx.SLASH_ONLY.fullmatch(norm[amounts[i - 1].end : a.start]):
        return ["aggregate"]
    return [b]


def _named_types(run: Run, mentions: list[Mention], found: _Policies) -> None:
    """The types named in an insurance clause without an amount."""
    obligation_units = {u for u, _m in run.obligations}
    for mtn in mentions:
        mt = run.clauses.text(mtn.unit)
        if is_heading(mt) and not lx.LIST_ITEM.match(mt):
            continue  # a bare caption such as "Liability Insurance"; a numbered item counts
        if not (
            mtn.unit in obligation_units
            or mtn.unit in found.amount_units
            or (mtn.unit in run.region.scope and (run.reader.is_insurance_unit(mtn.unit) or run.in_list(mtn.unit)))
        ):
            continue
        if not_required(run.clauses.norm, mtn):
            continue
        found.cite(found.policy(mtn.type), mtn.unit, mtn.start)


def not_required(norm: str, mtn: Mention) -> bool:
    """The type is named in its clause as cover nobody must carry: after a negated duty, as
    cover another party may require some day, as an option, or as insurance being sold
    (:data:`lexicon.TYPE_NOT_REQUIRED_BEFORE`, :data:`lexicon.TYPE_NOT_REQUIRED_AFTER`)."""
    before = norm[max(mtn.unit[0], mtn.start - 240) : mtn.start]
    before = before[before.rfind(";") + 1 :]
    return bool(
        lx.TYPE_NOT_REQUIRED_BEFORE.search(before) or lx.TYPE_NOT_REQUIRED_AFTER.match(norm, mtn.end, mtn.unit[1])
    )


# --------------------------------------------------------------------------- which types an amount is for


def types_for(reader: Reader, a: Amount, prev_end: int, next_start: int, unit: Unit, last: list[str]) -> list[str]:
    """The policy types an amount belongs to: the head type of the clause segment
    before it ("commercial general liability insurance, including product liability
    insurance, ... $1,000,000" is general liability), all listed types when the text
    says "in each case", the type right after it ("$5,000,000 umbrella"), the type of
    the previous amount in the clause, or the type in the previous table cell."""
    norm = reader.clauses.norm
    in_unit = reader.mentions_in(unit)
    seg = [m for m in in_unit if prev_end <= m.start and m.end <= a.start]
    after = [m for m in in_unit if a.end <= m.start < min(next_start, a.end + 40)]
    if after and lx.TYPE_AFTER_GAP.match(norm[a.end : after[0].start]):
        return [after[0].type]
    if seg:
        return _segment_types(reader.clauses, seg, unit)
    if last:
        return last
    if after:
        return [after[0].type]
    before = [m for m in in_unit if m.end <= a.start]
    if before:
        return [before[-1].type]
    return _earlier_unit_types(reader, unit)


def _segment_types(clauses: Clauses, seg: list[Mention], unit: Unit) -> list[str]:
    """The types the clause segment ``seg`` (the types before an amount) gives the amount."""
    if lx.EACH_CASE.search(clauses.text(unit)):
        return list(dict.fromkeys(m.type for m in seg))
    # walk back from the type nearest the amount: "X and Y insurance" names both;
    # "X insurance, including Y" and "X, following form over Y" belong to X
    k = len(seg) - 1
    heads = [seg[k].type]
    while k > 0:
        between = clauses.norm[seg[k - 1].end : seg[k].start]
        if lx.SUBORDINATE.search(between) or (lx.DESCRIBES.search(between) and not lx.NEW_ITEM.search(between)):
            heads = [seg[k - 1].type]
        elif lx.COORDINATED.fullmatch(between):
            if seg[k - 1].type not in heads:
                heads.insert(0, seg[k - 1].type)
        else:
            break
        k -= 1
    return heads


def _earlier_unit_types(reader: Reader, unit: Unit) -> list[str]:
    """For a unit that names no type: the type of the sentence before "Such insurance
    shall have limits of ...", or of the previous table cell or page-broken clause."""
    clauses = reader.clauses
    before_unit = clauses.prev_unit(unit) or unit
    if lx.SUCH_INSURANCE.search(clauses.text(unit)) or lx.SUCH_INSURANCE.search(clauses.text(before_unit)[-120:]):
        prev = clauses.prev_unit(unit)
        for _ in range(4):
            if not prev or unit[0] - prev[1] > 800:
                break
            pm = reader.mentions_in(prev)
            if pm:
                return [pm[0].type]
            prev = clauses.prev_unit(prev)
    # a table row or a clause cut by a page break: the type sits in the previous unit
    prev = clauses.prev_unit(unit)
    if prev and prev != unit:
        pm = reader.mentions_in(prev)
        ptxt = clauses.text(prev).rstrip()
        if pm and not ptxt.endswith(".") and not reader.amounts(prev):
            return [pm[0].type]
    return []
