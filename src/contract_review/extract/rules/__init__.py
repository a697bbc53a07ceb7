"""The deterministic rules extractor (offline, the default), registered as ``rules``. It
reads a contract by the patterns of :mod:`contract_review.extract.lexicon` over the
insurance region only, and every positive answer carries a verbatim citation; text in the
contract is data, so a paragraph addressed to a review tool is not read as terms. The
field conventions are those of ``LABELS.md``; each module here says how it decides its field.
"""

from __future__ import annotations

from ...settings import Settings
from .. import register_extractor
from .extractor import RulesExtractor

__all__ = ["RulesExtractor"]


@register_extractor("rules")
def _factory(settings: Settings) -> RulesExtractor:
    return RulesExtractor(settings)
