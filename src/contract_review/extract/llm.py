"""The LLM extractor: LangChain + any OpenAI-compatible endpoint, structured output, grounded.

Chain for one document::

    retrieve (Chroma top-k of this document  U  insurance keyword chunks  U  the sections
              they cross-reference; document order; token budget, cuts noted)
      -> prompt (prompts/insurance-*.md, versioned; the contract text delimited as data)
      -> ChatOpenAI(...).with_structured_output(Answer, method="json_schema", include_raw=True)
      -> map the answer to schema.InsuranceProfile (quotes located with grounding.find_quote)

The LLM proposes; deterministic code decides: the pipeline grounds every quote
(:func:`contract_review.grounding.ground_profile`), this module also drops limits whose
amount is not in the policy's quoted text and parties not named in the document.

Endpoint: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and ``CONTRACT_REVIEW_LLM_MODEL`` (plus
timeout, retries and concurrency) from :class:`~contract_review.settings.Settings`, so
OpenAI, Azure OpenAI's v1 endpoint, Ollama and vLLM work without code changes. Failures:
HTTP 429/5xx and timeouts are retried by the ``openai`` client (``max_retries``, exponential
backoff honouring ``Retry-After``), then an optional fallback model
(``llm_fallback_model``, LangChain ``with_fallbacks``); an answer that does not parse is
re-asked once with the validation error; after that :class:`~contract_review.errors.ExtractionError`
(``llm_failed``) carrying attempts, usage and the raw output. Never a made-up answer.

Importing this module builds nothing: no client, no model, no network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from ..chunking import Chunk
from ..errors import ConfigError, ExtractionError
from ..grounding import find_quote
from ..loaders import Document
from ..schema import (
    TERM_FIELDS,
    Basis,
    Citation,
    InsuranceProfile,
    Limit,
    Policy,
    PolicyType,
    SearchedSection,
    Term,
    UngroundedQuote,
    Usage,
)
from ..settings import Settings
from . import Extraction, register_extractor
from .retrieval import Context, retrieve

# --------------------------------------------------------------------------- prompts

PROMPT_NAME = "insurance-extract"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def prompts_dir() -> Path:
    """``contract_review/prompts`` (package data, a symlink to the top-level ``prompts/`` in
    a checkout), else the checkout's ``prompts/``."""
    pkg = resources.files("contract_review") / "prompts"
    if pkg.is_dir():
        return Path(str(pkg))
    return Path(__file__).resolve().parents[3] / "prompts"


