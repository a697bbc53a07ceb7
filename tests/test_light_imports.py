"""What `contract-review review` imports before its findings are out, and the mechanisms
that keep it light: subcommands import their work inside the command, rich only for
standard error, the eval package's names on use, the lexicon's patterns compiled on use.

Real subprocesses and real modules; no timing here (the figures are eval/bench_review.py's)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_pdf

from contract_review.extract import lexicon
from contract_review.extract.lazyre import LazyPattern

CLAUSE = (
    "12. INSURANCE\nProvider shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence and shall name Client as an additional insured. Provider waives "
    "subrogation against Client."
)

# Runs the console script's main() and writes every module it imported to argv[1].
MODULES_AT_EXIT = r"""
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
from contract_review.cli import main
main()
"""

# Not needed to decide or print a review's findings (text format, no Word output, no index).
NOT_FOR_A_REVIEW = (
    "contract_review.evaluation.labels",
    "contract_review.evaluation.metrics",
    "contract_review.evaluation.runner",
    "contract_review.coi",
    "contract_review.batch",
    "contract_review.redline",
    "contract_review.memo",
    "contract_review.wordml",
    "contract_review.store",
    "contract_review.encoders",  # the semantic layer's encoder: not for a contract whose sentences the rules decided
    "contract_review.ui",
    "contract_review.extract.llm",
    "contract_review.extract.hybrid",
    "rich",
    "docx",
    "lxml",
    "openpyxl",
    "numpy",
    "chromadb",
    "langchain_text_splitters",
)


def _imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def _modules_of(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / "modules.json"
    r = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, str(out), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    return r, set(json.loads(out.read_text())) if out.exists() else set()


def test_a_review_imports_only_what_decides_and_prints_its_findings(tmp_path):
    pdf = tmp_path / "msa.pdf"
    pdf.write_bytes(make_pdf(["MASTER SERVICES AGREEMENT", "1. Services. Provider shall perform.", CLAUSE]))
    r, modules = _modules_of(tmp_path, "review", str(pdf), "--no-index")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "INS" in r.stdout and "msa.pdf" in r.stdout
    assert {"contract_review.pipeline", "contract_review.checks", "pypdfium2"} <= modules  # it did review
    assert _imported(modules, NOT_FOR_A_REVIEW) == []


def test_a_review_that_fails_on_its_file_still_imports_no_other_command(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really a pdf\n%%EOF\n")
    r, modules = _modules_of(tmp_path, "review", str(bad), "--no-index", "--format", "json")
    assert r.returncode == 2 and json.loads(r.stdout)["status"] == "error"
    assert _imported(modules, (*NOT_FOR_A_REVIEW, "contract_review.extract.semantic")) == []


def test_the_semantic_layer_is_imported_only_when_a_term_is_left_for_it(tmp_path):
    """The layer, turned on, is built when the rules leave a term to look for (this contract
    has no certificate clause); a contract with no insurance language never imports it, and
    by default (the layer off) no review does."""
    on = {"CONTRACT_REVIEW_SEMANTIC": "1"}
    pdf = tmp_path / "msa.pdf"
    pdf.write_bytes(make_pdf(["MASTER SERVICES AGREEMENT", "1. Services. Provider shall perform.", CLAUSE]))
    _, modules = _modules_of(tmp_path, "review", str(pdf), "--no-index", env=on)
    assert "contract_review.extract.semantic" in modules
    _, modules = _modules_of(tmp_path, "review", str(pdf), "--no-index")
    assert "contract_review.extract.semantic" not in modules
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf(["SUPPLY AGREEMENT", "1. Delivery. Seller shall deliver the widgets on time."]))
    r, modules = _modules_of(tmp_path, "review", str(plain), "--no-index", env=on)
    assert r.returncode == 0, r.stderr
    assert "contract_review.extract.semantic" not in modules


def test_importing_the_cli_imports_no_command_s_work():
    code = "import json, sys, contract_review.cli; print(json.dumps(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    modules = set(json.loads(r.stdout))
    assert "typer" in modules and "contract_review.evaluation.command" in modules  # eval's options are there
    work = (
        "contract_review.pipeline",
        "contract_review.checks",
        "contract_review.extract",
        "contract_review.loaders",
        "contract_review.report",
        "yaml",
        "pypdf",
        "pypdfium2",
    )
    assert _imported(modules, NOT_FOR_A_REVIEW + work) == []


def test_a_usage_error_still_prints_typer_s_short_message(tmp_path):
    """rich is imported on use now: the messages on standard error are unchanged."""
    r = subprocess.run(
        [sys.executable, "-m", "contract_review.cli", "review", str(tmp_path / "x.pdf"), "--format", "docx"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    assert r.stderr == "error (usage): --format docx writes a Word file: give it a path with --output\n"


def test_the_eval_package_gives_its_names_on_use():
    code = (
        "import sys, contract_review.evaluation as ev\n"
        "assert 'contract_review.evaluation.labels' not in sys.modules\n"
        "from contract_review.evaluation import Confusion, LabelError, load_labels\n"
        "from contract_review.evaluation.labels import load_labels as direct\n"
        "assert load_labels is direct and issubclass(LabelError, Exception) and Confusion\n"
        "try:\n    ev.no_such_name\nexcept AttributeError as e:\n    print(e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "has no attribute 'no_such_name'" in r.stdout


def test_review_imports_the_pdf_parsers_before_its_loading_thread_starts():
    """The thread that parses is left with the parse: the main thread imports the parsers
    (and only a PDF's, with the parser configured)."""
    code = (
        "import sys\n"
        "from contract_review.loaders import import_parsers\n"
        "from contract_review.settings import Settings\n"
        "import_parsers('a.docx', Settings())\n"
        "print(sorted(m for m in ('pypdf', 'pypdfium2') if m in sys.modules))\n"
        "import_parsers('b.PDF', Settings(pdf_parser='pypdf'))\n"
        "print(sorted(m for m in ('pypdf', 'pypdfium2') if m in sys.modules))\n"
        "import_parsers('c.pdf', Settings())\n"
        "print(sorted(m for m in ('pypdf', 'pypdfium2') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[]", "['pypdf']", "['pypdf', 'pypdfium2']"]


# --------------------------------------------------------------------------- lazy patterns


def _lazy_patterns(value, seen: set[int]) -> list[LazyPattern]:
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, LazyPattern):
        return [value]
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return []
    return [p for item in items for p in _lazy_patterns(item, seen)]


