"""What the fake server saw: one recorded request (credential headers never kept)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordedRequest", "estimate_tokens", "message_text"]

# ---------------------------------------------------------------------------
# What the server saw


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (batch lines included).

    `headers` has lower-case names and never holds Authorization (or other
    credential headers); `has_authorization` says whether one was sent.
    """

    index: int
    method: str
    path: str
    headers: Mapping[str, str]
    has_authorization: bool
    body: Any
    received_at: float
    batch_id: str | None = None
    custom_id: str | None = None
    client_port: int | None = None  # same port on two requests = one kept-alive connection

    @property
    def endpoint(self) -> str:
        """The path without the `/v1` prefix, e.g. `/chat/completions`."""
        return self.path[3:] if self.path.startswith("/v1/") else self.path

    @property
    def is_chat(self) -> bool:
        return self.endpoint == "/chat/completions"

    @property
    def is_completion(self) -> bool:
        return self.endpoint == "/completions"

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def model(self) -> str | None:
        model = self.json.get("model")
        return model if isinstance(model, str) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.json.get("messages")
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools = self.json.get("tools")
        return [t for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []

    @property
    def tool_name(self) -> str | None:
        """The function the client forces with `tool_choice`, else the first tool offered."""
        choice = self.json.get("tool_choice")
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            if isinstance(name, str):
                return name
        for tool in self.tools:
            name = (tool.get("function") or {}).get("name")
            if isinstance(name, str):
                return name
        return None

    def prompt_text(self) -> str:
        """All text the model would read: message contents, or the completion prompt."""
        prompt = self.json.get("prompt")
        if isinstance(prompt, str):
            return prompt
        if isinstance(prompt, list):
            return "\n".join(p for p in prompt if isinstance(p, str))
        return "\n".join(message_text(m) for m in self.messages)


def message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def estimate_tokens(text: str) -> int:
    # About four characters per token for English: enough for usage accounting in tests.
    return (len(text) + 3) // 4
