"""Tracked-change markup for Word documents: the part no maintained library writes.

python-docx (>= 1.2) writes comments, but not revisions. This module writes the
WordprocessingML of tracked changes on the element tree python-docx has open: a run split at
a character, runs wrapped in a deletion (``w:del``, text moved to ``w:delText``), an inserted
run or paragraph (``w:ins``, with the paragraph mark marked inserted too, so that rejecting
the change removes the paragraph), each stamped with author, date and a revision id unused
anywhere in the part. :func:`accept` and :func:`reject` apply or undo one author's changes, as
Word's "Accept All" / "Reject All" restricted to that reviewer do; the tests check a reviewed
document with them, and a user can too.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: Elements whose ``w:id`` is a revision or annotation id.
_ID_TAGS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "comment", "commentRangeStart")


class Revisions:
    """Stamps new ``w:ins``/``w:del`` elements with one author and date and ids that are
    unique in the part (above every ``w:id`` already in ``roots``)."""

    def __init__(self, roots: Iterable, author: str, date: str) -> None:
        used = [
            int(v)
            for root in roots
            for el in root.iter()
            if isinstance(el.tag, str) and (v := el.get(f"{W}id")) is not None and v.lstrip("-").isdigit()
        ]
        # Comments that python-docx adds later number up from the highest comment id: keep clear of them.
        self._ids = itertools.count(max(used, default=0) + 1000)
        self.author = author
        self.date = date
        self.made: list = []

    def element(self, kind: str):
        el = etree.Element(f"{W}{kind}")
        el.set(f"{W}id", str(next(self._ids)))
        el.set(f"{W}author", self.author)
        el.set(f"{W}date", self.date)
        self.made.append(el)
        return el


def run_of(el):
    """The ``w:r`` that holds ``el`` (a ``w:t``, ``w:tab``...)."""
    return next(el.iterancestors(f"{W}r"))


def split_run(t, offset: int):
    """Split the run holding text element ``t`` so that a new run starts at character
    ``offset`` of ``t``; return that new run (``None`` when the split point is the run's own
    start). Both halves keep the run's properties."""
    r = run_of(t)
    text = t.text or ""
    if offset <= 0:
        before = [c for c in r if c.tag != f"{W}rPr"]
        if before and before[0] is t:
            return None
        moved_from = t
    elif offset >= len(text):
        moved_from = t.getnext()
        if moved_from is None:
            return r.getnext() if r.getnext() is not None and r.getnext().tag == f"{W}r" else None
    else:
        t.text = text[:offset]
        t.set(XML_SPACE, "preserve")
        tail = etree.Element(f"{W}t")
        tail.text = text[offset:]
        tail.set(XML_SPACE, "preserve")
        t.addnext(tail)
        moved_from = tail
    new = etree.Element(f"{W}r")
    rpr = r.find(f"{W}rPr")
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    for child in list(itertools.chain([moved_from], moved_from.itersiblings())):
        new.append(child)
    r.addnext(new)
    return new


def _group(runs: list) -> list[list]:
    """Runs in groups of consecutive siblings (a deletion wraps each group)."""
    groups: list[list] = []
    for r in runs:
        if groups and groups[-1][-1].getnext() is r:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def delete_runs(runs: list, rev: Revisions) -> list:
    """Mark ``runs`` deleted: each group of consecutive runs moves into one ``w:del``;
    ``w:t`` becomes ``w:delText``. Returns the new ``w:del`` elements."""
    out = []
    for group in _group(runs):
        dele = rev.element("del")
        group[0].addprevious(dele)
        for r in group:
            dele.append(r)
            for t in r.iter(f"{W}t"):
                t.tag = f"{W}delText"
            for t in r.iter(f"{W}instrText"):
                t.tag = f"{W}delInstrText"
        out.append(dele)
    return out


def new_run(text: str, rpr=None):
    """A ``w:r`` of ``text`` with a copy of the run properties ``rpr`` (tracked-change marks
    in them dropped)."""
    r = etree.Element(f"{W}r")
    if rpr is not None:
        props = copy.deepcopy(rpr)
        for mark in props.findall(f"{W}ins") + props.findall(f"{W}del") + props.findall(f"{W}rPrChange"):
            props.remove(mark)
        r.append(props)
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(etree.Element(f"{W}br"))
        t = etree.SubElement(r, f"{W}t")
        t.text = line
        t.set(XML_SPACE, "preserve")
    return r


