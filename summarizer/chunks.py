"""Split long articles at sentence boundaries, with overlap, to fit a context budget."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from summarizer.errors import ConfigError
from summarizer.sentences import Sentence, sentences

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int  # offset of the chunk in the text it was cut from
    end: int


def split(
    text: str,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    *,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Chunks of whole sentences, each within `budget_tokens`; consecutive chunks share
    `overlap_sentences` so an item straddling a boundary is seen whole at least once.

    A sentence longer than the budget on its own (a table, a list without full
    stops) is cut between words so that no chunk overflows the model's context.
    """
    if budget_tokens < 1:
        raise ConfigError(f"budget_tokens={budget_tokens}: give a positive token budget")
    if count_tokens(text) <= budget_tokens:
        return [Chunk(text, 0, len(text))]
    parts = [
        piece
        for s in sentences(text)
        for piece in _fit(text, s, budget_tokens - 1, count_tokens)
    ]
    costs = [count_tokens(s.text) + 1 for s in parts]
    chunks: list[Chunk] = []
    first, covered = 0, 0
    while covered < len(parts):
        total, last = 0, first
        while last < len(parts) and (total + costs[last] <= budget_tokens or last == first):
            total += costs[last]
            last += 1
        if last <= covered:
            # The overlap left no room for a new sentence: start afresh after it.
            first = covered
            continue
        start, end = parts[first].start, parts[last - 1].end
        chunks.append(Chunk(text[start:end], start, end))
        covered = last
        first = max(first + 1, last - overlap_sentences)
    return chunks


def _fit(
    text: str, sentence: Sentence, budget: int, count_tokens: Callable[[str], int]
) -> list[Sentence]:
    """The sentence itself, or pieces of it cut between words, each within `budget`."""
    if count_tokens(sentence.text) <= budget:
        return [sentence]
    pieces: list[Sentence] = []
    start = end = -1
    for word in _WORD.finditer(sentence.text):
        w_start, w_end = sentence.start + word.start(), sentence.start + word.end()
        if start >= 0 and count_tokens(text[start:w_end]) > budget:
            pieces.append(Sentence(text[start:end], start, end))
            start = -1
        if start < 0:
            start = w_start
        end = w_end
    if start >= 0:
        pieces.append(Sentence(text[start:end], start, end))
    # A single word over the budget stays whole: cutting inside a word helps nobody.
    return pieces
