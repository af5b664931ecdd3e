"""The one small interface every backend implements."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from summarizer.draft_schema import DraftSummary, QuoteCheck
from summarizer.errors import ConfigError
from summarizer.prompts import PromptInput

_M = TypeVar("_M", bound=BaseModel)


@dataclass
class ModelResult:
    draft: DraftSummary
    tokens_in: int = 0
    tokens_out: int = 0
    attempts: int = 0
    reasks: int = 0
    latency_s: float = 0.0
    replayed: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class StructuredResult(Generic[_M]):
    """One validated answer of `Backend.structured`, with what it cost."""

    value: _M
    tokens_in: int = 0
    tokens_out: int = 0
    attempts: int = 0
    latency_s: float = 0.0
    replayed: bool = False


class Backend(ABC):
    """Turns one prompt input (an article or a chunk of one) into a validated draft."""

    name: str = ""
    model: str = ""

    @abstractmethod
    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult: ...

    async def aextract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        # In-process backends are CPU-bound: run them off the event loop.
        return await asyncio.to_thread(self.extract, item, check)

    def structured(
        self,
        response_model: type[_M],
        messages: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
    ) -> StructuredResult[_M]:
        """Any other question than a summary (e.g. a judge's): `messages` answered as
        `response_model`, through the backend's own retries and response store."""
        raise ConfigError(
            f"the {self.name or type(self).__name__} backend cannot answer structured questions: "
            "use the openai or local backend"
        )

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in the prompt; a conservative estimate unless overridden."""
        return max(1, len(text) // 3)

    @property
    def article_token_budget(self) -> int:
        """How many tokens of article text fit in one call, leaving room for prompt and answer."""
        return 6000

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release clients or model handles."""
