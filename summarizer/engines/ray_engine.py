"""`summarizer batch --engine ray`: the local engine's per-article function on Ray workers.

    driver:   source ─ resume ─ cache ─ windows of rows ─┐        ┌─ cache ─ JSONL sink ─ OUT
    Ray Data:                       map_batches(_Summarize: one Pipeline per actor, Engine)

The driver reads the input with the same sources as `--engine local` (same ids, same
failure lines for bad records), skips ids already in OUT (`--resume`), answers cache hits
itself and writes every line itself, so OUT, the cache and resume behave exactly as with the
local engine, and workers need neither the input nor the cache on their disks. Workers run
`summarizer.engines.core.Engine` (the local engine's per-article function: one pipeline, bounded
concurrency, every failure an `Outcome`) over each batch of rows.

`ray.init()` without an address connects to the cluster in RAY_ADDRESS; without RAY_ADDRESS
it starts a local instance (no dashboard, usage stats off). The workers need `summarizer`
installed (the cluster's image, or a runtime_env) and receive the settings, API key included.
`--rpm`/`--tpm` are split evenly between the workers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterator
from typing import IO, Any

from summarizer.config import Settings
from summarizer.engines.core import Engine
from summarizer.engines.options import BatchOptions
from summarizer.engines.prepare import prepare_run
from summarizer.errors import UsageError
from summarizer.outfile import JsonlSink
from summarizer.pipeline import Pipeline, build_backend
from summarizer.progress import BatchStats, reporter_for
from summarizer.ratelimit import RateLimiter
from summarizer.results import Outcome
from summarizer.schemas import Article
from summarizer.sources import SourceItem
from summarizer.stores.summaries import SummaryCache

WINDOW = 5_000  # articles handed to Ray per dataset: bounds the driver's memory
_INSTALL = "--engine ray needs Ray: pip install 'summarizer[ray]' (or 'ray[data]>=2.9,<3')"


def import_ray() -> Any:
    """The `ray` module, imported on first use; a UsageError saying what to install if absent."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError(_INSTALL) from None
    return ray


class _Summarize:
    """A Ray Data callable class: each actor builds its pipeline once, then summarises batches.

    One event loop per actor, kept across batches: the async HTTP client's connections
    belong to the loop that opened them."""

    def __init__(
        self, settings: Settings, concurrency: int, rpm: float | None, tpm: float | None
    ) -> None:
        self._pipeline = Pipeline(settings, build_backend(settings))
        self._concurrency = concurrency
        self._limiter = RateLimiter(rpm, tpm) if rpm or tpm else None
        self._loop = asyncio.new_event_loop()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        ids = [str(i) for i in batch["id"]]
        items = [
            SourceItem(i, article=Article.model_validate_json(str(a)))
            for i, a in zip(ids, batch["article"], strict=True)
        ]
        lines = [""] * len(items)

        def keep(index: int, outcome: Outcome) -> None:
            lines[index] = outcome.model_dump_json()

        engine = Engine(self._pipeline, concurrency=self._concurrency, limiter=self._limiter)
        self._loop.run_until_complete(engine.run(items, keep))
        return {"id": np.array(ids, dtype=object), "line": np.array(lines, dtype=object)}


