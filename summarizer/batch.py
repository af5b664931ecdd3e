"""The batch runner: many articles through one pipeline, one JSONL line each.

    source ─ cache ─ bounded concurrency + rate limit ─ pipeline ─ single writer ─ OUT.jsonl

`Engine` is the shared core (`summarize_many` uses it too): workers pull
articles from a bounded queue fed by a reader thread, so memory stays flat
whatever the input size; every article ends as an `Outcome`, never an exception.
`run_batch` adds what a command-line run needs: a resumable JSONL sink (each
line written whole by one writer task, fsync'd every second), the summary cache,
client-side rate limits with a shared back-off, and progress reporting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from summarizer.cache import SummaryCache
from summarizer.config import Settings
from summarizer.errors import ModelError, OutputError, StoreError, UsageError
from summarizer.outfile import (
    Existing,
    JsonlSink,
    check_output_path,
    scan_existing,
)
from summarizer.pipeline import Pipeline, build_backend
from summarizer.ratelimit import RateLimiter, estimate_tokens, gate_http_client
from summarizer.reader import DEFAULT_MAX_CHARS, parse_published
from summarizer.results import Outcome
from summarizer.schemas import Article, ArticleSummary
from summarizer.sources import SourceItem, open_source

_T = TypeVar("_T")
_FSYNC_EVERY_S = 1.0
_READ_AHEAD = 64  # items fetched per hop to the reader thread


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


# -- progress --------------------------------------------------------------------------------


@dataclass
class BatchStats:
    total: int | None = None
    skipped: int = 0  # already in OUT (resume)
    written: int = 0
    ok: int = 0
    failed: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    rate_limited: int = 0
    cache_errors: int = 0
    undated_articles: int = 0  # ok articles with times that a publication date would resolve
    undated_times: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, outcome: Outcome) -> None:
        self.written += 1
        if not outcome.ok or outcome.summary is None:
            self.failed += 1
            return
        self.ok += 1
        run = outcome.summary.run
        if run.undated_times:
            self.undated_articles += 1
            self.undated_times += run.undated_times
        if run.cache_hit:
            self.cache_hits += 1
        else:
            self.tokens_in += run.tokens_in
            self.tokens_out += run.tokens_out

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return self.written / elapsed if elapsed > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(0, self.total - self.skipped - self.written) / self.rate


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def progress_line(stats: BatchStats) -> str:
    done = stats.written + stats.skipped
    of = f"/{stats.total}" if stats.total is not None else ""
    return (
        f"summarizer batch: {done}{of} done ({stats.ok} ok, {stats.failed} failed, "
        f"{stats.cache_hits} cached), {stats.rate:.1f}/s, eta {_clock(stats.eta_s)}, "
        f"tokens {stats.tokens_in + stats.tokens_out:,}"
    )


def final_line(stats: BatchStats, out: Path) -> str:
    extra = f", {stats.skipped} already in {out.name}" if stats.skipped else ""
    limited = f", {stats.rate_limited} rate-limit pauses" if stats.rate_limited else ""
    return (
        f"summarizer batch: {stats.ok} ok, {stats.failed} failed, {stats.cache_hits} cache hits"
        f"{extra}, tokens {stats.tokens_in:,} in / {stats.tokens_out:,} out{limited}, "
        f"{stats.elapsed:.1f} s wall ({stats.rate:.1f} articles/s) -> {out}"
    )


class _Reporter(Protocol):
    def update(self, stats: BatchStats) -> None: ...
    def tick(self, stats: BatchStats) -> None: ...
    def stop(self, stats: BatchStats) -> None: ...


class _Quiet:
    def update(self, stats: BatchStats) -> None:
        pass

    def tick(self, stats: BatchStats) -> None:
        pass

    def stop(self, stats: BatchStats) -> None:
        pass


class _LogLines(_Quiet):
    """Plain progress lines every few seconds, for logs and pipes."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def tick(self, stats: BatchStats) -> None:
        self.out.write(progress_line(stats) + "\n")
        self.out.flush()


