"""The state of one extraction: the document's :class:`~.reader.Reader` and
:class:`~.region.Region`, and what each field decides that a later one reads (the insurance
obligations, the policy types named, the units with limits), with the notes and uncertain
fields gathered on the way. A new :class:`Run` per document keeps the extractor reentrant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clauses import Clauses, Mention, Spans, Unit
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
    term_units: list[tuple[Unit, Unit, str, str | None]] | None = None  # set by terms.term_units on first use
    _lists: tuple[int, int, Spans] | None = field(default=None, init=False, repr=False)

    @property
    def clauses(self) -> Clauses:
        return self.reader.clauses

    def in_list(self, unit: Unit) -> bool:
        """The unit continues a list introduced by an insurance obligation, or lies in a
        referred exhibit."""
        return unit[0] in self._list_spans()

    def _list_spans(self) -> Spans:
        """The spans :meth:`in_list` looks in, built once per set of obligations."""
        key = (id(self.obligations), len(self.obligations))
        if self._lists is None or self._lists[:2] != key:
            spans = [(u[0], u[1] + CONTINUATION_CHARS + 1) for u, _m in self.obligations]
            self._lists = (*key, Spans(spans + list(self.region.exhibits)))
        return self._lists[2]