def _start(ray: Any, init_kwargs: dict[str, Any] | None) -> bool:
    """Connect to RAY_ADDRESS or start a local instance; True when this call started Ray."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reporting home from a CLI run
    kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if not os.environ.get("RAY_ADDRESS"):
        kwargs["include_dashboard"] = False
    kwargs.update(init_kwargs or {})
    ray.init(**kwargs)
    return True


class _Run:
    """The driver's side: reading, cache, writing and progress."""

    def __init__(self, options: BatchOptions, settings: Settings, out: IO[str]) -> None:
        self.options, self.settings, self.out = options, settings, out
        self.cache: SummaryCache | None = None
        self.sink: JsonlSink | None = None
        self.stats = BatchStats()
        self.reporter = reporter_for("off", out, None)
        self._last_tick = time.monotonic()

    def write(self, outcome: Outcome, line: str | None = None) -> None:
        assert self.sink is not None
        text = line if line is not None else outcome.model_dump_json()
        self.sink.write(text.encode("utf-8") + b"\n")
        self.stats.add(outcome)
        self.reporter.update(self.stats)
        now = time.monotonic()
        if now - self._last_tick >= self.options.log_interval:
            self.reporter.tick(self.stats)
            self.sink.sync()
            self._last_tick = now

    def cached(self, article: Article) -> Outcome | None:
        if self.cache is None:
            return None
        try:
            hit = self.cache.get(article)
        except Exception:  # a failing cache only costs speed
            self.stats.cache_errors += 1
            return None
        return None if hit is None else Outcome(id=article.id, ok=True, summary=hit)

    def remember(self, article: Article, outcome: Outcome) -> None:
        if self.cache is None or outcome.summary is None or not outcome.ok:
            return
        try:
            self.cache.put(article, outcome.summary)
        except Exception:
            self.stats.cache_errors += 1


def run_ray(
    options: BatchOptions,
    settings: Settings,
    *,
    out: IO[str],
    stdin: IO[bytes] | None = None,
    init_kwargs: dict[str, Any] | None = None,
    window: int = WINDOW,
) -> BatchStats:
    """Run one batch on Ray into `options.out`; progress and notes go to `out`.

    `init_kwargs` go to `ray.init` (e.g. `num_cpus=2` for a small local instance)."""
    ray = import_ray()
    options.check()
    if options.workers < 1:
        raise UsageError(f"--workers {options.workers}: give at least 1")
    prepared = prepare_run(options, settings, out=out, stdin=stdin)
    source, existing = prepared.source, prepared.existing
    run = _Run(options, settings, out)
    run.stats.total = source.total
    run.cache = prepared.cache
    started = False
    try:
        run.sink = JsonlSink(options.out, append=options.resume)
        run.reporter = reporter_for(options.progress, out, source.total)
        started = _start(ray, init_kwargs)
        ray.data.DataContext.get_current().enable_progress_bars = False
        for rows, articles in _windows(source.items, existing.ids, run, window):
            _summarise_window(ray, rows, articles, run)
    finally:
        if run.sink is not None:
            run.sink.close()
        run.reporter.stop(run.stats)
        if run.cache is not None:
            run.cache.close()
        if started:
            ray.shutdown()
    return run.stats


def _windows(
    items: Iterator[SourceItem], done: set[str], run: _Run, size: int
) -> Iterator[tuple[list[dict[str, str]], dict[str, Article]]]:
    """Rows for Ray, a window at a time; skipped, failed and cached items are written here."""
    rows: list[dict[str, str]] = []
    articles: dict[str, Article] = {}
    for item in items:
        if item.id in done:
            run.stats.skipped += 1
            continue
        if item.article is None:
            run.write(Outcome.failure(item.id, item.error or ValueError("no article")))
            continue
        hit = run.cached(item.article)
        if hit is not None:
            run.write(hit)
            continue
        rows.append({"id": item.id, "article": item.article.model_dump_json()})
        articles[item.id] = item.article
        if len(rows) >= size:
            yield rows, articles
            rows, articles = [], {}
    if rows:
        yield rows, articles


def _summarise_window(
    ray: Any, rows: list[dict[str, str]], articles: dict[str, Article], run: _Run
) -> None:
    options = run.options
    share = float(options.workers)
    per_batch = max(4, options.concurrency * 2)
    dataset = ray.data.from_items(rows).map_batches(
        _Summarize,
        fn_constructor_kwargs={
            "settings": run.settings,
            "concurrency": options.concurrency,
            "rpm": options.rpm / share if options.rpm else None,
            "tpm": options.tpm / share if options.tpm else None,
        },
        batch_size=per_batch,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=options.workers),
        # HTTP backends wait on the network; the embedded model wants a core per worker.
        num_cpus=1 if run.settings.backend == "local" else 0.25,
    )
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        for article_id, line in zip(batch["id"], batch["line"], strict=True):
            outcome = Outcome.model_validate_json(str(line))
            run.remember(articles[str(article_id)], outcome)
            run.write(outcome, str(line))
