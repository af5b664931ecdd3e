"""`--engine local`: one batch through one in-process pipeline, one JSONL line each.

    source ─ cache ─ bounded concurrency + rate limit ─ pipeline ─ single writer ─ OUT.jsonl

A resumable JSONL sink (each line written whole by one writer task, fsync'd every second),
the summary cache, client-side rate limits with a shared back-off, and progress reporting,
around the shared `Engine`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import IO, Any

from summarizer.config import Settings
from summarizer.engines.core import Engine
from summarizer.engines.options import BatchOptions
from summarizer.engines.prepare import prepare_run
from summarizer.errors import OutputError, UsageError
from summarizer.outfile import (
    JsonlSink,
    check_output_path,
)
from summarizer.pipeline import Pipeline, build_backend
from summarizer.progress import BatchStats, reporter_for
from summarizer.ratelimit import RateLimiter, gate_http_client
from summarizer.results import Outcome
from summarizer.sources import SourceItem
from summarizer.stores.summaries import SummaryCache

_FSYNC_EVERY_S = 1.0

__all__ = ["run_batch"]


def _async_http_client(pipeline: Pipeline) -> Any | None:
    # The openai backend's HTTP client (this loop's); it takes event hooks, which is how the
    # shared back-off sees every 429 without a backend change.
    http_client = getattr(pipeline.backend, "http_client", None)
    return http_client() if http_client is not None else None


async def _close_backend(pipeline: Pipeline) -> None:
    close = getattr(pipeline.backend, "aclose", None)
    if close is not None:
        # Closing is best effort: the batch's output is already safe.
        with contextlib.suppress(Exception):
            await close()
    pipeline.backend.close()


def line_for(outcome: Outcome) -> bytes:
    try:
        return outcome.model_dump_json().encode("utf-8") + b"\n"
    except Exception as exc:  # e.g. a model answer with a lone surrogate: that line's failure
        problem = ValueError(f"the result could not be written as JSON ({exc})"[:500])
        safe_id = outcome.id.encode("utf-8", "backslashreplace").decode("utf-8")
        return Outcome.failure(safe_id, problem).model_dump_json().encode("utf-8") + b"\n"


async def run_batch(
    options: BatchOptions,
    settings: Settings,
    *,
    out: IO[str],
    stdin: IO[bytes] | None = None,
    pipeline: Pipeline | None = None,
    stats: BatchStats | None = None,
) -> BatchStats:
    """Run one batch to `options.out`; progress and the final line go to `out`.

    `stats` (filled as the run goes) lets a caller report a run that a signal cancelled.
    A write error on OUT stops the run, abandoning the articles in flight: `OutputError`."""
    options.check()
    check_output_path(options.out, options.input, stdin)  # before anything truncates OUT
    prepared = prepare_run(options, settings, out=out, stdin=stdin)
    source, cache = prepared.source, prepared.cache
    stats = stats if stats is not None else BatchStats()
    stats.total = source.total
    done = prepared.existing.ids

    def pending() -> Iterator[SourceItem]:
        for item in source.items:
            if item.id in done:
                stats.skipped += 1
            else:
                yield item

    def cache_failed(exc: Exception) -> None:
        out.write(
            f"summarizer batch: the summary cache {options.cache_path} failed ({exc}): "
            "skipping it for the rest of this run\n"
        )
        out.flush()

    own_pipeline = pipeline is None
    try:
        pipeline = pipeline or Pipeline(settings, build_backend(settings))
    except BaseException:
        await _release(None, cache)
        raise
    limiter = RateLimiter(options.rpm, options.tpm)

    def limited(pause: float) -> None:
        stats.rate_limited += 1

    client = _async_http_client(pipeline)
    gated = client is not None and gate_http_client(
        client, limiter, answer_tokens=settings.max_tokens, on_limited=limited
    )
    engine = Engine(
        pipeline,
        concurrency=options.concurrency,
        limiter=limiter,
        http_gated=gated,
        cache=cache,
        on_cache_error=cache_failed,
    )
    try:
        sink = JsonlSink(options.out, append=options.resume)
    except UsageError:
        await _release(pipeline if own_pipeline else None, cache)
        raise
    reporter = reporter_for(options.progress, out, source.total)
    lines: asyncio.Queue[Outcome | None] = asyncio.Queue()
    write_failure: list[OutputError] = []
    running = asyncio.ensure_future(
        engine.run(pending(), lambda _i, outcome: lines.put_nowait(outcome))
    )

    async def write_lines() -> None:
        last_sync = time.monotonic()
        try:
            while (outcome := await lines.get()) is not None:
                sink.write(line_for(outcome))
                stats.add(outcome)
                reporter.update(stats)
                if time.monotonic() - last_sync >= _FSYNC_EVERY_S:
                    await asyncio.to_thread(sink.sync)
                    last_sync = time.monotonic()
        except OutputError as exc:
            # Nothing more can be kept: stop sending requests (the ones in flight, at most
            # --concurrency, are abandoned; their answers are in the cache when it works).
            write_failure.append(exc)
            running.cancel()

    async def tick() -> None:
        while True:
            await asyncio.sleep(options.log_interval)
            reporter.tick(stats)

    try:
        writer = asyncio.create_task(write_lines())
        ticker = asyncio.create_task(tick())
        try:
            await running
        except asyncio.CancelledError:
            if not write_failure:
                raise
        finally:
            lines.put_nowait(None)
            await writer
            ticker.cancel()
    finally:
        try:
            sink.close()
        finally:
            stats.cache_errors = engine.cache_errors
            reporter.stop(stats)
            await _release(pipeline if own_pipeline else None, cache)
    if write_failure:
        raise write_failure[0]
    return stats


async def _release(pipeline: Pipeline | None, cache: SummaryCache | None) -> None:
    if cache is not None:
        cache.close()  # this thread's connection; the engine closed its own
    if pipeline is not None:
        await _close_backend(pipeline)
