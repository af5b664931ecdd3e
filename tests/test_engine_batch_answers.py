"""`BatchAnswers`: the live openai backend answering from the Batch API's results first, driven
by the ordinary `Pipeline`. Real openai + instructor against FakeOpenAIServer, real SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openai
import pytest

from summarizer.backends.openai_compat import OpenAIBackend
from summarizer.config import Settings, resolve_settings
from summarizer.engines.batch_answers import BatchAnswers, BatchResults
from summarizer.engines.openai_batch import article_requests
from summarizer.errors import ModelOutputError, TransportError
from summarizer.pipeline import Pipeline
from summarizer.schemas import Article, ArticleSummary
from summarizer.stores.responses import ResponseStore
from summarizer.testing.server import FakeOpenAIServer, RecordedRequest, json_answer

CANARY = "sk-canary-batch-answers-9e2a"
StartServer = Callable[..., FakeOpenAIServer]
FILLER = " ".join(f"Delegates from region {n} arrived by train." for n in range(2000))


@pytest.fixture
def results(tmp_path: Path) -> Iterator[BatchResults]:
    path = tmp_path / "state.sqlite"
    answers, rejected = ResponseStore(path, table="answers"), ResponseStore(path, table="rejected")
    yield BatchResults(answers, rejected)
    answers.close()
    rejected.close()


@pytest.fixture
def server(fake_openai: StartServer, draft_payload: dict[str, Any]) -> FakeOpenAIServer:
    return fake_openai(json_answer(draft_payload))


def _settings(srv: FakeOpenAIServer) -> Settings:
    return resolve_settings(env={}, base_url=srv.base_url, model="test-model", api_key=CANARY)


def _chat(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


def _file_answers(srv: FakeOpenAIServer, results: BatchResults, bodies: list[dict[str, Any]],
                  keys: list[str]) -> None:
    """What phase one leaves: each body answered (sent by a plain client, as the Batch API
    would) and filed under its key."""
    with openai.OpenAI(base_url=srv.base_url, api_key=CANARY, max_retries=0) as client:
        for body, key in zip(bodies, keys, strict=True):
            results.answers.put(key, client.chat.completions.create(**body).model_dump(mode="json"))


def _run(settings: Settings, wrapper: BatchAnswers, article: Article) -> ArticleSummary:
    async def go() -> ArticleSummary:
        try:
            return await Pipeline(settings, wrapper).arun(article)
        finally:
            await wrapper.aclose()

    return asyncio.run(go())


def _prepared(
    srv: FakeOpenAIServer, results: BatchResults, article: Article, answered: slice
) -> tuple[Settings, BatchAnswers, list[str]]:
    """Phase one for `article`: its requests registered, those in `answered` answered."""
    settings = _settings(srv)
    live = OpenAIBackend(settings)
    requests = article_requests(live, article)
    keys = [r.key for r in requests]
    results.add_article(article.id, keys)
    _file_answers(srv, results, [r.body for r in requests][answered], keys[answered])
    return settings, BatchAnswers(live, results), keys


def test_answered_requests_send_nothing_and_count_as_attempts_not_cache_hits(
    server: FakeOpenAIServer, results: BatchResults, article_text: str
) -> None:
    article = Article(id="a", text=article_text, published=date(2024, 3, 4))
    settings, wrapper, _keys = _prepared(server, results, article, slice(None))
    before = len(_chat(server))

    summary = _run(settings, wrapper, article)
    assert len(_chat(server)) == before
    assert (summary.run.attempts, summary.run.cache_hit, summary.run.backend) == (1, False, "openai")
    assert summary.meetings and wrapper.live_articles() == 0


def test_unanswered_requests_go_live_and_the_article_is_counted(
    server: FakeOpenAIServer, results: BatchResults, article_text: str
) -> None:
    article = Article(id="a", text=article_text, published=date(2024, 3, 4))
    settings, wrapper, _keys = _prepared(server, results, article, slice(0))  # a failed line

    summary = _run(settings, wrapper, article)
    assert len(_chat(server)) == 1 and summary.run.attempts == 1
    assert wrapper.live_articles() == 1


def test_a_chunked_article_sends_only_its_unanswered_chunk_live(
    server: FakeOpenAIServer, results: BatchResults, article_text: str
) -> None:
    article = Article(id="long", text=f"{article_text} {FILLER}", published=date(2024, 3, 4))
    settings, wrapper, keys = _prepared(server, results, article, slice(0, -1))
    assert len(keys) >= 2
    before = len(_chat(server))

    summary = _run(settings, wrapper, article)
    (sent,) = _chat(server)[before:]
    assert sent.json["messages"] == article_requests(wrapper.live, article)[-1].body["messages"]
    assert summary.run.chunks == len(keys) and summary.run.attempts == len(keys)
    assert wrapper.live_articles() == 1


def test_a_rejected_chunk_fails_the_whole_article_before_any_call(
    server: FakeOpenAIServer, results: BatchResults, article_text: str
) -> None:
    article = Article(id="long", text=f"{article_text} {FILLER}", published=date(2024, 3, 4))
    settings, wrapper, keys = _prepared(server, results, article, slice(0))
    results.rejected.put(keys[-1], {"status": 400, "message": "max_tokens is too large"})
    wrapper = BatchAnswers(wrapper.live, results)  # sees the rejection

    with pytest.raises(TransportError) as caught:
        _run(settings, wrapper, article)
    assert str(caught.value) == (
        "test-model: the Batch API rejected this article's request (HTTP 400: max_tokens is "
        "too large): a live call would be refused too; check the model name, --max-tokens and "
        "the article's length"
    )
    assert (caught.value.status, caught.value.attempts) == (400, 1)
    assert _chat(server) == [] and wrapper.live_articles() == 0


def test_an_answer_whose_re_asks_all_fail_still_counts_its_article_as_live(
    fake_openai: StartServer, results: BatchResults, article_text: str
) -> None:
    srv = fake_openai(json_answer({"summary": "x", "meetings": "not a list"}))
    article = Article(id="a", text=article_text, published=date(2024, 3, 4))
    settings, wrapper, _keys = _prepared(srv, results, article, slice(None))
    before = len(_chat(srv))

    with pytest.raises(ModelOutputError):
        _run(settings, wrapper, article)
    assert len(_chat(srv)) - before == wrapper.live.settings.max_reasks > 0
    assert wrapper.live_articles() == 1
