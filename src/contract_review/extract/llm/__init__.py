"""The LLM extractor (LangChain + any OpenAI-compatible endpoint, structured output,
grounded), registered as ``llm`` when this package is imported: prompts, the answer schema,
the chat client, the one ask/re-ask path, costs, answer to profile and the extractor."""

from __future__ import annotations

from .answer import FIELD_SPECS, FIELDS, LimitAnswer, PolicyAnswer, TermAnswer, answer_model
from .client import build_chat, no_tracing
from .costs import PRICE_PER_MTOK, estimate_cost, price_for, sum_usage
from .extractor import LLMExtractor, Prepared
from .profile import to_profile
from .prompts import (
    DELIMITER,
    PROMPT_NAME,
    Prompt,
    PromptBundle,
    delimit,
    load_bundle,
    load_prompt,
    parse_prompt,
    prompts_dir,
)
from .retry import REASK, Answer

__all__ = [
    "DELIMITER",
    "FIELDS",
    "FIELD_SPECS",
    "PRICE_PER_MTOK",
    "PROMPT_NAME",
    "REASK",
    "Answer",
    "LLMExtractor",
    "LimitAnswer",
    "PolicyAnswer",
    "Prepared",
    "Prompt",
    "PromptBundle",
    "TermAnswer",
    "answer_model",
    "build_chat",
    "delimit",
    "estimate_cost",
    "load_bundle",
    "load_prompt",
    "no_tracing",
    "parse_prompt",
    "price_for",
    "prompts_dir",
    "sum_usage",
    "to_profile",
]
