"""Split long articles at sentence boundaries, with overlap, to fit a context budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from summarizer.segment import sentences


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
    `overlap_sentences` so an item straddling a boundary is seen whole at least once."""
    if count_tokens(text) <= budget_tokens:
        return [Chunk(text, 0, len(text))]
    parts = sentences(text)
    costs = [count_tokens(s.text) + 1 for s in parts]
    chunks: list[Chunk] = []
    first = 0
    while first < len(parts):
        total, last = 0, first
        while last < len(parts) and (total + costs[last] <= budget_tokens or last == first):
            total += costs[last]
            last += 1
        start, end = parts[first].start, parts[last - 1].end
        chunks.append(Chunk(text[start:end], start, end))
        if last >= len(parts):
            break
        first = max(first + 1, last - overlap_sentences)
    return chunks
