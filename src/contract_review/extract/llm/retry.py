"""The one ask/re-ask path of the LLM chain, for the sync and the async call alike: an answer
that does not parse is re-asked once with the error (one tenacity policy), a transport
failure (after the ``openai`` client's own retries and the fallback model) or a second bad
answer is an :class:`ExtractionError` (``llm_failed``) with attempts, usage and raw output."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_none

from ...errors import ExtractionError
from .client import no_tracing
from .costs import Tally

MAX_ANSWERS = 2  # the first answer and one re-ask

REASK = (
    "Your previous answer could not be used: {error}\n"
    "Answer again with a single JSON object that matches the schema exactly. Quote the contract verbatim."
)


@cache
def _parse_failure_types() -> tuple[type[BaseException], ...]:
    """Failures of the answer itself (not of the transport): re-asked once with the error."""
    import openai

    return (
        ValidationError,
        json.JSONDecodeError,
        openai.LengthFinishReasonError,
        openai.ContentFilterFinishReasonError,
    )


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
    except ValueError:  # not JSON (json.JSONDecodeError, UnicodeDecodeError): keep the text as it came
        return getattr(resp, "text", None), None
    choices = body.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("content"), body


@dataclass
class Answer:
    """A parsed answer, the usage of every call it took and how many answers that was."""

    parsed: BaseModel
    tally: Tally
    attempts: int
    raw: str | None


class UnusableAnswer(Exception):
    """The model answered, but not with the schema (the one retryable failure)."""

    def __init__(self, raw: str | None, error: BaseException):
        super().__init__(str(error))
        self.raw, self.error = raw, error


@dataclass
class Conversation:
    """The messages of one document's exchange with the model, growing by a re-ask, and
    the usage of every call in it."""

    messages: list
    max_retries: int  # the openai client's, for the error message
    tally: Tally = field(default_factory=Tally)
    attempts: int = 0

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One call of the model: a transport error ends the conversation; a parse failure
        raised by the client becomes an :class:`UnusableAnswer`."""
        import openai

        self.attempts += 1
        try:
            with no_tracing():
                yield
        except openai.APIError as e:
            raise self._transport_error(e) from e
        except _parse_failure_types() as e:
            raw, body = _raw_from_exception(e)
            self.tally.add_body(body)
            raise UnusableAnswer(raw, e) from e

    def _read(self, out: dict) -> Answer:
        """The answer in a structured-output reply (``include_raw``), or :class:`UnusableAnswer`."""
        msg = out["raw"]
        self.tally.add_message(msg)
        raw = msg.content if isinstance(msg.content, str) else json.dumps(msg.content)
        if out.get("parsing_error") is not None or out.get("parsed") is None:
            raise UnusableAnswer(raw, out.get("parsing_error") or ValueError("the model returned no answer"))
        return Answer(out["parsed"], self.tally, self.attempts, raw)

    def send(self, invoke: Callable[[list], dict]) -> Answer:
        """One answer through ``chain.invoke``."""
        with self._turn():
            return self._read(invoke(self.messages))

    async def asend(self, ainvoke: Callable[[list], Awaitable[dict]]) -> Answer:
        """One answer through ``chain.ainvoke``."""
        with self._turn():
            return self._read(await ainvoke(self.messages))

    def reask(self, state: RetryCallState) -> None:
        """Before the next answer: the unusable one and the error, as the model's and the user's turn."""
        from langchain_core.messages import AIMessage, HumanMessage

        failure = _unusable(state)
        detail = " ".join(str(failure.error).strip().splitlines()[:6])[:1500]
        self.messages = self.messages + [AIMessage(failure.raw or ""), HumanMessage(REASK.format(error=detail))]

    def give_up(self, state: RetryCallState) -> NoReturn:
        """After the last unusable answer."""
        failure = _unusable(state)
        raise self._failed(
            f"the model's answer did not match the schema twice: {str(failure.error)[:300]}", self.attempts, failure.raw
        )

    def _transport_error(self, e: BaseException) -> ExtractionError:
        status = getattr(e, "status_code", None)
        what = f"HTTP {status}" if status else type(e).__name__
        return self._failed(
            f"LLM request failed after {self.max_retries + 1} attempt(s) "
            f"(max_retries={self.max_retries}): {what}: {str(e)[:300]}",
            attempts=self.attempts + self.max_retries,
            raw=None,
        )

    def _failed(self, message: str, attempts: int, raw: str | None) -> ExtractionError:
        return ExtractionError(message, attempts=attempts, raw=raw, usage=self.tally.as_dict())


def _unusable(state: RetryCallState) -> UnusableAnswer:
    assert state.outcome is not None
    failure = state.outcome.exception()
    assert isinstance(failure, UnusableAnswer)  # the policy retries nothing else
    return failure


def policy(conversation: Conversation) -> dict[str, Any]:
    """The retry policy of one conversation, for :class:`Retrying` and :class:`AsyncRetrying`
    alike: only an unusable answer is retried, at once, with a re-ask, up to
    :data:`MAX_ANSWERS` answers; then :meth:`Conversation.give_up`."""
    return {
        "retry": retry_if_exception_type(UnusableAnswer),
        "stop": stop_after_attempt(MAX_ANSWERS),
        "wait": wait_none(),
        "before_sleep": conversation.reask,
        "retry_error_callback": conversation.give_up,
    }


def ask(chain: Any, messages: list, max_retries: int) -> Answer:
    """The model's answer to ``messages`` through ``chain`` (sync)."""
    conversation = Conversation(list(messages), max_retries)
    return Retrying(**policy(conversation))(conversation.send, chain.invoke)


async def aask(chain: Any, messages: list, max_retries: int) -> Answer:
    """The same as :func:`ask`, awaiting ``chain.ainvoke``."""
    conversation = Conversation(list(messages), max_retries)
    return await AsyncRetrying(**policy(conversation))(conversation.asend, chain.ainvoke)
