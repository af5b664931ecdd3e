"""Quote alignment: find where a model's quote sits in the article, as character offsets.

`align(quote, text)` tries three steps, cheapest first, and returns a `Span` whose
`start`/`end` index the ORIGINAL `text` (never a cleaned copy):

1. verbatim `str.find` -> `match="exact"`, `score=1.0`;
2. a *normalised* match that forgives what models change without changing the words:
   case, whitespace runs (newlines, NBSP, zero-width characters), quote and apostrophe
   styles (straight, curly, guillemets, primes...), dash variants and "--", Unicode
   compatibility forms (NFKC) and diacritics, a dropped or added trailing punctuation
   mark, quote marks added or dropped at the edges. Decision: such a hit is reported as
   `match="exact"`, `score=1.0`, because the normalised texts are equal and only
   trivia differ; the words the item rests on are verbatim in the article.
   An elided quote ("A ... B" or "A … B") matches from A's start to B's end when the
   parts occur in order, each within `ELISION_MAX_GAP` normalised characters of the
   previous one; it is reported as `match="fuzzy"`, `score=1.0` because the span holds
   words the quote left out;
3. a quote of at least `SUBSTITUTION_MIN_WORDS` words whose words all occur in one
   window of the article, in order, but one that the model replaced ("agreed" for
   "decided"): in a short phrase one word weighs too much for step 4. Only a window
   unique in the article counts -> `match="fuzzy"`, `score` (n-1)/n, edges on words;
4. a fuzzy alignment of quotes of at least `FUZZY_MIN_WORDS` words: rapidfuzz's
   `partial_ratio_alignment` on the normalised text finds the window, whose edges are
   then moved to nearby word or token boundaries to maximise similarity. The score is
   the mean of the character similarity (Indel ratio) and the word-sequence similarity
   (the same ratio over word lists, which fabricated sentences made of the article's
   own words in another order fail). Kept when the score is at least `FUZZY_THRESHOLD`
   (chosen on `benchmarks/bench_grounding.py`) -> `match="fuzzy"`, `score` in [0, 1].
Neither 3 nor 4 accepts a span whose numbers differ from the quote's ("September 17"
for "September 18"), or that lacks a name the quote gives ("Oslo" for "Paris"): the
rest may be alike, the fact is not.

The returned span covers what the quote covers: edge punctuation or quote marks the
model added are not included, ones it dropped are not added back.

Normalising an article costs about a millisecond per 5,000 characters in pure Python,
so the normalised copy (with its map back to original offsets) is cached per text: the
pipeline aligns many quotes against one article.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from rapidfuzz import fuzz

__all__ = [
    "ELISION_MAX_GAP",
    "FUZZY_MIN_WORDS",
    "FUZZY_THRESHOLD",
    "SUBSTITUTION_MIN_WORDS",
    "Span",
    "align",
    "contains_name",
    "find_all",
]

FUZZY_THRESHOLD = 0.80
"""Lowest fuzzy score (0..1) kept. Lower finds more reworded quotes and more false ones.
On benchmarks/bench_grounding.py (with the one-word-substitution step before it): 0.75
kept 0.48% false alignments and recovered 95.6% of one-word-replaced quotes; 0.80 kept 1
false alignment in 3,125 and recovered 95.3%; 0.85 kept none and recovered 73.6%."""

FUZZY_MIN_WORDS = 3
"""Quotes with fewer words never align fuzzily: short strings match by chance."""

SUBSTITUTION_MIN_WORDS = 4
"""Shortest quote that may align with one word replaced (step 3 of `align`). On
benchmarks/bench_grounding.py --quick, 4 recovers 95% of one-word-replaced quotes and 5
recovers 90%, both with 1 false alignment in 1,003; three-word phrases ("end of next")
differ by one word from too many others."""

ELISION_MAX_GAP = 1000
"""Most normalised characters an elision ("...") may stand for between two parts."""


@dataclass(frozen=True, slots=True)
class Span:
    """Where a quote sits in a text: `text[start:end]`, and how it was found."""

    start: int
    end: int
    match: Literal["exact", "fuzzy"]
    score: float = 1.0


# --- normalisation ---------------------------------------------------------------

_QUOTE_CHARS = frozenset(
    "\"'`´"
    "\u2018\u2019\u201a\u201b"  # ‘ ’ ‚ ‛
    "\u201c\u201d\u201e\u201f"  # “ ” „ ‟
    "\u00ab\u00bb\u2039\u203a"  # « » ‹ ›
    "\u2032\u2033\u2035\u2036"  # ′ ″ ‵ ‶
    "\u02bc\u02b9\u02ba\u300c\u300d\u300e\u300f"  # ʼ ʹ ʺ 「 」 『 』
    "\uff02\uff07"  # fullwidth " '
)
_DASH_CHARS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d")
_DROP_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")  # zero-width, soft hyphen
_QUOTE = "'"
# Characters a model adds or drops at a quote's edges.
_EDGE_PUNCT = frozenset(".,;:!?\u2026")
_ELLIPSIS_RE = re.compile(r"\s*[\[(]?\s*\.{3,}\s*[\])]?\s*")
_WORD_RE = re.compile(r"\w+")
_DIGIT_RE = re.compile(r"[0-9]")
_TOKEN_RE = re.compile(r"[^ ]+")
_GLUE_RE = re.compile(r"(?<=[a-z0-9.,;:!?)\]\u201d\u2019\"'])[A-Z\[(\u201c]")


def _fold_char(ch: str) -> str:
    """The normalised form of one character ("" drops it)."""
    if ch in _QUOTE_CHARS or ch in _DROP_CHARS:
        # Quote marks are dropped, not unified: models drop inner quotes and
        # turn "Britain’s" into "Britains" or "Britain's" alike.
        return ""
    if ch in _DASH_CHARS:
        return "-"
    if ch.isspace():
        return " "
    if ch.isascii():
        return ch.lower()
    out = []
    # NFKD then dropping combining marks: NFKC's compatibility folding plus diacritics.
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(c) or c in _QUOTE_CHARS:
            continue
        if c in _DASH_CHARS:
            out.append("-")
        elif c.isspace():
            out.append(" ")
        else:
            out.append(c.casefold())
    return "".join(out)


_FOLD_CACHE: dict[str, str] = {}


def _fold(ch: str) -> str:
    r = _FOLD_CACHE.get(ch)
    if r is None:
        r = _fold_char(ch)
        if len(_FOLD_CACHE) < 100_000:
            _FOLD_CACHE[ch] = r
    return r


def _edge_fold(ch: str) -> str:
    """How an edge character compares: every quote style alike, else as normalised."""
    return _QUOTE if ch in _QUOTE_CHARS else _fold(ch)


@dataclass(slots=True)
class _Norm:
    """A normalised copy of a text, with each character's source range in the original.

    `breaks` holds the normalised positions where a quote mark was dropped: they
    still separate words ("Putin’s" is "putins", but "putin" ends at a break).
    """

    text: str
    starts: list[int]
    ends: list[int]
    breaks: frozenset[int]
    _word_starts: list[int] | None = field(default=None, repr=False)
    _word_ends: list[int] | None = field(default=None, repr=False)
    _words: frozenset[str] | None = field(default=None, repr=False)
    _word_spans: list[tuple[str, int, int]] | None = field(default=None, repr=False)
    _word_positions: dict[str, list[int]] | None = field(default=None, repr=False)

    def original(self, a: int, b: int) -> tuple[int, int]:
        return self.starts[a], self.ends[b - 1]

    def word_bounds(self, original: str) -> tuple[list[int], list[int]]:
        """Where a fuzzy span may start and end: word and token edges.

        Also camel-case joins in the original ("patternsFrench", "1990sWhen"), which is
        how scraped text often glues a paragraph to the next.
        """
        if self._word_starts is None or self._word_ends is None:
            t = self.text
            starts = {m.start() for m in _WORD_RE.finditer(t)}
            starts.update(m.start() for m in _TOKEN_RE.finditer(t))
            ends = {m.end() for m in _WORD_RE.finditer(t)}
            ends.update(m.end() for m in _TOKEN_RE.finditer(t))
            for m in _GLUE_RE.finditer(original):
                k = bisect_left(self.starts, m.start())
                if 0 < k < len(t) and self.starts[k] == m.start():
                    starts.add(k)
                    ends.add(k)
            self._word_starts = sorted(starts)
            self._word_ends = sorted(ends)
        return self._word_starts, self._word_ends

    def words(self) -> frozenset[str]:
        if self._words is None:
            t = self.text
            cuts = [0, *sorted(self.breaks), len(t)]
            self._words = frozenset(w for a, b in pairwise(cuts) for w in _WORD_RE.findall(t[a:b]))
        return self._words

    def word_sequence(self) -> tuple[list[tuple[str, int, int]], dict[str, list[int]]]:
        """The words of the text in order (word, start, end), and each word's indexes."""
        if self._word_spans is None or self._word_positions is None:
            spans = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(self.text)]
            positions: dict[str, list[int]] = {}
            for k, (word, _, _) in enumerate(spans):
                positions.setdefault(word, []).append(k)
            self._word_spans, self._word_positions = spans, positions
        return self._word_spans, self._word_positions

    def is_boundary(self, k: int) -> bool:
        """Whether a word may start or end at normalised position k."""
        t = self.text
        return (
            k <= 0 or k >= len(t) or k in self.breaks or not (t[k - 1].isalnum() and t[k].isalnum())
        )


