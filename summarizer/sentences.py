"""Sentence segmentation with character offsets (for prompts, grounding and chunking)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a period does not end a sentence in news English.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt adm st jr sr co corp inc ltd no vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.u a.m p.m i.e e.g".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+)|\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*[\"”’')\]]*$")
_NEXT_CHAR = re.compile(r"\s*(\S)")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def _ends_sentence(text: str, boundary_end: int) -> bool:
    head = text[max(0, boundary_end - 20) : boundary_end]
    if "\n" in text[boundary_end - 1 : boundary_end]:
        return True
    match = _WORD_BEFORE.search(head)
    if match is None:
        return True
    word = match.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    # "3.5" or an initial like "J." before a capitalised surname is not a boundary.
    # (A match, not a slice of the rest: slicing made long articles quadratic.)
    following = _NEXT_CHAR.match(text, boundary_end)
    nxt = following.group(1) if following else ""
    return not (nxt.islower() or nxt.isdigit())


def sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; each `Sentence.text == text[start:end]`."""
    found: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _ends_sentence(text, end):
            continue
        _add(text, start, end, found)
        start = end
    _add(text, start, len(text), found)
    return found


def _add(text: str, start: int, end: int, found: list[Sentence]) -> None:
    # Trim whitespace without losing the mapping to the original offsets.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        found.append(Sentence(text[start:end], start, end))
