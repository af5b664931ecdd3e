"""The openai backend's request seams: `chat_request` builds the request a live call sends,
without sending it, and `extract(..., answer=...)` takes an answer that came another way.
Real openai + instructor against FakeOpenAIServer, which records what reaches it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion

from summarizer.backends.openai_compat import OpenAIBackend
from summarizer.config import resolve_settings
from summarizer.draft_schema import DraftSummary, draft_json_schema
from summarizer.prompts import PromptInput
from summarizer.stores.responses import ResponseStore
from summarizer.testing.server import FakeOpenAIServer, RecordedRequest, json_answer

CANARY = "sk-canary-requests-4b1d"
StartServer = Callable[..., FakeOpenAIServer]
# Every instructor mode the backend offers, and llama.cpp's json_object-with-schema variant.
VARIANTS = [
    ("tools", False),
    ("json", False),
    ("json", True),
    ("json_schema", False),
    ("md_json", False),
]
# Fails the draft schema: instructor re-asks.
INVALID: dict[str, Any] = {"summary": "x", "meetings": "not a list"}


@pytest.fixture
def item(article_text: str) -> PromptInput:
    return PromptInput(article_text, "Talks in Oslo", date(2024, 3, 4))


def _backend(
    srv: FakeOpenAIServer, mode: str, *, schema: bool = False, **options: Any
) -> OpenAIBackend:
    settings = resolve_settings(
        env={}, base_url=srv.base_url, model="test-model", api_key=CANARY,
        instructor_mode=mode, json_object_schema=schema,
    )
    return OpenAIBackend(settings, **options)


def _chat(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


def _answered_by(srv: FakeOpenAIServer, body: dict[str, Any]) -> ChatCompletion:
    """`body` sent by a plain openai client, as the Batch API would send a request line."""
    with openai.OpenAI(base_url=srv.base_url, api_key=CANARY, max_retries=0) as client:
        return client.chat.completions.create(**body)


async def _aextract(backend: OpenAIBackend, item: PromptInput, **options: Any) -> Any:
    try:
        return await backend.aextract(item, **options)
    finally:
        await backend.aclose()


@pytest.mark.parametrize(("mode", "schema"), VARIANTS)
def test_chat_request_is_the_body_a_live_call_sends_and_its_store_key(
    fake_openai: StartServer,
    draft_payload: dict[str, Any],
    item: PromptInput,
    tmp_path: Path,
    mode: str,
    schema: bool,
) -> None:
    srv = fake_openai(json_answer(draft_payload))
    store = ResponseStore(tmp_path / "store.sqlite")
    backend = _backend(srv, mode, schema=schema, store=store, store_mode="record")
    built = backend.chat_request(item)
    assert _chat(srv) == []  # built, not sent

    backend.extract(item)
    # The async path, on a backend without a store (the store would answer the same request).
    asyncio.run(_aextract(_backend(srv, mode, schema=schema), item))
    sync_sent, async_sent = (r.json for r in _chat(srv))
    assert built.body == sync_sent == async_sent
    assert built.key == backend.request_key(sync_sent)
    # Filed where the live path files it: a store recorded by a live call holds this key.
    assert store.get(built.key) is not None
    if schema:
        assert built.body["response_format"] == {
            "type": "json_object", "schema": draft_json_schema()
        }
    elif mode == "tools":
        assert built.body["tool_choice"]["type"] == "function" and built.body["tools"]
    backend.close()
    store.close()


@pytest.mark.parametrize(("mode", "schema"), VARIANTS)
def test_an_answer_received_elsewhere_is_taken_without_sending_the_request(
    fake_openai: StartServer,
    draft_payload: dict[str, Any],
    item: PromptInput,
    mode: str,
    schema: bool,
) -> None:
    srv = fake_openai(json_answer(draft_payload))
    backend = _backend(srv, mode, schema=schema)
    answer = _answered_by(srv, backend.chat_request(item).body)
    before = len(_chat(srv))

    result = backend.extract(item, answer=answer)
    assert len(_chat(srv)) == before  # nothing sent
    assert result.draft.model_dump() == DraftSummary.model_validate(draft_payload).model_dump()
    # An answer, not a request this backend made, nor one replayed from its store.
    assert (result.attempts, result.reasks, result.replayed) == (0, 0, False)
    backend.close()


def test_an_answer_that_does_not_fit_is_re_asked_live(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    bad = fake_openai(json_answer(INVALID))
    srv = fake_openai(json_answer(draft_payload))
    backend = _backend(srv, "json")
    answer = _answered_by(bad, backend.chat_request(item).body)

    result = asyncio.run(_aextract(backend, item, answer=answer))
    (reask,) = _chat(srv)  # only the re-ask went out
    assert "meetings" in reask.prompt_text()  # with the validation error explained
    assert (result.attempts, result.reasks, result.replayed) == (1, 1, False)
    assert result.draft.summary == draft_payload["summary"]
    backend.close()