def _normalize(text: str) -> _Norm:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    breaks: set[int] = set()
    for i, ch in enumerate(text):
        r = _fold(ch)
        if not r:
            if unicodedata.combining(ch):
                if ends:
                    ends[-1] = i + 1  # a combining mark belongs to the char before it
            elif ch in _QUOTE_CHARS:
                breaks.add(len(out))
            continue
        if r == " ":
            # Whitespace collapses to one space, and none is kept next to a dash, so
            # "A - B", "A—B" and "A -- B" normalise alike.
            if not out or out[-1] == " " or out[-1] == "-":
                continue
            out.append(" ")
            starts.append(i)
            ends.append(i + 1)
            continue
        for c in r:
            if c == "-" and out:
                if out[-1] == "-":
                    ends[-1] = i + 1
                    continue
                if out[-1] == " ":
                    out.pop()
                    starts.pop()
                    ends.pop()
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return _Norm("".join(out), starts, ends, frozenset(breaks))


@lru_cache(maxsize=128)
def _normalized(text: str) -> _Norm:
    return _normalize(text)


# --- candidate search ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Quote:
    """A quote split into edge trivia (as `_edge_fold` chars) and its normalised core."""

    lead: str
    core: str
    trail: str


def _is_edge(ch: str) -> bool:
    return ch.isspace() or ch in _QUOTE_CHARS or ch in _EDGE_PUNCT


