"""``insurance_required`` and ``obligated_parties``: insurance is required when a unit of the
region obliges a party to carry it (see :class:`~.reader.Reader`) or, less surely, when a
party represents that it carries it; the obligated parties are the subjects of those
phrases, "Each Party" read as the two parties the preamble defines and "you" as the party
the contract calls "you".
"""

from __future__ import annotations

from ...parties import defined_parties
from ...schema import InsuranceProfile
from .. import lexicon as lx
from .clauses import MAX_EVIDENCE, Clauses
from .state import Obligation, Run


def insurance_required(run: Run, p: InsuranceProfile) -> list[Obligation]:
    """Decide ``insurance_required``, its evidence and the obligated parties on ``p``;
    return the obligations (not the representations) found in the region."""
    reader = run.reader
    obligations: list[Obligation] = []
    reps: list[Obligation] = []
    for u in run.region.units:
        m = reader.obligation(u)
        if m:
            obligations.append((u, m))
            continue
        r = reader.representation(u)
        if r:
            reps.append((u, r))
    found = obligations or reps
    if not found:
        return obligations
    p.insurance_required = True
    if not obligations:
        run.uncertain.add("insurance_required")
        run.notes.append("insurance_required rests on a representation, not a covenant")
    for u, m in found[:MAX_EVIDENCE]:
        p.insurance_evidence.append(run.clauses.cite(u[0], u[1], u[0] + m.start()))
    p.obligated_parties = obligated_parties(run.clauses, found)
    return obligations


def obligated_parties(clauses: Clauses, found: list[Obligation]) -> list[str]:
    """The parties named as subjects of the obligations, each once, in order."""
    parties: list[str] = []
    for u, m in found:
        for name in subjects(clauses.text(u)[: m.start()]):
            for n in each_party(clauses.norm) if name == "Each Party" else [defined_you(clauses.norm, name)]:
                if n not in parties:
                    parties.append(n)
    return parties


def each_party(norm: str) -> list[str]:
    """The two parties as the preamble defines them ("Ginkgo" and "BLI"), for "Each Party"."""
    names = defined_parties(norm)
    return names[:2] if len(names) >= 2 else ["Each Party"]


def defined_you(norm: str, name: str) -> str:
    """ "You" is the party the contract defines as "you" ("you" or the "Franchisee")."""
    if name != "You":
        return name
    m = lx.YOU_DEFINED.search(norm)
    return (m.group(1) or m.group(2)).strip() if m else name


def subjects(before: str) -> list[str]:
    """The party (or parties) named just before an obligation verb."""
    tail = before[-140:]
    m = lx.SUBJECT.search(tail)
    if not m:
        return []
    phrase = lx.PARENTHETICAL.sub("", m.group(0))
    phrase = lx.FROM_COMMA.sub("", phrase).strip()
    phrase = lx.SUBJECT_ADVERB.sub("", phrase).strip()
    if lx.EACH_PARTY.fullmatch(phrase):
        return ["Each Party"]
    if lx.YOU.fullmatch(phrase):
        return ["You"]
    phrase = lx.LEADING_THE.sub("", phrase)
    phrase = lx.SUBJECT_MARKER.sub("", phrase)  # "A. Subcontractor"
    if lx.THE_PARTIES.fullmatch(phrase):
        return ["Each Party"]
    names = [n.strip() for n in lx.NAME_SEPARATOR.split(phrase) if n.strip()]
    out = []
    for n in names:
        n = lx.LEADING_OF_THE.sub("", n.split("\n")[-1]).strip()
        n = lx.SPACES.sub(" ", n)
        if n and not lx.NOT_A_PARTY.match(n) and n[0].isupper() and len(n) <= 60:
            out.append(n)
    return out
