"""A fault-injecting OpenAI-compatible HTTP server for tests and benchmarks.

Real HTTP/1.1 (keep-alive, exact Content-Length) on 127.0.0.1, stdlib only, so
the real `openai` and `instructor` clients exercise their whole transport: a
scripted 429 surfaces as `openai.RateLimitError` with its `Retry-After`, a reset
as `APIConnectionError`, a slow reply as `APITimeoutError`.

    with FakeOpenAIServer([Reply.error(429, retry_after=1), Reply.chat("hi")]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test")

As a process (benchmarks keep client and server on separate GILs):

    python -m summarizer.testing.server --port 0 --delay-ms 500 --answer FILE.json

prints its base URL on the first stdout line and serves until SIGTERM/SIGINT.

Every request is recorded in `srv.requests`; the Authorization header's value
is never stored, only whether it was present.
"""

from __future__ import annotations

import sys

from summarizer.testing.fake_server import FakeOpenAIServer
from summarizer.testing.recorded import RecordedRequest
from summarizer.testing.replies import (
    ALL_FAULTS,
    DEFAULT_MODEL,
    FaultKind,
    Faulty,
    Reply,
    Responder,
    ResponderLike,
    Script,
    ToolCall,
    delayed,
    faulty,
    json_answer,
)
from summarizer.testing.server_cli import main

__all__ = [
    "ALL_FAULTS",
    "DEFAULT_MODEL",
    "FakeOpenAIServer",
    "FaultKind",
    "Faulty",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ResponderLike",
    "Script",
    "ToolCall",
    "delayed",
    "faulty",
    "json_answer",
    "main",
]

if __name__ == "__main__":
    sys.exit(main())
