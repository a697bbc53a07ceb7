"""The tracked changes of a Word draft that touch its insurance terms.

A negotiated draft arrives with the other side's tracked changes. The DOCX loader reads the
text as it would stand with every change accepted and keeps each change as a
:class:`~contract_review.schema.Revision` (see :func:`contract_review.loaders.load_docx`).
:func:`insurance_revisions` keeps the changes in or near the insurance terms and says what
each one took out:

* ``struck``: the terms whose wording a deletion took out of its paragraph, where the
  paragraph as it now stands does not say it again (a reworded additional-insured sentence
  is not struck; a deleted one is);
* ``amounts``: the money amounts a change took out, each with the amount now in its place,
  and whether the limit was lowered. Amounts are read by the rules extractor's parser
  (:func:`contract_review.extract.amounts.find_amounts`) in the paragraph as it stood before
  and as it stands now, so that a change of one digit ("$2,000,000" to "$1,000,000" as a
  deleted "2" and an inserted "1") reads as the change of a whole amount.

Deterministic and offline, whatever the extractor; :class:`~contract_review.pipeline.Reviewer`
sets the result on :attr:`InsuranceProfile.revisions`, and rule INS010 reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .extract.amounts import find_amounts
from .grounding import cite
from .loaders import Document
from .schema import AmountChange, Citation, InsuranceProfile, Revision

#: Words that put a paragraph or a changed text in the insurance terms.
INSURANCE_WORDS = re.compile(
    r"\binsur\w*|\bsubrogat\w*|\bnon-?contributory\b|\bpolic(?:y|ies)\b|\bcoverages?\b|\bloss\s+payee\b", re.I
)
#: The wording of each insurance term (the names of the profile's term fields).
TERM_WORDING: dict[str, re.Pattern[str]] = {
    "additional_insured": re.compile(r"\badditional(?:ly)?[\s-]+insureds?\b", re.I),
    "waiver_of_subrogation": re.compile(r"\bsubrogat\w*|\brights?\s+of\s+recovery\b", re.I),
    "primary_noncontributory": re.compile(r"\bprimary\b|\bnon-?\s?contributory\b|\bwithout\s+contribution\b", re.I),
    "certificate_of_insurance": re.compile(
        r"\bcertificates?\s+of\s+(?:insurance|coverage)\b|\bevidence\s+of\s+(?:such\s+|the\s+|that\s+)?"
        r"(?:insurance|coverage)\b",
        re.I,
    ),
    "cancellation_notice": re.compile(r"\bcancel\w*|\bnon-?\s?renew\w*|\bmaterial(?:ly)?\s+(?:change|reduc)\w*", re.I),
}
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=\S)")


def insurance_revisions(doc: Document, profile: InsuranceProfile) -> list[Revision]:
    """The tracked changes of ``doc`` that touch its insurance terms, in document order,
    each with ``at`` (the accepted text where it is), and for a deletion what it ``struck``
    and the ``amounts`` it changed. A change touches the insurance terms when its own text
    or its paragraph (before or after the change) names insurance, or when it touches a
    quote of the profile (a limit in a table cell of an insurance schedule)."""
    if not doc.revisions:
        return []
    quotes = [(c.start, c.end) for c in profile.all_citations()]
    out: list[Revision] = []
    for line in _lines(doc):
        for cluster in line.clusters():
            if any(_touches_insurance(line, r, quotes) for r in cluster):
                out.extend(_classified(doc, line, cluster))
    return sorted(out, key=lambda r: (r.start, r.end))


@dataclass
class _Line:
    """One line (paragraph or table cell) of the document text with its changes: ``after``
    is the line as it stands, ``before`` as it stood (insertions out, deletions back in);
    ``spans`` gives each change's place in ``before``."""

    start: int
    end: int
    after: str
    revisions: list[Revision]
    before: str = ""
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)

    def revert(self) -> None:
        parts, pos, length = [], self.start, 0
        for r in self.changes():
            keep = self.after[pos - self.start : max(pos, r.start) - self.start]
            parts.append(keep)
            length += len(keep)
            pos = max(pos, r.start)
            if r.kind == "deletion":
                self.spans[id(r)] = (length, length + len(r.text))
                parts.append(r.text)
                length += len(r.text)
            else:
                self.spans[id(r)] = (length, length)
                pos = max(pos, r.end)
        parts.append(self.after[pos - self.start :])
        self.before = "".join(parts)

    def changes(self) -> list[Revision]:
        """Insertions and deletions in order (a deletion before the insertion that
        replaces it); a move is the same text at another place, not a change of it."""
        return sorted((r for r in self.revisions if r.kind != "move"), key=lambda r: (r.start, r.kind != "deletion"))

    def clusters(self) -> list[list[Revision]]:
        """Changes by one author that touch each other (a deletion and the insertion that
        replaces it); each move alone."""
        out: list[list[Revision]] = []
        for r in self.changes():
            last = out[-1][-1] if out else None
            if last is not None and last.author == r.author and r.start - last.end <= 1:
                out[-1].append(r)
            else:
                out.append([r])
        return out + [[r] for r in self.revisions if r.kind == "move"]