@dataclass(frozen=True)
class Prompt:
    """One prompt file: YAML front matter (``name``, ``version``, ``variables``) + a body
    with ``{{placeholders}}``."""

    name: str
    version: int
    variables: tuple[str, ...]
    body: str
    meta: dict

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: Any) -> str:
        """The body with every placeholder filled. A missing variable is a ConfigError that
        names it; values are inserted once (text inside a value is never re-expanded)."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ConfigError(f"prompt {self.ref}: missing variable(s) {', '.join(repr(m) for m in missing)}")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.body)


def parse_prompt(text: str, origin: str = "<prompt>") -> Prompt:
    m = _FRONT_MATTER.match(text)
    if not m:
        raise ConfigError(f"prompt {origin}: no YAML front matter (--- name/version/variables ---)")
    meta = yaml.safe_load(m.group(1)) or {}
    for key in ("name", "version"):
        if key not in meta:
            raise ConfigError(f"prompt {origin}: front matter has no {key!r}")
    body = text[m.end() :]
    declared = tuple(meta.get("variables") or ())
    used = sorted(set(_PLACEHOLDER.findall(body)))
    undeclared = [u for u in used if u not in declared]
    if undeclared:
        raise ConfigError(
            f"prompt {meta['name']}@{meta['version']}: placeholder(s) not declared in "
            f"variables: {', '.join(repr(u) for u in undeclared)}"
        )
    return Prompt(str(meta["name"]), int(meta["version"]), declared, body, meta)


@lru_cache(maxsize=16)
def load_prompt(name: str, directory: str | None = None) -> Prompt:
    path = Path(directory) if directory else prompts_dir()
    file = path / f"{name}.md"
    if not file.is_file():
        raise ConfigError(f"prompt {name!r} not found in {path}")
    prompt = parse_prompt(file.read_text(encoding="utf-8"), str(file))
    if prompt.name != name:
        raise ConfigError(f"prompt file {file} declares name {prompt.name!r}")
    return prompt


@dataclass(frozen=True)
class PromptBundle:
    system: Prompt
    examples: Prompt
    extract: Prompt

    @property
    def version(self) -> str:
        return self.extract.ref


def load_bundle(name: str = PROMPT_NAME, directory: str | None = None) -> PromptBundle:
    """The extract prompt with the system prompt and examples it names (``system:
    insurance-system@1``); a version that disagrees is an error naming both."""
    extract = load_prompt(name, directory)
    parts = {}
    for role in ("system", "examples"):
        ref = extract.meta.get(role)
        if not ref or "@" not in str(ref):
            raise ConfigError(f"prompt {extract.ref}: front matter must name its {role} prompt as name@version")
        pname, pver = str(ref).split("@", 1)
        p = load_prompt(pname, directory)
        if str(p.version) != pver:
            raise ConfigError(
                f"prompt {extract.ref} expects {ref} but {p.ref} is installed; bump the versions together"
            )
        parts[role] = p
    return PromptBundle(parts["system"], parts["examples"], extract)


# --------------------------------------------------------------------------- the answer schema
# What the model sees is this schema: every field has a description, closed sets are Literals,
# absence is an explicit ``present: false``. No defaults: OpenAI's strict mode needs every key.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TermAnswer(_Strict):
    """Whether the contract requires this insurance term, with the verbatim quotes that show it."""

    present: bool = Field(description="True only if a quoted passage of the contract requires this term; else false.")
    quotes: list[str] = Field(
        description="Verbatim passages (each under 300 characters) that show the term; empty when not present."
    )


class LimitAnswer(_Strict):
    """One minimum amount of coverage the contract requires."""

    amount: float | None = Field(
        description="The amount in currency units (2000000 for $2,000,000 or 'two million'); null when redacted."
    )
    currency: str | None = Field(
        description="Currency as written, as an ISO code (USD, GBP, EUR, CAD...); null when redacted."
    )
    basis: Basis = Field(description="What the amount applies to; 'other' when the contract does not say.")
    redacted: bool = Field(description="True when the amount is blanked out in the filing, e.g. '$[***]' or '[*]'.")


class PolicyAnswer(_Strict):
    """A type of insurance a party must carry."""

    type: PolicyType = Field(description="The kind of coverage; 'other' when none of the listed kinds fits.")
    limits: list[LimitAnswer] = Field(
        description="Every minimum amount required for this coverage; empty when no amount is stated."
    )
    quotes: list[str] = Field(
        description="Verbatim passages (each under 300 characters) that require this coverage and state its limits."
    )


_TERM_DESCRIPTIONS = {
    "additional_insured": "Some party must be named or included as an additional insured (also 'additional named "
    "insured', 'named as an insured'); a loss payee or certificate holder does NOT count.",
    "waiver_of_subrogation": "The policies or a party must waive rights of subrogation or recovery against a party. "
    "A party's own right to be subrogated is NOT a waiver.",
    "primary_noncontributory": "Coverage must be primary and/or non-contributory to the other party's insurance.",
    "certificate_of_insurance": "A certificate of insurance, a copy of the policy or other evidence of coverage must "
    "be delivered (on request counts).",
    "cancellation_notice": "Prior notice must be given before cancellation, non-renewal or material change of "
    "coverage (a duty to report a lapse afterwards does NOT count).",
}

# Profile field (the unit of Extraction.uncertain) -> fields of the answer schema.
FIELD_SPECS: dict[str, dict[str, tuple[Any, Any]]] = {
    "insurance_required": {
        "insurance_required": (
            bool,
            Field(
                description="True when a party must obtain, carry or maintain insurance, "
                "or represents that it does. A bare mention of insurance is not a requirement."
            ),
        ),
        "insurance_quotes": (
            list[str],
            Field(
                description="Verbatim passages (each under 300 characters) that impose "
                "the insurance obligation; empty when insurance_required is false."
            ),
        ),
        "obligated_parties": (
            list[str],
            Field(
                description="Who must carry the insurance, named as in the contract "
                "(e.g. 'Distributor'); empty when none."
            ),
        ),
    },
    "policies": {
        "policies": (
            list[PolicyAnswer],
            Field(description="Each type of insurance a party must carry; empty when none."),
        ),
    },
    **{name: {name: (TermAnswer, Field(description=desc))} for name, desc in _TERM_DESCRIPTIONS.items()},
    "vague_language": {
        "vague_language": (
            list[str],
            Field(
                description="Verbatim insurance obligations that set no concrete amount or "
                "rely on a qualitative standard ('adequate', 'reasonable', "
                "'customary', 'as X may require'); empty when none."
            ),
        ),
    },
}
FIELDS: tuple[str, ...] = tuple(FIELD_SPECS)


@lru_cache(maxsize=64)
def answer_model(fields: tuple[str, ...] = FIELDS) -> type[BaseModel]:
    """The answer schema restricted to ``fields`` (profile field names), in a stable order."""
    unknown = [f for f in fields if f not in FIELD_SPECS]
    if unknown:
        raise ConfigError(f"unknown extraction field(s): {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    spec: dict[str, Any] = {}
    for f in FIELDS:
        if f in fields:
            spec.update(FIELD_SPECS[f])
    return create_model(
        "InsuranceAnswer",
        __base__=_Strict,
        __doc__="What one contract requires of insurance. Every fact is backed by verbatim quotes from the "
        "contract; a term the contract does not require has present=false and no quotes.",
        **spec,
    )


# --------------------------------------------------------------------------- usage and cost

# USD per million (input, output) tokens, by model-name prefix (longest prefix wins).
# Override or extend with settings.llm_price_per_mtok; unknown models get cost_usd = null.
PRICE_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
}


def price_for(model: str, settings: Settings | None = None) -> tuple[float, float] | None:
    table = dict(PRICE_PER_MTOK)
    if settings is not None:
        table.update({k: tuple(v) for k, v in settings.llm_price_per_mtok.items()})
    name = model.split("/")[-1].lower()
    best = max((k for k in table if name.startswith(k.lower())), key=len, default=None)
    return table[best] if best else None


def estimate_cost(
    model: str, prompt_tokens: int, completion_tokens: int, settings: Settings | None = None
) -> float | None:
    price = price_for(model, settings)
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)


def sum_usage(usages: Iterable[Usage | None]) -> Usage | None:
    """Total usage of a batch (``None`` when no document used the LLM). The cost is ``None``
    when any document that used tokens has no price."""
    items = [u for u in usages if u is not None]
    if not items:
        return None
    costs = [u.cost_usd for u in items if u.total_tokens]
    return Usage(
        prompt_tokens=sum(u.prompt_tokens for u in items),
        completion_tokens=sum(u.completion_tokens for u in items),
        total_tokens=sum(u.total_tokens for u in items),
        cost_usd=None if any(c is None for c in costs) else round(sum(costs), 6),
    )


@dataclass
class _Tally:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str | None = None

    def add_message(self, msg: Any) -> None:
        meta = getattr(msg, "usage_metadata", None) or {}
        self.prompt_tokens += int(meta.get("input_tokens") or 0)
        self.completion_tokens += int(meta.get("output_tokens") or 0)
        self.model = (getattr(msg, "response_metadata", None) or {}).get("model_name") or self.model

    def add_body(self, body: dict | None) -> None:
        usage = (body or {}).get("usage") or {}
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)

    def as_dict(self) -> dict:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def usage(self, model: str, settings: Settings) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            total_tokens=self.prompt_tokens + self.completion_tokens,
            cost_usd=estimate_cost(model, self.prompt_tokens, self.completion_tokens, settings),
        )


# --------------------------------------------------------------------------- the chain

DELIMITER = "contract_excerpts"
_TAG = re.compile(rf"</?\s*{DELIMITER}\s*>", re.I)


def delimit(text: str) -> str:
    """Neutralise any copy of the delimiter tags inside the contract text, so that the
    document cannot close its own data block."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")"), text)


