"""Phase two of `--engine openai-batch`: the live openai backend, answering from the Batch API first.

`BatchAnswers` wraps an `OpenAIBackend` and is itself a plain `Backend`, so the ordinary
pipeline and batch runner drive it. For each request it builds the body a live call would
send (`OpenAIBackend.chat_request`) and looks its key up in the batch's `BatchResults`:

- answered: the wrapped backend takes that answer as if it had just arrived (validation,
  the quote check); a re-ask goes out live;
- rejected as a bad request (this request, or another request of the same article): the
  article fails with that error, before any call, since a live call would be refused too;
- anything else (a line the provider failed, a batch that expired): the request goes live.

A batch answer counts as one attempt and never as a cache hit; `live_articles()` says how
many articles needed at least one live call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from summarizer.backends.base import Backend, ModelResult
from summarizer.backends.openai_compat import OpenAIBackend
from summarizer.draft_schema import QuoteCheck
from summarizer.errors import EndpointConfigError, ModelError, TransportError
from summarizer.prompts import PromptInput
from summarizer.stores.responses import ResponseStore

__all__ = ["BatchAnswers", "BatchResults"]


class BatchResults:
    """What the Batch API settled, by request key, and which request keys make up each article.

    `answers` holds key -> chat completion JSON, `rejected` key -> {"status", "message"}."""

    def __init__(self, answers: ResponseStore, rejected: ResponseStore) -> None:
        self.answers = answers
        self.rejected = rejected
        self._keys_of: dict[str, list[str]] = {}  # article id -> its requests' keys
        self._articles_of: dict[str, set[str]] = {}  # key -> ids of the articles sending it

    def add_article(self, article_id: str, keys: Iterable[str]) -> None:
        """Record that `article_id` sends these requests (one per chunk)."""
        own = self._keys_of.setdefault(article_id, [])
        for key in keys:
            own.append(key)
            self._articles_of.setdefault(key, set()).add(article_id)

    def answer(self, key: str) -> ChatCompletion | None:
        stored = self.answers.get(key)
        return ChatCompletion.model_validate(stored) if stored is not None else None

    def any_rejected(self) -> bool:
        return len(self.rejected) > 0

    def rejection(self, key: str) -> dict[str, Any] | None:
        """The rejection of this request, or of another request of an article that sends it:
        such an article fails whole, so none of its other requests is worth sending."""
        siblings = [k for a in self._articles_of.get(key, ()) for k in self._keys_of[a]]
        for candidate in [key, *siblings]:
            found = self.rejected.get(candidate)
            if isinstance(found, dict):
                return found
        return None

    def articles_sending(self, keys: Iterable[str]) -> set[str]:
        """Ids of the articles that send any of `keys` (a key no article claims counts as one)."""
        return {a for key in keys for a in self._articles_of.get(key, {key})}


class BatchAnswers(Backend):
    """`live`, answering each request from `results` when the Batch API settled it."""

    def __init__(self, live: OpenAIBackend, results: BatchResults) -> None:
        self.live = live
        self.results = results
        self.name = live.name
        self.model = live.model
        self.live_keys: set[str] = set()  # requests that needed at least one live call
        # Rejections are rare: without any, no request needs its siblings looked up.
        self._any_rejected = results.any_rejected()

    def live_articles(self) -> int:
        """How many articles needed at least one live call so far."""
        return len(self.results.articles_sending(self.live_keys))

    def _settled(self, item: PromptInput) -> tuple[str, ChatCompletion | None]:
        key = self.live.chat_request(item).key
        found = self.results.rejection(key) if self._any_rejected else None
        if found is not None:
            status = found.get("status")
            raise TransportError(
                f"{self.model}: the Batch API rejected this article's request "
                f"(HTTP {status}: {found.get('message')}): a live call would be refused "
                "too; check the model name, --max-tokens and the article's length",
                model=self.model,
                backend="openai-batch",
                status=status if isinstance(status, int) else None,
                attempts=1,
            )
        return key, self.results.answer(key)

    def _answered(self, key: str, result: ModelResult) -> ModelResult:
        if result.attempts:  # a re-ask went out
            self.live_keys.add(key)
        # The batch line was a request made (one attempt), not an answer from a cache.
        return replace(result, attempts=result.attempts + 1, replayed=False)

    def _failed(self, key: str, exc: ModelError | EndpointConfigError) -> None:
        if exc.attempts:
            self.live_keys.add(key)

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        key, answer = self._settled(item)
        if answer is None:
            self.live_keys.add(key)
            return self.live.extract(item, check)
        try:
            result = self.live.extract(item, check, answer=answer)
        except (ModelError, EndpointConfigError) as exc:
            self._failed(key, exc)
            raise
        return self._answered(key, result)

    async def aextract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        key, answer = self._settled(item)
        if answer is None:
            self.live_keys.add(key)
            return await self.live.aextract(item, check)
        try:
            result = await self.live.aextract(item, check, answer=answer)
        except (ModelError, EndpointConfigError) as exc:
            self._failed(key, exc)
            raise
        return self._answered(key, result)

    # count_tokens stays the base estimate, as the openai backend's: overriding it would move
    # the pipeline's article preparation to a worker thread (see Pipeline).

    @property
    def article_token_budget(self) -> int:
        return self.live.article_token_budget

    def http_client(self) -> openai.DefaultAsyncHttpxClient:
        """The live backend's HTTP client: rate limits meter the live calls, not batch answers."""
        return self.live.http_client()

    async def aclose(self) -> None:
        await self.live.aclose()

    def close(self) -> None:
        self.live.close()
