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