# Failures of the answer itself (not of the transport): re-asked once with the error.
def _parse_failure_types() -> tuple[type[BaseException], ...]:
    import openai

    return (
        ValidationError,
        json.JSONDecodeError,
        openai.LengthFinishReasonError,
        openai.ContentFilterFinishReasonError,
    )


def _sampling_kwargs(model: str) -> dict:
    # Reasoning models reject a temperature; for the rest, 0 makes runs repeatable.
    reasoning = re.match(r"^(o\d|gpt-5)", model.split("/")[-1].lower())
    return {} if reasoning else {"temperature": 0}


def build_chat(settings: Settings, model: str | None = None):
    """A ``ChatOpenAI`` for the configured endpoint (built on first use, never at import)."""
    from langchain_openai import ChatOpenAI

    model = model or settings.llm_model
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"  # local servers
    return ChatOpenAI(
        model=model,
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        **_sampling_kwargs(model),
    )


def no_tracing():
    """Contracts are confidential: LangSmith tracing stays off around every model call, even
    when ``LANGSMITH_TRACING`` is set in the environment."""
    try:
        from langsmith.run_helpers import tracing_context
    except ImportError:  # pragma: no cover - langsmith comes with langchain-core
        from contextlib import nullcontext

        return nullcontext()
    return tracing_context(enabled=False)


