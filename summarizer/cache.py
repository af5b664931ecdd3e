"""Old path of `summarizer.stores.summaries`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.stores.summaries import (
    ANSWER_FIELDS,
    CACHE_BUSY_TIMEOUT_S,
    SummaryCache,
    settings_fingerprint,
)

__all__ = ["ANSWER_FIELDS", "CACHE_BUSY_TIMEOUT_S", "SummaryCache", "settings_fingerprint"]
