"""Extractors turn a document into an :class:`~contract_review.schema.InsuranceProfile`.

They are a registry: ``rules`` (deterministic, offline, the default), ``llm`` and
``hybrid`` (an OpenAI-compatible endpoint through LangChain). The checker does not care
which one ran. Every extractor's output is grounded (:mod:`contract_review.grounding`)
by the pipeline before it is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ..chunking import Chunk
from ..loaders import Document
from ..registry import Registry
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
    # An extractor may also say ``needs_chunks = False`` (the rules extractor does): it is then
    # handed no chunks, and the document is chunked only when it is indexed. One that extracts
    # the per-policy requirements only when asked (``llm``, ``hybrid``) has ``for_requirements()``,
    # a copy of it that asks them too (``contract-review requirements`` and ``coi`` use it).

    def extract(self, doc: Document, chunks: list[Chunk]) -> Extraction: ...


ExtractorFactory = Callable[[Settings], Extractor]
F = TypeVar("F", bound=ExtractorFactory)

#: Extractors by name. Built-in ones register exactly as a plugin's would
#: (entry-point group ``contract_review.extractors``); the LLM chain is an optional import.
EXTRACTORS: Registry[ExtractorFactory] = Registry(
    "extractor",
    builtins=("contract_review.extract.rules",),
    optional=("contract_review.extract.llm", "contract_review.extract.hybrid"),
    group="extractors",
)


def register_extractor(name: str) -> Callable[[F], F]:
    """Register an extractor factory (a class or a function taking :class:`Settings`)."""
    return EXTRACTORS.register(name)


def available_extractors() -> list[str]:
    return EXTRACTORS.names()


def get_extractor(name: str, settings: Settings) -> Extractor:
    return EXTRACTORS.get_or_fail(name)(settings)
