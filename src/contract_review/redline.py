"""The reviewed Word draft: the lawyer's own DOCX with a comment per finding and its fixes as
tracked changes.

:func:`write_redline` opens the draft the review read (python-docx), finds every span the
findings cite through the same reading of the file as the loader (:func:`trace_docx`: the text
as it stands with every tracked change accepted, character for character), and then:

- adds a Word comment per finding, anchored on the clause it quotes, or on the heading of the
  insurance section when the finding is about something absent, worded for the audience
  (``internal``: rule, reasoning and severity; ``counterparty``: a polite request);
- writes each finding's fixes (:class:`~contract_review.schema.Fix`) as tracked changes by
  ``author``: a vague obligation or a low amount replaced (``w:del`` + ``w:ins``), a missing
  term inserted as a new numbered sub-clause after the last one of the insurance section, a
  struck protection put back next to the other side's deletion. New text copies the
  formatting of the runs around it; nothing else in the file changes, and the draft's own
  tracked changes and comments stay as they are.

Rejecting every change by ``author`` gives back the draft's text; accepting them gives the
fixed text (:func:`contract_review.wordml.accept` / :func:`~contract_review.wordml.reject`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from . import wordml
from .checks import get_rule
from .checks.drafting import AUDIENCES, DEFAULT_REQUEST, REQUESTS, Audience, Drafter
from .errors import ContractReviewError
from .loaders import DocxTrace, TracedParagraph, trace_docx
from .playbook import Playbook
from .schema import Citation, Finding, Fix, InsuranceProfile, ReviewResult

DEFAULT_AUTHOR = "contract-review"


class RedlineError(ContractReviewError):
    """The review does not match the file it is to be written into."""

    code = "redline_mismatch"


def now_stamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class _Edit:
    """A fix to apply, with the offset that orders it (edits run from the end backwards, so
    that each one leaves the offsets of those still to come unchanged)."""

    at: int
    order: int
    finding: Finding
    fix: Fix


def write_redline(
    data: bytes,
    result: ReviewResult,
    *,
    author: str = DEFAULT_AUTHOR,
    audience: Audience = "internal",
    date: str | None = None,
    playbook: Playbook | None = None,
) -> bytes:
    """The draft ``data`` (the DOCX ``result`` reviewed) with the findings as comments and
    their fixes as tracked changes by ``author``. Raises :class:`RedlineError` when the file
    is not the one reviewed."""
    import docx

    if result.profile is None:
        raise RedlineError(f"{result.file}: the review has no result to write ({result.status})")
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    d = docx.Document(io.BytesIO(data))
    writer = _Writer(d, result, author or DEFAULT_AUTHOR, date or now_stamp(), audience, playbook)
    writer.check()
    writer.comments()
    writer.edits()
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


class _Writer:
    def __init__(self, d, result: ReviewResult, author: str, date: str, audience: Audience, playbook) -> None:
        self.d = d
        self.result = result
        self.profile: InsuranceProfile = result.profile  # type: ignore[assignment]
        self.author = author
        self.date = date
        self.audience = audience
        self.playbook = playbook
        self.body = d.element.body
        self.rev = wordml.Revisions([d.element, *self._comment_roots()], author, date)
        self.trace: DocxTrace = trace_docx(d)

    def _comment_roots(self) -> list:
        part = getattr(self.d.part, "_comments_part", None)
        return [part.element] if part is not None else []

    # ------------------------------------------------------------------ checks
    def check(self) -> None:
        for c in self.profile.all_citations():
            if self.trace.text[c.start : c.end] != c.quote:
                raise RedlineError(
                    f"{self.result.file}: the review's quote on p.{c.page} is not at its place in this file; "
                    "write the reviewed DOCX from the file that was reviewed"
                )

    def retrace(self) -> None:
        self.trace = trace_docx(self.d)

    # ------------------------------------------------------------------ where text is
    def paragraph_at(self, offset: int) -> TracedParagraph | None:
        body = [p for p in self.trace.paragraphs if self._in_body(p)]
        for p in body:
            if p.start <= offset <= p.end:
                return p
        return None

    def _in_body(self, p: TracedParagraph) -> bool:
        el = p.elements[-1]
        return any(a is self.body for a in el.iterancestors())

    def runs(self, start: int, end: int) -> list:
        """The runs that hold exactly ``[start, end)`` of the text (split where needed)."""
        for boundary in (end, start):
            for p in self.trace.paragraphs:
                for piece in p.pieces:
                    if piece.start < boundary < piece.start + len(piece.text) and _is_text(piece.el):
                        wordml.split_run(piece.el, boundary - piece.start)
            self.retrace()
        out: list = []
        for p in self.trace.paragraphs:
            for piece in p.pieces:
                if start <= piece.start and piece.start + len(piece.text) <= end and piece.text:
                    r = wordml.run_of(piece.el)
                    if not out or out[-1] is not r:
                        out.append(r)
        return out

    # ------------------------------------------------------------------ comments
    def comments(self) -> None:
        from docx.text.run import Run

        for finding in self.result.sorted_findings():
            anchor = self.anchor(finding)
            if anchor is None:
                continue
            runs = self.runs(anchor.start, anchor.end)
            if not runs:
                continue
            text = self.comment_text(finding)
            initials = "".join(w[0] for w in self.author.split()[:2]).upper()
            comment = self.d.add_comment(
                [Run(runs[0], self.d), Run(runs[-1], self.d)], text=text, author=self.author, initials=initials
            )
            comment._comment_elm.set(f"{wordml.W}date", self.date)

    def anchor(self, finding: Finding) -> Citation | None:
        """Where a finding's comment goes: the clause it quotes; the insurance heading when it
        is about something absent (its fix inserts a new sub-clause); the paragraph a new
        insurance section goes after, for a contract with none."""
        sec = self.profile.insurance_section
        absent = any(f.action == "insert" for f in finding.fixes) or finding.slug in (
            "missing-minimum-limits",
            "missing-required-policy",
        )
        if finding.slug == "no-insurance-clause":
            p = self.section_anchor()
            return _whole(p) if p else None
        if absent and sec is not None and sec.heading is not None:
            return sec.heading
        for fix in finding.fixes:
            if fix.action == "replace" and fix.target is not None:
                return _clip(fix.target, self.paragraph_at(fix.target.start))
        for c in finding.evidence:
            return _clip(c, self.paragraph_at(c.start))
        return sec.heading if sec else None

    def comment_text(self, finding: Finding) -> str:
        fix_note = self.fix_note(finding)
        if self.audience == "counterparty":
            d = Drafter(self.profile, self.playbook or Playbook())
            insured = "each party" if d.mutual else d.insured
            request = REQUESTS.get(finding.slug, DEFAULT_REQUEST).format(insured=insured, protected=d.protected)
            if not finding.fixes and not finding.covered_by and finding.suggestion:
                request += f" Proposed wording: {finding.suggestion}"
            return f"{request}{fix_note}"
        try:
            why = get_rule(finding.rule).sections["Why it matters"]
        except KeyError:
            why = ""
        parts = [f"{finding.rule} {finding.slug} ({finding.severity}): {finding.message}."]
        if why:
            parts.append(f"Why it matters: {why}")
        if finding.fixes:
            parts.append(f"Suggested change (tracked):{fix_note or ' see the marked-up text.'}")
        elif finding.covered_by:
            parts.append(f"Suggested change (tracked):{fix_note}")
        elif finding.suggestion:
            parts.append(f"Suggested wording: {finding.suggestion}")
        return "\n\n".join(parts)

    def fix_note(self, finding: Finding) -> str:
        if finding.covered_by and not finding.fixes:
            return " The rewording proposed for the vague insurance obligation covers this."
        labels = [f.label for f in finding.fixes if f.action == "insert" and f.label]
        if not labels:
            return ""
        called = self.profile.insurance_section.called if self.profile.insurance_section else "Section"
        return f" See the proposed new {called} {', '.join(labels)}."

    # ------------------------------------------------------------------ tracked changes
    def edits(self) -> None:
        edits: list[_Edit] = []
        for i, finding in enumerate(self.result.findings):  # rule order: the order of the new sub-clauses
            for j, fix in enumerate(finding.fixes):
                at = _offset(fix, self.trace)
                if at is not None:
                    edits.append(_Edit(at, i * 100 + j, finding, fix))
        # From the end backwards; insertions at one place in reverse so that they read in order.
        for e in sorted(edits, key=lambda e: (e.at, e.order), reverse=True):
            self.retrace()
            getattr(self, f"_{e.fix.action}")(e.fix)

    def _replace(self, fix: Fix) -> None:
        target = fix.target
        assert target is not None
        runs = self.runs(target.start, target.end)
        if not runs:
            return
        rpr = runs[0].find(f"{wordml.W}rPr")
        dels = wordml.delete_runs(runs, self.rev)
        wordml.insert_after(dels[-1], [wordml.new_run(fix.text, rpr)], self.rev)

    def _restore(self, fix: Fix) -> None:
        for rev, el in zip(self.trace.revisions, self.trace.revision_elements, strict=True):
            if rev.kind == "deletion" and rev.start == fix.at and fix.text in rev.text and el is not None:
                first = el.find(f"{wordml.W}r")
                rpr = first.find(f"{wordml.W}rPr") if first is not None else None
                p = next(el.iterancestors(f"{wordml.W}p"), None)
                if p is not None and _whole_paragraph_struck(p):
                    # A paragraph struck whole comes back as a paragraph of its own.
                    wordml.insert_paragraph_after(p, [wordml.new_run(fix.text, rpr)], self.rev)
                else:
                    wordml.insert_after(el, [wordml.new_run(fix.text, rpr)], self.rev)
                return

    def _insert(self, fix: Fix) -> None:
        if fix.level == "section":
            self._insert_section(fix)
            return
        p = self.paragraph_at(fix.at) if fix.at is not None else None
        if p is None:
            return
        model = self.model_paragraph(p)
        runs_ = [r for r in model.iter(f"{wordml.W}r") if r.find(f"{wordml.W}t") is not None]
        lead_rpr = runs_[0].find(f"{wordml.W}rPr") if runs_ else None
        body_rpr = runs_[-1].find(f"{wordml.W}rPr") if runs_ else None
        auto_numbered = model.find(f"{wordml.W}pPr/{wordml.W}numPr") is not None
        lead = " ".join(
            x for x in (None if auto_numbered else fix.label, f"{fix.caption}." if fix.caption else "") if x
        )
        new_runs = [wordml.new_run(lead, lead_rpr)] if lead else []
        new_runs.append(wordml.new_run(f" {fix.text}" if lead else fix.text, body_rpr))
        wordml.insert_paragraph_after(p.elements[-1], new_runs, self.rev, ppr=model.find(f"{wordml.W}pPr"))

    def model_paragraph(self, last: TracedParagraph):
        """The paragraph a new sub-clause copies its formatting from: the section's last
        numbered sub-clause (not an indented list item), else the last paragraph."""
        sec = self.profile.insurance_section
        if sec is not None and sec.last_label:
            for p in reversed(self.trace.paragraphs):
                if p.start <= last.start and self._in_body(p):
                    text = self.trace.text[p.start : p.end]
                    if re.match(rf"\s*(?:Section\s+)?{re.escape(sec.last_label)}\b", text):
                        return p.elements[-1]
        return last.elements[-1]

    def section_anchor(self) -> TracedParagraph | None:
        """The paragraph a new insurance section follows: the one before the signature block,
        else the last paragraph of the body with text."""
        body = [p for p in self.trace.paragraphs if self._in_body(p) and self.trace.text[p.start : p.end].strip()]
        for i, p in enumerate(body):
            if re.match(r"\s*IN WITNESS WHEREOF", self.trace.text[p.start : p.end]) and i:
                return body[i - 1]
        return body[-1] if body else None

    def _insert_section(self, fix: Fix) -> None:
        p = self.section_anchor()
        if p is None:
            return
        before = self.trace.text[: p.end]
        numbers = [int(m.group(1)) for m in re.finditer(r"(?m)^\s*(\d{1,3})\.\s+[A-Z]", before)]
        heading = f"{max(numbers) + 1}. {fix.caption.upper()}" if numbers and fix.caption else (fix.caption or "")
        heading_p = self._heading_model(p)
        body_runs = [r for r in p.elements[-1].iter(f"{wordml.W}r") if r.find(f"{wordml.W}t") is not None]
        body_rpr = body_runs[-1].find(f"{wordml.W}rPr") if body_runs else None
        new_body = wordml.insert_paragraph_after(p.elements[-1], [wordml.new_run(fix.text, body_rpr)], self.rev)
        if heading:
            h_runs = [r for r in heading_p.iter(f"{wordml.W}r") if r.find(f"{wordml.W}t") is not None]
            h_rpr = h_runs[0].find(f"{wordml.W}rPr") if h_runs else None
            wordml.insert_paragraph_after(
                p.elements[-1], [wordml.new_run(heading, h_rpr)], self.rev, ppr=heading_p.find(f"{wordml.W}pPr")
            )
        del new_body

    def _heading_model(self, p: TracedParagraph):
        for q in reversed(self.trace.paragraphs):
            if q.start <= p.start and self._in_body(q):
                if re.match(r"\s*\d{1,3}\.\s+[A-Z][A-Z ,&'-]+$", self.trace.text[q.start : q.end]):
                    return q.elements[-1]
        return p.elements[-1]


def _whole_paragraph_struck(p) -> bool:
    """Paragraph ``p``'s mark and every run of it are deleted."""
    W = wordml.W
    mark = p.find(f"{W}pPr/{W}rPr/{W}del")
    live = [
        r for r in p.iter(f"{W}r") if next(r.iterancestors(f"{W}del"), None) is None and r.find(f"{W}t") is not None
    ]
    return mark is not None and not live


