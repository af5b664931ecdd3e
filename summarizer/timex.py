"""Old path of `summarizer.times.normalize`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.times.normalize import normalize

__all__ = ["normalize"]
