"""The contract's parties by the names it defines for them, and clauses written in those names.

A contract's preamble defines each party once: ``Acme Corp., a Delaware corporation
("Supplier")`` and ``Globex LLC ("Customer")``. :func:`defined_parties` reads those defined
names from the opening of the document, deterministically, whatever the extractor. The
checker's suggested clauses are written with generic roles (*Supplier shall maintain ...
naming Customer as an additional insured*); :func:`in_contract_terms` puts the contract's own
names in their place, so a lawyer can paste the suggestion as it stands.
"""

from __future__ import annotations

import re

#: A defined term in parentheses: ("Supplier"), (the "Company"), (hereinafter "Acme", and ...).
DEFINED_NAME = re.compile(r"\([^()\"]{0,40}?\"([A-Z][A-Za-z0-9&.' -]{1,40})\"\s*(?:,[^()]{0,40})?\)")
#: Defined terms that name something other than a party.
NOT_A_PARTY_TERM = re.compile(
    r"\b(?:Agreement|Effective|Date|Part(?:y|ies)|Term|Territory|Products?|Services?|Affiliates?|Act|Exhibit|Schedule|Plan|"
    r"Program|Property|Premises|Equipment|Marks?|Licen[cs]e(?!e)\w*|Closing|Shares?|Stock|Notes?|Registration|Offering|Prospectus|"
    r"Contract|Work|Deliverables?|Confidential|Purchase|Order|SOW|Statement|Master|Fees?|Price|Amendment|Addendum|Exhibits?|"
    r"Materials?|Data|Software|Documentation|System|Platform|Information|Content|Technology|Intellectual|Know-How|Patents?|"
    r"Field|Region|Site|Facility|Project|Specifications?|Requirements?|Policy|Policies|Budget)\b"
)
#: What introduces a party rather than a thing: a legal form, where it is organised or has
#: its office, or a person ("Acme Corp., a Delaware corporation (\"Supplier\")").
ENTITY_CUE = re.compile(
    r"\b(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|GmbH|AG|B\.V|N\.V|S\.A|SAS|S\.p\.A|plc|PLC|LLP|L\.P|LP|Co|"
    r"Corp|Corporation|Company|company|corporation|partnership|organi[sz]ed|incorporated|existing|"
    r"principal (?:place of business|offices?)|registered (?:office|address)|an individual|residing|"
    r"Bank|Trust|University|Authority|Association|Union|Fund|Group|Holdings?)\b"
)
PREAMBLE_CHARS = 5000


def defined_parties(text: str, limit: int = PREAMBLE_CHARS) -> list[str]:
    """The defined names of the parties in the first ``limit`` characters of ``text`` (its
    searchable form: straight quotes), in order, each once: a defined term counts when the
    words just before it introduce an entity (a legal form, a place of organisation...), so
    the "Lease", the "Discloser" or the "Components" are not parties. Empty when none is found."""
    names: list[str] = []
    for m in DEFINED_NAME.finditer(text, 0, min(len(text), limit)):
        name = m.group(1).strip()
        before = text[max(0, m.start() - 200) : m.start()]
        before = re.split(r"\)|;|\n\s*\n|\.\s+(?=[A-Z][a-z])", before)[-1]  # the same party's words
        if not NOT_A_PARTY_TERM.search(name) and ENTITY_CUE.search(before) and name not in names:
            names.append(name)
    return names


def counterparty(obligated: str, parties: list[str]) -> str | None:
    """The party that is not ``obligated``, when the contract has exactly two and
    ``obligated`` is one of them."""
    key = obligated.casefold()
    if len(parties) != 2 or key not in (p.casefold() for p in parties):
        return None
    return next(p for p in parties if p.casefold() != key)


def in_contract_terms(clause: str, roles: tuple[str, ...], obligated: list[str], parties: list[str]) -> str:
    """``clause`` with its generic ``roles`` (obligated party first, then the party it
    protects, if any) replaced by the contract's names. Unchanged unless every role it uses
    can be named: one obligated party, and for a second role the other of exactly two
    defined parties. A half-renamed clause would read worse than a generic one."""
    if not roles or len(obligated) != 1:
        return clause
    names = [obligated[0]]
    if len(roles) > 1:
        other = counterparty(obligated[0], parties)
        if other is None:
            return clause
        names.append(other)
    # Through placeholders: a contract's name may be another role's word ("Customer").
    placeholders = [f"\x00{i}\x00" for i in range(len(names))]
    for role, ph in zip(roles, placeholders, strict=False):
        clause = re.sub(rf"\b{re.escape(role)}\b", ph, clause)
    for ph, name in zip(placeholders, names, strict=True):
        clause = clause.replace(ph, name)
    return clause
