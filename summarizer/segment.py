"""Old path of `summarizer.sentences`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.sentences import Sentence, sentences

__all__ = ["Sentence", "sentences"]