def _lines(doc: Document) -> list[_Line]:
    by_line: dict[tuple[int, int], list[Revision]] = {}
    for r in doc.revisions:
        start = doc.text.rfind("\n", 0, r.start) + 1
        end = doc.text.find("\n", r.end)
        by_line.setdefault((start, len(doc.text) if end < 0 else end), []).append(r)
    lines = []
    for (start, end), revisions in by_line.items():
        line = _Line(start, end, doc.text[start:end], revisions)
        line.revert()
        lines.append(line)
    return lines


def _touches_insurance(line: _Line, r: Revision, quotes: list[tuple[int, int]]) -> bool:
    if INSURANCE_WORDS.search(r.text) or INSURANCE_WORDS.search(line.after) or INSURANCE_WORDS.search(line.before):
        return True
    return any(start <= r.end and r.start <= end for start, end in quotes)


def _region(spans: list[tuple[int, int]]) -> tuple[int, int]:
    return min(s for s, _ in spans), max(e for _, e in spans)


def _overlaps(start: int, end: int, region: tuple[int, int]) -> bool:
    lo, hi = region
    return start < hi and end > lo if hi > lo else start < lo < end


def _classified(doc: Document, line: _Line, cluster: list[Revision]) -> list[Revision]:
    if cluster[0].kind == "move":
        return [_with_context(doc, line, cluster[0], [], [])]
    amounts = _amount_changes(line, cluster)
    out, reported = [], set()
    for i, r in enumerate(cluster):
        struck = [] if r.kind != "deletion" else [t for t in _struck_terms(line, r) if t not in reported]
        reported.update(struck)
        out.append(_with_context(doc, line, r, struck, [a for owner, a in amounts if owner == i]))
    return out


def _struck_terms(line: _Line, r: Revision) -> list[str]:
    """The terms whose wording deletion ``r`` cut into, where its line says it fewer times now."""
    out = []
    for name, pattern in TERM_WORDING.items():
        before = list(pattern.finditer(line.before))
        if any(_overlaps(m.start(), m.end(), line.spans[id(r)]) for m in before) and len(before) > len(
            pattern.findall(line.after)
        ):
            out.append(name)
    return out


def _amount_changes(line: _Line, cluster: list[Revision]) -> list[tuple[int, AmountChange]]:
    """The amounts of ``before`` under the cluster's changes, each with the amount of
    ``after`` under them in the same order (none when the cluster put fewer in), and the
    index in the cluster of the deletion that took it out (else of its first change)."""
    before_region = _region([line.spans[id(r)] for r in cluster])
    after_region = _region([(r.start - line.start, r.end - line.start) for r in cluster])
    olds = [a for a in find_amounts(line.before) if _overlaps(a.start, a.end, before_region)]
    news = [a for a in find_amounts(line.after) if _overlaps(a.start, a.end, after_region)]
    out = []
    for i, old in enumerate(olds):
        new = news[i] if i < len(news) else None
        if new is not None and (new.value, new.currency) == (old.value, old.currency):
            continue
        lowered = bool(
            new is not None
            and old.value is not None
            and new.value is not None
            and old.currency == new.currency
            and new.value < old.value
        )
        change = AmountChange(
            old=old.value,
            old_currency=old.currency,
            new=new.value if new else None,
            new_currency=new.currency if new else None,
            lowered=lowered,
        )
        owners = [
            i
            for i, r in enumerate(cluster)
            if r.kind == "deletion" and _overlaps(old.start, old.end, line.spans[id(r)])
        ]
        out.append(((owners or [0])[0], change))
    return out


def _with_context(doc: Document, line: _Line, r: Revision, struck: list[str], amounts: list[AmountChange]) -> Revision:
    return r.model_copy(update={"at": _context(doc, line, r), "struck": struck, "amounts": amounts})


def _context(doc: Document, line: _Line, r: Revision) -> Citation | None:
    """The inserted text itself; for a deletion, the sentence of its line that it was cut
    from (the one that ends where it was removed, or the one that follows). A deleted
    paragraph (a deletion that starts its line and ends a sentence) and a deletion on a
    blank line cite the last sentence of the nearest line above."""
    cite = _citation(doc, r.start, r.end)
    if cite is not None:
        return cite
    start, end = line.start, line.end
    if not (r.start == line.start and re.search(r"[.;:]\s*$", r.text)):
        lo, hi = _sentence(line.after, r.start - line.start)
        cite = _citation(doc, line.start + lo, line.start + hi)
    while cite is None and start > 0:
        end = start - 1
        start = doc.text.rfind("\n", 0, end) + 1
        lo, hi = _sentence(doc.text[start:end], end - start)
        cite = _citation(doc, start + lo, start + hi)
    return cite


def _citation(doc: Document, start: int, end: int) -> Citation | None:
    """:func:`~contract_review.grounding.cite` of ``doc.text[start:end]``; None if blank."""
    c = cite(doc, start, end)
    return c if c.quote else None


def _sentence(text: str, offset: int) -> tuple[int, int]:
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if lo <= offset <= hi:
            return lo, hi
    return 0, len(text)
