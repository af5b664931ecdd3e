"""Old path of `summarizer.times.normalization`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.times.normalization import normalize

__all__ = ["normalize"]
