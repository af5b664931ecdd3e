"""Shared fixtures: a short invented article, a valid draft for it, and fake OpenAI servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from summarizer.testing.server import FakeOpenAIServer, ResponderLike

# Invented for the tests (no licensed text): one meeting, one quoted statement, one plan.
ARTICLE_TEXT = (
    "Foreign Minister Anna Berg met Prime Minister Jon Holt in Oslo on Monday to discuss "
    'fishing rights. "We agreed to meet again in March," Berg said after the talks. '
    "The two leaders plan to sign a fisheries agreement in Bergen next spring."
)


def draft_for_article() -> dict[str, Any]:
    """A DraftSummary payload whose every quote is verbatim in ARTICLE_TEXT."""
    berg = {"name": "Anna Berg", "kind": "person", "role": "foreign minister"}
    holt = {"name": "Jon Holt", "kind": "person", "role": "prime minister"}
    return {
        "summary": "Anna Berg and Jon Holt met in Oslo and plan a fisheries agreement.",
        "meetings": [
            {
                "participants": [berg, holt],
                "location": "Oslo",
                "time": "on Monday",
                "topics": ["fishing rights"],
                "format": "in_person",
                "evidence": ["Foreign Minister Anna Berg met Prime Minister Jon Holt in Oslo"],
            }
        ],
        "statements": [
            {
                "speaker": berg,
                "content": "Berg said they agreed to meet again in March.",
                "quote": "We agreed to meet again in March",
                "evidence": ['"We agreed to meet again in March," Berg said'],
            }
        ],
        "planned_events": [
            {
                "description": "signing of a fisheries agreement",
                "participants": [berg, holt],
                "location": "Bergen",
                "time": "next spring",
                "status": "planned",
                "evidence": ["plan to sign a fisheries agreement in Bergen next spring"],
            }
        ],
    }


@pytest.fixture
def article_text() -> str:
    return ARTICLE_TEXT


@pytest.fixture
def draft_payload() -> dict[str, Any]:
    return draft_for_article()


@pytest.fixture
def fake_openai() -> Iterator[Callable[..., FakeOpenAIServer]]:
    """Start FakeOpenAIServers on 127.0.0.1; every one is closed when the test ends."""
    started: list[FakeOpenAIServer] = []

    def start(responder: ResponderLike | None = None, **options: Any) -> FakeOpenAIServer:
        server = FakeOpenAIServer(responder, **options).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.close()


def use_only_api_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """Clear every OPENAI_* and SUMMARIZER_* variable of the caller's environment, then set
    OPENAI_API_KEY: a test sees only the settings it gives."""
    import os

    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", key)


def run_together(scripts: list[list[str]]) -> None:
    """Start one Python process per argv (each prints "ready", then waits for a line on
    stdin), release them at once, and assert every one exits 0: the way to make writers
    really overlap."""
    import subprocess
    import sys

    procs = [
        subprocess.Popen(
            [sys.executable, *argv],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for argv in scripts
    ]  # fmt: skip
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