def _raw_from_exception(e: BaseException) -> tuple[str | None, dict | None]:
    """The raw completion text and body behind a failed parse (LangChain attaches the
    HTTP response to the exception)."""
    resp = getattr(e, "response", None)
    if resp is None:
        completion = getattr(e, "completion", None)  # openai.LengthFinishReasonError
        if completion is not None:
            body = completion.model_dump()
            choices = body.get("choices") or [{}]
            return (choices[0].get("message") or {}).get("content"), body
        return None, None
    try:
        body = resp.json()
    except Exception:  # not JSON: keep the text as it came
        return getattr(resp, "text", None), None
    choices = body.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("content"), body


REASK = (
    "Your previous answer could not be used: {error}\n"
    "Answer again with a single JSON object that matches the schema exactly. Quote the contract verbatim."
)


@dataclass
class Prepared:
    """Everything about one document that is needed before and after the model call."""

    doc: Document
    context: Context
    fields: tuple[str, ...]
    messages: list
    notes: list[str] = field(default_factory=list)


@dataclass
class Answer:
    parsed: BaseModel
    tally: _Tally
    attempts: int
    raw: str | None


class LLMExtractor:
    """Extract with an LLM over the retrieved context. See the module docstring."""

    name = "llm"
    needs_store = True  # per instance: False when semantic retrieval is off (llm_top_k = 0)

    def __init__(self, settings: Settings, store=None):
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

    # ---- collaborators, built on first use
    @property
    def store(self):
        if self._store is None:
            from ..store import Store

            self._store = Store(self.settings)
        return self._store

    def chain(self, fields: tuple[str, ...]):
        """``ChatOpenAI.with_structured_output(Answer, json_schema, include_raw)`` (+ fallback model)."""
        if fields not in self._chains:
            schema = answer_model(fields)

            def structured(model: str | None):
                return build_chat(self.settings, model).with_structured_output(
                    schema, method="json_schema", include_raw=True, strict=True
                )

            runnable = structured(None)
            if self.settings.llm_fallback_model:
                import openai

                runnable = runnable.with_fallbacks(
                    [structured(self.settings.llm_fallback_model)], exceptions_to_handle=(openai.APIError,)
                )
            self._chains[fields] = runnable
        return self._chains[fields]

    # ---- steps
    def prepare(self, doc: Document, chunks: list[Chunk], fields: Sequence[str] = FIELDS) -> Prepared:
        """Retrieve the context and build the messages for ``doc``."""
        from langchain_core.messages import HumanMessage, SystemMessage

        fields = tuple(f for f in FIELDS if f in set(fields))
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

    def _failed(self, message: str, attempts: int, tally: _Tally, raw: str | None) -> ExtractionError:
        return ExtractionError(message, attempts=attempts, raw=raw, usage=tally.as_dict())

    def _outcome(self, out: dict | None, exc: BaseException | None, tally: _Tally):
        """(parsed, raw, error) of one call."""
        if exc is not None:
            raw, body = _raw_from_exception(exc)
            tally.add_body(body)
            return None, raw, exc
        msg = out["raw"]
        tally.add_message(msg)
        raw = msg.content if isinstance(msg.content, str) else json.dumps(msg.content)
        if out.get("parsing_error") is not None or out.get("parsed") is None:
            return None, raw, out.get("parsing_error") or ValueError("the model returned no answer")
        return out["parsed"], raw, None

    def _reask(self, messages: list, raw: str | None, error: BaseException) -> list:
        from langchain_core.messages import AIMessage, HumanMessage

        detail = str(error).strip().splitlines()
        detail = " ".join(detail[:6])[:1500]
        return messages + [AIMessage(raw or ""), HumanMessage(REASK.format(error=detail))]

    def _transport_error(self, e: BaseException, attempts: int, tally: _Tally) -> ExtractionError:
        status = getattr(e, "status_code", None)
        what = f"HTTP {status}" if status else type(e).__name__
        return self._failed(
            f"LLM request failed after {self.settings.llm_max_retries + 1} attempt(s) "
            f"(max_retries={self.settings.llm_max_retries}): {what}: {str(e)[:300]}",
            attempts=attempts + self.settings.llm_max_retries,
            tally=tally,
            raw=None,
        )

    def ask(self, prep: Prepared) -> Answer:
        """The model's answer for one prepared document (sync)."""
        import openai

        chain, messages, tally, parse_errors = (
            self.chain(prep.fields),
            list(prep.messages),
            _Tally(),
            _parse_failure_types(),
        )
        raw, error = None, None
        for attempt in (1, 2):
            try:
                with no_tracing():
                    out, exc = chain.invoke(messages), None
            except openai.APIError as e:
                raise self._transport_error(e, attempt, tally) from e
            except parse_errors as e:
                out, exc = None, e
            parsed, raw, error = self._outcome(out, exc, tally)
            if parsed is not None:
                return Answer(parsed, tally, attempt, raw)
            messages = self._reask(messages, raw, error)
        raise self._failed(f"the model's answer did not match the schema twice: {str(error)[:300]}", 2, tally, raw)

    async def aask(self, prep: Prepared) -> Answer:
        """The same as :meth:`ask`, for ``abatch``."""
        import openai

        chain, messages, tally, parse_errors = (
            self.chain(prep.fields),
            list(prep.messages),
            _Tally(),
            _parse_failure_types(),
        )
        raw, error = None, None
        for attempt in (1, 2):
            try:
                with no_tracing():
                    out, exc = await chain.ainvoke(messages), None
            except openai.APIError as e:
                raise self._transport_error(e, attempt, tally) from e
            except parse_errors as e:
                out, exc = None, e
            parsed, raw, error = self._outcome(out, exc, tally)
            if parsed is not None:
                return Answer(parsed, tally, attempt, raw)
            messages = self._reask(messages, raw, error)
        raise self._failed(f"the model's answer did not match the schema twice: {str(error)[:300]}", 2, tally, raw)

    def finish(self, prep: Prepared, answer: Answer) -> Extraction:
        profile = to_profile(prep.doc, answer.parsed, prep.fields, prep.context)
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
        from ..chunking import find_sections

        searched = [SearchedSection(page=s.page, section=s.title) for s in find_sections(prep.doc)]
        profile = InsuranceProfile(searched=searched, decided_by={f: "keyword-scan" for f in prep.fields})
        notes = prep.notes + ["no passage mentions insurance; the model was not called"]
        return Extraction(profile, usage=Usage(cost_usd=0.0), prompt_version=self.prompt_version, notes=notes)

    def extract(self, doc: Document, chunks: list[Chunk], fields: Sequence[str] = FIELDS) -> Extraction:
        prep = self.prepare(doc, chunks, fields)
        if not prep.context.spans:
            return self.without_model(prep)
        return self.finish(prep, self.ask(prep))

    def extract_batch(
        self,
        items: Sequence[tuple[Document, list[Chunk]]],
        fields: Sequence[str] = FIELDS,
    ) -> list[Extraction | ExtractionError]:
        """Extract many documents, the model calls concurrently (LangChain ``abatch`` with
        ``max_concurrency=settings.llm_concurrency``). One result per item, in order: an
        :class:`Extraction`, or the :class:`ExtractionError` of that document (the batch
        goes on). Any other exception is raised."""
        from langchain_core.runnables import RunnableLambda

        preps = [self.prepare(doc, chunks, fields) for doc, chunks in items]
        asked = [p for p in preps if p.context.spans]
        runner = RunnableLambda(self.ask, afunc=self.aask, name="insurance-extract")
        replies = iter(_run_abatch(runner, asked, self.settings.llm_concurrency) if asked else [])
        answers = [next(replies) if p.context.spans else None for p in preps]
        out: list[Extraction | ExtractionError] = []
        for prep, ans in zip(preps, answers):
            if ans is None:
                out.append(self.without_model(prep))
            elif isinstance(ans, ExtractionError):
                out.append(ans)
            elif isinstance(ans, BaseException):
                raise ans
            else:
                out.append(self.finish(prep, ans))
        return out


