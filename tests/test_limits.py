"""The pieces behind bounded input, one by one: the escaping of names and messages, the
span lookup of the rules extractor, the time budget, the loaders' checks and discovery's
reports (the whole path through the CLI is tests/test_hostile_files.py)."""

from __future__ import annotations

import io
import os
import random
import signal
import time
import zipfile

import hostile
import pytest
from builders import make_docx

from contract_review.batch import discover
from contract_review.budget import time_budget
from contract_review.errors import Timeout, TooLarge, UnsupportedType, plain_message
from contract_review.extract.rules.clauses import Spans
from contract_review.fmt import printable
from contract_review.loaders import load_document, load_docx, load_text
from contract_review.settings import Settings


def test_printable_escapes_controls_and_keeps_letters():
    assert printable("a\nb.pdf") == "a\\nb.pdf"
    assert printable("x\x1b[2Jy") == "x\\x1b[2Jy"
    assert printable("r\u202egpj.pdf") == "r\\u202egpj.pdf"
    assert printable("a\\nb") == "a\\\\nb"  # a real backslash cannot pass for an escape
    assert printable("Café Müller & Co.pdf") == "Café Müller & Co.pdf"


def test_plain_message_drops_object_reprs():
    m = plain_message("Package not found at '<_io.BytesIO object at 0x7f3a2b9c>'")
    assert "0x" not in m and "BytesIO" in m


def test_spans_answer_like_a_scan_of_every_span():
    rng = random.Random(7)
    spans = [(a, a + rng.randint(0, 40)) for a in (rng.randint(0, 2000) for _ in range(200))]
    s = Spans(spans)
    for pos in range(-5, 2100):
        assert (pos in s) == any(a <= pos < b for a, b in spans), pos
    assert not Spans([]) and 3 not in Spans([])


def test_time_budget_interrupts_and_restores_the_handler():
    before = signal.getsignal(signal.SIGALRM)
    t0 = time.monotonic()
    with pytest.raises(Timeout, match="time_budget"), time_budget(0.2):
        while True:
            pass
    assert time.monotonic() - t0 < 2
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_budget_fires_again_when_a_library_swallows_it():
    with pytest.raises(Timeout), time_budget(0.1):
        try:
            time.sleep(5)
        except Exception:  # a careless library
            pass
        time.sleep(5)


def test_no_budget_is_no_timer():
    with time_budget(0):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_docx_ratio_and_size_are_checked_before_inflating(tmp_path):
    bomb = hostile.docx_bomb(tmp_path, inflated=8 * hostile.MB)
    with pytest.raises(TooLarge, match="max_compression_ratio"):
        load_docx(bomb.read_bytes(), Settings())
    big = hostile.docx_large_part(tmp_path, 2 * hostile.MB)
    with pytest.raises(TooLarge, match="max_unzipped_bytes"):
        load_docx(big.read_bytes(), Settings(max_unzipped_bytes=hostile.MB))
    assert load_docx(big.read_bytes(), Settings())  # within the defaults: read


def test_text_after_an_entity_is_kept(tmp_path):
    pages = load_docx(hostile.docx_entity(tmp_path).read_bytes(), Settings())
    assert "additional insured" in "\n".join(pages)


def test_text_encodings():
    clause = "Supplier shall maintain insurance — 12 Straße"
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = clause.encode(codec) if codec != "utf-16-be" else b"\xfe\xff" + clause.encode(codec)
        assert load_text(data, Settings()) == [clause], codec
    assert load_text(clause.encode("utf-8-sig"), Settings()) == [clause]
    with pytest.raises(Exception, match="binary"):
        load_text(b"\x00\x01\x02abc", Settings())
    with pytest.raises(TooLarge, match="max_chars"):
        load_text(b"x" * 101, Settings(max_chars=100))


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    pipe = hostile.fifo(tmp_path)  # opening it for reading would block: nobody writes
    with pytest.raises(UnsupportedType, match="named pipe"):
        load_document(pipe, Settings())


def test_discovery_reports_links_out_and_follows_them_on_request(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    outside.mkdir()
    hostile.good_file(root)
    hostile.symlink_out(root, outside)
    (outside / "deep").mkdir()
    (outside / "deep" / "x.txt").write_text(hostile.CLAUSE)
    os.symlink(outside / "deep", root / "deeplink")
    os.symlink(root / "good.txt", root / "inside.txt")  # a link inside the folder is read
    found = discover([root])
    assert set(found.problems) == {str(root / "link.txt"), str(root / "deeplink")}
    assert all(isinstance(e, UnsupportedType) for e in found.problems.values())
    assert str(root / "inside.txt") in found
    followed = discover([root], follow_symlinks=True)
    assert not followed.problems
    assert str(root / "link.txt") in followed and str(root / "deeplink" / "x.txt") in followed


def test_discovery_survives_a_link_loop_when_following(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    hostile.good_file(root)
    os.symlink(root, root / "loop")
    assert discover([root], follow_symlinks=True) == [str(root / "good.txt")]


def test_zip_directory_is_what_bounds_inflation():
    """Python's zipfile never inflates a part beyond the size its directory gives, so
    checking the directory's sizes bounds the memory of reading the package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"A" * 100_000)
    data = bytearray(buf.getvalue())
    # lie in the central directory: 100 bytes instead of 100,000
    cd = data.rindex(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (100).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z, pytest.raises(zipfile.BadZipFile):
        z.read("word/document.xml")  # never more than it declared: a CRC error, not 100 KB


def test_docx_of_the_builders_still_loads():
    assert "INSURANCE" in "\n".join(load_docx(make_docx([hostile.CLAUSE]), Settings()))
