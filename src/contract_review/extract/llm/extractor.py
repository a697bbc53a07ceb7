"""The LLM extractor (registered as ``llm``): retrieve a document's insurance context, ask
the model through the structured-output chain, map its answer to a profile; documents of a
batch are asked concurrently. Importing this module builds no client, model or connection."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...chunking import Chunk
from ...errors import ConfigError, ExtractionError
from ...loaders import Document
from ...schema import InsuranceProfile, SearchedSection, Usage
from ...settings import Settings
from .. import Extraction, register_extractor
from ..retrieval import Context, retrieve
from . import retry
from .answer import ALL_FIELDS, FIELDS, OPTIONAL_FIELD_SPECS, answer_model
from .client import run_abatch, structured_chat
from .profile import to_profile
from .prompts import delimit, load_bundle
from .retry import Answer


@dataclass
class Prepared:
    """Everything about one document that is needed before and after the model call."""

    doc: Document
    context: Context
    fields: tuple[str, ...]
    messages: list
    notes: list[str] = field(default_factory=list)


class LLMExtractor:
    """Extract with an LLM over the retrieved context. Chain for one document::

        retrieve (Chroma top-k of this document  U  insurance keyword chunks  U  the sections
                  they cross-reference; document order; token budget, cuts noted)
          -> prompt (prompts/insurance-*.md, versioned; the contract text delimited as data)
          -> ChatOpenAI(...).with_structured_output(Answer, method="json_schema", include_raw=True)
          -> map the answer to schema.InsuranceProfile (quotes located with grounding.find_quote)

    The LLM proposes; deterministic code decides: the pipeline grounds every quote
    (:func:`contract_review.grounding.ground_profile`), the mapping also drops limits whose
    amount is not in the policy's quoted text and parties not named in the document.

    Endpoint: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and ``CONTRACT_REVIEW_LLM_MODEL`` (plus
    timeout, retries and concurrency) from :class:`~contract_review.settings.Settings`, so
    OpenAI, Azure OpenAI's v1 endpoint, Ollama and vLLM work without code changes. Failures:
    HTTP 429/5xx and timeouts are retried by the ``openai`` client (``max_retries``), then an
    optional fallback model (``llm_fallback_model``); an answer that does not parse is re-asked
    once with the validation error (:mod:`.retry`); after that
    :class:`~contract_review.errors.ExtractionError` (``llm_failed``) carrying attempts, usage
    and the raw output. Never a made-up answer."""

    name = "llm"
    prompt_version: str | None
    needs_store = True  # per instance: False when semantic retrieval is off (llm_top_k = 0)

    def __init__(self, settings: Settings, store: Any = None):
        if not settings.llm_configured:
            raise ConfigError(
                f"the {self.name!r} extractor needs an OpenAI-compatible endpoint: set OPENAI_API_KEY "
                "(OpenAI), or OPENAI_BASE_URL for a local server (Ollama: http://localhost:11434/v1), "
                "and CONTRACT_REVIEW_LLM_MODEL; or use --extractor rules (offline)"
            )
        self.settings = settings
        self.needs_store = settings.llm_top_k > 0
        self.bundle = load_bundle()
        self.prompt_version = self.bundle.version
        self._store = store
        self._chains: dict[tuple[str, ...], Any] = {}
        #: What :meth:`extract` asks when it is not told: the default schema, or with
        #: :meth:`for_requirements` also the optional per-policy requirements.
        self.fields: tuple[str, ...] = FIELDS

    def for_requirements(self) -> LLMExtractor:
        """This extractor asking also the optional ``policy_requirements`` answer group (who
        carries each policy, the terms on it, its form, duration and rating, when the
        certificate is due): what ``contract-review requirements`` and ``coi`` need. The
        default review's schema is unchanged."""
        other = copy.copy(self)
        other.fields = FIELDS + tuple(OPTIONAL_FIELD_SPECS)
        return other

    # ---- collaborators, built on first use
    @property
    def store(self):
        if self._store is None:
            from ...store import Store

            self._store = Store(self.settings)
        return self._store

    def chain(self, fields: tuple[str, ...]):
        """The structured-output chain over the answer schema of ``fields`` (+ fallback model)."""
        if fields not in self._chains:
            self._chains[fields] = structured_chat(self.settings, answer_model(fields))
        return self._chains[fields]

    # ---- steps
    def prepare(self, doc: Document, chunks: list[Chunk], fields: Sequence[str] | None = None) -> Prepared:
        """Retrieve the context and build the messages for ``doc`` (``fields``: the profile
        fields to ask, default :attr:`fields`)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        wanted = set(self.fields if fields is None else fields)
        fields = tuple(f for f in ALL_FIELDS if f in wanted)
        store = None
        if self.settings.llm_top_k > 0:
            store = self.store
            store.index(doc, chunks)  # no-op when the pipeline has indexed it already
        ctx = retrieve(doc, chunks, self.settings, store=store)
        notes = list(ctx.notes)
        note_text = ""
        if ctx.notes:
            note_text = "Note: " + " ".join(ctx.notes) + "\n"
        excerpts = delimit(ctx.text) if ctx.spans else "(no passage of this contract mentions insurance)"
        system = self.bundle.system.render(examples=self.bundle.examples.render())
        user = self.bundle.extract.render(
            document_name=doc.name,
            pages=len(doc.pages),
            fields=", ".join(fields),
            notes=note_text,
            excerpts=excerpts,
        )
        return Prepared(doc, ctx, fields, [SystemMessage(system), HumanMessage(user)], notes)

    def ask(self, prep: Prepared) -> Answer:
        """The model's answer for one prepared document (sync)."""
        return retry.ask(self.chain(prep.fields), prep.messages, self.settings.llm_max_retries)

    async def aask(self, prep: Prepared) -> Answer:
        """The same as :meth:`ask`, for ``abatch``."""
        return await retry.aask(self.chain(prep.fields), prep.messages, self.settings.llm_max_retries)

    def finish(self, prep: Prepared, answer: Answer) -> Extraction:
        from ..rules.contract_term import contract_term

        profile = to_profile(prep.doc, answer.parsed, prep.fields, prep.context)
        if profile.insurance_required:
            profile.contract_term = contract_term(prep.doc)  # deterministic, as the rules extractor reads it
        notes = list(prep.notes)
        if answer.attempts > 1:
            notes.append(f"the model's first answer did not match the schema; re-asked ({answer.attempts} answers)")
        usage = answer.tally.usage(answer.tally.model or self.settings.llm_model, self.settings)
        return Extraction(profile, usage=usage, prompt_version=self.prompt_version, notes=notes)

    # ---- the extractor protocol
    def without_model(self, prep: Prepared) -> Extraction:
        """No passage of the document mentions insurance (nor is similar enough to the
        insurance queries): nothing to ask. Every field is absent, the whole document was
        searched, and the model is not called (no cost, nothing to hallucinate from)."""
        from ...chunking import find_sections

        searched = [SearchedSection(page=s.page, section=s.title) for s in find_sections(prep.doc)]
        profile = InsuranceProfile(searched=searched, decided_by={f: "keyword-scan" for f in prep.fields})
        notes = prep.notes + ["no passage mentions insurance; the model was not called"]
        return Extraction(profile, usage=Usage(cost_usd=0.0), prompt_version=self.prompt_version, notes=notes)

    def extract(self, doc: Document, chunks: list[Chunk], fields: Sequence[str] | None = None) -> Extraction:
        prep = self.prepare(doc, chunks, fields)
        if not prep.context.spans:
            return self.without_model(prep)
        return self.finish(prep, self.ask(prep))

    def extract_batch(
        self,
        items: Sequence[tuple[Document, list[Chunk]]],
        fields: Sequence[str] | None = None,
    ) -> list[Extraction | ExtractionError]:
        """Extract many documents, the model calls concurrently (LangChain ``abatch`` with
        ``max_concurrency=settings.llm_concurrency``). One result per item, in order: an
        :class:`Extraction`, or the :class:`ExtractionError` of that document (the batch
        goes on). Any other exception is raised."""
        from langchain_core.runnables import RunnableLambda

        preps = [self.prepare(doc, chunks, fields) for doc, chunks in items]
        asked = [p for p in preps if p.context.spans]
        runner = RunnableLambda(self.ask, afunc=self.aask, name="insurance-extract")
        replies = iter(run_abatch(runner, asked, self.settings.llm_concurrency) if asked else [])
        out: list[Extraction | ExtractionError] = []
        for prep in preps:
            ans = next(replies) if prep.context.spans else None
            if ans is None:
                out.append(self.without_model(prep))
            elif isinstance(ans, ExtractionError):
                out.append(ans)
            elif isinstance(ans, BaseException):
                raise ans
            else:
                out.append(self.finish(prep, ans))
        return out


@register_extractor("llm")
def _factory(settings: Settings) -> LLMExtractor:
    return LLMExtractor(settings)