_LOOP = None
_LOOP_LOCK = None


def _batch_loop():
    """One event loop per process, in a daemon thread, for every ``abatch``. The async HTTP
    client of langchain-openai is cached per process; its pooled connections belong to the
    loop that opened them, so a new loop per batch (``asyncio.run``) would break the next
    batch on the same endpoint with "Event loop is closed"."""
    global _LOOP, _LOOP_LOCK
    import asyncio
    import threading

    if _LOOP_LOCK is None:
        _LOOP_LOCK = threading.Lock()
    with _LOOP_LOCK:
        if _LOOP is None or _LOOP.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="contract-review-llm", daemon=True).start()
            _LOOP = loop
    return _LOOP


def _run_abatch(runner, preps: list, concurrency: int) -> list:
    import asyncio

    async def go():
        with no_tracing():
            return await runner.abatch(preps, config={"max_concurrency": concurrency}, return_exceptions=True)

    return asyncio.run_coroutine_threadsafe(go(), _batch_loop()).result()


# --------------------------------------------------------------------------- answer -> profile

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "one hundred": 100,
    "two hundred": 200,
    "two hundred fifty": 250,
    "five hundred": 500,
}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mm": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_AMOUNT = re.compile(
    r"(?P<num>\d{1,3}(?:[,.\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|mm|bn|k|m)?\b"
    r"|(?P<words>(?:[a-z]+[- ])?(?:hundred\s+)?[a-z]+)\s+(?P<wscale>thousand|million|billion)\b",
    re.I,
)


