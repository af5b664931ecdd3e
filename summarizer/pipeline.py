"""Article ─ clean ─ chunk ─ render ─ model call ─ validate ─ ground ─ normalise ─ merge ─ summary."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from summarizer.backends.base import Backend, ModelResult
from summarizer.chunks import Chunk, split
from summarizer.clean import Cleaned, clean
from summarizer.config import Settings
from summarizer.draft_schema import QuoteCheck
from summarizer.errors import InputError
from summarizer.extra_fields import summary_types
from summarizer.grounding.alignment import Span, align
from summarizer.grounding.grounder import Grounder, Items
from summarizer.grounding.merge import canonicalise_actors, merge
from summarizer.prompts import PromptInput, check_prompts, prompts_version
from summarizer.reader import require_text
from summarizer.schemas import Article, ArticleSummary, RunInfo
from summarizer.stores.responses import ResponseStore, StoreMode
from summarizer.version import __version__

# Cleaning and chunking take about 0.1 ms per 5,000 characters: below this size a hop to a
# worker thread costs the event loop more CPU than it saves (and the GIL is shared anyway).
_INLINE_PREPARE_CHARS = 20_000


def build_backend(
    settings: Settings, *, store: ResponseStore | None = None, store_mode: StoreMode = "off"
) -> Backend:
    # A user's prompts folder or summary type that cannot work fails here, before any call.
    check_prompts(settings.prompts)
    summary_types(settings.summary_type)
    if store is None and settings.store_path:
        store = ResponseStore(settings.store_path)
        store_mode = "replay" if settings.backend == "replay" else (store_mode if store_mode != "off" else "record")
    if settings.backend == "local":
        from summarizer.backends.local import LocalBackend

        return LocalBackend(settings, store=store, store_mode=store_mode)
    if settings.backend == "replay":
        # Replay answers from recorded responses of the backend that made them.
        from summarizer.errors import ConfigError

        if store is None:
            raise ConfigError("the replay backend needs a response store: give --store PATH")
        inner = settings.with_(backend="openai" if settings.model or settings.base_url else "local")
        return build_backend(inner, store=store, store_mode="replay")
    from summarizer.backends.openai_compat import OpenAIBackend

    return OpenAIBackend(settings, store=store, store_mode=store_mode)


def _undated_times(items: Items) -> int:
    """Times that a publication date would have resolved ("on Monday", "next spring")."""
    times = [m.time for m in items.meetings if m.time is not None]
    times += [e.time for e in items.planned_events if e.time is not None]
    return sum(1 for t in times if t.start is None and "publication date" in (t.note or ""))


def undated_warning(articles: int, times: int, *, what: str = "--published DATE") -> str:
    """The one warning for relative times left unresolved; the CLI prints it once per run."""
    return (
        f"{articles} article(s) had no publication date, so {times} relative time(s) stay "
        f"unresolved: give {what}, or a \"published\" date in the article record"
    )


@dataclass
class _Prepared:
    article: Article
    cleaned: Cleaned
    chunks: list[Chunk]
    # align(quote, article.text) for the quotes the draft check looked up; grounding reuses it.
    aligned: dict[str, Span | None] = field(default_factory=dict)


class Pipeline:
    """Runs articles through one backend with one set of settings."""

    def __init__(self, settings: Settings, backend: Backend) -> None:
        self.settings = settings
        self.backend = backend
        # Only the base estimate of token counts is cheap; a backend's own tokenizer may load
        # a model first, which must not block the event loop.
        self._inline_prepare = type(backend).count_tokens is Backend.count_tokens

    def _prepare(self, article: Article) -> _Prepared:
        # Checked here, not only where files are read, so a Python caller meets the CLI's rule.
        require_text(article, f"article {article.id!r}")
        cleaned = clean(article.text)
        if not cleaned.text.strip():
            # Every entry point (a file, a record, a page, a Python call) ends up here.
            raise InputError(
                f"{article.id}: no article text found (only page boilerplate such as a cookie "
                "banner or a menu): give the article's own text"
            )
        chunks = split(cleaned.text, self.backend.article_token_budget, self.backend.count_tokens)
        return _Prepared(article, cleaned, chunks)

    def _check(self, prepared: _Prepared) -> QuoteCheck:
        # One re-ask for quotes that are not in the article; `keep` does not care.
        budget = 0 if self.settings.grounding == "keep" else 1
        text, aligned = prepared.article.text, prepared.aligned

        def is_grounded(quote: str) -> bool:
            if quote not in aligned:
                aligned[quote] = align(quote, text)
            return aligned[quote] is not None

        return QuoteCheck(is_grounded, budget)

    def _item(self, prepared: _Prepared, chunk: Chunk) -> PromptInput:
        return PromptInput(chunk.text, prepared.article.title, prepared.article.published)

    def _finish(self, prepared: _Prepared, results: list[ModelResult], started: float) -> ArticleSummary:
        article = prepared.article
        grounder = Grounder(
            article.text,
            article.published,
            self.settings.grounding,
            aligned=prepared.aligned,
            summary_type=self.settings.summary_type,
        )
        parts: list[Items] = []
        for chunk, result in zip(prepared.chunks, results, strict=True):
            near = prepared.cleaned.to_original(chunk.start)
            parts.append(grounder.items(result.draft, near))
        items = merge(parts)
        canonicalise_actors(items)
        warnings = [w for r in results for w in r.warnings] + grounder.report.warnings
        run = RunInfo(
            model=self.backend.model,
            backend=self.backend.name,
            prompt_version=prompts_version(self.settings.prompts),
            library_version=__version__,
            tokens_in=sum(r.tokens_in for r in results),
            tokens_out=sum(r.tokens_out for r in results),
            latency_s=round(time.monotonic() - started, 4),
            attempts=sum(r.attempts for r in results),
            reasks=sum(r.reasks for r in results),
            chunks=len(prepared.chunks),
            dropped=grounder.report.dropped,
            flagged=grounder.report.flagged,
            cache_hit=bool(results) and all(r.replayed for r in results),
            warnings=warnings,
        )
        run.undated_times = 0 if article.published is not None else _undated_times(items)
        return self.settings.summary_type(
            article_id=article.id,
            title=article.title,
            summary=items.summaries[0] if items.summaries else "",
            meetings=items.meetings,
            statements=items.statements,
            planned_events=items.planned_events,
            run=run,
            article_text=article.text if article.extracted else None,
        )

    def run(self, article: Article) -> ArticleSummary:
        started = time.monotonic()
        prepared = self._prepare(article)
        results = [
            self.backend.extract(self._item(prepared, chunk), self._check(prepared))
            for chunk in prepared.chunks
        ]
        return self._finish(prepared, results, started)

    async def arun(self, article: Article) -> ArticleSummary:
        started = time.monotonic()
        if self._inline_prepare and len(article.text) <= _INLINE_PREPARE_CHARS:
            prepared = self._prepare(article)
        else:
            prepared = await asyncio.to_thread(self._prepare, article)
        results = [
            await self.backend.aextract(self._item(prepared, chunk), self._check(prepared))
            for chunk in prepared.chunks
        ]
        return self._finish(prepared, results, started)