def _split_quote(quote: str) -> _Quote:
    i, j = 0, len(quote)
    while i < j and _is_edge(quote[i]):
        i += 1
    while j > i and _is_edge(quote[j - 1]):
        j -= 1
    lead = "".join(_edge_fold(c) for c in quote[:i] if not c.isspace())
    trail = "".join(_edge_fold(c) for c in quote[j:] if not c.isspace())
    return _Quote(lead, _normalize(quote[i:j]).text.strip(" "), trail)


_OPENING = frozenset("\u201c\u2018\u201e\u201a`")  # “ ‘ „ ‚ `
_CLOSING = frozenset("\u201d\u2019\u00b4")  # ” ’ ´


def _extend(text: str, s: int, e: int, q: _Quote) -> tuple[int, int]:
    """Grow [s, e) over edge trivia the quote has and the text has next to it.

    Whitespace between the words and the trivia is crossed ("engines ." in tokenised
    text), but a span never grows by whitespace alone. A mark that can only open
    (“ ‘ „ `) is not taken at the end when it opens the next words ("anarchy.“Police",
    "28 .\n`` The"), nor a closing-only mark (” ’) at the start when it closes the
    previous ones.
    """
    n = len(text)
    for c in reversed(q.lead):
        k = s
        while k > 0 and text[k - 1].isspace():
            k -= 1
        if k == 0 or _edge_fold(text[k - 1]) != c:
            continue
        if text[k - 1] in _CLOSING and (k < s or (k > 1 and text[k - 2].isalnum())):
            break
        s = k - 1
    for c in q.trail:
        k = e
        # Punctuation may sit behind quote marks the model dropped ("today '' .").
        while k < n and (text[k].isspace() or (c != _QUOTE and text[k] in _QUOTE_CHARS)):
            k += 1
        if k == n or _edge_fold(text[k]) != c:
            continue
        if text[k] in _OPENING and (
            k > e or (k + 1 < n and (text[k + 1].isalnum() or text[k + 1] in _OPENING))
        ):
            break
        e = k + 1
    return s, e