def amounts_in(text: str) -> set[float]:
    """Money amounts written in ``text`` ("$2,000,000", "2 million", "two million", "$5M")."""
    found: set[float] = set()
    for m in _AMOUNT.finditer(text):
        if m.group("num"):
            digits = m.group("num")
            if re.fullmatch(r"\d{1,3}(?:[,.\s]\d{3})+", digits):
                value = float(re.sub(r"[,.\s]", "", digits))
            else:
                value = float(digits.replace(",", ""))
            scale = (m.group("scale") or "").lower()
            found.add(value * _SCALE.get(scale, 1))
        else:
            words = m.group("words").lower().replace("-", " ").strip()
            for n in range(len(words.split()), 0, -1):
                tail = " ".join(words.split()[-n:])
                if tail in _NUMBER_WORDS or tail.replace(" ", "-") in _NUMBER_WORDS:
                    base = _NUMBER_WORDS.get(tail, _NUMBER_WORDS.get(tail.replace(" ", "-")))
                    found.add(base * _SCALE[m.group("wscale").lower()])
                    break
    return found


def _near(ctx: Context) -> int:
    return ctx.spans[0].start if ctx.spans else 0


def _cite(doc: Document, quote: str, ctx: Context) -> Citation | None:
    """A citation of the quote where it is found; otherwise the raw quote with no position,
    which :func:`~contract_review.grounding.ground_profile` drops and reports."""
    quote = (quote or "").strip()
    if not quote:
        return None
    found = find_quote(doc, quote, near=_near(ctx))
    return found or Citation(quote=quote, page=0, start=-1, end=-1)