def test_every_lazy_pattern_compiles():
    """A pattern compiled on use could hide a typo until a rare clause met it: every one of
    the lexicon's and of the term reader's is compiled here."""
    from contract_review.extract.rules import contract_term

    seen: set[int] = set()
    patterns = [p for mod in (lexicon, contract_term) for v in vars(mod).values() for p in _lazy_patterns(v, seen)]
    assert len(patterns) > 60  # the registries' patterns too (TERM_RULES, BASIS_PATTERNS, ...)
    for p in patterns:
        assert isinstance(p.compiled, re.Pattern)  # a bad pattern raises re.error here
        assert p.search == p.compiled.search  # from now on, the compiled pattern's own method


def test_a_lazy_pattern_compiles_once_on_first_use_then_is_the_compiled_pattern():
    p = LazyPattern(r"insur(?P<tail>\w*)", re.I)
    assert p.pattern == r"insur(?P<tail>\w*)" and "_compiled" not in vars(p)  # the source, not compiled
    m = p.search("the INSURANCE clause")
    assert m is not None and m.group("tail") == "ANCE"
    compiled = p.compiled
    assert p.search.__self__ is compiled and p.finditer.__self__ is compiled  # no wrapper on later calls
    assert p.flags == compiled.flags and p.groupindex == {"tail": 1} and p.groups == 1
    assert [x.group() for x in p.finditer("insured, insurer")] == ["insured", "insurer"]
    assert p.sub("X", "insurance") == "X" and p.compiled is compiled
    with pytest.raises(AttributeError):
        p.no_such_attribute  # noqa: B018


def test_a_bad_lazy_pattern_raises_re_error_when_first_used():
    p = LazyPattern(r"(unclosed")
    with pytest.raises(re.error):
        p.search("text")


def test_compile_pending_compiles_while_busy_and_leaves_a_bad_pattern_to_its_use():
    from contract_review.extract.lazyre import compile_pending

    a, b, bad = LazyPattern(r"a+"), LazyPattern(r"b+"), LazyPattern(r"(unclosed")
    compile_pending(lambda: "_compiled" not in vars(a))  # busy until ``a`` is compiled
    assert "_compiled" in vars(a) and "_compiled" not in vars(b)
    compile_pending(lambda: True)
    assert "_compiled" in vars(b) and b.search("abb").group() == "bb"
    with pytest.raises(re.error):
        bad.search("text")
