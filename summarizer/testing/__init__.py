"""Test support: a scripted, fault-injecting OpenAI-compatible server on 127.0.0.1.

Names are loaded lazily so `python -m summarizer.testing.server` runs the
module once, as `__main__`, instead of after an eager import by this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.testing.server import (
        DEFAULT_MODEL,
        FakeOpenAIServer,
        FaultKind,
        Faulty,
        RecordedRequest,
        Reply,
        Responder,
        Script,
        ToolCall,
        delayed,
        faulty,
        json_answer,
    )

__all__ = [
    "DEFAULT_MODEL",
    "FakeOpenAIServer",
    "FaultKind",
    "Faulty",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Script",
    "ToolCall",
    "delayed",
    "faulty",
    "json_answer",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("summarizer.testing.server"), name)
