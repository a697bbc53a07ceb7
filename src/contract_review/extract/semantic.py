"""The semantic layer: recall of paraphrased terms of cover, offline.

The rules extractor finds a term by its wording ("additional insured", "waive ...
subrogation"); a contract that says the same thing in other words ("Owner shall be an
insured party under Contractor's liability policies") slips through. This layer embeds the
sentences of the document's insurance region (and only those, in batches, with the bundled
MiniLM encoder the store uses, loaded once per process) and compares each with prototype
statements of every term (``prompts/semantic-prototypes.yaml``, versioned). A term the rules
did not find is added, with the sentence as its citation, when a sentence is close enough to
one of its prototypes, closer to it than to every contrast statement of that term, and
closer to this term's prototypes than to any other term's (a sentence states one term).

It only ever adds. Negation and conditions still win:

- a sentence that negates or conditions a duty ("need not", "is not required to", "unless
  requested", "has no obligation") is not read at all (:data:`NEGATED_OR_CONDITIONAL`);
- a term the rules found only negated (marked uncertain with no evidence) is not added;
- a sentence that places a notice after the cover has ended is not read for notice of
  cancellation (:data:`AFTER_THE_EVENT`), one in which insurers keep their rights of
  subrogation not for a waiver (:data:`SUBROGATION_KEPT`);
- a term the rules found is left as the rules decided it.

What the layer decides alone is recorded as ``profile.decided_by[term] =
"semantic:semantic-prototypes@<version>"`` and shown as such in the UI.

It is off by default (``Settings.semantic``; ``CONTRACT_REVIEW_SEMANTIC=1`` or ``semantic =
true`` in the config file turns it on: the README says why) and runs on the configured encoder backend
(:mod:`contract_review.encoders`, onnx-int8 by default: no torch once the export is cached).
The encoder is loaded once per process, lazily: only when a document's insurance region has
sentences the rules did not decide (:meth:`SemanticLayer.undecided`), so a contract without
insurance language, or whose every insurance sentence is the rules' evidence of a term they
found, never loads it. Its cost is measured by ``eval/bench_screen.py`` (see the README).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import yaml

from ..errors import ConfigError
from ..schema import TERM_FIELDS, InsuranceProfile, Term
from ..settings import Settings
from . import lexicon as lx
from .rules.clauses import MAX_EVIDENCE, is_heading
from .rules.state import Run

if TYPE_CHECKING:  # pragma: no cover
    from ..encoders import Encoder

DECIDED_BY = "semantic"
DEFAULT_BACKEND = "onnx-int8"  # what embedding_backend "auto" means here: the thresholds were set on it
SEMANTIC_THREADS = 1  # when Settings.embedding_threads is 0 (see SemanticLayer.for_settings)

#: A sentence that negates or conditions a duty: the layer never reads it. Idioms that are
#: positive statements of a term ("not less than", "may not be cancelled", "no right of
#: recovery", "shall not contribute") are taken out before this is searched (:data:`POSITIVE_IDIOM`).
NEGATED_OR_CONDITIONAL = re.compile(
    r"\bneed\s+not\b|\b(?:is|are|be|being|was|were)\s+not\s+(?:required|obligated|obliged|necessary)\b"
    r"|\b(?:shall|will|must|does|do|did|may|can|cannot)\s*(?:not|n't)\s+(?:be\s+)?(?:required|obligated|obliged|have\s+to|need)\b"
    r"|\bno\s+(?:obligation|duty|requirement|responsibility)\b|\bnot\s+(?:be\s+)?(?:obligated|obliged)\b"
    r"|\bunless\s+(?:and\s+until\s+)?(?:(?:so\s+)?requested|required|otherwise\s+(?:agreed|required|requested)|\w+\s+(?:so\s+)?(?:requests?|requires?|elects?|agrees?))"
    r"|\bat\s+(?:its|their|the\s+\w+'?s?)\s+(?:sole\s+)?(?:option|discretion)\b|\bmay,?\s+but\s+(?:shall|need)\s+not\b"
    r"|\bnothing\s+(?:herein|in\s+this)\b|\bwaives?\s+(?:any\s+)?(?:requirement|right\s+to\s+require)\b"
    r"|\b(?:not|never)\b|\bno\b|\bneither\b|\bnor\b|\bwithout\s+(?:any\s+)?obligation\b",
    re.I,
)
#: Positive statements of a term that contain a negative word.
POSITIVE_IDIOM = re.compile(
    r"\bnot\s+(?:less|fewer|lower)\s+than\b|\bno\s+(?:less|fewer|later|lower)\s+than\b"
    r"|\b(?:shall|will|may|must|can)\s+not\s+(?:be\s+)?(?:materially\s+)?(?:cancell?ed|cancel|terminated|terminate|lapse|"
    r"changed|change|modified|reduced|altered|non-?renewed|suspended|voided|expire)\b"
    r"|\bnot\s+(?:be\s+)?subject\s+to\s+(?:cancell?ation|termination|non-?renewal|reduction)\b"
    r"|\bno\s+(?:right|rights)\s+of\s+(?:subrogation|recovery|recourse|contribution)\b|\bno\s+recourse\b|\bno\s+right\s+to\s+recover\b"
    r"|\b(?:shall|will)\s+(?:have\s+)?no\s+(?:claim|right)s?\s+against\b"
    r"|\bnot\s+(?:be\s+)?(?:contribut\w*|called\s+upon\s+to\s+contribute|in\s+excess\s+of)\b|\bnon-?contribut\w*"
    r"|\bwithout\s+(?:the\s+)?(?:right\s+of\s+)?contribution\b|\bno\s+(?:cancell?ation|change|reduction)\b"
    r"|\bnot\s+(?:otherwise\s+)?prohibited\b",
    re.I,
)
#: Notice given after the cover has ended is not notice of cancellation (which comes before
#: the cancellation takes effect): a sentence that places the notice after the event is not
#: read for that term, however close it is to its prototypes (the encoder hardly tells
#: "before" from "after").
AFTER_THE_EVENT = re.compile(
    r"\b(?:after|following)\s+(?:any\s+|the\s+|such\s+|its\s+|a\s+)?(?:\w+\s+)?"
    r"(?:cancell?ation|lapse|non-?renewal)\b"
    r"|\b(?:has|have|had)\s+been\s+(?:cancell?ed|non-?renewed)\b|\bafter\s+(?:it|they)\s+(?:is|are)\s+cancell?ed\b",
    re.I,
)
#: Insurers that keep their rights of subrogation have not waived them (the encoder reads
#: "retain all rights of subrogation" as close to "waive all rights of subrogation").
SUBROGATION_KEPT = re.compile(
    r"\b(?:retain|reserve|preserve|keep|maintain)(?:s|ed|ing)?\s+(?:(?:all|any|its|their|the|such|full)\s+)*"
    r"(?:rights?\s+(?:of|to)\s+)?subrogat",
    re.I,
)
#: Per term, the sentences the layer does not read for it.
NOT_READ_FOR = {"cancellation_notice": AFTER_THE_EVENT, "waiver_of_subrogation": SUBROGATION_KEPT}
SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[(\[A-Z0-9\"'])|\n\s*\n")
MAX_SENTENCE = 600  # longer sentences are cut at clause boundaries (the encoder reads 256 word pieces)
MIN_SENTENCE = 25


@dataclass(frozen=True)
class TermPrototypes:
    """The statements of one term: what it looks like and what only looks alike."""

    name: str
    threshold: float
    prototypes: tuple[str, ...]
    contrasts: tuple[str, ...]


@dataclass(frozen=True)
class Prototypes:
    name: str
    version: int
    terms: dict[str, TermPrototypes]
    sha256: str

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


def prototypes_path() -> Path:
    return Path(__file__).resolve().parent.parent / "prompts" / "semantic-prototypes.yaml"


def load_prototypes(path: str | Path | None = None) -> Prototypes:
    """Read and check the prototypes file; a malformed one is a :class:`ConfigError`."""
    p = Path(path) if path else prototypes_path()
    raw = p.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: not valid YAML: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
        raise ConfigError(f"{p}: expected a mapping with 'name', 'version' and 'terms'")
    if not isinstance(data.get("version"), int) or not data.get("name"):
        raise ConfigError(f"{p}: 'name' and an integer 'version' are required")
    terms: dict[str, TermPrototypes] = {}
    for name, spec in data["terms"].items():
        if name not in TERM_FIELDS:
            raise ConfigError(f"{p}: unknown term {name!r} (one of {', '.join(TERM_FIELDS)})")
        if not isinstance(spec, dict) or not spec.get("prototypes"):
            raise ConfigError(f"{p}: term {name!r} needs a list of prototypes")
        thr = spec.get("threshold")
        if not isinstance(thr, int | float) or not 0 < thr < 1:
            raise ConfigError(f"{p}: term {name!r}: threshold must be a number between 0 and 1")
        terms[name] = TermPrototypes(
            name,
            float(thr),
            tuple(str(s) for s in spec["prototypes"]),
            tuple(str(s) for s in spec.get("contrasts") or ()),
        )
    return Prototypes(str(data["name"]), data["version"], terms, hashlib.sha256(raw).hexdigest())


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans (document offsets) of the sentences of ``text``, long ones cut at ``;``/``,``."""
    spans: list[tuple[int, int]] = []
    start = 0
    cuts = [m.start() for m in SENTENCE_END.finditer(text)] + [len(text)]
    for cut in cuts:
        a, b = start, cut
        start = cut
        while b - a > MAX_SENTENCE:
            piece = text[a : a + MAX_SENTENCE]
            k = max(piece.rfind("; "), piece.rfind(", "))
            k = k + 1 if k > MIN_SENTENCE else MAX_SENTENCE
            spans.append((a, a + k))
            a += k
        spans.append((a, b))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= MIN_SENTENCE:
            out.append((offset + a, offset + b))
    return out


