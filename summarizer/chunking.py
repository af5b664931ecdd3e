"""Old path of `summarizer.chunks`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.chunks import Chunk, split

__all__ = ["Chunk", "split"]
