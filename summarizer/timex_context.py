"""Old path of `summarizer.times.in_context`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.times.in_context import TimeMention, infer_tense, normalize_in, times_in

__all__ = ["TimeMention", "infer_tense", "normalize_in", "times_in"]