def insert_after(el, runs: list, rev: Revisions):
    """Put ``runs`` in a new ``w:ins`` right after ``el`` (a run, or a ``w:del``/``w:ins``),
    outside any other author's insertion (an insertion may not hold one). Returns the ``w:ins``."""
    ins = rev.element("ins")
    for r in runs:
        ins.append(r)
    anchor = el
    while anchor.getparent() is not None and anchor.getparent().tag in (f"{W}ins", f"{W}moveTo"):
        anchor = anchor.getparent()
    anchor.addnext(ins)
    return ins


def insert_paragraph_after(p, runs: list, rev: Revisions, ppr=None):
    """A new paragraph of ``runs`` after paragraph ``p``, all of it a tracked insertion
    (its mark too). ``ppr`` (paragraph properties to copy) defaults to ``p``'s. Returns it."""
    new = etree.Element(f"{W}p")
    source = ppr if ppr is not None else p.find(f"{W}pPr")
    props = copy.deepcopy(source) if source is not None else etree.Element(f"{W}pPr")
    for change in props.findall(f"{W}pPrChange") + props.findall(f"{W}sectPr"):
        props.remove(change)
    mark = props.find(f"{W}rPr")
    if mark is None:
        mark = etree.SubElement(props, f"{W}rPr")
    for old in mark.findall(f"{W}ins") + mark.findall(f"{W}del"):
        mark.remove(old)
    mark.insert(0, rev.element("ins"))
    new.append(props)
    ins = rev.element("ins")
    for r in runs:
        ins.append(r)
    new.append(ins)
    p.addnext(new)
    return new


# ---------------------------------------------------------------------------- accept / reject


def _mine(el, author: str | None) -> bool:
    return author is None or el.get(f"{W}author") == author


def _unwrap(el) -> None:
    parent = el.getparent()
    i = parent.index(el)
    for child in list(el):
        parent.insert(i, child)
        i += 1
    parent.remove(el)


def _drop_paragraph_mark(p) -> None:
    """Remove the mark of paragraph ``p``: its content joins the next paragraph, which keeps
    its own properties (a paragraph's properties live in its mark)."""
    nxt = p.getnext()
    content = [c for c in p if c.tag != f"{W}pPr"]
    if nxt is not None and nxt.tag == f"{W}p":
        ppr = nxt.find(f"{W}pPr")
        at = nxt.index(ppr) + 1 if ppr is not None else 0
        for i, child in enumerate(content):
            nxt.insert(at + i, child)
        p.getparent().remove(p)
    elif not content:
        p.getparent().remove(p)
    else:  # the last paragraph of its container keeps a mark
        mark = p.find(f"{W}pPr/{W}rPr")
        if mark is not None:
            for m in mark.findall(f"{W}ins") + mark.findall(f"{W}del"):
                mark.remove(m)


def _marked_paragraphs(root, kind: str, author: str | None) -> list:
    return [
        mark.getparent().getparent().getparent()
        for mark in root.iter(f"{W}{kind}")
        if mark.getparent().tag == f"{W}rPr" and mark.getparent().getparent().tag == f"{W}pPr" and _mine(mark, author)
    ]


def _changes(root, kind: str, author: str | None) -> list:
    """The tracked changes of ``kind`` around content (not paragraph-mark flags)."""
    return [e for e in root.iter(f"{W}{kind}") if e.getparent().tag != f"{W}rPr" and _mine(e, author)]


def _clear_marks(root, author: str | None) -> None:
    for mark in [m for m in root.iter(f"{W}ins", f"{W}del") if m.getparent().tag == f"{W}rPr" and _mine(m, author)]:
        mark.getparent().remove(mark)


def accept(root, author: str | None = None) -> None:
    """Accept the tracked insertions and deletions of ``author`` (every author's when None)
    in the element tree ``root``."""
    for el in _changes(root, "del", author):
        el.getparent().remove(el)
    for el in _changes(root, "ins", author):
        _unwrap(el)
    for p in _marked_paragraphs(root, "del", author):
        _drop_paragraph_mark(p)
    _clear_marks(root, author)


def reject(root, author: str | None = None) -> None:
    """Reject the tracked insertions and deletions of ``author`` (every author's when None)."""
    for el in _changes(root, "ins", author):
        el.getparent().remove(el)
    for el in _changes(root, "del", author):
        for t in el.iter(f"{W}delText"):
            t.tag = f"{W}t"
        for t in el.iter(f"{W}delInstrText"):
            t.tag = f"{W}instrText"
        _unwrap(el)
    for p in _marked_paragraphs(root, "ins", author):
        _drop_paragraph_mark(p)
    _clear_marks(root, author)
