"""Old path of `summarizer.draft_schema`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.draft_schema import (
    DraftActor,
    DraftItem,
    DraftItemKind,
    DraftMeeting,
    DraftPlannedEvent,
    DraftStatement,
    DraftSummary,
    QuoteCheck,
    checking_quotes,
    draft_json_schema,
    schema_fingerprint,
)

__all__ = [
    "DraftActor",
    "DraftItem",
    "DraftItemKind",
    "DraftMeeting",
    "DraftPlannedEvent",
    "DraftStatement",
    "DraftSummary",
    "QuoteCheck",
    "checking_quotes",
    "draft_json_schema",
    "schema_fingerprint",
]
