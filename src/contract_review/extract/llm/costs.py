"""Token usage and its cost: the price table (USD per million tokens by model-name prefix,
extended by ``settings.llm_price_per_mtok``), the tally of one document's model calls and
the sum over a batch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...schema import Usage
from ...settings import Settings

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
    """(input, output) USD per million tokens of ``model``: the longest matching prefix wins."""
    table = dict(PRICE_PER_MTOK)
    if settings is not None:
        table.update(settings.llm_price_per_mtok)  # validated as (input, output) tuples
    name = model.split("/")[-1].lower()
    best = max((k for k in table if name.startswith(k.lower())), key=len, default=None)
    return table[best] if best else None


def estimate_cost(
    model: str, prompt_tokens: int, completion_tokens: int, settings: Settings | None = None
) -> float | None:
    """The USD cost of the tokens, or ``None`` for a model with no price."""
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
    priced = [c for c in costs if c is not None]
    return Usage(
        prompt_tokens=sum(u.prompt_tokens for u in items),
        completion_tokens=sum(u.completion_tokens for u in items),
        total_tokens=sum(u.total_tokens for u in items),
        cost_usd=None if len(priced) < len(costs) else round(sum(priced), 6),
    )


@dataclass
class Tally:
    """The tokens of one document's model calls (every answer and re-ask) and the model that answered."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str | None = None

    def add_message(self, msg: Any) -> None:
        """Count a LangChain ``AIMessage`` (a reply that arrived)."""
        meta = getattr(msg, "usage_metadata", None) or {}
        self.prompt_tokens += int(meta.get("input_tokens") or 0)
        self.completion_tokens += int(meta.get("output_tokens") or 0)
        self.model = (getattr(msg, "response_metadata", None) or {}).get("model_name") or self.model

    def add_body(self, body: dict | None) -> None:
        """Count a raw chat-completion body (behind a reply that failed to parse)."""
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