def _is_text(el) -> bool:
    return getattr(el, "tag", None) == f"{wordml.W}t"


def _whole(p: TracedParagraph) -> Citation:
    return Citation(quote="", page=1, start=p.start, end=p.end)


def _clip(c: Citation, p: TracedParagraph | None) -> Citation:
    """A comment's range: the quote, within its first paragraph's text."""
    if p is None:
        return c
    return Citation(quote=c.quote, page=c.page, start=c.start, end=min(c.end, p.end))


def _offset(fix: Fix, trace: DocxTrace) -> int | None:
    if fix.action == "replace":
        return fix.target.start if fix.target else None
    if fix.level == "section":
        return len(trace.text)
    return fix.at


def reviewed_docx(
    data: bytes | None,
    result: ReviewResult,
    *,
    author: str = DEFAULT_AUTHOR,
    audience: Audience = "internal",
    playbook: Playbook | None = None,
    memo: bool = False,
) -> bytes:
    """What ``--redline`` writes: the draft marked up (a DOCX whose bytes are ``data``), else,
    for a PDF or text contract or with ``memo``, the review memo."""
    from .memo import write_memo

    if not memo and data is not None and result.status == "ok" and result.file.lower().endswith(".docx"):
        return write_redline(data, result, author=author, audience=audience, playbook=playbook)
    return write_memo(result, audience=audience, author=author, playbook=playbook)