def _iter_find(hay: str, needle: str) -> Iterator[int]:
    i = hay.find(needle)
    while i >= 0:
        yield i
        i = hay.find(needle, i + 1)


def _overlaps(s: int, e: int, used: Collection[tuple[int, int]]) -> bool:
    return any(s < ue and us < e for us, ue in used)


def _choose(
    cands: list[tuple[int, int]], near: int | None, used: Collection[tuple[int, int]]
) -> tuple[int, int] | None:
    if not cands:
        return None
    if near is not None:
        return min(cands, key=lambda c: (_distance(c, near), c[0]))
    for c in cands:
        if not _overlaps(c[0], c[1], used):
            return c
    return cands[0]


def _distance(c: tuple[int, int], near: int) -> int:
    s, e = c
    if s <= near < e:
        return 0
    return min(abs(s - near), abs(e - near))


def _exact_candidates(quote: str, text: str) -> list[tuple[int, int]]:
    return [(i, i + len(quote)) for i in _iter_find(text, quote)]


def _normalized_candidates(q: _Quote, text: str, norm: _Norm) -> list[tuple[int, int]]:
    hits = list(_iter_find(norm.text, q.core))
    # Forgiving matches stay on word boundaries when they can: "said" should not land
    # inside "unsaid" when the word itself is there.
    whole = [a for a in hits if norm.is_boundary(a) and norm.is_boundary(a + len(q.core))]
    return [_extend(text, *norm.original(a, a + len(q.core)), q) for a in whole or hits]


def _elided_candidates(q: _Quote, text: str, norm: _Norm) -> list[tuple[int, int]]:
    parts = [p for p in (p.strip(" ") for p in _ELLIPSIS_RE.split(q.core)) if p]
    if len(parts) < 2:
        return []
    t = norm.text
    found = []
    for a in _iter_find(t, parts[0]):
        pos = a + len(parts[0])
        for p in parts[1:]:
            nxt = t.find(p, pos, pos + ELISION_MAX_GAP + len(p))
            if nxt < 0:
                break
            pos = nxt + len(p)
        else:
            found.append((a, pos))
    if not found:
        return []
    # A chain that encloses a later one is not minimal: "A" in a title and "B" in the
    # body would otherwise win over the sentence that holds both.
    minimal = [
        c for c, nxt in zip(found, [*found[1:], None], strict=True) if not nxt or nxt[1] > c[1]
    ]
    return [_extend(text, *norm.original(a, b), q) for a, b in minimal]


