"""The built-in COI rules: a certificate of insurance against the contract's requirements.
Each is registered with :func:`~.registry.coi_rule`, exactly as a plugin would."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..fmt import money
from ..schema import Citation, Limit, add_months
from .model import Certificate, CertLimit, CoverageLine, Entry
from .parse import entries_of
from .registry import CoiHit, Context, coi_rule
from .requirements import NOT_LIABILITY, PolicyRequirement, Requirements

LABELS = {
    "general_liability": "general liability",
    "product_liability": "product liability",
    "professional_liability": "professional liability (E&O)",
    "technology_eo": "technology E&O",
    "cyber": "cyber liability",
    "workers_compensation": "workers' compensation",
    "employers_liability": "employers' liability",
    "auto": "automobile liability",
    "umbrella_excess": "umbrella/excess liability",
}
#: Types a certificate row may show in place of the required one (said to be uncertain).
ALSO_SHOWN_AS = {"technology_eo": ("professional_liability",), "professional_liability": ("technology_eo",)}
#: The lines an umbrella or excess policy tops up (never E&O, cyber or property).
UMBRELLA_TOPS_UP = frozenset({"general_liability", "auto", "employers_liability"})
#: Contract basis -> the certificate boxes that answer it, per policy type.
BOXES: dict[str, dict[str, tuple[str, ...]]] = {
    "general_liability": {
        "per_occurrence": ("each_occurrence",),
        "aggregate": ("general_aggregate",),
        "other": ("each_occurrence",),
        "per_claim": ("each_occurrence",),
    },
    "product_liability": {"aggregate": ("products_aggregate",), "per_occurrence": ("each_occurrence",)},
    "auto": {b: ("combined_single",) for b in ("combined_single", "per_occurrence", "each_accident", "other")},
    "employers_liability": {
        "each_accident": ("el_each_accident",),
        "per_occurrence": ("el_each_accident",),
        "other": ("el_each_accident",),
        "per_person": ("el_disease_each_employee",),
        "aggregate": ("el_disease_policy_limit",),
    },
    "umbrella_excess": {
        "per_occurrence": ("each_occurrence",),
        "other": ("each_occurrence",),
        "aggregate": ("aggregate",),
    },
}
PER_EVENT = ("per_claim", "per_occurrence", "each_accident", "combined_single", "other")
NO_RIGHTS = (
    "A certificate is issued as a matter of information only and confers no rights upon the certificate holder: "
    "ask for the endorsement itself."
)


# --------------------------------------------------------------------------- names

_SUFFIXES = {
    "llc": "llc",
    "inc": "inc",
    "incorporated": "inc",
    "corp": "corp",
    "corporation": "corp",
    "co": "co",
    "company": "co",
    "ltd": "ltd",
    "limited": "ltd",
    "llp": "llp",
    "lp": "lp",
    "plc": "plc",
}


def name_key(name: str) -> tuple[str, str]:
    """``("redline cipher labs", "llc")`` for "Redline Cipher Labs, L.L.C.": case, punctuation,
    "&"/"and", a leading "The" and the spelling of the legal form do not count."""
    s = name.casefold().replace("&", " and ")
    s = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", s)  # l.l.c. -> llc.
    s = re.sub(r"(?<=\b[a-z])\.(?=\s|$)", "", s)
    s = re.sub(r"[^\w\s]", " ", s)
    words = s.split()
    if words and words[0] == "the":
        words = words[1:]
    form = ""
    while words and words[-1] in _SUFFIXES:
        form = _SUFFIXES[words.pop()]
    return " ".join(words), form


def same_name(a: str, b: str) -> bool | None:
    """True when two names are the same party as a person would read them, False when they
    are not, None when they may be (same name, another legal form)."""
    ka, kb = name_key(a), name_key(b)
    if not ka[0] or not kb[0] or ka[0] != kb[0]:
        return False
    if ka[1] == kb[1] or not ka[1] or not kb[1]:
        return True
    return None


# --------------------------------------------------------------------------- helpers


def _cites(*lists: list[Citation]) -> list[Citation]:
    out: list[Citation] = []
    for cites in lists:
        for c in cites:
            if c not in out:
                out.append(c)
    return out[:2]


def lines_for(cert: Certificate, req: PolicyRequirement) -> tuple[list[CoverageLine], bool]:
    """The certificate rows that show the required policy, and whether that is sure
    (False: a row shown as another type accepted in its place)."""
    rows = [line for line in cert.lines if req.type in line.policy_types]
    if req.type == "employers_liability":
        rows = [r for r in rows if any(lim.key.startswith("el_") for lim in r.limits)]
    if rows:
        return rows, True
    alt = ALSO_SHOWN_AS.get(req.type, ())
    return [line for line in cert.lines if any(t in line.policy_types for t in alt)], False


def _label(t: str) -> str:
    return LABELS.get(t, t.replace("_", " "))


def _row_entries(line: CoverageLine, *keys: str) -> list[Entry]:
    found = line.entry(*keys) if keys else []
    title = Entry(field=line.line, label="TYPE OF INSURANCE", value=line.title)
    return [title, *found]


def _covers_period(umbrella: CoverageLine, line: CoverageLine) -> bool:
    if not (umbrella.effective and umbrella.expiration and line.effective and line.expiration):
        return False
    return umbrella.effective <= line.effective and umbrella.expiration >= line.expiration


def _boxes(req_type: str, line: CoverageLine, basis: str) -> list[CertLimit]:
    keys = BOXES.get(req_type, {}).get(basis)
    if keys:
        return [lim for lim in line.limits if lim.key in keys and lim.amount is not None]
    # the OTHER row: its own labels; a per-event requirement takes a per-event box
    wanted = (basis,) if basis not in PER_EVENT else PER_EVENT
    return [lim for lim in line.limits if lim.basis in wanted and lim.amount is not None]


# --------------------------------------------------------------------------- the rules


@coi_rule(code="COI001", slug="coi-policy-missing", severity="high")
def policy_missing(ctx: Context) -> Iterator[CoiHit]:
    """A policy the contract requires is not shown on the certificate.

    What it does:
        For each policy type the contract requires, looks for a coverage row that shows it:
        the printed rows (general liability, automobile, umbrella/excess, workers'
        compensation and employers' liability) and the OTHER row by its description
        ("Tech E&O / Cyber" shows both). A professional liability row shown for a Technology
        E&O requirement (or the reverse) is accepted and said to be uncertain.
    Why it matters:
        A policy that is not on the certificate is, for the holder, a policy that may not
        exist; the contract's protection behind it (limits, additional insured status) is
        unverified.
    Example:
        The contract requires Umbrella Liability of $5,000,000; the certificate has no
        umbrella or excess row.
    Use instead:
        A certificate that lists every required policy, with its insurer, policy number and
        dates, e.g. "UMBRELLA LIAB X OCCUR ... EACH OCCURRENCE $5,000,000".
    Known limits:
        A row is matched by its type, not by what its policy actually covers; an OTHER row
        described only by a policy number or an abbreviation the lexicon does not know reads
        as no type.
    """
    for req in ctx.requirements.policies:
        rows, sure = lines_for(ctx.certificate, req)
        if not rows:
            yield CoiHit(
                f"The contract requires {_label(req.type)}; the certificate shows no such policy.",
                contract=_cites(req.evidence),
                policy=req.type,
            )
        elif not sure:
            yield CoiHit(
                f"The contract requires {_label(req.type)}; the certificate shows "
                f"{rows[0].title!r}, which may be the same cover: confirm with the policy.",
                contract=_cites(req.evidence),
                certificate=_row_entries(rows[0], "Description"),
                policy=req.type,
                severity="low",
                uncertain=True,
            )


def _umbrella(cert: Certificate) -> CoverageLine | None:
    return next((line for line in cert.lines if line.line == "umbrella_excess"), None)


def _top_up(
    ctx: Context,
    req: PolicyRequirement,
    lim: Limit,
    line: CoverageLine,
    umbrella: CoverageLine,
    have: float,
    need: float,
) -> tuple[float, float] | None:
    """What an umbrella/excess row over the same period has to spare for ``lim`` of a GL,
    auto or EL policy: ``(spare, own)``, ``own`` being what the contract requires of the
    umbrella itself on that basis (counted once: the part of its limit that meets its own
    requirement cannot also make up the underlying policy's). None when it cannot top up."""
    if req.type not in UMBRELLA_TOPS_UP or not _covers_period(umbrella, line):
        return None
    key = "aggregate" if lim.basis == "aggregate" else "each_occurrence"
    top = next((u.amount for u in umbrella.limits if u.key == key and u.amount), None)
    if not top:
        return None
    own = 0.0
    for p in ctx.requirements.policies:
        if p.type == "umbrella_excess":
            mins = [m.amount for m in p.limits if m.amount and (m.basis == "aggregate") == (key == "aggregate")]
            own = max(mins, default=0.0)
    return max(top - own, 0.0), own


def _limit_hit(ctx: Context, req: PolicyRequirement, lim: Limit, line: CoverageLine) -> CoiHit | None:
    need = lim.amount
    if need is None or lim.redacted:
        return None
    boxes = _boxes(req.type, line, lim.basis)
    what = f"{money(need, lim.currency)} {lim.basis.replace('_', ' ')}"
    if not boxes:
        if lim.basis == "per_person" and req.type != "employers_liability":
            return None
        return CoiHit(
            f"The contract requires {_label(req.type)} of {what}; the certificate shows no limit on that basis.",
            contract=_cites(req.evidence),
            certificate=_row_entries(line),
            policy=req.type,
            severity="medium",
            uncertain=True,
        )
    shown = max(boxes, key=lambda b: b.amount or 0)
    have = shown.amount or 0
    if lim.currency and shown.currency and lim.currency != shown.currency:
        return CoiHit(
            f"The contract states {_label(req.type)} of {what}; the certificate shows "
            f"{money(have, shown.currency)}: amounts in other currencies are not compared.",
            contract=_cites(req.evidence),
            certificate=_row_entries(line, shown.field),
            policy=req.type,
            severity="info",
            uncertain=True,
        )
    if have >= need:
        return None
    entries = _row_entries(line, shown.field)
    umbrella = _umbrella(ctx.certificate)
    topped = _top_up(ctx, req, lim, line, umbrella, have, need) if umbrella is not None else None
    if topped is not None and umbrella is not None:
        spare, own = topped
        if have + spare >= need:
            return CoiHit(
                f"{_label(req.type).capitalize()} shows {money(have, shown.currency)} against the {what} required; "
                f"the umbrella/excess policy over the same period makes up the difference, counted once: "
                f"{money(spare, 'USD')} of its limit is left above the {money(own, 'USD')} the contract requires of "
                "it. Met if that policy follows form over this one.",
                contract=_cites(req.evidence),
                certificate=entries + _row_entries(umbrella, "Umbrella_"),
                policy=req.type,
                severity="info",
            )
        shortfall = (
            f" The umbrella/excess policy cannot make it up: counted once, only {money(spare, 'USD')} of its "
            f"limit is left above the {money(own, 'USD')} the contract requires of it."
        )
        return CoiHit(
            f"The contract requires {_label(req.type)} of {what}; the certificate shows "
            f"{money(have, shown.currency)} ({shown.label}).{shortfall}",
            contract=_cites(req.evidence),
            certificate=entries + _row_entries(umbrella, "Umbrella_"),
            policy=req.type,
        )
    note = (
        " An umbrella or excess policy never tops up E&O or cyber."
        if umbrella is not None and req.type not in UMBRELLA_TOPS_UP and req.type != "umbrella_excess"
        else ""
    )
    return CoiHit(
        f"The contract requires {_label(req.type)} of {what}; the certificate shows {money(have, shown.currency)} "
        f"({shown.label}).{note}",
        contract=_cites(req.evidence),
        certificate=entries,
        policy=req.type,
    )


@coi_rule(code="COI002", slug="coi-limit-below-requirement", severity="high")
def limit_below(ctx: Context) -> Iterator[CoiHit]:
    """A limit on the certificate is below the contract's minimum.

    What it does:
        Compares each minimum limit of a required policy with the certificate's box for the
        same basis (each occurrence, general aggregate, combined single limit, E.L. each
        accident, or the OTHER row's own labels such as "Each Claim"). Where the limit of
        general liability, automobile or employers' liability falls short, an umbrella or
        excess policy on the certificate that covers the same period tops it up, counted
        once: only the part of its limit above what the contract requires of the umbrella
        itself makes up the difference, and the finding says so (information when it is
        enough). An umbrella never tops up E&O or cyber.
    Why it matters:
        A limit below the contract's minimum is uninsured exposure the contract put on the
        other party; it is the gap risk teams find most often.
    Example:
        The contract requires CGL of $1,000,000 per occurrence and a $5,000,000 umbrella; the
        certificate shows EACH OCCURRENCE $500,000 and an umbrella of exactly $5,000,000.
    Use instead:
        A certificate whose limits meet the contract's minimums, e.g. "EACH OCCURRENCE
        $1,000,000 / GENERAL AGGREGATE $2,000,000".
    Known limits:
        Amounts are never converted between currencies (a note instead). Whether the
        umbrella follows form over the underlying policy is not on the certificate: the top
        up assumes it does and says so. A limit shown with no basis the rule knows is
        reported as not shown, uncertain.
    """
    for req in ctx.requirements.policies:
        rows, _sure = lines_for(ctx.certificate, req)
        if not rows:
            continue  # COI001 reports it
        for lim in req.limits:
            hit = _limit_hit(ctx, req, lim, rows[0])
            if hit is not None:
                yield hit


def _term_rule(ctx: Context, term: str, attr: str, what: str, box: str) -> Iterator[CoiHit]:
    seen: set[int] = set()  # one finding per row (workers' compensation and employers' liability share one)
    for req in ctx.requirements.policies:
        required = getattr(req, term)
        if not required.present:
            continue
        rows, _sure = lines_for(ctx.certificate, req)
        if not rows:
            continue
        line = rows[0]
        if line.line == "workers_compensation" and term == "additional_insured":
            continue  # the form has no ADDL INSD box for this row
        if getattr(line, attr) or id(line) in seen:
            continue
        seen.add(id(line))
        remarks = ctx.certificate.description_of_operations
        said = bool(
            re.search(r"additional\s+insured" if term == "additional_insured" else r"subrogation", remarks, re.I)
        )
        yield CoiHit(
            f"The contract requires {what} on the {_label(req.type)} policy; the certificate's {box} box for "
            f"{line.title!r} is not marked"
            + (" (the description of operations mentions it, which is not the mark)" if said else "")
            + f". {NO_RIGHTS}",
            contract=_cites(required.evidence),
            certificate=_row_entries(line, "AdditionalInsured" if term == "additional_insured" else "Subrogation")
            + (entries_of(ctx.certificate, "remarks") if said else []),
            policy=req.type,
            uncertain=said,
        )


@coi_rule(code="COI003", slug="coi-additional-insured-not-shown", severity="high")
def additional_insured_not_shown(ctx: Context) -> Iterator[CoiHit]:
    """Additional-insured status is required on a policy but not marked on its row.

    What it does:
        For each required policy on which the contract requires additional-insured status
        (the clause may name only some policies), checks the ADDL INSD box of the row that
        shows it (Y, X or a check mark count). The description of operations mentioning
        additional insureds is reported, but does not replace the mark.
    Why it matters:
        Without the endorsement the protected party has no direct right under the policy.
        And a certificate confers no rights at all: the endorsement itself is the evidence
        to ask for.
    Example:
        The contract requires Client to be named as additional insured under the CGL policy;
        the CGL row's ADDL INSD box is empty.
    Use instead:
        A certificate with ADDL INSD marked "Y" on the CGL row and the additional-insured
        endorsement (e.g. CG 20 10 and CG 20 37) attached.
    Known limits:
        The workers' compensation row has no ADDL INSD box and is not checked. The mark says
        nothing of whom the endorsement names: read the endorsement.
    """
    yield from _term_rule(ctx, "additional_insured", "additional_insured", "additional-insured status", "ADDL INSD")


@coi_rule(code="COI004", slug="coi-waiver-not-shown", severity="medium")
def waiver_not_shown(ctx: Context) -> Iterator[CoiHit]:
    """A waiver of subrogation is required on a policy but not marked on its row.

    What it does:
        For each required policy to which the contract's waiver of subrogation applies,
        checks the SUBR WVD box of the row that shows it (Y, X or a check mark count).
    Why it matters:
        Without the waiver the insurer that pays a loss may recover it from the protected
        party, which undoes the risk allocation of the contract.
    Example:
        The contract requires the Vendor's insurers to waive subrogation under every policy;
        the workers' compensation row's SUBR WVD box is empty.
    Use instead:
        A certificate with SUBR WVD marked "Y" on every row the waiver applies to, and the
        waiver of subrogation endorsements attached.
    Known limits:
        The mark is the producer's statement; only the endorsement shows the waiver.
    """
    yield from _term_rule(ctx, "waiver_of_subrogation", "subrogation_waived", "a waiver of subrogation", "SUBR WVD")


def _rows_of_required(ctx: Context) -> Iterator[tuple[PolicyRequirement, CoverageLine]]:
    seen: set[int] = set()
    for req in ctx.requirements.policies:
        rows, _sure = lines_for(ctx.certificate, req)
        for line in rows[:1]:
            if id(line) not in seen:
                seen.add(id(line))
                yield req, line


@coi_rule(code="COI005", slug="coi-policy-expired", severity="high")
def policy_expired(ctx: Context) -> Iterator[CoiHit]:
    """A required policy has expired (or is not yet in force) on the check date.

    What it does:
        Compares each required policy's row's POLICY EXP date (and POLICY EFF) with the
        check date (``--as-of``, today by default). A row with no readable date is reported
        as uncertain.
    Why it matters:
        An expired policy is no cover at all; certificates are often sent once and never
        renewed.
    Example:
        Checked on 06/01/2026, the CGL row shows POLICY EXP 03/01/2026.
    Use instead:
        A current certificate: POLICY EFF on or before the check date and POLICY EXP after it.
    Known limits:
        The dates are the certificate's; a policy cancelled mid-term still shows its
        original expiration date.
    """
    for req, line in _rows_of_required(ctx):
        entries = _row_entries(line, "EffectiveDate", "ExpirationDate")
        if line.expiration is None:
            yield CoiHit(
                f"The {line.title!r} row shows no readable expiration date.",
                contract=_cites(req.evidence),
                certificate=entries,
                policy=req.type,
                severity="medium",
                uncertain=True,
            )
        elif line.expiration < ctx.as_of:
            yield CoiHit(
                f"The {line.title!r} policy expired on {line.expiration:%m/%d/%Y}, before {ctx.as_of:%m/%d/%Y}.",
                contract=_cites(req.evidence),
                certificate=entries,
                policy=req.type,
            )
        elif line.effective and line.effective > ctx.as_of:
            yield CoiHit(
                f"The {line.title!r} policy is not in force until {line.effective:%m/%d/%Y} "
                f"(checked as of {ctx.as_of:%m/%d/%Y}).",
                contract=_cites(req.evidence),
                certificate=entries,
                policy=req.type,
                severity="medium",
            )


RENEWAL_WINDOW = dt.timedelta(days=30)


def _cover_end(ctx: Context, req: PolicyRequirement) -> tuple[dt.date, bool, list[Citation], str] | None:
    """When the contract requires ``req``'s cover to last until: the end of the term in force
    on the check date plus the policy's "for N years after"; whether that is uncertain (the
    term renews), the quotes it is read from and how to say it. None when the term end is
    not known (or a term that renews with no stated period is past its initial end)."""
    term = ctx.requirements.contract_term
    if term is None:
        return None
    end = term.current_end(ctx.as_of)
    if end < ctx.as_of:
        return None
    cites = list(term.evidence)
    what = f"the term ends {end:%m/%d/%Y}"
    if term.renews:
        every = f"for {term.renewal_months}-month periods" if term.renewal_months else "until terminated"
        what += f" and renews {every}, so the end of the current term is uncertain"
    if req.duration is not None and req.tail_years:
        end = add_months(end, round(req.tail_years * 12))
        cites += [c for c in req.duration.evidence if c not in cites]
        what += f", and cover must last {req.duration.value!r}"
    return end, term.renews, cites, what


@coi_rule(code="COI006", slug="coi-policy-expires-early", severity="medium")
def policy_expires_early(ctx: Context) -> Iterator[CoiHit]:
    """A required policy expires before the contract requires cover to end.

    What it does:
        Compares each required policy's POLICY EXP date with the end of the cover the
        contract requires: the end of its term as a date (read from its effective date and
        its term clause, ``contract_term``) plus any "for N years after" that applies to that
        policy. A policy that expires before it is reported with the contract's quotes (the
        term clause, the effective date, the duration) and the certificate's date; when the
        term renews automatically the end is that of the current term, the message says it
        is uncertain. An annual policy on a longer contract is normal: until it is within 30
        days of expiring this is an *info* reminder (ask for the renewal certificate; it does
        not fail the policy's line), then medium (a renewal certificate is due soon); a
        claims-made policy that must last for years after the term is low and uncertain
        (the certificate cannot show the renewals or the extended reporting period).
        Where the term end is not stated determinably, it reports a policy expiring within 30 days, and a
        claims-made policy where the contract requires cover for years after the term, which
        a one-year policy cannot show (low, uncertain).
    Why it matters:
        Cover that ends before the obligation does leaves the last claims uninsured; for
        claims-made cover, a claim made after the policy ends is not covered at all unless
        it is renewed or a tail is bought.
    Example:
        The Agreement runs for two (2) years from its Effective Date, March 2, 2026 (so to
        March 2, 2028); the CGL row expires 03/01/2027.
    Use instead:
        A policy in force until the end of the required cover, or a renewal certificate
        before each expiry, and for claims-made cover the extended reporting period
        endorsement or renewals for the years the contract requires.
    Known limits:
        A term of N years ends on the anniversary of its start. A term that runs from an
        event ("the date Lessee accepts the Equipment"), ends on "the later of" two things or
        is set elsewhere (a schedule) has no end date and falls back to the 30-day window,
        which is fixed.
    """
    for req, line in _rows_of_required(ctx):
        cover = _cover_end(ctx, req)
        if cover is not None:
            hit = _ends_before(ctx, req, line, cover)
            if hit is not None:
                yield hit
            continue
        if line.expiration and ctx.as_of <= line.expiration <= ctx.as_of + RENEWAL_WINDOW:
            yield CoiHit(
                f"The {line.title!r} policy expires on {line.expiration:%m/%d/%Y}, within 30 days of "
                f"{ctx.as_of:%m/%d/%Y}: a renewal certificate will be needed.",
                contract=_cites(req.evidence),
                certificate=_row_entries(line, "ExpirationDate"),
                policy=req.type,
            )
        if _needs_tail(req, line) and req.duration is not None:
            yield CoiHit(
                f"The contract requires cover {req.duration.value!r}; the {line.title!r} policy "
                + (f"ends {line.expiration:%m/%d/%Y}" if line.expiration else "has no readable end")
                + " and the certificate cannot show the tail or renewals: ask for them when due.",
                contract=_cites(req.duration.evidence),
                certificate=_row_entries(line, "ExpirationDate"),
                policy=req.type,
                severity="low",
                uncertain=True,
            )


def _needs_tail(req: PolicyRequirement, line: CoverageLine) -> bool:
    """Claims-made (or unstated, on the "other" row) liability cover that the contract
    requires for years after the term: the certificate cannot show the renewals or the
    extended reporting period that must follow."""
    return bool(
        req.duration is not None
        and req.tail_years
        and req.type not in NOT_LIABILITY
        and line.form != "occurrence"
        and (line.line == "other" or line.form == "claims_made")
    )


def _ends_before(
    ctx: Context, req: PolicyRequirement, line: CoverageLine, cover: tuple[dt.date, bool, list[Citation], str]
) -> CoiHit | None:
    """COI006 where the end of the required cover is known."""
    end, uncertain, cites, what = cover
    exp = line.expiration
    if exp is None or exp < ctx.as_of or exp >= end:
        return None  # no date, or expired (COI005), or it lasts
    soon = exp <= ctx.as_of + RENEWAL_WINDOW
    tail = _needs_tail(req, line)
    then = (
        f" It expires within 30 days of {ctx.as_of:%m/%d/%Y}: a renewal certificate will be needed."
        if soon
        else " Ask for renewal certificates (for claims-made cover, renewals or the extended reporting period) "
        "until then."
    )
    return CoiHit(
        f"The {line.title!r} policy expires on {exp:%m/%d/%Y}, before the contract requires cover to end "
        f"({end:%m/%d/%Y}{', uncertain' if uncertain else ''}): {what}.{then}",
        contract=cites,
        certificate=_row_entries(line, "ExpirationDate"),
        policy=req.type,
        severity="medium" if soon else "low" if tail else "info",
        uncertain=uncertain or (tail and not soon),
    )


@coi_rule(code="COI007", slug="coi-claims-made", severity="high")
def claims_made(ctx: Context) -> Iterator[CoiHit]:
    """A policy is claims-made where the contract requires an occurrence form.

    What it does:
        For each required policy the contract says must be written on an occurrence basis,
        reports a row marked CLAIMS-MADE.
    Why it matters:
        A claims-made policy covers only claims made while it is in force; an injury found
        after it lapses is uninsured, where an occurrence policy would have responded.
    Example:
        The contract requires CGL "written on an occurrence basis"; the CGL row marks
        CLAIMS-MADE.
    Use instead:
        A certificate with OCCUR marked on the row.
    Known limits:
        A row with neither box marked is not reported. Only the rows with these boxes
        (general liability, umbrella/excess) can show the form.
    """
    for req, line in _rows_of_required(ctx):
        if req.coverage_form == "occurrence" and line.form == "claims_made":
            yield CoiHit(
                f"The contract requires {_label(req.type)} on an occurrence form; the certificate marks "
                f"{line.title!r} CLAIMS-MADE.",
                contract=_cites(req.coverage_form_evidence),
                certificate=_row_entries(line, "ClaimsMade"),
                policy=req.type,
            )


def _legal(req: Requirements, defined: str) -> str | None:
    return req.legal_names.get(defined)


def _party_check(
    ctx: Context, parties: list[str], shown: str, role: str, entries: list[Entry], cites: list[Citation]
) -> Iterator[CoiHit]:
    if not parties:
        yield CoiHit(
            f"The contract does not say, in a way the reader found, which party the {role} should be; "
            f"the certificate names {shown or 'none'!r}: compare by hand.",
            contract=cites,
            certificate=entries,
            severity="info",
            uncertain=True,
        )
        return
    names = [(p, _legal(ctx.requirements, p)) for p in parties]
    known = [(p, n) for p, n in names if n]
    if not shown.strip():
        yield CoiHit(f"The certificate names no {role}.", contract=cites, certificate=entries)
        return
    if not known:
        yield CoiHit(
            f"The contract names the {role} only as {', '.join(parties)}; the certificate names {shown!r}: "
            "compare them by hand.",
            contract=cites,
            certificate=entries,
            severity="info",
            uncertain=True,
        )
        return
    verdicts = [same_name(shown, n) for _p, n in known]
    if any(v is True for v in verdicts):
        return
    legal = " or ".join(f"{n} ({p})" for p, n in known)
    if any(v is None for v in verdicts):
        yield CoiHit(
            f"The certificate's {role} {shown!r} has the name of {legal} with another legal form: "
            "it may be another entity.",
            contract=cites,
            certificate=entries,
            severity="medium",
            uncertain=True,
        )
        return
    yield CoiHit(f"The certificate's {role} is {shown!r}, not {legal}.", contract=cites, certificate=entries)


@coi_rule(code="COI008", slug="coi-insured-mismatch", severity="high")
def insured_mismatch(ctx: Context) -> Iterator[CoiHit]:
    """The certificate's named insured is not the party that must carry the insurance.

    What it does:
        Compares the INSURED block with the legal name the contract's preamble gives the
        party that must insure, the way a person would: case, punctuation, "&"/"and", "The"
        and the spelling of the legal form ("LLC", "L.L.C.", "Inc", "Incorporated") do not
        count. The same name with another legal form is reported as uncertain; a contract
        that names the party only by its role is a note to compare by hand.
    Why it matters:
        Insurance carried by an affiliate, a parent or a namesake does not cover the party
        that signed the contract.
    Example:
        The contract is with Redline Cipher Labs, LLC ("Vendor"); the certificate's insured
        is Redline Cipher Holdings, LLC.
    Use instead:
        A certificate whose INSURED is the contracting party, e.g. "Redline Cipher Labs,
        L.L.C.".
    Known limits:
        A trade name ("d/b/a") or a list of insureds in the description of operations is
        not read.
    """
    cert = ctx.certificate
    req = ctx.requirements
    if not req.insurance_required:
        return
    shown = cert.named_insured.name if cert.named_insured else ""
    parties = list(dict.fromkeys(p for pol in req.policies for p in pol.carried_by)) or req.obligated_parties
    cites = _cites(*(pol.carried_by_evidence for pol in req.policies))
    yield from _party_check(ctx, parties, shown, "named insured", entries_of(cert, "named_insured"), cites)


@coi_rule(code="COI009", slug="coi-holder-mismatch", severity="medium")
def holder_mismatch(ctx: Context) -> Iterator[CoiHit]:
    """The certificate holder is not the party the insurance protects.

    What it does:
        Compares the CERTIFICATE HOLDER block with the legal names of the contract's other
        parties (those that do not carry the insurance), the same way names are compared
        for the named insured.
    Why it matters:
        The holder is the party the producer informs of a cancellation and usually the one
        endorsements name; a certificate held by someone else (the broker, an affiliate)
        is not evidence to the protected party.
    Example:
        The contract protects Larkspur Mutual Financial Group, Inc. ("Client"); the holder is
        Harbor Risk Partners LLC.
    Use instead:
        A certificate issued to the protected party: "CERTIFICATE HOLDER: Larkspur Mutual
        Financial Group, Inc., 400 Harbor Point Drive, Stamford, CT 06902".
    Known limits:
        An affiliate of the protected party named as holder is reported as a mismatch.
    """
    cert = ctx.certificate
    if not ctx.requirements.insurance_required:
        return
    shown = cert.holder.name if cert.holder else ""
    cites = _cites(ctx.requirements.certificate_required.evidence)
    yield from _party_check(
        ctx, ctx.requirements.protected_parties, shown, "certificate holder", entries_of(cert, "holder"), cites
    )


@coi_rule(code="COI010", slug="coi-insurer-not-named", severity="medium")
def insurer_not_named(ctx: Context) -> Iterator[CoiHit]:
    """A coverage row refers to an insurer letter that names no insurer.

    What it does:
        Reports a coverage row whose INSR LTR is a letter (A-F) with no insurer named under
        INSURER(S) AFFORDING COVERAGE, and a row with no letter at all.
    Why it matters:
        A policy with no insurer cannot be verified (rating, admitted status, the policy
        itself); it is a sign of a certificate filled in carelessly or altered.
    Example:
        The workers' compensation row shows INSR LTR D; no INSURER D is named.
    Use instead:
        A certificate where every row's letter names an insurer, with its NAIC number.
    Known limits:
        The insurer's rating (A.M. Best) is not on the certificate; the result's notes say
        what the contract requires of it.
    """
    cert = ctx.certificate
    for line in cert.lines:
        ins = cert.insurer(line.insurer_letter)
        if line.insurer_letter and (ins is None or not ins.name.strip()):
            yield CoiHit(
                f"The {line.title!r} row refers to insurer {line.insurer_letter}, which the certificate does not name.",
                certificate=_row_entries(line, "InsurerLetterCode"),
                policy=line.policy_types[0] if line.policy_types else None,
            )
        elif not line.insurer_letter:
            yield CoiHit(
                f"The {line.title!r} row names no insurer letter.",
                certificate=_row_entries(line),
                policy=line.policy_types[0] if line.policy_types else None,
                severity="low",
                uncertain=True,
            )
