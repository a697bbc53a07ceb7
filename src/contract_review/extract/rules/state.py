"""The state of one extraction: the document's :class:`~.reader.Reader` and
:class:`~.region.Region`, and what each field decides that a later one reads (the insurance
obligations, the policy types named, the units with limits), with the notes and uncertain
fields gathered on the way. A new :class:`Run` per document keeps the extractor reentrant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clauses import Clauses, Mention, Unit
from .reader import Reader
from .region import CONTINUATION_CHARS, Region

#: An insurance obligation: its unit and the phrase that obliges.
Obligation = tuple[Unit, re.Match[str]]


@dataclass
class Run:
    """One document's extraction in progress."""

    reader: Reader
    region: Region
    notes: list[str] = field(default_factory=list)
    uncertain: set[str] = field(default_factory=set)  # profile fields the rules are unsure of
    obligations: list[Obligation] = field(default_factory=list)  # set by insurance_required
    mentions: list[Mention] = field(default_factory=list)  # set by policies: the types named in the region
    amount_units: set[Unit] = field(default_factory=set)  # set by policies: the units that gave a limit

    @property
    def clauses(self) -> Clauses:
        return self.reader.clauses

    def in_list(self, unit: Unit) -> bool:
        """The unit continues a list introduced by an insurance obligation, or lies in a
        referred exhibit."""
        for u, _m in self.obligations:
            if u[0] <= unit[0] <= u[1] + CONTINUATION_CHARS:
                return True
        return any(a <= unit[0] < b for a, b in self.region.exhibits)
