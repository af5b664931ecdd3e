"""Text normalisation and token F1 for scoring, with the text caches a scorer owns.

Texts are folded (case, accents, punctuation) and tokenised once: a suite compares the same
gold texts, and predicted texts that recur across repetitions and runs, over and over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "Bag",
    "TextCache",
    "TextIndex",
    "bag_f1",
    "find_span",
    "fold",
    "location_tokens",
    "make_bag",
    "token_f1",
]

_NON_WORD = re.compile(r"[^\w\s]")
_ARTICLES = frozenset({"a", "an", "the"})
_LOCATION_STOP = frozenset({"the", "in", "at"})


def fold(text: str) -> str:
    """Casefolded, accents and punctuation removed, whitespace collapsed."""
    # Not cached itself: every caller caches its own result (bags, names, locations).
    folded = text.casefold()
    # ASCII has no decompositions and no combining marks: skip the per-character pass,
    # which dominated folding (most texts, and nearly all predicted ones, are ASCII).
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", folded).split())


# A text's tokens for token F1: (its distinct tokens, the number of tokens, and the count
# of each distinct token when some token repeats, else None). When neither of two texts
# repeats a token, their clipped overlap is the size of the intersection of their
# vocabularies, which runs in C. Flat tuples of str and int, so that the young collections
# of the garbage collector stop tracking cached bags before they reach the oldest one.
Bag = tuple[tuple[str, ...], int, tuple[int, ...] | None]


def make_bag(text: str) -> Bag:
    """The token bag of `text` (articles dropped), uncached."""
    counts: dict[str, int] = {}
    n = 0
    for t in fold(text).split():
        if t not in _ARTICLES:
            counts[t] = counts.get(t, 0) + 1
            n += 1
    distinct = tuple(counts)
    repeats = None if len(distinct) == n else tuple(counts.values())
    return (distinct, n, repeats)


def bag_f1(gold: Bag, pred: Bag) -> float:
    g_tokens, gn, g_counts = gold
    p_tokens, pn, p_counts = pred
    if gn == 0 or pn == 0:
        return 1.0 if gn == pn else 0.0
    if g_counts is None or p_counts is None:
        # min(1, k) = 1: each shared token counts once.
        same = len(frozenset(g_tokens).intersection(p_tokens))
    else:
        large = dict(zip(g_tokens, g_counts, strict=True))
        same = 0
        for token, n in zip(p_tokens, p_counts, strict=True):
            m = large.get(token)
            if m:
                same += n if n < m else m
    if same == 0:
        return 0.0
    return 2 * same / (gn + pn)


def token_f1(gold: str, pred: str) -> float:
    """SQuAD-style token F1 (case, accents, punctuation and articles ignored).

    Uncached; scoring uses `TextCache.token_f1`, which gives the same values.
    """
    return bag_f1(make_bag(gold), make_bag(pred))


class TextCache:
    """Token bags and token F1 of the texts a scorer has seen, in bounded caches.

    Plain dicts of untracked values (str, int, float, tuples of those), emptied when full:
    functools.lru_cache would add a garbage-collected link object per entry, and a scoring
    run that caches a few hundred thousand texts would then pay for full collections over
    everything alive. The bounds limit memory; no value depends on what the caches hold.
    """

    def __init__(self, *, max_texts: int = 1 << 16, max_pairs: int = 1 << 18) -> None:
        self.max_texts = max_texts
        self.max_pairs = max_pairs
        self.bags: dict[str, Bag] = {}
        self.pairs: dict[tuple[str, str], float] = {}

    def clear(self) -> None:
        self.bags.clear()
        self.pairs.clear()

    def bag(self, text: str) -> Bag:
        bag = self.bags.get(text)
        if bag is None:
            bag = make_bag(text)
            if len(self.bags) >= self.max_texts:
                self.bags.clear()
            self.bags[text] = bag
        return bag

    def token_f1(self, gold: str, pred: str) -> float:
        """`token_f1`, cached: the same pairs recur across the items, repetitions and runs."""
        key = (gold, pred)
        f1 = self.pairs.get(key)
        if f1 is None:
            f1 = bag_f1(self.bag(gold), self.bag(pred))
            if len(self.pairs) >= self.max_pairs:
                self.pairs.clear()
            self.pairs[key] = f1
        return f1


class TextIndex:
    """The gold texts of a list (every alternative) indexed by token, for token F1 against
    many predictions: a prediction's overlap with every gold text comes from the postings of
    its own tokens, instead of a comparison per gold text."""

    def __init__(self, gold: Sequence[Sequence[str]], texts: TextCache) -> None:
        self.texts = texts
        self.sizes: list[int] = []  # tokens per alternative
        self.items: list[int] = []  # the gold item of each alternative
        self.postings: dict[str, list[tuple[int, int]]] = {}  # token -> (alternative, count)
        for i, alts in enumerate(gold):
            for alt in alts:
                k = len(self.sizes)
                tokens, size, counts = texts.bag(alt)
                self.sizes.append(size)
                self.items.append(i)
                for t, c in zip(tokens, counts or [1] * len(tokens), strict=True):
                    self.postings.setdefault(t, []).append((k, c))
        self.n_items = len(gold)

    def f1(self, text: str) -> list[float]:
        """token_f1 of `text` against each gold item (the best of its alternatives).

        The same integer overlap (the sum over shared tokens of the smaller count) and the
        same final division as token_f1, so the values are identical, not merely close.
        """
        tokens, pn, counts = self.texts.bag(text)
        same = [0] * len(self.sizes)
        postings = self.postings
        if counts is None:
            for t in tokens:
                for k, _ in postings.get(t, ()):
                    same[k] += 1  # min(gold count, 1)
        else:
            for t, pc in zip(tokens, counts, strict=True):
                for k, gc in postings.get(t, ()):
                    same[k] += gc if gc < pc else pc
        f1 = [
            (1.0 if gn == pn else 0.0) if gn == 0 or pn == 0 else (2 * s / (gn + pn) if s else 0.0)
            for s, gn in zip(same, self.sizes, strict=True)
        ]
        if len(f1) == self.n_items:
            return f1
        best = [0.0] * self.n_items
        for i, value in zip(self.items, f1, strict=True):
            if value > best[i]:
                best[i] = value
        return best


# Pure functions of strings, memoised: the same few locations and quotes recur in an article.
@lru_cache(maxsize=1 << 14)
def location_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in fold(text).split() if t not in _LOCATION_STOP)


@lru_cache(maxsize=1 << 14)
def find_span(quote: str, text: str) -> tuple[int, int] | None:
    """Where `quote` (or the quote without its quotation marks) occurs in `text`."""
    pos = text.find(quote)
    if pos < 0:
        stripped = quote.strip().strip("\"'“”‘’")
        pos = text.find(stripped) if stripped else -1
        if pos < 0:
            return None
        return pos, pos + len(stripped)
    return pos, pos + len(quote)
