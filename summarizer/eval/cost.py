"""Estimated cost of a run: tokens times the caller's price table (local runs cost nothing)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

__all__ = ["DEFAULT_PRICES", "FREE_BACKENDS", "Price", "estimate_cost"]


class Price(BaseModel):
    """USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = 0.0
    output: float = 0.0


# Local and replayed runs cost nothing; API prices change too often to hard-code, so callers
# pass their own table (e.g. {"gpt-4o-mini": Price(input=0.15, output=0.60)}).
DEFAULT_PRICES: dict[str, Price] = {}
FREE_BACKENDS = frozenset({"local", "replay", ""})


def estimate_cost(
    model: str,
    tokens_in: int,
    tokens_out: int,
    *,
    backend: str = "",
    prices: Mapping[str, Price] | None = None,
) -> float | None:
    """Estimated USD cost, 0 for local backends, None when the model has no known price."""
    table = DEFAULT_PRICES if prices is None else prices
    price = table.get(model)
    if price is None:
        return 0.0 if backend in FREE_BACKENDS else None
    return (tokens_in * price.input + tokens_out * price.output) / 1_000_000