def negated_or_conditional(sentence: str) -> bool:
    """The sentence negates or conditions a duty (positive idioms such as "not less than"
    or "may not be cancelled" do not count)."""
    return bool(NEGATED_OR_CONDITIONAL.search(POSITIVE_IDIOM.sub(" ", sentence)))


_PROTO_LOCK = threading.Lock()
_PROTO_CACHE: dict[tuple[str, str], dict[str, tuple[Any, Any]]] = {}


class SemanticLayer:
    """Adds paraphrased terms to a rules profile. One per extractor; the encoder and the
    prototype embeddings are shared by every layer of the process."""

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        prototypes: Prototypes | None = None,
        batch_size: int = 32,
        backend: str = DEFAULT_BACKEND,
        cache: Path | None = None,
        threads: int = 0,
    ):
        backends = get_args(Settings.model_fields["embedding_backend"].annotation)  # encoders.BACKENDS
        if backend not in backends:
            raise ConfigError(f"unknown embedding backend {backend!r} (one of {', '.join(backends)})")
        self.model_name = model
        self.prototypes = prototypes or load_prototypes()
        self.batch_size = batch_size
        self.backend = DEFAULT_BACKEND if backend == "auto" else backend
        self.cache = cache
        self.threads = threads

    @classmethod
    def for_settings(cls, settings: Settings) -> SemanticLayer:
        """The layer on the configured encoder: ``embedding_model`` on ``embedding_backend``
        (onnx-int8 for ``auto``, the default), its export cached in ``encoder_cache_dir``, with
        ``embedding_threads`` threads or one: the layer reads a few short sentences per
        document, which one thread encodes faster than two (65 sentences of 14 contracts:
        0.63 s against 1.08 s, on a shared 2-core machine) while the other core parses."""
        return cls(
            settings.embedding_model,
            backend=settings.embedding_backend,
            cache=settings.encoder_cache_dir,
            threads=settings.embedding_threads or SEMANTIC_THREADS,
        )

    @property
    def decided_by(self) -> str:
        return f"{DECIDED_BY}:{self.prototypes.ref}"

    def encoder(self) -> Encoder:
        """The process's one encoder for this model and backend, built on first use (the
        first document with sentences to read pays the load; a warm worker does not)."""
        from ..encoders import get_encoder

        cache = self.cache if self.cache is not None else Settings().encoder_cache_dir
        return get_encoder(self.model_name, self.backend, cache, self.threads)

    def _encode(self, texts: list[str]):
        return self.encoder().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )

    def prototype_vectors(self) -> dict[str, tuple[Any, Any]]:
        """Per term, the (prototypes, contrasts) embeddings: computed once per process,
        backend and prototypes version."""
        key = (f"{self.model_name}:{self.backend}", self.prototypes.sha256)
        with _PROTO_LOCK:
            if key not in _PROTO_CACHE:
                names = list(self.prototypes.terms)
                texts = [
                    s
                    for n in names
                    for s in (*self.prototypes.terms[n].prototypes, *self.prototypes.terms[n].contrasts)
                ]
                vecs = self._encode(texts)
                out, i = {}, 0
                for n in names:
                    tp = self.prototypes.terms[n]
                    pos = vecs[i : i + len(tp.prototypes)]
                    i += len(tp.prototypes)
                    neg = vecs[i : i + len(tp.contrasts)]
                    i += len(tp.contrasts)
                    out[n] = (pos, neg)
                _PROTO_CACHE[key] = out
            return _PROTO_CACHE[key]

    def candidates(self, run: Run) -> list[tuple[int, int]]:
        """The sentences of the insurance region the layer reads: in an insurance context
        (as the rules' terms require), not a heading, not negated or conditional."""
        clauses = run.clauses
        out: list[tuple[int, int]] = []
        prev = ""
        for u in run.region.units:
            t = clauses.text(u)
            context, prev = prev, t
            if not (lx.INSURANCE_CONTEXT.search(t) or lx.INSURANCE_CONTEXT.search(context[-200:])):
                continue
            for a, b in sentences(t, u[0]):
                s = clauses.norm[a:b]
                if is_heading(s) or negated_or_conditional(s):
                    continue
                out.append((a, b))
        return out

    def undecided(self, run: Run, profile: InsuranceProfile) -> list[tuple[int, int]]:
        """The :meth:`candidates` the rules did not decide: a sentence the rules cite as the
        evidence of a term they found states that term (a sentence states one term, as the
        layer itself assumes), so it is not read again. When none is left, the encoder is
        not needed (nor loaded)."""
        decided = [
            (c.start, c.end) for n in TERM_FIELDS if getattr(profile, n).present for c in getattr(profile, n).evidence
        ]
        return [(a, b) for a, b in self.candidates(run) if not any(a < e and s < b for s, e in decided)]

    def scores(self, texts: list[str]) -> dict[str, list[tuple[float, float]]]:
        """For each term, per text: (best similarity to a prototype, best to a contrast)."""
        protos = self.prototype_vectors()
        vecs = self._encode(texts)
        out: dict[str, list[tuple[float, float]]] = {}
        for name, (pos, neg) in protos.items():
            sp = vecs @ pos.T
            sn = vecs @ neg.T if len(neg) else None
            out[name] = [
                (float(sp[i].max()), float(sn[i].max()) if sn is not None else -1.0) for i in range(len(texts))
            ]
        return out

    def add_terms(self, run: Run, profile: InsuranceProfile) -> list[str]:
        """Add to ``profile`` the terms the rules missed and a sentence states; return them."""
        wanted = [
            n
            for n in self.prototypes.terms
            if not getattr(profile, n).present and n not in run.uncertain  # negated by the rules: they win
        ]
        if not wanted or not profile.insurance_required:
            return []
        spans = self.undecided(run, profile)
        if not spans:
            return []
        clauses = run.clauses
        texts = [clauses.norm[a:b] for a, b in spans]
        scores = self.scores(texts)
        added = []
        for name in wanted:
            thr = self.prototypes.terms[name].threshold
            excluded = NOT_READ_FOR.get(name)
            hits = sorted(
                (
                    (p, i)
                    for i, (p, n) in enumerate(scores[name])
                    if p >= thr
                    and p > n
                    and all(p >= scores[o][i][0] for o in scores if o != name)
                    and not (excluded and excluded.search(texts[i]))
                ),
                reverse=True,
            )
            if not hits:
                continue
            term = Term(present=True)
            for _score, i in hits[:MAX_EVIDENCE]:
                a, b = spans[i]
                term.evidence.append(clauses.cite(a, b, a))
            setattr(profile, name, term)
            profile.decided_by[name] = self.decided_by
            added.append(name)
        return added
