"""Remove page boilerplate before the model sees an article.

Cleaning works on whole lines so that the kept text is a sequence of verbatim
pieces of the original: `Cleaned.to_original` maps an offset in the cleaned copy
back to `Article.text`, which is what every offset in a summary indexes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Lines that are page furniture rather than reporting. Each pattern must be
# specific enough that a sentence of news prose does not match it.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(we|this (web)?site) uses? cookies\b",
        r"\bcookie (policy|settings|preferences|consent)\b",
        r"\bby clicking [“\"']?(accept|agree|ok)",
        r"\b(accept|reject|manage) (all )?cookies\b",
        r"^\s*(read|see|show|load) more\s*[.…>»]*\s*$",
        r"^\s*(read|see) (also|more)\s*:",
        r"^\s*related( articles| stories| news)?\s*:",
        r"^\s*(share|tweet|email|print|pin|save)( (this|on|via) \w+( \w+)?)?\s*$",
        r"^\s*share (this|on)\b.{0,60}$",
        r"\bfollow us on\b",
        r"\b(sign up|subscribe) (for|to) (our|the) (free |daily |weekly )?(newsletter|briefing|updates)\b",
        r"^\s*(advertisement|sponsored( content)?|ad)\s*$",
        r"^\s*click here\b",
        r"^\s*all rights reserved\.?\s*$",
        r"^\s*(©|\(c\)|copyright)\s*\d{4}\b.{0,80}$",
        r"^\s*(facebook|twitter|x|linkedin|whatsapp|telegram|reddit)(\s*[|/·•,]\s*\w+)*\s*$",
    )
]

# A line made only of bullets, separators or icons carries no content.
_JUNK_LINE = re.compile(r"^[\s•·▪●◦‣∙*|/\\_=~+<>»«›‹-]*$")
_LEADING_BULLET = re.compile(r"^[ \t]*[•·▪●◦‣∙][ \t]*")


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _JUNK_LINE.match(stripped):
        return True
    return any(p.search(stripped) for p in _BOILERPLATE)


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text and where each of its pieces came from in the original."""

    text: str
    # Parallel lists: piece i starts at clean_starts[i] in `text` and at
    # orig_starts[i] in the original, and is copied verbatim.
    clean_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    removed_lines: int

    def to_original(self, offset: int) -> int:
        """Map an offset in the cleaned text to the original text."""
        if not self.clean_starts:
            return offset
        i = max(0, bisect.bisect_right(self.clean_starts, offset) - 1)
        return self.orig_starts[i] + (offset - self.clean_starts[i])


def clean(text: str) -> Cleaned:
    """Drop boilerplate lines and bullet junk; keep every other line verbatim."""
    pieces: list[str] = []
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    removed = 0
    length = 0
    blank_run = 0
    position = 0
    for line in text.splitlines(keepends=True):
        line_start = position
        position += len(line)
        body = line.rstrip("\r\n")
        if is_boilerplate(body):
            removed += 1
            continue
        if not body.strip():
            blank_run += 1
            if blank_run > 1 or not pieces:
                continue
            piece, piece_orig = "\n", line_start + len(body)
        else:
            blank_run = 0
            bullet = _LEADING_BULLET.match(body)
            skip = bullet.end() if bullet else 0
            piece, piece_orig = body[skip:].rstrip() + "\n", line_start + skip
        clean_starts.append(length)
        orig_starts.append(piece_orig)
        pieces.append(piece)
        length += len(piece)
    cleaned = "".join(pieces).rstrip()
    return Cleaned(cleaned, tuple(clean_starts), tuple(orig_starts), removed)