class _RichBar(_Quiet):
    def __init__(self, out: IO[str], total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[cached]} cached"),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("eta {task.fields[eta]}"),
            TextColumn("{task.fields[tokens]} tok"),
            console=Console(file=out),
            refresh_per_second=4,
        )
        self._task = self._progress.add_task(
            "batch", total=total, failed=0, cached=0, rate="0.0", eta="?", tokens="0"
        )
        self._progress.start()

    def update(self, stats: BatchStats) -> None:
        self._progress.update(
            self._task,
            completed=stats.written + stats.skipped,
            failed=stats.failed,
            cached=stats.cache_hits,
            rate=f"{stats.rate:.1f}",
            eta=_clock(stats.eta_s),
            tokens=f"{stats.tokens_in + stats.tokens_out:,}",
        )

    def stop(self, stats: BatchStats) -> None:
        self.update(stats)
        self._progress.stop()


def _reporter(mode: str, out: IO[str], total: int | None) -> _Reporter:
    if mode == "auto":
        mode = "bar" if _isatty(out) else "log"
    if mode == "bar":
        return _RichBar(out, total)
    if mode == "log":
        return _LogLines(out)
    return _Quiet()


def _isatty(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


# -- a command-line run ----------------------------------------------------------------------


@dataclass
class BatchOptions:
    input: str
    out: Path
    concurrency: int = 4
    rpm: float | None = None
    tpm: float | None = None
    resume: bool = False
    cache_path: Path | None = None  # None: no cache
    max_chars: int = DEFAULT_MAX_CHARS
    progress: str = "auto"  # auto | bar | log | off
    log_interval: float = 10.0
    engine: str = "local"  # local | ray | openai-batch (summarizer.engines)
    workers: int = 2  # ray: pipeline replicas (actors)
    poll_interval: float = 5.0  # openai-batch: seconds between polls
    batch_timeout: float = 86_400.0  # openai-batch: give up waiting (the batch keeps running)
    published: date | None = None  # the date of articles that give none
    retry_failed: bool = False  # resume: re-run every failure line, not only endpoint ones

    def check(self) -> None:
        if self.concurrency < 1:
            raise UsageError(f"--concurrency {self.concurrency}: give at least 1")
        for name, value in (("--rpm", self.rpm), ("--tpm", self.tpm)):
            if value is not None and value <= 0:
                raise UsageError(f"{name} {value:g}: give a positive limit, or leave it out")
        if str(self.out) == "-":
            raise UsageError("--out -: batch output must be a file (--resume appends to it)")
        if self.out.is_dir():
            raise UsageError(f"--out {self.out} is a directory: give a .jsonl file path")
        if self.input != "-" and Path(self.input).resolve() == self.out.resolve():
            raise UsageError("--out is the input file: write the output somewhere else")
        if self.log_interval <= 0:
            raise UsageError("--log-interval must be positive")


def options_from_args(args: argparse.Namespace) -> BatchOptions:
    out = Path(args.out)
    cache: Path | None = None
    if not getattr(args, "no_cache", False):
        given = getattr(args, "cache", None)
        cache = Path(given) if given else Path(str(out) + ".cache.sqlite")
    return BatchOptions(
        input=args.input,
        out=out,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        resume=bool(args.resume or getattr(args, "retry_failed", False)),
        cache_path=cache,
        max_chars=getattr(args, "max_chars", DEFAULT_MAX_CHARS),
        progress=getattr(args, "progress", "auto") or "auto",
        log_interval=getattr(args, "log_interval", 10.0) or 10.0,
        engine=getattr(args, "engine", "local") or "local",
        workers=getattr(args, "workers", 2),
        poll_interval=getattr(args, "poll_interval", 5.0),
        batch_timeout=getattr(args, "batch_timeout", 86_400.0),
        published=parse_published(getattr(args, "published", None)),
        retry_failed=bool(getattr(args, "retry_failed", False)),
    )


def _async_http_client(pipeline: Pipeline) -> Any | None:
    # The openai backend's AsyncOpenAI client (this loop's); its httpx client takes event
    # hooks, which is how the shared back-off sees every 429 without a backend change.
    async_client = getattr(pipeline.backend, "async_client", None)
    return getattr(async_client(), "_client", None) if async_client is not None else None


async def _close_backend(pipeline: Pipeline) -> None:
    close = getattr(pipeline.backend, "aclose", None)
    if close is not None:
        # Closing is best effort: the batch's output is already safe.
        with contextlib.suppress(Exception):
            await close()
    pipeline.backend.close()


def _open_cache(path: Path, settings: Settings) -> SummaryCache:
    try:
        return SummaryCache(path, settings)
    except StoreError:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise UsageError(
            f"cannot open the summary cache {path} ({exc}): give another --cache PATH, "
            "or --no-cache"
        ) from None


def _line_for(outcome: Outcome) -> bytes:
    try:
        return outcome.model_dump_json().encode("utf-8") + b"\n"
    except Exception as exc:  # e.g. a model answer with a lone surrogate: that line's failure
        problem = ValueError(f"the result could not be written as JSON ({exc})"[:500])
        safe_id = outcome.id.encode("utf-8", "backslashreplace").decode("utf-8")
        return Outcome.failure(safe_id, problem).model_dump_json().encode("utf-8") + b"\n"


def resume_notes(existing: Existing, out: Path) -> list[str]:
    """What a resume's scan of OUT changed, as lines for the run's log."""
    notes = []
    if existing.repaired:
        parts = [
            f"{count} {what}"
            for count, what in (
                (existing.dropped_lines + int(existing.repaired_tail), "incomplete or invalid"),
                (existing.duplicates, "duplicate"),
            )
            if count
        ]
        notes.append(
            f"summarizer batch: repaired {out}: removed {' and '.join(parts)} line(s)"
        )
    if existing.retrying:
        notes.append(
            f"summarizer batch: retrying {existing.retrying} failed article(s) from {out.name}"
        )
    return notes


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
    source = open_source(
        options.input, max_chars=options.max_chars, stdin=stdin, published=options.published
    )
    options.out.parent.mkdir(parents=True, exist_ok=True)
    existing = (
        scan_existing(options.out, retry_failed=options.retry_failed)
        if options.resume
        else Existing()
    )
    for note in resume_notes(existing, options.out):
        out.write(note + "\n")
    stats = stats if stats is not None else BatchStats()
    stats.total = source.total
    done = existing.ids

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

    cache = _open_cache(options.cache_path, settings) if options.cache_path else None
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
    reporter = _reporter(options.progress, out, source.total)
    lines: asyncio.Queue[Outcome | None] = asyncio.Queue()
    write_failure: list[OutputError] = []
    running = asyncio.ensure_future(
        engine.run(pending(), lambda _i, outcome: lines.put_nowait(outcome))
    )

    async def write_lines() -> None:
        last_sync = time.monotonic()
        try:
            while (outcome := await lines.get()) is not None:
                sink.write(_line_for(outcome))
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


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run_until_signal(work: Coroutine[Any, Any, Any]) -> int | None:
    """Run `work` on a new event loop; the first SIGINT, SIGTERM or SIGHUP cancels it and is
    returned (None when it finished). Later signals are ignored while it winds down and
    after, so repeated Ctrl-C cannot raise KeyboardInterrupt inside its tasks or its exit."""
    received: list[int] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(signum: int) -> None:
            if not received:
                received.append(signum)
                task.cancel()

        installed = []
        for signum in _STOP_SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError):  # not the main thread
                loop.add_signal_handler(signum, stop, signum)
                installed.append(signum)
        try:
            await work
        except asyncio.CancelledError:
            if not received:
                raise
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
                if received:  # the process is on its way out: a second Ctrl-C must not
                    signal.signal(signum, signal.SIG_IGN)  # cut its summary short

    asyncio.run(main())
    return received[0] if received else None
