"""Extractors turn a document into an :class:`~contract_review.schema.InsuranceProfile`.

They are a registry: ``rules`` (deterministic, offline, the default), ``llm`` and
``hybrid`` (an OpenAI-compatible endpoint through LangChain). The checker does not care
which one ran. Every extractor's output is grounded (:mod:`contract_review.grounding`)
by the pipeline before it is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..chunking import Chunk
from ..errors import ConfigError
from ..loaders import Document
from ..schema import InsuranceProfile, Usage
from ..settings import Settings


@dataclass
class Extraction:
    profile: InsuranceProfile
    usage: Usage | None = None
    prompt_version: str | None = None
    notes: list[str] = field(default_factory=list)
    # Profile fields the extractor is unsure of (the hybrid extractor asks the LLM about these):
    # "insurance_required", "policies", the TERM_FIELDS names, "vague_language".
    uncertain: list[str] = field(default_factory=list)


class Extractor(Protocol):
    name: str
    prompt_version: str | None
    needs_store: bool  # True when the extractor retrieves chunks from the vector store

    def extract(self, doc: Document, chunks: list[Chunk]) -> Extraction: ...


ExtractorFactory = Callable[[Settings], Extractor]
EXTRACTORS: dict[str, ExtractorFactory] = {}


def register_extractor(name: str):
    def deco(factory: ExtractorFactory) -> ExtractorFactory:
        EXTRACTORS[name] = factory
        return factory

    return deco


def _load_builtins() -> None:
    from . import rules  # noqa: F401

    try:
        from . import llm  # noqa: F401
    except ImportError:  # the LLM chain is optional
        pass


def available_extractors() -> list[str]:
    _load_builtins()
    return sorted(EXTRACTORS)


def get_extractor(name: str, settings: Settings) -> Extractor:
    _load_builtins()
    if name not in EXTRACTORS:
        raise ConfigError(f"unknown extractor {name!r}; choose one of: {', '.join(sorted(EXTRACTORS))}")
    return EXTRACTORS[name](settings)
