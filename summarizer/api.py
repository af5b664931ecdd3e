"""The Python entry points: `summarize`, `asummarize`, `summarize_many`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import Any

from summarizer.config import BackendName, Settings, resolve_settings
from summarizer.pipeline import Pipeline, build_backend
from summarizer.results import ErrorInfo, Outcome
from summarizer.schemas import Article, ArticleSummary

__all__ = ["ErrorInfo", "Outcome", "asummarize", "asummarize_many", "pipeline_for", "summarize", "summarize_many"]

_PIPELINES: dict[Settings, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def _settings(settings: Settings | None, options: dict[str, Any]) -> Settings:
    if settings is not None:
        return settings.with_(**{k: v for k, v in options.items() if v is not None}) if options else settings
    return resolve_settings(**options)


def pipeline_for(settings: Settings) -> Pipeline:
    """One pipeline (and backend: one loaded model, one HTTP client) per distinct settings."""
    with _PIPELINES_LOCK:
        pipeline = _PIPELINES.get(settings)
        if pipeline is None:
            pipeline = Pipeline(settings, build_backend(settings))
            _PIPELINES[settings] = pipeline
        return pipeline


def _article(article: Article | str) -> Article:
    return Article(text=article) if isinstance(article, str) else article


def summarize(
    article: Article | str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    backend: BackendName | None = None,
    model_path: str | None = None,
    prompts: str | None = None,
    summary_type: type[ArticleSummary] | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> ArticleSummary:
    """Summarise one article. With neither `model` nor `base_url`, the embedded model runs.

    `prompts` is a folder of your own templates and examples; `summary_type` an
    `ArticleSummary` subclass with extended item types (see summarizer.extra_fields)."""
    chosen = _settings(
        settings,
        {
            "model": model, "base_url": base_url, "backend": backend, "model_path": model_path,
            "prompts": prompts, "summary_type": summary_type, **options,
        },
    )
    return pipeline_for(chosen).run(_article(article))


async def asummarize(
    article: Article | str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    backend: BackendName | None = None,
    model_path: str | None = None,
    prompts: str | None = None,
    summary_type: type[ArticleSummary] | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> ArticleSummary:
    """Async `summarize`: the openai backend awaits HTTP; the local model runs in a thread."""
    chosen = _settings(
        settings,
        {
            "model": model, "base_url": base_url, "backend": backend, "model_path": model_path,
            "prompts": prompts, "summary_type": summary_type, **options,
        },
    )
    return await pipeline_for(chosen).arun(_article(article))


async def asummarize_many(
    articles: Iterable[Article | str],
    *,
    concurrency: int = 4,
    settings: Settings | None = None,
    **options: Any,
) -> list[Outcome]:
    """Async `summarize_many`: the batch engine, with results in input order."""
    from summarizer.batch import run_many

    chosen = _settings(settings, options)
    return await run_many(
        pipeline_for(chosen), (_article(a) for a in articles), concurrency=concurrency
    )


def summarize_many(
    articles: Iterable[Article | str],
    *,
    concurrency: int = 4,
    settings: Settings | None = None,
    **options: Any,
) -> list[Outcome]:
    """Summarise many articles with bounded concurrency; results come back in input order,
    and a failed article is an `Outcome` with `ok=False` and the reason, not an exception."""
    return asyncio.run(asummarize_many(articles, concurrency=concurrency, settings=settings, **options))
