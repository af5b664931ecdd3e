"""summarizer: typed, grounded, evaluated structured summaries of news articles."""

from __future__ import annotations

from summarizer.api import Outcome, asummarize, summarize, summarize_many
from summarizer.config import Settings, resolve_settings
from summarizer.errors import (
    ConfigError,
    InputError,
    ModelError,
    ModelOutputError,
    ReplayMissError,
    SummarizerError,
    TransportError,
    UsageError,
)
from summarizer.reader import read_article
from summarizer.schemas import (
    Actor,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    RunInfo,
    Statement,
    TimeExpr,
)
from summarizer.version import __version__

__all__ = [
    "Actor",
    "Article",
    "ArticleSummary",
    "ConfigError",
    "Evidence",
    "InputError",
    "Meeting",
    "ModelError",
    "ModelOutputError",
    "Outcome",
    "PlannedEvent",
    "ReplayMissError",
    "RunInfo",
    "Settings",
    "Statement",
    "SummarizerError",
    "TimeExpr",
    "TransportError",
    "UsageError",
    "__version__",
    "asummarize",
    "read_article",
    "resolve_settings",
    "summarize",
    "summarize_many",
]
