"""Remove page boilerplate before the model sees an article.

Cleaning works on whole lines so that the kept text is a sequence of verbatim
pieces of the original: `Cleaned.to_original` maps an offset in the cleaned copy
back to `Article.text`, which is what every offset in a summary indexes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Lines that are page furniture rather than reporting. Each pattern is anchored
# to the whole line (after a leading bullet) or needs several banner words at
# once, so that a sentence of news prose that merely mentions cookies, sharing or
# a newsletter does not match.
_SOCIAL = r"(facebook|twitter|x|linkedin|whatsapp|telegram|reddit|instagram|email|e-mail)"
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # Cookie banners speak about the site in the first person.
        r"^(we( and our (partners|vendors))?|(this|our) (web)?site) (also )?uses? cookies\b",
        r"^(accept|reject|decline|allow|manage)( all| necessary)?( cookies)?\s*$",
        r"^(manage|update|change) (my |your )?(cookie |privacy )?"
        r"(preferences|settings|consent|choices|options)\s*$",
        r"^(cookie|privacy) (policy|settings|preferences)\s*$",
        r"^(read|see|show|load|view) more\s*[.…>»›→]*\s*$",
        r"^(read|see) (also|more)\s*:",
        r"^related( \w+)?\s*:",
        r"^(most (read|popular)|recommended( for you)?|you may also like|trending( now)?)\s*:?\s*$",
        r"^(share|tweet|email|print|pin|save)"
        rf"( (this|on|via) (article|story|page|post|link|{_SOCIAL}))?\s*:?\s*$",
        r"^share (this|on|via)\b[^.!?]{0,60}$",
        r"^follow us\b.{0,60}$",
        r"^(sign up|subscribe|register)( now| today| here)? (for|to) (our|the)\b.{0,40}"
        r"\b(newsletters?|briefings?|updates|alerts|digest)\b",
        r"^(advertisement|sponsored( content)?|ad|promoted)\s*$",
        r"^click here\b.{0,80}$",
        r"^all rights reserved\.?\s*$",
        r"^(©|\(c\)|copyright)\s*(©\s*)?\d{4}\b.{0,80}$",
        rf"^{_SOCIAL}(\s*[|/·•,]\s*\w+)*\s*$",
    )
]

# A cookie notice addresses the reader and asks for consent, whatever its wording.
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_READER = re.compile(r"\b(you|your)\b", re.IGNORECASE)
_CONSENT = re.compile(
    r"\b(accept|agree|consent|cookie policy|privacy policy|cookie settings|preferences|"
    r"browsing|experience|analytics)\b",
    re.IGNORECASE,
)

# Reporting verbs mark news prose ("..., the ministry said."): such a line is kept
# even when it looks like a share prompt or a copyright line.
_REPORTING = re.compile(
    r"\b(said|says|told|added|announced|warned|reported|according to|alleged)\b", re.IGNORECASE
)

# A line made only of bullets, separators or icons carries no content.
_JUNK_LINE = re.compile(r"^[\s•·▪●◦‣∙*|/\\_=~+<>»«›‹—–-]*$")
_LEADING_BULLET = re.compile(r"^[ \t]*[•·▪●◦‣∙][ \t]*")
# What `str.splitlines` treats as a line end ("\r\n" counts as one).
_LINE_END = re.compile(r"(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])$")


# A menu, breadcrumb or byline: three or more short items between separators.
_MENU_SEPARATOR = re.compile(r"\s+[|•·]\s+|\s+[|•·]$|^[|•·]\s+")
_MENU_ITEM_WORDS = 4


def _is_menu(line: str) -> bool:
    items = [item for item in _MENU_SEPARATOR.split(line) if item.strip()]
    return len(items) >= 3 and all(
        len(item.split()) <= _MENU_ITEM_WORDS and not item.rstrip().endswith((".", "?", "!"))
        for item in items
    )


def is_boilerplate(line: str) -> bool:
    """Whether one line (without its line break) is page furniture rather than content."""
    stripped = line.strip()
    if not stripped:
        return False
    if _JUNK_LINE.match(stripped):
        return True
    body = _LEADING_BULLET.sub("", stripped)
    if _REPORTING.search(body):
        return False
    if _COOKIE.search(body) and _READER.search(body) and _CONSENT.search(body):
        return True
    if _is_menu(stripped):
        return True
    return any(p.search(body) for p in _BOILERPLATE)


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text and where each of its pieces came from in the original."""

    text: str
    # Parallel lists: piece i starts at clean_starts[i] in `text` and at
    # orig_starts[i] in the original. A piece is either a verbatim run of a kept
    # line or the line break after it, which maps to the original line break.
    clean_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    removed_lines: int

    def to_original(self, offset: int) -> int:
        """Map an offset in the cleaned text (0..len(text)) to the original text."""
        if not self.clean_starts:
            return offset
        i = max(0, bisect.bisect_right(self.clean_starts, offset) - 1)
        return self.orig_starts[i] + (offset - self.clean_starts[i])


def clean(text: str) -> Cleaned:
    """Drop boilerplate lines and bullet junk; keep every other line verbatim.

    Leading bullets and trailing spaces of a kept line are cut, runs of blank
    lines become one, and every line break is written "\\n".
    """
    pieces: list[str] = []
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    removed = 0
    length = 0
    blank_run = 0
    position = 0

    def emit(piece: str, origin: int) -> None:
        nonlocal length
        clean_starts.append(length)
        orig_starts.append(origin)
        pieces.append(piece)
        length += len(piece)

    for line in text.splitlines(keepends=True):
        line_start = position
        position += len(line)
        ending = _LINE_END.search(line)
        body = line[: ending.start()] if ending else line
        if is_boilerplate(body):
            removed += 1
            continue
        if not body.strip():
            blank_run += 1
            if blank_run > 1 or not pieces:
                continue
            # The blank line's own break; "\r\n" maps to its "\n".
            emit("\n", position - 1 if ending else line_start + len(body))
            continue
        blank_run = 0
        bullet = _LEADING_BULLET.match(body)
        skip = bullet.end() if bullet else 0
        content = body[skip:].rstrip()
        emit(content, line_start + skip)
        if ending:
            emit("\n", position - 1)
    cleaned = "".join(pieces).rstrip()
    # Trailing line breaks were cut: their pieces no longer exist.
    while clean_starts and clean_starts[-1] >= len(cleaned):
        clean_starts.pop()
        orig_starts.pop()
    return Cleaned(cleaned, tuple(clean_starts), tuple(orig_starts), removed)
