"""Replies rendered as OpenAI JSON: chat and text completions, usage, error bodies."""

from __future__ import annotations

import json
import time
from typing import Any

__all__ = [
    "ERROR_TYPES",
    "INVALID_JSON",
    "error_body",
    "format_seconds",
    "render_chat",
    "render_completion",
    "render_ok",
    "reply_error_body",
    "usage",
]

from summarizer.testing.recorded import RecordedRequest, estimate_tokens
from summarizer.testing.replies import DEFAULT_MODEL, Reply

ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
# A truncated chat completion: what a proxy that died mid-write leaves behind.
INVALID_JSON = (
    b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess'
)


# ---------------------------------------------------------------------------
# Rendering replies as OpenAI JSON


def usage(reply: Reply, request: RecordedRequest) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:
        prompt = estimate_tokens(request.prompt_text())
        if request.tools:
            prompt += estimate_tokens(json.dumps(request.tools))
        out = (reply.content or "") + (reply.refusal_text or "")
        out += "".join(c.name + c.arguments for c in reply.tool_calls)
        completion = estimate_tokens(out)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def render_chat(reply: Reply, request: RecordedRequest, created: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"chatcmpl-fake-{request.index}",
        "object": "chat.completion",
        "created": created,
        "model": reply.model or request.model or DEFAULT_MODEL,
        "choices": [],
        "usage": usage(reply, request),
        "system_fingerprint": "fp_fake",
    }
    if reply.kind == "empty_choices":
        return body
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": reply.refusal_text,
    }
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_fake_{request.index}_{i}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for i, call in enumerate(reply.tool_calls)
        ]
    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
    body["choices"] = [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}]
    return body


def render_completion(reply: Reply, request: RecordedRequest, created: int) -> dict[str, Any]:
    finish = reply.finish_reason if reply.finish_reason in ("length", "content_filter") else "stop"
    choices = [{"index": 0, "text": reply.content or "", "finish_reason": finish, "logprobs": None}]
    return {
        "id": f"cmpl-fake-{request.index}",
        "object": "text_completion",
        "created": created,
        "model": reply.model or request.model or DEFAULT_MODEL,
        "choices": [] if reply.kind == "empty_choices" else choices,
        "usage": usage(reply, request),
    }


def render_ok(reply: Reply, request: RecordedRequest) -> dict[str, Any]:
    render = render_completion if request.is_completion else render_chat
    return render(reply, request, int(time.time()))


def error_body(
    status: int, message: str | None, type_: str | None = None, code: str | None = None
) -> dict[str, Any]:
    default_type, default_code = ERROR_TYPES.get(status, ("server_error", None))
    return {
        "error": {
            "message": message or f"Fake server error {status}",
            "type": type_ or default_type,
            "param": None,
            "code": code or default_code,
        }
    }


def reply_error_body(reply: Reply) -> dict[str, Any]:
    return error_body(reply.status, reply.message, reply.error_type, reply.error_code)


def format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