def _fuzzy(q: _Quote, text: str, norm: _Norm) -> Span | None:
    t = norm.text
    core = _ELLIPSIS_RE.sub(" ", q.core).strip(" ")
    if len(_WORD_RE.findall(core)) < FUZZY_MIN_WORDS or not t:
        return None
    # The character part of the score can be as low as 2 * threshold - 1.
    cutoff = max(0.0, (2 * FUZZY_THRESHOLD - 1) * 100 - 5)
    res = fuzz.partial_ratio_alignment(core, t, score_cutoff=cutoff)
    if res is None:
        return None
    # partial_ratio scores a window as long as the quote; a replaced word of another
    # length shifts the true edges, so try nearby word boundaries and keep the best.
    ws, we = norm.word_bounds(text)
    if not ws:
        return None
    # Edges are chosen one at a time (start, then end, then start again): the
    # similarity barely couples them, and this keeps the number of ratios small.
    radius = max(12, len(core) // 8)
    lo, hi = res.dest_start - radius, res.dest_start + radius
    starts = ws[bisect_left(ws, lo) : bisect_right(ws, hi)]
    lo, hi = res.dest_end - radius, res.dest_end + radius
    ends = we[bisect_left(we, lo) : bisect_right(we, hi)]
    if not starts or not ends:
        return None

    def best(cands: list[int], fixed: int, is_start: bool) -> tuple[float, int]:
        top: tuple[float, int, int] | None = None
        for c in cands:
            a, b = (c, fixed) if is_start else (fixed, c)
            if b <= a:
                continue
            # Ties go to the span whose length is closest to the quote's.
            key = (fuzz.ratio(core, t[a:b]), -abs((b - a) - len(core)), -c)
            if top is None or key > top:
                top = key
        return (top[0], -top[2]) if top is not None else (0.0, fixed)

    a = min(starts, key=lambda x: abs(x - res.dest_start))
    b = min(ends, key=lambda x: abs(x - res.dest_end))
    _, a = best(starts, b, True)
    _, b = best(ends, a, False)
    chars, a = best(starts, b, True)
    if b <= a:
        return None
    # Character similarity alone is fooled by the article's own words in another
    # order (a fabricated sentence); the word-sequence similarity is not.
    quote_words, span_words = _WORD_RE.findall(core), _WORD_RE.findall(t[a:b])
    if _numbers(quote_words) != _numbers(span_words):
        return None  # a changed number changes the fact, however alike the rest
    words = fuzz.ratio(quote_words, span_words)
    score = (chars + words) / 200
    if score < FUZZY_THRESHOLD:
        return None
    s, e = _extend(text, *norm.original(a, b), q)
    return Span(s, e, "fuzzy", round(score, 4))


# --- public API ------------------------------------------------------------------


def align(
    quote: str,
    text: str,
    *,
    near: int | None = None,
    used: Collection[tuple[int, int]] = (),
) -> Span | None:
    """Locate `quote` in `text`; None when it is empty or not found.

    When the quote occurs several times, the occurrence nearest `near` (a character
    offset, e.g. of the item's other evidence) wins; without `near`, the first one not
    overlapping any `(start, end)` in `used`; failing that, the first.
    """
    if not quote or quote.isspace():
        return None
    hit = _choose(_exact_candidates(quote, text), near, used)
    if hit is not None:
        return Span(hit[0], hit[1], "exact", 1.0)
    q = _split_quote(quote)
    if not q.core:
        return None
    norm = _normalized(text)
    hit = _choose(_normalized_candidates(q, text, norm), near, used)
    if hit is not None:
        return Span(hit[0], hit[1], "exact", 1.0)
    if "..." in q.core:
        hit = _choose(_elided_candidates(q, text, norm), near, used)
        if hit is not None:
            return Span(hit[0], hit[1], "fuzzy", 1.0)
    # A one-word substitution pins both edges to words; the fuzzy window may drift.
    found = _substituted(q, text, norm) or _fuzzy(q, text, norm)
    if found is None or not _names_kept(quote, text[found.start : found.end]):
        return None
    return found


_NAME_RE = re.compile(r"[A-Z][a-z]+")
_ENDS_SENTENCE = re.compile(r"[.!?:\"\u201c\u201d\u2018\u2019']$")


def _names_kept(quote: str, span: str) -> bool:
    """Whether every name the quote gives (a capitalised word inside a sentence) is in the
    span: "met in Paris" is not evidence for "met in Oslo", however alike the rest."""
    span_words = set(_WORD_RE.findall(_normalize(span).text))
    previous = ""
    for token in quote.split():
        word = token.strip(".,;:!?()[]\"'\u201c\u201d\u2018\u2019")
        inside = bool(previous) and not _ENDS_SENTENCE.search(previous)
        if inside and _NAME_RE.fullmatch(word) and _normalize(word).text not in span_words:
            return False
        previous = token
    return True


def _numbers(words: list[str]) -> list[str]:
    return sorted(w for w in words if _DIGIT_RE.search(w))


def _substituted(q: _Quote, text: str, norm: _Norm) -> Span | None:
    """The one window of the article that has the quote's words but one, in order."""
    if "..." in q.core:
        return None
    edges = list(_WORD_RE.finditer(q.core))
    wanted = [m.group(0) for m in edges]
    n = len(wanted)
    if n < SUBSTITUTION_MIN_WORDS:
        return None
    words, positions = norm.word_sequence()
    windows: set[int] = set()
    # One word differs, so the first or the last word is in place.
    for anchor in (0, n - 1):
        for k in positions.get(wanted[anchor], ()):
            first = k - anchor
            if first < 0 or first + n > len(words) or first in windows:
                continue
            differ = 0
            for offset in range(n):
                word = words[first + offset][0]
                if word != wanted[offset]:
                    # A changed number changes the fact: "September 17" is not "18".
                    differ += 2 if _DIGIT_RE.search(word + wanted[offset]) else 1
                    if differ > 1:
                        break
            if differ == 1:
                windows.add(first)
    if len(windows) != 1:
        return None  # not there, or ambiguous: either way not evidence
    first = windows.pop()
    a, b = words[first][1], words[first + n - 1][2]
    # What the quote has around its first and last words ("*", "==", "."), when the
    # article has it there too.
    lead, tail = q.core[: edges[0].start()], q.core[edges[-1].end() :]
    if lead and norm.text[max(0, a - len(lead)) : a] == lead:
        a -= len(lead)
    if tail and norm.text[b : b + len(tail)] == tail:
        b += len(tail)
    s, e = _extend(text, *norm.original(a, b), q)
    return Span(s, e, "fuzzy", round((n - 1) / n, 4))


def find_all(needle: str, text: str) -> list[Span]:
    """Every verbatim or normalised occurrence of `needle` in `text`, in text order."""
    if not needle or needle.isspace():
        return []
    spans = set(_exact_candidates(needle, text))
    q = _split_quote(needle)
    if q.core:
        spans.update(_normalized_candidates(q, text, _normalized(text)))
    return [Span(s, e, "exact", 1.0) for s, e in sorted(spans)]


_POSSESSIVE_RE = re.compile(r"[\'\u2019\u02bc`´]s?\s*$")


def contains_name(name: str, text: str) -> bool:
    """Whether a name, place or short phrase appears in `text`.

    Strict on purpose (it flags names the article never mentions): the whole
    normalised name must occur on word boundaries, or else every token of three or
    more characters must occur as a whole word. Case, whitespace, quote styles,
    diacritics and a possessive "'s" are forgiven.
    """
    core = _split_quote(_POSSESSIVE_RE.sub("", name)).core
    if not core:
        return False
    norm = _normalized(text)
    for a in _iter_find(norm.text, core):
        if norm.is_boundary(a) and norm.is_boundary(a + len(core)):
            return True
    tokens = [w for w in _WORD_RE.findall(core) if len(w) >= 3]
    return bool(tokens) and all(w in norm.words() for w in tokens)
