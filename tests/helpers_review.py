"""Shared helpers of the gold review tests: a hostile article, a model answer for it, drafting
its fixture through the real openai backend, and a plain HTTP client for the review API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from summarizer import cli
from summarizer.schemas import ArticleSummary, Evidence, Statement
from summarizer.testing import FakeOpenAIServer, json_answer


def trace(name: str) -> str:
    """JavaScript that leaves a mark on <html> if it ever runs."""
    return f"document.documentElement.setAttribute('data-xss-{name}','1')"


SCRIPT = f"<script>{trace('script')};document.title='PWNED'</script>"
IMG = f'<img src=x onerror="{trace("img")}">'
CLOSE = f"</span></div><script>{trace('close')}</script>"
# Astral characters (the flag is two code points, four UTF-16 units) before every span:
# offsets the page computes in UTF-16 must reach the server as Python's code points.
HOSTILE_ARTICLE = (
    "Talks in Tallinn \U0001f1ea\U0001f1ea\n\n"
    f"Foreign Minister Ilse Varga met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}\n\n"
    f'"We will hold joint exercises in May," Varga said, showing {IMG}.\n\n'
    f"The text closes a highlight early {CLOSE} and goes on.\n\n"
    "Aalto told reporters the talks had been useful.\n\n"
    "The two ministers plan to sign a defence pact in Helsinki next year.\n"
)
ANSWER: dict[str, Any] = {
    "summary": f"Varga met Aalto. {SCRIPT}",
    "meetings": [
        {
            "participants": [{"name": "Ilse Varga", "role": IMG}, {"name": "Piet Aalto"}],
            "location": f"Tallinn {IMG}",
            "time": "on Tuesday",
            "topics": [SCRIPT],
            "evidence": [
                f"met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}",
                f"closes a highlight early {CLOSE}",
            ],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Ilse Varga"},
            "content": f"Varga said they will hold exercises {IMG}",
            "quote": "We will hold joint exercises in May,",
            "evidence": ['"We will hold joint exercises in May," Varga said'],
        }
    ],
    "planned_events": [
        {
            "description": f"signing of a defence pact {SCRIPT}",
            "location": "Helsinki",
            "time": "next year",
            "status": "planned",
            "evidence": ["plan to sign a defence pact in Helsinki next year"],
        }
    ],
}
PUBLISHED = "2024-03-06"


def draft_fixture(folder: Path, answer: dict[str, Any] | None = None) -> Path:
    """Draft the hostile article's fixture into `folder / "gold"` with `eval draft-gold`,
    the model answering through FakeOpenAIServer; returns the gold file."""
    article = folder / "talks.txt"
    article.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    out = folder / "gold"
    with FakeOpenAIServer(json_answer(answer or ANSWER)) as srv:
        code = cli.main([
            "eval", "draft-gold", str(article), "--out", str(out), "--published", PUBLISHED,
            "--base-url", srv.base_url, "--model", "test-model",
        ])  # fmt: skip
    assert code == 0
    return out / "talks.gold.json"


def call(
    url: str,
    path: str,
    body: Any = None,
    *,
    token: str | None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """One request to the review server: (status, JSON body or bytes, headers)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["X-Review-Token"] = token
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url.rstrip("/") + path, data=data, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, payload, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, payload, got = exc.code, exc.read(), dict(exc.headers)
    is_json = got.get("Content-Type", "").startswith("application/json")
    return status, json.loads(payload) if is_json else payload, got


# An extended summary type (summarizer.extra_fields): drafting and review must carry its
# extra statement fields without being told about them.


class CueStatement(Statement):
    cue: Evidence | None = Field(default=None, description="The reporting verb phrase.")
    tone: Literal["calm", "angry"] | None = None


class CueSummary(ArticleSummary):
    statements: list[CueStatement] = Field(default_factory=list)
