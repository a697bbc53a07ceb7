"""The deterministic rules extractor (offline, the default). STUB: being written."""

from __future__ import annotations

from ..chunking import Chunk, find_sections
from ..loaders import Document
from ..schema import InsuranceProfile, SearchedSection
from ..settings import Settings
from . import Extraction, register_extractor


class RulesExtractor:
    name = "rules"
    prompt_version = None
    needs_store = False

    def __init__(self, settings: Settings):
        self.settings = settings

    def extract(self, doc: Document, chunks: list[Chunk]) -> Extraction:
        searched = [SearchedSection(page=s.page, section=s.title) for s in find_sections(doc)]
        return Extraction(InsuranceProfile(searched=searched))


@register_extractor("rules")
def _factory(settings: Settings) -> RulesExtractor:
    return RulesExtractor(settings)
