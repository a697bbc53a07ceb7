"""The tracked-change markup (contract_review.wordml) on small documents built here: split
runs keep their formatting, deletions and insertions carry author, date and fresh ids, and
accept / reject of one author's changes give the fixed and the original text."""

from __future__ import annotations

import io

import docx
from builders import make_revised_docx
from docx.shared import Pt

from contract_review import wordml
from contract_review.loaders import load_document, trace_docx

W = wordml.W
AUTHOR, DATE = "Reviewer", "2026-12-01T09:00:00Z"


def text_of(d) -> str:
    buf = io.BytesIO()
    d.save(buf)
    return load_document("x.docx", data=buf.getvalue()).text


def styled_doc():
    d = docx.Document()
    p = d.add_paragraph()
    r = p.add_run("Vendor shall maintain adequate insurance.")
    r.bold = True
    r.font.size = Pt(13)
    d.add_paragraph("Next paragraph.")
    return d


def piece(d, needle: str):
    """The w:t element holding ``needle`` and the offset of ``needle`` in it."""
    for t in d.element.body.iter(f"{W}t"):
        if needle in (t.text or ""):
            return t, t.text.index(needle)
    raise AssertionError(needle)


def test_split_run_keeps_the_run_properties_on_both_halves():
    d = styled_doc()
    t, at = piece(d, "adequate")
    new = wordml.split_run(t, at)
    old = wordml.run_of(t)
    assert old.getnext() is new
    assert "".join(x.text for x in old.iter(f"{W}t")) == "Vendor shall maintain "
    assert "".join(x.text for x in new.iter(f"{W}t")) == "adequate insurance."
    for r in (old, new):
        assert r.find(f"{W}rPr/{W}b") is not None and r.find(f"{W}rPr/{W}sz").get(f"{W}val") == "26"
    assert text_of(d).startswith("Vendor shall maintain adequate insurance.\nNext paragraph.")


def test_split_at_the_start_of_a_run_is_no_split():
    d = styled_doc()
    t, _ = piece(d, "Vendor")
    assert wordml.split_run(t, 0) is None
    assert len(list(d.element.body.iter(f"{W}r"))) == 2


def test_delete_and_insert_carry_author_date_and_unique_ids():
    d = styled_doc()
    rev = wordml.Revisions([d.element], AUTHOR, DATE)
    t, at = piece(d, "adequate")
    wordml.split_run(t, at + len("adequate"))
    middle = wordml.split_run(t, at)
    (dele,) = wordml.delete_runs([middle], rev)
    ins = wordml.insert_after(dele, [wordml.new_run("commercial general liability", middle.find(f"{W}rPr"))], rev)
    assert dele.find(f"{W}r/{W}delText").text == "adequate"
    assert ins.find(f"{W}r/{W}rPr/{W}b") is not None  # the formatting of the words it replaces
    ids = [el.get(f"{W}id") for el in rev.made]
    assert len(set(ids)) == len(ids) == 2
    assert all(el.get(f"{W}author") == AUTHOR and el.get(f"{W}date") == DATE for el in rev.made)
    assert text_of(d).startswith("Vendor shall maintain commercial general liability insurance.")


def test_consecutive_runs_are_one_deletion():
    d = docx.Document()
    p = d.add_paragraph()
    runs = [p.add_run(w)._r for w in ("one ", "two ", "three")]
    rev = wordml.Revisions([d.element], AUTHOR, DATE)
    dels = wordml.delete_runs(runs[:2], rev)
    assert len(dels) == 1 and len(dels[0]) == 2


def test_an_insertion_is_never_nested_in_another_authors_insertion():
    data = make_revised_docx(["Vendor shall maintain {++adequate++} insurance."], author="Other Side")
    d = docx.Document(io.BytesIO(data))
    rev = wordml.Revisions([d.element], AUTHOR, DATE)
    t, _ = piece(d, "adequate")
    (dele,) = wordml.delete_runs([wordml.run_of(t)], rev)
    assert dele.getparent().get(f"{W}author") == "Other Side"  # a deletion inside their insertion: valid
    ins = wordml.insert_after(dele, [wordml.new_run("general liability")], rev)
    assert ins.getparent().tag == f"{W}p"


def test_an_inserted_paragraph_has_its_mark_inserted_and_copies_the_paragraph_properties():
    d = styled_doc()
    d.paragraphs[0].paragraph_format.left_indent = Pt(36)
    p = d.paragraphs[0]._p
    rev = wordml.Revisions([d.element], AUTHOR, DATE)
    new = wordml.insert_paragraph_after(p, [wordml.new_run("6.3 Waiver. Vendor waives subrogation.")], rev)
    assert new.find(f"{W}pPr/{W}rPr/{W}ins").get(f"{W}author") == AUTHOR
    assert new.find(f"{W}pPr/{W}ind") is not None
    assert text_of(d).split("\n")[:3] == [
        "Vendor shall maintain adequate insurance.",
        "6.3 Waiver. Vendor waives subrogation.",
        "Next paragraph.",
    ]


def test_revision_ids_start_above_every_id_in_the_part():
    data = make_revised_docx(["A {++b++} c {--d--}."], author="Other Side")
    d = docx.Document(io.BytesIO(data))
    existing = {int(el.get(f"{W}id")) for el in d.element.iter(f"{W}ins", f"{W}del")}
    rev = wordml.Revisions([d.element], AUTHOR, DATE)
    assert int(rev.element("ins").get(f"{W}id")) > max(existing)


def _round_trip(build) -> tuple[str, str, str]:
    """Original text, text with our changes rejected, text with them accepted."""
    data = make_revised_docx(
        ["Vendor shall maintain {--adequate--}{++reasonable++} insurance.", "Second."], author="Other Side"
    )
    original = load_document("x.docx", data=data).text
    d = docx.Document(io.BytesIO(data))
    build(d, wordml.Revisions([d.element], AUTHOR, DATE))
    buf = io.BytesIO()
    d.save(buf)
    out = []
    for apply in (wordml.reject, wordml.accept):
        d2 = docx.Document(io.BytesIO(buf.getvalue()))
        apply(d2.element.body, AUTHOR)
        out.append(text_of(d2))
        # The other side's own changes are untouched.
        kinds = sorted((el.tag, el.get(f"{W}author")) for el in d2.element.body.iter(f"{W}ins", f"{W}del"))
        assert kinds == [(f"{W}del", "Other Side"), (f"{W}ins", "Other Side")]
    return original, out[0], out[1]


def test_reject_gives_back_the_original_and_accept_the_fixed_text():
    def build(d, rev):
        t, at = piece(d, "insurance")
        wordml.split_run(t, at + len("insurance"))
        target = wordml.split_run(t, at)
        (dele,) = wordml.delete_runs([target], rev)
        wordml.insert_after(dele, [wordml.new_run("liability insurance of $1,000,000")], rev)
        p = d.element.body.find(f"{W}p")
        wordml.insert_paragraph_after(p, [wordml.new_run("New clause.")], rev)

    original, rejected, accepted = _round_trip(build)
    assert rejected == original
    assert accepted.startswith(
        "Vendor shall maintain reasonable liability insurance of $1,000,000.\nNew clause.\nSecond."
    )


def test_trace_finds_every_character_of_the_text():
    data = make_revised_docx(["Vendor {++shall++} maintain {--no--} insurance.", [["a", "b{++c++}"]]])
    d = docx.Document(io.BytesIO(data))
    tr = trace_docx(d)
    assert tr.text == load_document("x.docx", data=data).text
    for p in tr.paragraphs:
        assert "".join(pc.text for pc in p.pieces) == tr.text[p.start : p.end]
