"""The per-article engine every batch run shares (`summarize_many` uses it too).

Workers pull articles from a bounded queue fed by a reader thread, so memory stays flat
whatever the input size; every article ends as an `Outcome`, never an exception."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from summarizer.errors import ModelError
from summarizer.pipeline import Pipeline
from summarizer.ratelimit import RateLimiter, estimate_tokens
from summarizer.results import Outcome
from summarizer.schemas import Article, ArticleSummary
from summarizer.sources import SourceItem
from summarizer.stores.summaries import SummaryCache

_T = TypeVar("_T")
_READ_AHEAD = 64  # items fetched per hop to the reader thread

__all__ = ["Engine", "run_many"]

# -- the engine ------------------------------------------------------------------------------


class Engine:
    """Runs items through `pipeline` with at most `concurrency` articles in flight.

    `emit(index, outcome)` is called once per item, in completion order, from the
    event loop. With a `limiter`, each article waits for it before its model call
    (`http_gated` says the limiter is already hooked into the HTTP client, which
    then meters every attempt instead); a 429 that ends an article also pauses
    everyone. With a `cache`, hits skip the model and successes are stored.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        concurrency: int = 4,
        limiter: RateLimiter | None = None,
        http_gated: bool = False,
        cache: SummaryCache | None = None,
        on_cache_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.concurrency = max(1, concurrency)
        self.limiter = limiter
        self.http_gated = http_gated
        self.cache = cache
        self.cache_errors = 0
        self.on_cache_error = on_cache_error

    async def run(self, items: Iterable[SourceItem], emit: Callable[[int, Outcome], None]) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[int, SourceItem] | None] = asyncio.Queue(self.concurrency * 2)
        # One reader thread keeps parsing off the event loop; one cache thread keeps
        # SQLite (and its per-thread connection) in one place.
        reader = ThreadPoolExecutor(1, thread_name_prefix="batch-reader")
        cache_thread = None
        if self.cache is not None:  # (an empty cache is falsy: it has a length)
            cache_thread = ThreadPoolExecutor(1, thread_name_prefix="batch-cache")

        async def produce() -> None:
            iterator = iter(items)
            index = 0
            while chunk := await loop.run_in_executor(reader, _take, iterator, _READ_AHEAD):
                for item in chunk:
                    await queue.put((index, item))
                    index += 1
            for _ in range(self.concurrency):
                await queue.put(None)

        async def work() -> None:
            while (entry := await queue.get()) is not None:
                index, item = entry
                emit(index, await self._one(item, cache_thread))

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for _ in range(self.concurrency):
                    group.create_task(work())
        except BaseExceptionGroup as failed:
            # Articles never raise; this is the input failing (e.g. a read error) or a bug:
            # surface the error itself, so the CLI reports it as it would anywhere else.
            raise failed.exceptions[0] from None
        finally:
            reader.shutdown(wait=False, cancel_futures=True)
            if cache_thread is not None and self.cache is not None:
                cache_thread.submit(self.cache.close)
                cache_thread.shutdown(wait=True)

    async def _in_cache_thread(
        self, pool: ThreadPoolExecutor | None, fn: Callable[..., _T], *args: Any
    ) -> _T | None:
        if pool is None or self.cache_errors:
            return None
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except Exception as exc:  # a cache that fails (locked, corrupt, disk full) costs speed
            # Skipped for the rest of the run from its first failure: a cache locked by
            # another process would otherwise cost a full busy wait on every article.
            self.cache_errors += 1
            if self.cache_errors == 1 and self.on_cache_error is not None:
                self.on_cache_error(exc)
            return None

    async def _one(self, item: SourceItem, cache_thread: ThreadPoolExecutor | None) -> Outcome:
        if item.article is None:
            return Outcome.failure(item.id, item.error or ValueError("no article"))
        article = item.article
        if self.cache is not None:
            hit: ArticleSummary | None = await self._in_cache_thread(
                cache_thread, self.cache.get, article
            )
            if hit is not None:
                return Outcome(id=item.id, ok=True, summary=hit)
        if self.limiter is not None and not self.http_gated:
            budget = self.pipeline.settings.max_tokens
            await self.limiter.acquire(estimate_tokens(len(article.text), budget))
        try:
            summary = await self.pipeline.arun(article)
        except Exception as exc:  # one article's failure is its line, never the batch's end
            if (
                self.limiter is not None
                and not self.http_gated
                and isinstance(exc, ModelError)
                and exc.status == 429
            ):
                self.limiter.penalize(5.0)
            return Outcome.failure(item.id, exc)
        if self.cache is not None:
            await self._in_cache_thread(cache_thread, self.cache.put, article, summary)
        return Outcome(id=item.id, ok=True, summary=summary)


def _take(iterator: Iterator[_T], n: int) -> list[_T]:
    chunk: list[_T] = []
    for value in iterator:
        chunk.append(value)
        if len(chunk) >= n:
            break
    return chunk


async def run_many(
    pipeline: Pipeline, articles: Iterable[Article], *, concurrency: int = 4
) -> list[Outcome]:
    """Outcomes for `articles` in input order (the engine behind `summarize_many`)."""
    results: dict[int, Outcome] = {}

    def keep(index: int, outcome: Outcome) -> None:
        results[index] = outcome

    items = (SourceItem(a.id, article=a) for a in articles)
    await Engine(pipeline, concurrency=concurrency).run(items, keep)
    return [results[i] for i in range(len(results))]