def _cites(doc: Document, quotes: Iterable[str], ctx: Context) -> list[Citation]:
    out = []
    for q in quotes:
        c = _cite(doc, q, ctx)
        if c is not None and c not in out:
            out.append(c)
    return out


def _grounded_text(doc: Document, cites: list[Citation]) -> str:
    return " ".join(doc.text[c.start : c.end] for c in cites if c.start >= 0)


def to_profile(doc: Document, answer: BaseModel, fields: Sequence[str], ctx: Context) -> InsuranceProfile:
    """Map the model's answer to an :class:`InsuranceProfile` with raw citations.

    Deterministic checks made here: a limit whose amount is not written in the policy's
    (found) quotes is dropped, a party not named in the document is dropped; both are
    reported in ``profile.ungrounded``. Quotes are checked by the pipeline's grounding."""
    a = answer.model_dump()
    ung: list[UngroundedQuote] = []
    p = InsuranceProfile()
    seen = set()
    for s in ctx.spans:
        key = (s.page, s.section)
        if key not in seen:
            seen.add(key)
            p.searched.append(SearchedSection(page=s.page, section=s.section))
    if "insurance_required" in fields:
        p.insurance_required = bool(a["insurance_required"])
        p.insurance_evidence = _cites(doc, a["insurance_quotes"], ctx) if p.insurance_required else []
        for party in a["obligated_parties"]:
            party = " ".join(str(party).split())
            if party and party.lower() in " ".join(doc.norm.split()).lower():
                p.obligated_parties.append(party)
            elif party:
                ung.append(
                    UngroundedQuote(
                        field="obligated_parties", quote=party, reason="party not named in the document text"
                    )
                )
    if "policies" in fields:
        for pol in a["policies"]:
            evidence = _cites(doc, pol["quotes"], ctx)
            text = _grounded_text(doc, evidence)
            written = amounts_in(text)
            limits = []
            for lim in pol["limits"]:
                if lim["redacted"] or lim["amount"] is None:
                    if re.search(r"\[\s*\*|\*{3}|\[\s*redacted|\[\s*\]", text, re.I) or not evidence:
                        limits.append(Limit(amount=None, currency=lim["currency"], basis=lim["basis"], redacted=True))
                        continue
                    ung.append(
                        UngroundedQuote(
                            field=f"policies.{pol['type']}.limits",
                            quote="(redacted)",
                            reason="no redaction mark in the policy's quoted text",
                        )
                    )
                    continue
                if any(abs(lim["amount"] - w) < 0.5 for w in written):
                    limits.append(
                        Limit(
                            amount=lim["amount"], currency=lim["currency"] or "USD", basis=lim["basis"], redacted=False
                        )
                    )
                else:
                    ung.append(
                        UngroundedQuote(
                            field=f"policies.{pol['type']}.limits",
                            quote=f"{lim['amount']:,.0f}",
                            reason="amount not written in the policy's quoted text",
                        )
                    )
            p.policies.append(Policy(type=pol["type"], limits=limits, evidence=evidence))
    for name in TERM_FIELDS:
        if name in fields:
            t = a[name]
            p.__setattr__(
                name, Term(present=bool(t["present"]), evidence=_cites(doc, t["quotes"], ctx) if t["present"] else [])
            )
    if "vague_language" in fields:
        p.vague_language = _cites(doc, a["vague_language"], ctx)
    p.ungrounded = ung
    p.decided_by = {f: "llm" for f in fields}
    return p


@register_extractor("llm")
def _factory(settings: Settings) -> LLMExtractor:
    return LLMExtractor(settings)
