"""The Python entry points over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import summarizer
from summarizer import Article, Outcome, asummarize, summarize, summarize_many
from summarizer.testing import FakeOpenAIServer, Reply, json_answer
from summarizer.testing.server import RecordedRequest

TEXT = "Mayor Ana Ruiz met Governor Tom Hale in Corvale on Friday to discuss bridge repairs."
DRAFT = {
    "summary": "A mayor met a governor.",
    "meetings": [
        {
            "participants": [{"name": "Ana Ruiz"}, {"name": "Tom Hale"}],
            "location": "Corvale",
            "time": "on Friday",
            "topics": ["bridge repairs"],
            "format": "in_person",
            "evidence": ["Mayor Ana Ruiz met Governor Tom Hale in Corvale on Friday"],
        }
    ],
    "statements": [],
    "planned_events": [],
}


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    answer = json_answer(DRAFT)

    def respond(request: RecordedRequest) -> Reply:
        # Articles that mention "FAIL" get a permanent 400: one bad article in a batch.
        if "FAIL" in request.prompt_text():
            return Reply.error(400)
        return answer(request)

    with FakeOpenAIServer(respond) as srv:
        yield srv


def test_public_api_is_curated() -> None:
    assert set(summarizer.__all__) >= {"Article", "summarize", "asummarize", "summarize_many", "ArticleSummary"}
    for name in summarizer.__all__:
        assert hasattr(summarizer, name)


def test_summarize_accepts_plain_text(server: FakeOpenAIServer) -> None:
    summary = summarize(TEXT, base_url=server.base_url, model="m", api_key="sk-test")
    assert summary.article_id == Article(text=TEXT).id
    assert summary.meetings[0].participants[0].name == "Ana Ruiz"
    assert summary.run.backend == "openai" and summary.run.model == "m"


def test_asummarize(server: FakeOpenAIServer) -> None:
    summary = asyncio.run(asummarize(Article(id="a", text=TEXT), base_url=server.base_url, model="m", api_key="k"))
    assert summary.article_id == "a" and len(summary.meetings) == 1


def test_summarize_many_keeps_order_and_isolates_failures(server: FakeOpenAIServer) -> None:
    articles = [Article(id=f"a{i}", text=TEXT + (" FAIL" if i == 2 else "")) for i in range(5)]
    outcomes = summarize_many(articles, concurrency=3, base_url=server.base_url, model="m", api_key="k", max_attempts=1)
    assert [o.id for o in outcomes] == ["a0", "a1", "a2", "a3", "a4"]
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    failed = outcomes[2]
    assert isinstance(failed, Outcome) and failed.error is not None
    assert failed.error.type == "TransportError" and failed.error.status == 400
    assert all(o.summary is not None for o in outcomes if o.ok)


def test_asummarize_after_summarize_many_on_a_new_event_loop(server: FakeOpenAIServer) -> None:
    # Each asyncio.run is a new loop; a client pooled on the previous one used to fail here
    # with a TransportError that blamed the server ("Event loop is closed" underneath).
    options = {"base_url": server.base_url, "model": "m", "api_key": "k", "max_attempts": 1}
    outcomes = summarize_many([Article(id=f"a{i}", text=TEXT) for i in range(4)], concurrency=4, **options)
    assert [o.ok for o in outcomes] == [True] * 4
    for round_ in range(2):
        summary = asyncio.run(asummarize(Article(id=f"x{round_}", text=TEXT), **options))
        assert len(summary.meetings) == 1
    outcomes = summarize_many([Article(id=f"b{i}", text=TEXT) for i in range(4)], concurrency=4, **options)
    assert [o.ok for o in outcomes] == [True] * 4


def test_an_internal_error_is_not_relabelled_as_a_transport_failure(server: FakeOpenAIServer) -> None:
    import openai

    from summarizer.api import pipeline_for
    from summarizer.config import resolve_settings

    settings = resolve_settings(base_url=server.base_url, model="stale", api_key="k", max_attempts=3)
    backend = pipeline_for(settings).backend

    async def first_use() -> openai.AsyncOpenAI:
        client = backend.async_client()  # type: ignore[attr-defined]
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        return client

    stale = asyncio.run(first_use())
    requests = len(server.requests)
    # Forcing the client of a closed loop on a new one: the bug the per-loop clients prevent.
    backend.async_client = lambda: stale  # type: ignore[attr-defined]
    try:
        with pytest.raises(RuntimeError, match="Event loop is closed"):
            asyncio.run(asummarize(Article(id="s", text=TEXT), settings=settings))
    finally:
        del backend.async_client  # type: ignore[attr-defined]
    # Sent at most once, not retried under --max-attempts 3: a bug does not clear by waiting.
    assert len(server.requests) <= requests + 1


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_an_empty_article_is_rejected_like_the_cli_rejects_it(server: FakeOpenAIServer, text: str) -> None:
    from summarizer import InputError

    options = {"base_url": server.base_url, "model": "m", "api_key": "k"}
    article = Article(id="blank", text=text)
    with pytest.raises(InputError, match=r"^article 'blank' is empty: give an article with some text$"):
        summarize(article, **options)
    with pytest.raises(InputError, match="is empty"):
        asyncio.run(asummarize(article, **options))
    [outcome] = summarize_many([article], **options)
    assert outcome.error is not None and outcome.error.type == "InputError"
    assert outcome.error.message == "article 'blank' is empty: give an article with some text"
    assert not server.requests
