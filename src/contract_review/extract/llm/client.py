"""The chat client: a LangChain ``ChatOpenAI`` for the configured OpenAI-compatible endpoint
(built on first use, never at import), structured output over the answer schema with the
optional fallback model, LangSmith tracing kept off, and the one event loop batches run on."""

from __future__ import annotations

import asyncio
import re
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ...settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from langchain_core.runnables import Runnable
    from langchain_openai import ChatOpenAI


def _sampling_kwargs(model: str) -> dict:
    # Reasoning models reject a temperature; for the rest, 0 makes runs repeatable.
    reasoning = re.match(r"^(o\d|gpt-5)", model.split("/")[-1].lower())
    return {} if reasoning else {"temperature": 0}


def build_chat(settings: Settings, model: str | None = None) -> ChatOpenAI:
    """A ``ChatOpenAI`` for the configured endpoint. The ``openai`` client retries HTTP
    429/5xx and timeouts itself (``max_retries``, exponential backoff honouring ``Retry-After``)."""
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


def structured_chat(settings: Settings, schema: type[BaseModel]) -> Runnable:
    """``ChatOpenAI.with_structured_output(schema, json_schema, strict, include_raw)``: the
    reply is ``{"raw", "parsed", "parsing_error"}``. With ``llm_fallback_model`` set, a
    transport failure of the first model (after its own retries) falls back to that model."""

    def structured(model: str | None) -> Runnable:
        return build_chat(settings, model).with_structured_output(
            schema, method="json_schema", include_raw=True, strict=True
        )

    runnable = structured(None)
    if settings.llm_fallback_model:
        import openai

        runnable = runnable.with_fallbacks(
            [structured(settings.llm_fallback_model)], exceptions_to_handle=(openai.APIError,)
        )
    return runnable


def no_tracing() -> AbstractContextManager[Any]:
    """Contracts are confidential: LangSmith tracing stays off around every model call, even
    when ``LANGSMITH_TRACING`` is set in the environment."""
    try:
        from langsmith.run_helpers import tracing_context
    except ImportError:  # pragma: no cover - langsmith comes with langchain-core
        from contextlib import nullcontext

        return nullcontext()
    return tracing_context(enabled=False)


_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def _batch_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a daemon thread, for every ``abatch``. The async HTTP
    client of langchain-openai is cached per process; its pooled connections belong to the
    loop that opened them, so a new loop per batch (``asyncio.run``) would break the next
    batch on the same endpoint with "Event loop is closed"."""
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None or _LOOP.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="contract-review-llm", daemon=True).start()
            _LOOP = loop
        return _LOOP


def run_abatch(runner: Runnable, inputs: list, concurrency: int) -> list:
    """``runner.abatch(inputs)`` on the process's batch loop, at most ``concurrency`` at a
    time; one result per input, in order, an exception where that input failed."""

    async def go() -> list:
        with no_tracing():
            return await runner.abatch(inputs, config={"max_concurrency": concurrency}, return_exceptions=True)

    return asyncio.run_coroutine_threadsafe(go(), _batch_loop()).result()
