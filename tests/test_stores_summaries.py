"""The summary cache: keys, hits, secrets, and two processes writing at once."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from conftest import run_together

from summarizer.config import Settings, resolve_settings
from summarizer.schemas import Article, ArticleSummary, RunInfo
from summarizer.stores.summaries import SummaryCache, settings_fingerprint

CANARY = "sk-canary-cache-5f1e"
TEXT = "Ministers Anna Berg and Tomas Lind met in Vilnius on Monday to discuss energy security."


def _settings(**changes: object) -> Settings:
    base = resolve_settings(
        env={}, backend="openai", base_url="http://127.0.0.1:9/v1", model="test-model",
        api_key=CANARY,
    )
    return base.with_(**changes) if changes else base


def _summary(article_id: str = "a1") -> ArticleSummary:
    return ArticleSummary(
        article_id=article_id,
        summary="Two ministers met in Vilnius.",
        run=RunInfo(model="test-model", backend="openai", tokens_in=120, tokens_out=30),
    )


def _files(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_a_hit_is_relabelled_with_the_asking_articles_id(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "c.sqlite", _settings())
    first = Article(id="first", text=TEXT)
    assert cache.get(first) is None
    cache.put(first, _summary("first"))
    hit = cache.get(Article(id="second", text=TEXT))
    assert hit is not None
    assert hit.article_id == "second"
    assert hit.run.cache_hit is True
    assert hit.summary == "Two ministers met in Vilnius."
    assert len(cache) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"model": "other-model"},
        {"base_url": "http://127.0.0.1:10/v1"},
        {"temperature": 0.7},
        {"max_tokens": 99},
        {"grounding": "flag"},
        {"instructor_mode": "json"},
        {"max_reasks": 0},
        {"seed": 7},
    ],
)
def test_settings_that_change_answers_change_the_key(change: dict[str, object]) -> None:
    article = Article(id="x", text=TEXT)
    assert SummaryCache.key(_cache_for(_settings()), article) != SummaryCache.key(
        _cache_for(_settings(**change)), article
    )


@pytest.mark.parametrize(
    "change",
    [{"api_key": None}, {"timeout": 5.0}, {"max_attempts": 9}, {"store_path": "/x"}],
)
def test_settings_that_do_not_change_answers_keep_the_key(change: dict[str, object]) -> None:
    article = Article(id="x", text=TEXT)
    assert SummaryCache.key(_cache_for(_settings()), article) == SummaryCache.key(
        _cache_for(_settings(**change)), article
    )


def test_article_fields_other_than_id_are_part_of_the_key() -> None:
    cache = _cache_for(_settings())
    base = Article(id="x", text=TEXT)
    assert cache.key(base) == cache.key(base.model_copy(update={"id": "y"}))
    for change in ({"text": TEXT + " More."}, {"title": "Talks"}, {"published": "2024-03-04"}):
        assert cache.key(base) != cache.key(Article.model_validate({**base.model_dump(), **change}))


def test_a_new_prompt_version_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite"
    article = Article(id="a", text=TEXT)
    SummaryCache(path, _settings()).put(article, _summary())
    monkeypatch.setattr("summarizer.stores.summaries.prompts_version", lambda _prompts=None: "edited-prompt")
    assert SummaryCache(path, _settings()).get(article) is None


def test_the_api_key_is_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = SummaryCache(path, _settings())
    for i in range(5):
        cache.put(Article(id=f"a{i}", text=f"{TEXT} {i}"), _summary(f"a{i}"))
    assert CANARY not in repr(settings_fingerprint(_settings()))
    assert len(cache) == 5
    cache.close()
    assert CANARY.encode() not in _files(path)


def test_an_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = SummaryCache(path, _settings())
    article = Article(id="a", text=TEXT)
    cache.put(article, _summary())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE summaries SET value = ?", ('{"article_id": 5, "bogus": true}',))
    assert cache.get(article) is None


_WRITER = textwrap.dedent(
    """
    import sys
    from summarizer.stores.summaries import SummaryCache
    from summarizer.config import resolve_settings
    from summarizer.schemas import Article, ArticleSummary

    path, offset = sys.argv[1], int(sys.argv[2])
    settings = resolve_settings(env={}, backend="openai", base_url="http://127.0.0.1:9/v1",
                                model="test-model")
    cache = SummaryCache(path, settings)
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # start together
    for i in range(offset, offset + 300):
        article = Article(id=f"a{i}", text=f"article number {i}")
        cache.put(article, ArticleSummary(article_id=article.id, summary=f"summary {i}"))
        assert cache.get(article) is not None
    cache.close()
    """
)


def test_two_processes_can_fill_one_cache_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    run_together([["-c", _WRITER, str(path), str(offset)] for offset in (0, 150)])  # 150 overlap
    settings = resolve_settings(
        env={}, backend="openai", base_url="http://127.0.0.1:9/v1", model="test-model"
    )
    cache = SummaryCache(path, settings)
    assert len(cache) == 450
    for i in range(450):
        hit = cache.get(Article(id=f"b{i}", text=f"article number {i}"))
        assert hit is not None and hit.summary == f"summary {i}"


def _cache_for(settings: Settings) -> SummaryCache:
    # Keys need no file: build the object without opening a store.
    cache = SummaryCache.__new__(SummaryCache)
    cache._fingerprint = settings_fingerprint(settings)
    return cache
