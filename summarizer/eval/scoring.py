"""Field-level scoring of one predicted `ArticleSummary` against its `Gold`.

Each list (meetings, statements, planned events) is aligned to gold by maximum-weight
bipartite matching on item similarity; pairs below `ScoringConfig.min_item_similarity` are
not matches. Matched pairs are compared field by field; every comparison adds one MUC count:

- COR correct, PAR partial (half credit), INC incorrect,
- MIS missing (gold has a value the prediction lacks), SPU spurious (the reverse).

P = (COR + 0.5 PAR) / ACT and R = (COR + 0.5 PAR) / POS with ACT = COR+PAR+INC+SPU and
POS = COR+PAR+INC+MIS. An empty denominator scores 1.0 (nothing to find, or nothing claimed).

Field comparisons by type: actors (alias-aware, fuzzy names, surname-only = partial, role
and affiliation as sub-fields, participant lists aligned as sets), locations (normalised
names), times (interval IoU of the resolved dates, text when unresolved), free text (token
F1), quotes and evidence (character-span IoU against gold spans).

Speed. A suite scores the same gold against many predictions, and predicted values recur
(repetitions, runs, the items a model always gets right). So the item similarities are
built from per-field columns (one predicted value against every gold item of a list) and
set-valued fields are counted once per distinct predicted set, both cached with the gold
list; texts are tokenised once, in bounded caches that the garbage collector does not have
to walk. Gold must not be mutated while it is being scored. `_ItemScorer.compare` is the
reference: the fast paths (`similarity_rows`, `tally`) do the same float operations in the
same order, so no score depends on the path or on what the caches hold (tests check both).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from summarizer.eval.extras import field_keys, gold_extras
from summarizer.eval.gold import (
    FIELD_KEYS,
    LIST_NAMES,
    Alt,
    Gold,
    GoldActor,
    GoldEvidence,
    GoldMeeting,
    GoldPlannedEvent,
    GoldStatement,
    GoldTime,
    ListName,
    alternatives,
)
from summarizer.schemas import (
    Actor,
    ActorKind,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    TimeExpr,
)

# Count slots. Grades of a single comparison use the same codes.
COR, PAR, INC, MIS, SPU = range(5)
GRADE_NAMES = ("correct", "partial", "incorrect", "missing", "spurious")
_Tally = dict[str, list[int]]
_Span = tuple[int, int]


class ScoringConfig(BaseModel):
    """Thresholds of the comparisons. Stored with a run so a score can be reproduced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_item_similarity: float = Field(
        default=0.4, description="Item pairs less similar than this are not matched."
    )
    text_correct: float = Field(default=0.7, description="Token F1 at or above: correct.")
    text_partial: float = Field(default=0.3, description="Token F1 at or above: partial.")
    name_fuzzy: float = Field(
        default=90.0, description="rapidfuzz ratio (0-100) at or above which names are equal."
    )
    span_correct: float = Field(
        default=0.8, description="Character IoU at or above which spans are correct."
    )
    span_partial: float = Field(
        default=1e-9, description="Character IoU above which spans are partial (any overlap)."
    )
    weights: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "meetings": {
                "participants": 2.0,
                "location": 1.0,
                "time": 1.0,
                "topics": 0.5,
                "evidence": 1.0,
            },
            "statements": {"speaker": 1.0, "content": 2.0, "quote": 1.0, "evidence": 1.0},
            "planned_events": {
                "description": 2.0,
                "participants": 1.0,
                "location": 0.5,
                "time": 1.0,
                "evidence": 1.0,
            },
        },
        description="Field weights of the item similarity used for alignment, per list.",
    )


DEFAULT_CONFIG = ScoringConfig()


# --- result models --------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)


def _build(cls: type[_M], values: dict[str, Any]) -> _M:
    """`cls.model_construct(**values)` without its per-call overhead, for trusted values.

    Scoring makes hundreds of thousands of these small result models; model_construct
    spends most of its time on generic bookkeeping. `values` must give every field.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class Counts(BaseModel):
    """MUC counts of one field, list or whole fixture."""

    model_config = ConfigDict(extra="ignore")

    cor: int = 0
    par: int = 0
    inc: int = 0
    mis: int = 0
    spu: int = 0

    @classmethod
    def of(cls, slots: Sequence[int]) -> Counts:
        cor, par, inc, mis, spu = slots[COR], slots[PAR], slots[INC], slots[MIS], slots[SPU]
        return _build(cls, {"cor": cor, "par": par, "inc": inc, "mis": mis, "spu": spu})

    def slots(self) -> list[int]:
        return [self.cor, self.par, self.inc, self.mis, self.spu]

    def __add__(self, other: Counts) -> Counts:
        return Counts.of([a + b for a, b in zip(self.slots(), other.slots(), strict=True)])

    @property
    def pos(self) -> int:
        return self.cor + self.par + self.inc + self.mis

    @property
    def act(self) -> int:
        return self.cor + self.par + self.inc + self.spu

    @property
    def precision(self) -> float:
        return 1.0 if self.act == 0 else (self.cor + 0.5 * self.par) / self.act

    @property
    def recall(self) -> float:
        return 1.0 if self.pos == 0 else (self.cor + 0.5 * self.par) / self.pos

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def sum_counts(items: Sequence[Counts]) -> Counts:
    cor = par = inc = mis = spu = 0
    for c in items:
        cor += c.cor
        par += c.par
        inc += c.inc
        mis += c.mis
        spu += c.spu
    return _build(Counts, {"cor": cor, "par": par, "inc": inc, "mis": mis, "spu": spu})


AlignStatus = Literal["matched", "missing", "spurious", "optional", "ignored"]


class ItemAlignment(BaseModel):
    """One row of a list alignment: a gold item, a predicted item, or both."""

    gold: int | None = None
    pred: int | None = None
    status: AlignStatus
    similarity: float = 0.0
    # Per field key: [COR, PAR, INC, MIS, SPU] counts of this row.
    fields: dict[str, list[int]] = Field(default_factory=dict)

    @property
    def grade(self) -> str:
        """Item-level grade: correct, partial, missing, spurious or not counted."""
        if self.status == "matched":
            return "correct" if _all_correct(self.fields) else "partial"
        return self.status


class ListScore(BaseModel):
    items: Counts = Field(default_factory=Counts)
    fields: dict[str, Counts] = Field(default_factory=dict)
    alignments: list[ItemAlignment] = Field(default_factory=list)

    @property
    def overall(self) -> Counts:
        return sum_counts(list(self.fields.values()))


class FixtureScore(BaseModel):
    """The score of one prediction against one gold."""

    fixture_id: str
    schema_valid: bool = True
    # Only the lists the gold scores (partial gold may leave some out).
    lists: dict[ListName, ListScore] = Field(default_factory=dict)
    evidence_total: int = 0
    evidence_grounded: int = 0

    @property
    def overall(self) -> Counts:
        return sum_counts([ls.overall for ls in self.lists.values()])

    @property
    def items(self) -> Counts:
        return sum_counts([ls.items for ls in self.lists.values()])

    @property
    def grounding_rate(self) -> float:
        # No predicted evidence means nothing is ungrounded.
        return 1.0 if self.evidence_total == 0 else self.evidence_grounded / self.evidence_total

    def metrics(self) -> dict[str, float]:
        """Flat metric name -> value, the currency of aggregation and comparison."""
        out: dict[str, float] = {}
        _put_prf(out, "overall", self.overall)
        _put_prf(out, "items", self.items)
        for name, ls in self.lists.items():
            _put_prf(out, name, ls.overall)
            _put_prf(out, f"{name}.items", ls.items)
            for key, counts in ls.fields.items():
                out[f"{name}.{key}.f1"] = counts.f1
        out["grounding_rate"] = self.grounding_rate
        out["schema_valid"] = 1.0 if self.schema_valid else 0.0
        return out


def _put_prf(out: dict[str, float], prefix: str, counts: Counts) -> None:
    out[f"{prefix}.precision"] = counts.precision
    out[f"{prefix}.recall"] = counts.recall
    out[f"{prefix}.f1"] = counts.f1


def _all_correct(fields: Mapping[str, Sequence[int]]) -> bool:
    return all(sum(slots) == slots[COR] for slots in fields.values())


# --- cost -----------------------------------------------------------------------------------


class Price(BaseModel):
    """USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = 0.0
    output: float = 0.0


# Local and replayed runs cost nothing; API prices change too often to hard-code, so callers
# pass their own table (e.g. {"gpt-4o-mini": Price(input=0.15, output=0.60)}).
DEFAULT_PRICES: dict[str, Price] = {}
FREE_BACKENDS = frozenset({"local", "replay", ""})


def estimate_cost(
    model: str,
    tokens_in: int,
    tokens_out: int,
    *,
    backend: str = "",
    prices: Mapping[str, Price] | None = None,
) -> float | None:
    """Estimated USD cost, 0 for local backends, None when the model has no known price."""
    table = DEFAULT_PRICES if prices is None else prices
    price = table.get(model)
    if price is None:
        return 0.0 if backend in FREE_BACKENDS else None
    return (tokens_in * price.input + tokens_out * price.output) / 1_000_000


# --- normalisation (cached: gold strings and article texts repeat across calls) -------------

_NON_WORD = re.compile(r"[^\w\s]")
_ARTICLES = frozenset({"a", "an", "the"})
_LOCATION_STOP = frozenset({"the", "in", "at"})


def _fold(text: str) -> str:
    # Not cached itself: every caller caches its own result (bags, names, locations).
    folded = text.casefold()
    # ASCII has no decompositions and no combining marks: skip the per-character pass,
    # which dominated folding (most texts, and nearly all predicted ones, are ASCII).
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", folded).split())


# Text caches hold what a suite compares over and over: gold texts, and predicted texts that
# recur across repetitions and runs. They are plain dicts of untracked values (str, int,
# float, dicts of str -> int, tuples of those), emptied when full: functools.lru_cache
# would add a garbage-collected link object per entry, and a scoring run that caches a few
# hundred thousand texts would then pay for full collections over everything alive.
_TEXT_CACHE_MAX = 1 << 16
_PAIR_CACHE_MAX = 1 << 18

# A text's tokens for token F1: (its distinct tokens, the number of tokens, and the count
# of each distinct token when some token repeats, else None). When neither of two texts
# repeats a token, their clipped overlap is the size of the intersection of their
# vocabularies, which runs in C. Flat tuples of str and int, so that the young collections
# of the garbage collector stop tracking cached bags before they reach the oldest one.
_Bag = tuple[tuple[str, ...], int, tuple[int, ...] | None]
_BAGS: dict[str, _Bag] = {}
_TOKEN_F1: dict[tuple[str, str], float] = {}


def _bag(text: str) -> _Bag:
    bag = _BAGS.get(text)
    if bag is None:
        counts: dict[str, int] = {}
        n = 0
        for t in _fold(text).split():
            if t not in _ARTICLES:
                counts[t] = counts.get(t, 0) + 1
                n += 1
        distinct = tuple(counts)
        repeats = None if len(distinct) == n else tuple(counts.values())
        bag = (distinct, n, repeats)
        if len(_BAGS) >= _TEXT_CACHE_MAX:
            _BAGS.clear()
        _BAGS[text] = bag
    return bag


def _bag_f1(gold: _Bag, pred: _Bag) -> float:
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


@lru_cache(maxsize=1 << 14)
def _location_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _fold(text).split() if t not in _LOCATION_STOP)


@lru_cache(maxsize=1 << 14)
def _find(quote: str, text: str) -> _Span | None:
    pos = text.find(quote)
    if pos < 0:
        stripped = quote.strip().strip("\"'“”‘’")
        pos = text.find(stripped) if stripped else -1
        if pos < 0:
            return None
        return pos, pos + len(stripped)
    return pos, pos + len(quote)


def token_f1(gold: str, pred: str) -> float:
    """SQuAD-style token F1 (case, accents, punctuation and articles ignored).

    Cached: the same pairs recur across the items, repetitions and runs of a suite.
    """
    key = (gold, pred)
    f1 = _TOKEN_F1.get(key)
    if f1 is None:
        f1 = _bag_f1(_bag(gold), _bag(pred))
        if len(_TOKEN_F1) >= _PAIR_CACHE_MAX:
            _TOKEN_F1.clear()
        _TOKEN_F1[key] = f1
    return f1


class _TextIndex:
    """The gold texts of a list (every alternative) indexed by token, for token F1 against
    many predictions: a prediction's overlap with every gold text comes from the postings of
    its own tokens, instead of a comparison per gold text."""

    def __init__(self, gold: Sequence[Sequence[str]]) -> None:
        self.sizes: list[int] = []  # tokens per alternative
        self.items: list[int] = []  # the gold item of each alternative
        self.postings: dict[str, list[tuple[int, int]]] = {}  # token -> (alternative, count)
        for i, alts in enumerate(gold):
            for alt in alts:
                k = len(self.sizes)
                tokens, size, counts = _bag(alt)
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
        tokens, pn, counts = _bag(text)
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


def _best_f1(alts: Sequence[str], pred: str) -> float:
    """The best token F1 of a prediction over a gold value's alternatives."""
    if len(alts) == 1:
        return token_f1(alts[0], pred)
    best = 0.0
    for alt in alts:
        f1 = token_f1(alt, pred)
        if f1 > best:
            best = f1
    return best


# Gold-side values the alignment needs (token matrices, merged spans, speaker keys), built
# once per gold list: a suite scores many predictions (repetitions, runs) against the same
# gold. Keyed by the list object, which the entry keeps alive so its id cannot be reused.
# Gold is treated as read-only once it is being scored.
_GOLD_CACHE: dict[tuple[int, Hashable], tuple[object, int, Any]] = {}
_GOLD_CACHE_MAX = 1 << 15
# Similarity columns (one predicted value against every item of a gold list) held in
# _GOLD_CACHE entries, all lists together: a bound on memory, not a tuning knob.
_COLUMNS_MAX = 1 << 17
_columns_held = 0
_T = TypeVar("_T")
_V = TypeVar("_V")


def _gold_cached(owner: Sequence[object], tag: Hashable, build: Callable[[], _T]) -> _T:
    global _columns_held
    key = (id(owner), tag)
    hit = _GOLD_CACHE.get(key)
    if hit is not None and hit[0] is owner and hit[1] == len(owner):
        value: _T = hit[2]
        return value
    if len(_GOLD_CACHE) >= _GOLD_CACHE_MAX:
        _GOLD_CACHE.clear()
        _columns_held = 0
    value = build()
    _GOLD_CACHE[key] = (owner, len(owner), value)
    return value


def _keep(cache: dict[Hashable, _V], key: Hashable, value: _V) -> _V:
    """cache[key] = value, for caches held in _GOLD_CACHE entries, within _COLUMNS_MAX.

    Values should be tuples of atoms, which the garbage collector stops tracking (see
    _TEXT_CACHE_MAX).
    """
    global _columns_held
    if _columns_held >= _COLUMNS_MAX:
        _GOLD_CACHE.clear()  # `cache` is dropped with it, after this one insertion
        _columns_held = 0
    cache[key] = value
    _columns_held += 1
    return value


def _actor_keys(
    items: Sequence[GoldMeeting | GoldPlannedEvent],
) -> tuple[list[tuple[tuple[str, ...], ActorKind]], list[list[int]]]:
    """Distinct (name alternatives, kind) of the gold participants, and each item's indices."""
    position: dict[tuple[tuple[str, ...], ActorKind], int] = {}
    sets = [
        [
            position.setdefault((alternatives(a.name), a.kind), len(position))
            for a in item.participants
        ]
        for item in items
    ]
    return list(position), sets


def _speaker_keys(
    statements: Sequence[GoldStatement],
) -> tuple[list[tuple[tuple[str, ...], ActorKind]], list[int]]:
    """Distinct (name alternatives, kind) of the gold speakers, and each statement's index."""
    position: dict[tuple[tuple[str, ...], ActorKind], int] = {}
    index = [
        position.setdefault((alternatives(s.speaker.name), s.speaker.kind), len(position))
        for s in statements
    ]
    return list(position), index


def _merge(spans: Sequence[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def span_iou(gold: Sequence[_Span], pred: Sequence[_Span]) -> float:
    """Character IoU of two sets of [start, end) spans (each merged first)."""
    if len(gold) == 1 and len(pred) == 1:
        return _iou_merged(gold, pred)  # a single span is already merged
    return _iou_merged(_merge(gold), _merge(pred))


def _evidence_iou(g: Sequence[_Span], p: Sequence[_Span]) -> float:
    """IoU of merged evidence spans; evidence the grounder could not place points nowhere."""
    if len(g) == 1 and len(p) == 1:
        (gs, ge), (ps, pe) = g[0], p[0]
        inter = (ge if ge < pe else pe) - (gs if gs > ps else ps)
        if inter <= 0:
            return 0.0
        return inter / ((ge - gs) + (pe - ps) - inter)
    return _iou_merged(g, p) if p else 0.0


def _iou_merged(g: Sequence[_Span], p: Sequence[_Span]) -> float:
    if len(g) == 1 and len(p) == 1:
        (gs, ge), (ps, pe) = g[0], p[0]
        inter = min(ge, pe) - max(gs, ps)
        if inter <= 0:
            return 0.0
        return inter / ((ge - gs) + (pe - ps) - inter)
    g_len = sum(e - s for s, e in g)
    p_len = sum(e - s for s, e in p)
    inter = 0
    i = j = 0
    while i < len(g) and j < len(p):
        lo = max(g[i][0], p[j][0])
        hi = min(g[i][1], p[j][1])
        if hi > lo:
            inter += hi - lo
        if g[i][1] < p[j][1]:
            i += 1
        else:
            j += 1
    union = g_len + p_len - inter
    return 1.0 if union == 0 else inter / union


# --- field comparisons: each returns (grade, similarity in [0, 1]) ---------------------------


class _Comparer:
    def __init__(self, config: ScoringConfig, text: str) -> None:
        self.cfg = config
        self.article_text = text

    def grade_ratio(self, value: float, correct: float, partial: float) -> tuple[int, float]:
        if value >= correct:
            return COR, value
        if value >= partial:
            return PAR, value
        return INC, value

    def text(self, gold: Alt, pred: str) -> tuple[int, float]:
        if isinstance(gold, str):
            best = token_f1(gold, pred)
        else:
            alts = alternatives(gold)
            best = (
                token_f1(alts[0], pred) if len(alts) == 1 else max(token_f1(g, pred) for g in alts)
            )
        cfg = self.cfg
        if best >= cfg.text_correct:
            return COR, best
        if best >= cfg.text_partial:
            return PAR, best
        return INC, best

    def name(self, gold: GoldActor, pred: str) -> tuple[int, float]:
        # The same few names meet each other over and over within one article.
        return _name_grade(alternatives(gold.name), gold.kind, pred, self.cfg.name_fuzzy)

    @staticmethod
    @lru_cache(maxsize=1 << 16)
    def _name_uncached(
        alts: tuple[str, ...], kind: ActorKind, pred: str, fuzzy: float
    ) -> tuple[int, float]:
        p = _fold(pred)
        best: tuple[int, float] = (INC, 0.0)
        for alt in alts:
            g = _fold(alt)
            if g == p:
                return COR, 1.0
            ratio = fuzz.ratio(g, p) / 100.0
            if ratio * 100.0 >= fuzzy:
                cand = (COR, ratio)
            elif _Comparer._partial_name(g, p, kind):
                cand = (PAR, 0.5)
            else:
                continue
            if (cand[0], -cand[1]) < (best[0], -best[1]):
                best = cand
        return best

    @staticmethod
    def _partial_name(g: str, p: str, kind: ActorKind) -> bool:
        gt, pt = g.split(), p.split()
        if not gt or not pt:
            return False
        # "Lavrov" for "Sergey Lavrov", "Foreign Ministry" for "Belarusian Foreign Ministry".
        if set(gt) < set(pt) or set(pt) < set(gt):
            return True
        # "President Putin" for "Vladimir Putin": a shared surname, for people only
        # (organisations share their last word too often: "... Foreign Ministry").
        return kind == ActorKind.person and gt[-1] == pt[-1]

    def location(self, gold: Alt, pred: str) -> tuple[int, float]:
        p = _location_tokens(pred)
        best: tuple[int, float] = (INC, 0.0)
        for alt in alternatives(gold):
            g = _location_tokens(alt)
            if g == p:
                return COR, 1.0
            if " ".join(g) and fuzz.ratio(" ".join(g), " ".join(p)) >= self.cfg.name_fuzzy:
                return COR, 1.0
            # "Minsk" for "Minsk, Belarus"
            if g and p and (set(g) <= set(p) or set(p) <= set(g)):
                best = (PAR, 0.5)
        return best

    def time(self, gold: GoldTime, pred: TimeExpr) -> tuple[int, float]:
        return self.time_parts(
            _time_interval(gold), alternatives(gold.text), _time_interval(pred), pred.text
        )

    def time_parts(
        self,
        g_iv: tuple[int, int] | None,
        g_texts: Sequence[str],
        p_iv: tuple[int, int] | None,
        p_text: str,
    ) -> tuple[int, float]:
        """`time` on the resolved intervals and the texts (gold alternatives) of both sides."""
        if g_iv is not None and p_iv is not None:
            if g_iv == p_iv:
                return COR, 1.0
            inter = min(g_iv[1], p_iv[1]) - max(g_iv[0], p_iv[0]) + 1
            if inter <= 0:
                return INC, 0.0
            union = (g_iv[1] - g_iv[0] + 1) + (p_iv[1] - p_iv[0] + 1) - inter
            return PAR, inter / union
        # At least one side unresolved: compare the expressions as written.
        best = max(token_f1(g, p_text) for g in g_texts)
        if best >= self.cfg.text_correct:
            # The same words, but only one side resolved them: half right.
            return (COR, 1.0) if g_iv is None and p_iv is None else (PAR, 0.5)
        if best >= self.cfg.text_partial:
            return PAR, best
        return INC, best

    def spans(self, gold: Sequence[_Span], pred: Sequence[_Span]) -> tuple[int, float]:
        return self.grade_iou(span_iou(gold, pred))

    def grade_iou(self, iou: float) -> tuple[int, float]:
        if iou >= self.cfg.span_correct:
            return COR, iou
        if iou >= self.cfg.span_partial:
            return PAR, iou
        return INC, iou

    def quote(self, gold: Alt, pred: str) -> tuple[int, float]:
        p_span = _find(pred, self.article_text)
        best: tuple[int, float] = (INC, -1.0)
        for alt in alternatives(gold):
            g_span = _find(alt, self.article_text)
            if g_span is not None and p_span is not None:
                cand = self.spans([g_span], [p_span])
            else:
                cand = self.grade_ratio(
                    token_f1(alt, pred), self.cfg.text_correct, self.cfg.text_partial
                )
            if cand[1] > best[1]:
                best = cand
        return best


# Cached: the same few names meet each other over and over within an article and a suite.
_name_grade = _Comparer._name_uncached


def _time_interval(t: GoldTime | TimeExpr) -> tuple[int, int] | None:
    return _interval(t.start, t.end)


def _same(gold: str, pred: str) -> tuple[int, float]:
    return (COR, 1.0) if gold == pred else (INC, 0.0)


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return sorted(str(_plain(v)) for v in value)
    return value


def _same_value(gold: object, pred: object) -> tuple[int, float]:
    return (COR, 1.0) if _plain(gold) == _plain(pred) else (INC, 0.0)


def _interval(start: object, end: object) -> tuple[int, int] | None:
    if not isinstance(start, date):
        return None
    s = start.toordinal()
    e = end.toordinal() if isinstance(end, date) else s
    return (s, e) if e >= s else None


def _evidence_spans(evidence: Sequence[Evidence | GoldEvidence]) -> list[_Span]:
    return [
        (e.start, e.end)
        for e in evidence
        if e.start is not None and e.end is not None and e.end > e.start
    ]


# --- item comparison ------------------------------------------------------------------------


class _ItemScorer:
    """Compares items of one list, honouring the gold's scored fields."""

    def __init__(self, cmp: _Comparer, list_name: ListName, gold: Gold) -> None:
        self.cmp = cmp
        self.list_name = list_name
        # A user's extra fields count when the gold type declares them (summarizer.eval.extras).
        self.extras = gold_extras(type(gold), list_name)
        self.keys = FIELD_KEYS[list_name] + tuple(k for e in self.extras for k in field_keys(e))
        self.scored = frozenset(k for k in self.keys if gold.is_scored(list_name, k))
        self.weights = cmp.cfg.weights.get(list_name, {})
        self.counting = True
        self._span_cache: dict[int, tuple[object, list[_Span]]] = {}

    # Each compare_* returns (weighted similarity, weight, tally) for the pair.
    def _add(self, tally: _Tally, key: str, grade: int | None) -> None:
        if self.counting and grade is not None and key in self.scored:
            tally.setdefault(key, [0, 0, 0, 0, 0])[grade] += 1

    def _scalar(
        self,
        tally: _Tally,
        key: str,
        gold_present: bool,
        pred_present: bool,
        grade_fn: Callable[[], tuple[int, float]],
    ) -> tuple[float, float]:
        """Counts a single-valued field; returns (similarity * weight, weight)."""
        if key not in self.scored or not (gold_present or pred_present):
            return 0.0, 0.0
        weight = self.weights.get(key, 0.0)
        if not self.counting and weight == 0.0:
            return 0.0, 0.0  # similarity only: an unweighted field cannot change it
        if not gold_present:
            self._add(tally, key, SPU)
            return 0.0, weight
        if not pred_present:
            self._add(tally, key, MIS)
            return 0.0, weight
        grade, sim = grade_fn()
        self._add(tally, key, grade)
        return sim * weight, weight

    def _actor_subfields(
        self, tally: _Tally, key: str, gold: GoldActor | None, pred: Actor | None
    ) -> None:
        if not self.counting:
            return
        for sub in ("role", "affiliation"):
            g_val: Alt | None = getattr(gold, sub) if gold is not None else None
            p_val: str | None = getattr(pred, sub) if pred is not None else None
            self._scalar(
                tally,
                f"{key}.{sub}",
                bool(alternatives(g_val)),
                bool(p_val),
                lambda g=g_val, p=p_val: self.cmp.text(g or "", p or ""),  # type: ignore[misc]
            )

    def _actor(
        self, tally: _Tally, key: str, gold: GoldActor | None, pred: Actor | None
    ) -> tuple[float, float]:
        sw = self._scalar(
            tally,
            key,
            gold is not None,
            pred is not None,
            lambda: self.cmp.name(gold, pred.name),  # type: ignore[arg-type,union-attr]
        )
        self._actor_subfields(tally, key, gold, pred)
        return sw

    def _actor_set(
        self, tally: _Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> tuple[float, float]:
        if not {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
            return 0.0, 0.0
        if not self.counting:
            return self._quick_actor_set(key, gold, pred)
        pairs, sims = _align_sets(
            len(gold), len(pred), lambda i, j: self.cmp.name(gold[i], pred[j].name)
        )
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for i, j in pairs:
            self._add(tally, key, sims[(i, j)][0])
            self._actor_subfields(tally, key, gold[i], pred[j])
        for i in range(len(gold)):
            if i not in matched_g:
                self._actor(tally, key, gold[i], None)
        for j in range(len(pred)):
            if j not in matched_p:
                self._actor(tally, key, None, pred[j])
        return _set_similarity(len(gold), len(pred), pairs, sims, self.weights.get(key, 0.0))

    def _quick_actor_set(
        self, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> tuple[float, float]:
        """Greedy set similarity of actor lists, for alignment only (no scipy call)."""
        if not gold and not pred:
            return 0.0, 0.0
        weight = self.weights.get(key, 0.0)
        used: set[int] = set()
        matched = 0.0
        for g in gold:
            best_j, best = -1, 0.0
            for j, p in enumerate(pred):
                if j in used:
                    continue
                grade, _ = self.cmp.name(g, p.name)
                value = 1.0 if grade == COR else 0.5 if grade == PAR else 0.0
                if value > best:
                    best_j, best = j, value
            if best_j >= 0:
                used.add(best_j)
                matched += best
        return weight * 2 * matched / (len(gold) + len(pred)), weight

    def _text_set(
        self, tally: _Tally, key: str, gold: Sequence[Alt], pred: Sequence[str]
    ) -> tuple[float, float]:
        if key not in self.scored:
            return 0.0, 0.0
        if not self.counting:
            # For alignment, one token F1 of the joined lists stands in for the set matching
            # (a meeting can list a dozen topics: a dozen squared comparisons per pair).
            if not gold and not pred:
                return 0.0, 0.0
            weight = self.weights.get(key, 0.0)
            joined = " ".join(alternatives(g)[0] for g in gold)
            return weight * token_f1(joined, " ".join(pred)), weight
        pairs, sims = _align_sets(
            len(gold), len(pred), lambda i, j: self.cmp.text(gold[i], pred[j])
        )
        for i, j in pairs:
            self._add(tally, key, sims[(i, j)][0])
        for _ in range(len(gold) - len(pairs)):
            self._add(tally, key, MIS)
        for _ in range(len(pred) - len(pairs)):
            self._add(tally, key, SPU)
        return _set_similarity(len(gold), len(pred), pairs, sims, self.weights.get(key, 0.0))

    def _count_text_set(
        self, tally: _Tally, key: str, gold: Sequence[Alt], pred: Sequence[str]
    ) -> None:
        self.counting = True
        self._text_set(tally, key, gold, pred)

    def _time(
        self, tally: _Tally, gold: GoldTime | None, pred: TimeExpr | None
    ) -> tuple[float, float]:
        return self._scalar(
            tally,
            "time",
            gold is not None,
            pred is not None,
            lambda: self.cmp.time(gold, pred),  # type: ignore[arg-type]
        )

    def _location(self, tally: _Tally, gold: Alt | None, pred: str | None) -> tuple[float, float]:
        return self._scalar(
            tally,
            "location",
            bool(alternatives(gold)),
            bool(pred),
            lambda: self.cmp.location(gold, pred),  # type: ignore[arg-type]
        )

    def _evidence(
        self,
        tally: _Tally,
        gold: Sequence[GoldEvidence] | None,
        pred: Sequence[Evidence] | None,
    ) -> tuple[float, float]:
        g_spans = self._spans(gold)
        p_spans = self._spans(pred)
        return self._scalar(
            tally,
            "evidence",
            bool(gold),
            bool(pred),
            # Evidence the grounder could not place has no span: it points nowhere.
            lambda: self.cmp.spans(g_spans, p_spans) if p_spans else (INC, 0.0),
        )

    def _spans(self, evidence: Sequence[Evidence | GoldEvidence] | None) -> list[_Span]:
        # Each item's evidence meets every item of the other side: merge its spans once.
        if not evidence:
            return []
        key = id(evidence)
        cached = self._span_cache.get(key)
        if cached is None or cached[0] is not evidence:
            cached = (evidence, _merge(_evidence_spans(evidence)))
            self._span_cache[key] = cached
        return cached[1]

    def _categorical(self, tally: _Tally, key: str, gold: str | None, pred: str | None) -> None:
        # "unknown" (meeting format) is the absence of a value, not a value.
        g = None if gold in (None, "unknown") else gold
        p = None if pred in (None, "unknown") else pred
        self._scalar(
            tally, key, g is not None, p is not None, lambda: (COR, 1.0) if g == p else (INC, 0.0)
        )

    def similarity_matrix(
        self, gold_items: Sequence[object], pred_items: Sequence[object]
    ) -> np.ndarray:
        """Item similarities of all gold x predicted pairs, as compare(count=False) gives them."""
        rows = self.similarity_rows(gold_items, pred_items)
        return np.array(rows, dtype=float).reshape(len(gold_items), len(pred_items))

    def similarity_rows(
        self, gold_items: Sequence[object], pred_items: Sequence[object]
    ) -> list[list[float]]:
        """similarity_matrix as nested lists (a row per gold item).

        Built a field at a time from columns: the similarities of one predicted field value
        to every gold item of the list. Columns are cached with the gold list, keyed by the
        predicted value, because the same values recur (the repetitions and runs of a suite,
        the items a model gets right every time); the accumulation is plain loops, since lists
        hold a handful of items and numpy's per-call overhead would exceed the arithmetic.
        Every entry is built with the same float operations in the same order as `compare`
        (fields in the same order, each adding weight * similarity to the numerator and the
        weight to the denominator), so the alignment, and hence every score, does not depend
        on which path computed it.
        """
        n, m = len(gold_items), len(pred_items)
        # Column-major while accumulating: one list over the gold items per predicted item.
        num = [[0.0] * n for _ in range(m)]
        den = [[0.0] * n for _ in range(m)]
        w = self.weights
        cmp = self.cmp
        cfg = cmp.cfg
        fuzzy = cfg.name_fuzzy
        gi_: Any = gold_items
        pi_: Any = pred_items

        def add(
            key: str,
            g_on: Sequence[bool],
            p_keys: Sequence[Hashable | None],
            column: Callable[[Any], list[float]],
            *params: Hashable,
        ) -> None:
            """One field. p_keys[j]: the predicted value (None when absent); column(value):
            its similarity to every gold item (read only where the gold has a value)."""
            weight = w.get(key, 0.0)
            if weight == 0.0:
                return
            # Columns are kept weighted, with 0.0 where the gold has no value: adding 0.0
            # to a sum of non-negative terms leaves it exactly as it was.
            cache: dict[Hashable, tuple[float, ...]] = _gold_cached(
                gold_items, ("column", key, weight, *params), dict
            )
            absent: list[float] | None = None
            for j, p_key in enumerate(p_keys):
                if p_key is None:
                    if absent is None:
                        absent = [weight if on else 0.0 for on in g_on]
                    den[j] = [d + x for d, x in zip(den[j], absent, strict=True)]
                    continue
                col = cache.get(p_key)
                if col is None:
                    sims = column(p_key)
                    col = _keep(
                        cache,
                        p_key,
                        tuple(weight * c if on else 0.0 for c, on in zip(sims, g_on, strict=True)),
                    )
                den[j] = [d + weight for d in den[j]]
                num[j] = [v + c for v, c in zip(num[j], col, strict=True)]

        def text_field(key: str, get_g: Callable[[Any], Alt], p_texts: list[str]) -> None:
            if key not in self.scored:
                return
            index = _gold_cached(
                gold_items,
                ("texts", key),
                lambda: _TextIndex([alternatives(get_g(g)) for g in gi_]),
            )
            add(key, [True] * n, [t or None for t in p_texts], index.f1)

        def actors(key: str) -> None:
            if not {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
                return
            g_uniq, g_sets = _gold_cached(gold_items, key, lambda: _actor_keys(gi_))
            weight = w.get(key, 0.0)
            scale = weight or 1.0
            value = {COR: 1.0, PAR: 0.5}

            def column(names: tuple[str, ...]) -> list[float]:
                # _quick_actor_set on a small table: each distinct (gold actor, predicted
                # name) pair is graded once.
                p_pos: dict[str, int] = {}
                p = [p_pos.setdefault(name, len(p_pos)) for name in names]
                table = [
                    [value.get(_name_grade(alts, kind, name, fuzzy)[0], 0.0) for name in p_pos]
                    for alts, kind in g_uniq
                ]
                out: list[float] = []
                for g in g_sets:
                    used: set[int] = set()
                    matched = 0.0
                    for gu in g:
                        row = table[gu]
                        best_j, best = -1, 0.0
                        for j, pu in enumerate(p):
                            if j not in used and row[pu] > best:
                                best_j, best = j, row[pu]
                        if best_j >= 0:
                            used.add(best_j)
                            matched += best
                    out.append(weight * 2 * matched / (len(g) + len(p)) / scale if g else 0.0)
                return out

            add(
                key,
                [bool(s) for s in g_sets],
                [tuple(a.name for a in p.participants) or None for p in pi_],
                column,
                fuzzy,
                weight,
            )

        def evidence() -> None:
            if "evidence" not in self.scored:
                return
            g_spans = _gold_cached(
                gold_items,
                "evidence",
                lambda: [_merge(_evidence_spans(g.evidence)) for g in gi_],
            )

            def column(p_spans: tuple[_Span, ...]) -> list[float]:
                return [_evidence_iou(g, p_spans) for g in g_spans]

            add(
                "evidence",
                [bool(g.evidence) for g in gi_],
                [tuple(self._spans(p.evidence)) if p.evidence else None for p in pi_],
                column,
            )

        def where() -> None:
            if "location" not in self.scored:
                return
            g_loc = [g.location for g in gi_]
            g_on = [bool(alternatives(x)) for x in g_loc]

            def column(p: str) -> list[float]:
                return [
                    cmp.location(g, p)[1] if on else 0.0 for g, on in zip(g_loc, g_on, strict=True)
                ]

            add("location", g_on, [x or None for x in (p.location for p in pi_)], column, fuzzy)

        def when() -> None:
            if "time" not in self.scored:
                return
            g_time = _gold_cached(
                gold_items,
                "time",
                lambda: [
                    None if g.time is None else (_time_interval(g.time), alternatives(g.time.text))
                    for g in gi_
                ],
            )

            def column(p: tuple[tuple[int, int] | None, str]) -> list[float]:
                return [
                    0.0 if g is None else cmp.time_parts(g[0], g[1], p[0], p[1])[1] for g in g_time
                ]

            add(
                "time",
                [t is not None for t in g_time],
                [None if p.time is None else (_time_interval(p.time), p.time.text) for p in pi_],
                column,
                cfg.text_correct,
                cfg.text_partial,
            )

        if self.list_name == "statements":
            # Few distinct speakers: grade each distinct (gold, predicted) name pair once.
            g_uniq, g_idx = _gold_cached(gold_items, "speaker", lambda: _speaker_keys(gi_))

            def speaker(name: str) -> list[float]:
                grades = [_name_grade(alts, kind, name, fuzzy)[1] for alts, kind in g_uniq]
                return [grades[k] for k in g_idx]

            if "speaker" in self.scored:
                add("speaker", [True] * n, [p.speaker.name for p in pi_], speaker, fuzzy)
            text_field("content", lambda g: g.content, [p.content for p in pi_])
            g_quote = [g.quote for g in gi_]

            def quote(p: str) -> list[float]:
                return [0.0 if g is None else cmp.quote(g, p)[1] for g in g_quote]

            if "quote" in self.scored:
                add(
                    "quote",
                    [q is not None for q in g_quote],
                    [p.quote or None for p in pi_],
                    quote,
                    cmp.article_text,
                )
            evidence()
        elif self.list_name == "meetings":
            actors("participants")
            where()
            when()
            g_top = [" ".join(alternatives(t)[0] for t in g.topics) for g in gi_]

            def topics(p: str) -> list[float]:
                return [token_f1(g, p) for g in g_top]

            if "topics" in self.scored:
                add(
                    "topics",
                    [bool(g.topics) for g in gi_],
                    [" ".join(p.topics) if p.topics else None for p in pi_],
                    topics,
                )
            evidence()
        else:
            text_field("description", lambda g: g.description, [p.description for p in pi_])
            actors("participants")
            where()
            when()
            evidence()
        return [
            [num[j][i] / den[j][i] if den[j][i] > 0 else 0.0 for j in range(m)] for i in range(n)
        ]

    def compare(
        self, gold: object | None, pred: object | None, *, count: bool = True
    ) -> tuple[float, _Tally]:
        """(similarity, per-field tally) of a pair; either side may be None (unmatched).

        With count=False only the similarity is computed (the tally stays empty). The
        reference definition: scoring uses `similarity_rows` and `tally`, which give the
        same values faster.
        """
        self.counting = count
        tally: _Tally = {}
        parts: list[tuple[float, float]] = []
        if self.list_name == "meetings":
            gm = gold if isinstance(gold, GoldMeeting) else None
            pm = pred if isinstance(pred, Meeting) else None
            parts.append(
                self._actor_set(
                    tally,
                    "participants",
                    gm.participants if gm else [],
                    pm.participants if pm else [],
                )
            )
            parts.append(
                self._location(tally, (gm.location if gm else None), (pm.location if pm else None))
            )
            parts.append(self._time(tally, (gm.time if gm else None), (pm.time if pm else None)))
            parts.append(
                self._text_set(tally, "topics", gm.topics if gm else [], pm.topics if pm else [])
            )
            self._categorical(
                tally, "format", (gm.format if gm else None), (pm.format if pm else None)
            )
            parts.append(
                self._evidence(tally, (gm.evidence if gm else None), (pm.evidence if pm else None))
            )
        elif self.list_name == "statements":
            gs = gold if isinstance(gold, GoldStatement) else None
            ps = pred if isinstance(pred, Statement) else None
            parts.append(
                self._actor(
                    tally, "speaker", (gs.speaker if gs else None), (ps.speaker if ps else None)
                )
            )
            parts.append(
                self._scalar(
                    tally,
                    "content",
                    gs is not None,
                    ps is not None and bool(ps.content),
                    lambda: self.cmp.text(gs.content, ps.content),  # type: ignore[union-attr]
                )
            )
            parts.append(
                self._scalar(
                    tally,
                    "quote",
                    gs is not None and gs.quote is not None,
                    ps is not None and bool(ps.quote),
                    lambda: self.cmp.quote(gs.quote, ps.quote),  # type: ignore[union-attr,arg-type]
                )
            )
            parts.append(
                self._evidence(tally, (gs.evidence if gs else None), (ps.evidence if ps else None))
            )
        else:
            gp = gold if isinstance(gold, GoldPlannedEvent) else None
            pp = pred if isinstance(pred, PlannedEvent) else None
            parts.append(
                self._scalar(
                    tally,
                    "description",
                    gp is not None,
                    pp is not None and bool(pp.description),
                    lambda: self.cmp.text(gp.description, pp.description),  # type: ignore[union-attr]
                )
            )
            parts.append(
                self._actor_set(
                    tally,
                    "participants",
                    gp.participants if gp else [],
                    pp.participants if pp else [],
                )
            )
            parts.append(
                self._location(tally, (gp.location if gp else None), (pp.location if pp else None))
            )
            parts.append(self._time(tally, (gp.time if gp else None), (pp.time if pp else None)))
            self._categorical(
                tally, "status", (gp.status if gp else None), (pp.status if pp else None)
            )
            parts.append(
                self._evidence(tally, (gp.evidence if gp else None), (pp.evidence if pp else None))
            )
        if self.counting and self.extras:
            self._tally_extras(tally, gold, pred)
        total_w = sum(w for _, w in parts)
        sim = sum(s for s, _ in parts) / total_w if total_w > 0 else 0.0
        return sim, tally

    # --- counting: compare(gold, pred)[1] with less machinery ----------------------------

    def tally(self, gold: object | None, pred: object | None) -> _Tally:
        """The per-field tally of a pair, as compare(gold, pred)[1] gives it.

        The alignment rows need only the counts; this skips the similarity and the
        per-field closures of `compare`, visiting the fields (and so creating the tally's
        keys) in the same order.
        """
        tally: _Tally = {}
        cmp = self.cmp
        self.counting = True  # _add and _text_set read it
        if self.list_name == "statements":
            gs = gold if isinstance(gold, GoldStatement) else None
            ps = pred if isinstance(pred, Statement) else None
            self._tally_actor(
                tally, "speaker", gs.speaker if gs else None, ps.speaker if ps else None
            )
            self._count(
                tally,
                "content",
                gs is not None,
                ps is not None and bool(ps.content),
                cmp.text,
                gs.content if gs else "",
                ps.content if ps else "",
            )
            self._count(
                tally,
                "quote",
                gs is not None and gs.quote is not None,
                ps is not None and bool(ps.quote),
                cmp.quote,
                gs.quote if gs else None,
                ps.quote if ps else None,
            )
            self._tally_evidence(tally, gs.evidence if gs else None, ps.evidence if ps else None)
        elif self.list_name == "meetings":
            gm = gold if isinstance(gold, GoldMeeting) else None
            pm = pred if isinstance(pred, Meeting) else None
            self._tally_actor_set(
                tally, "participants", gm.participants if gm else [], pm.participants if pm else []
            )
            self._tally_where_when(tally, gm, pm)
            if "topics" in self.scored:
                g_topics: list[Alt] = gm.topics if gm else []
                p_topics: list[str] = pm.topics if pm else []
                cfg = cmp.cfg
                self._replay(
                    tally,
                    g_topics,
                    ("topic set", cfg.text_correct, cfg.text_partial),
                    tuple(p_topics),
                    lambda t: self._count_text_set(t, "topics", g_topics, p_topics),
                )
            self._tally_categorical(
                tally, "format", gm.format if gm else None, pm.format if pm else None
            )
            self._tally_evidence(tally, gm.evidence if gm else None, pm.evidence if pm else None)
        else:
            gp = gold if isinstance(gold, GoldPlannedEvent) else None
            pp = pred if isinstance(pred, PlannedEvent) else None
            self._count(
                tally,
                "description",
                gp is not None,
                pp is not None and bool(pp.description),
                cmp.text,
                gp.description if gp else "",
                pp.description if pp else "",
            )
            self._tally_actor_set(
                tally, "participants", gp.participants if gp else [], pp.participants if pp else []
            )
            self._tally_where_when(tally, gp, pp)
            self._tally_categorical(
                tally, "status", gp.status if gp else None, pp.status if pp else None
            )
            self._tally_evidence(tally, gp.evidence if gp else None, pp.evidence if pp else None)
        if self.extras:
            self._tally_extras(tally, gold, pred)
        return tally

    def _tally_extras(self, tally: _Tally, gold: object | None, pred: object | None) -> None:
        """Counts a user's extra fields, each by its kind as the built-in field of that kind."""
        cmp = self.cmp
        for extra in self.extras:
            key, kind = extra.name, extra.kind
            g: Any = getattr(gold, key, None)
            p: Any = getattr(pred, key, None)
            if kind == "text":
                self._count(tally, key, bool(alternatives(g)), bool(p), cmp.text, g, p)
            elif kind == "texts":
                if (g or p) and key in self.scored:
                    self._count_text_set(tally, key, g or [], p or [])
            elif kind == "value":
                self._count(
                    tally, key, g not in (None, []), p not in (None, []), _same_value, g, p
                )
            elif kind == "time":
                self._count(tally, key, g is not None, p is not None, cmp.time, g, p)
            elif kind in ("evidence", "evidences"):
                g_ev = [g] if isinstance(g, GoldEvidence) else list(g or [])
                p_ev = [p] if isinstance(p, Evidence) else list(p or [])
                self._count(
                    tally,
                    key,
                    bool(g_ev),
                    bool(p_ev),
                    self._evidence_grade,
                    _merge(_evidence_spans(g_ev)),
                    _merge(_evidence_spans(p_ev)),
                )
            elif kind == "actor":
                if g is not None or p is not None:
                    self._tally_actor(tally, key, g, p)
            elif (g or p) and {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
                self._count_actor_set(tally, key, g or [], p or [])

    def _count(
        self,
        tally: _Tally,
        key: str,
        gold_present: bool,
        pred_present: bool,
        grade_fn: Callable[[Any, Any], tuple[int, float]],
        gold: Any,
        pred: Any,
    ) -> None:
        """_scalar's counting: grade_fn(gold, pred) runs only when both are present."""
        if (gold_present or pred_present) and key in self.scored:
            grade = (
                SPU if not gold_present else MIS if not pred_present else grade_fn(gold, pred)[0]
            )
            slots = tally.get(key)
            if slots is None:
                slots = tally[key] = [0, 0, 0, 0, 0]
            slots[grade] += 1

    def _tally_subfields(
        self, tally: _Tally, key: str, gold: GoldActor | None, pred: Actor | None
    ) -> None:
        for sub in ("role", "affiliation"):
            g_val: Alt | None = getattr(gold, sub) if gold is not None else None
            p_val: str | None = getattr(pred, sub) if pred is not None else None
            if g_val is None and not p_val:
                continue  # neither side has a value: nothing to count
            self._count(
                tally,
                f"{key}.{sub}",
                bool(alternatives(g_val)),
                bool(p_val),
                self.cmp.text,
                g_val or "",
                p_val or "",
            )

    def _tally_actor(
        self, tally: _Tally, key: str, gold: GoldActor | None, pred: Actor | None
    ) -> None:
        self._count(
            tally,
            key,
            gold is not None,
            pred is not None,
            self.cmp.name,
            gold,
            pred.name if pred is not None else "",
        )
        self._tally_subfields(tally, key, gold, pred)

    def _replay(
        self,
        tally: _Tally,
        owner: Sequence[object],
        tag: Hashable,
        p_key: Hashable,
        count: Callable[[_Tally], None],
    ) -> None:
        """Adds to `tally` what `count` adds to an empty tally, cached with the gold list
        `owner` and keyed by the predicted value `p_key` (which must determine the counts).

        For set-valued fields, whose counting (a matching per pair) costs the most and whose
        predicted values recur as often as scalar ones.
        """
        if not owner:
            count(tally)  # an unmatched prediction: no gold list to hold a cache
            return
        cache: dict[Hashable, tuple[tuple[str, tuple[int, ...]], ...]] = _gold_cached(
            owner, tag, dict
        )
        part = cache.get(p_key)
        if part is None:
            fresh: _Tally = {}
            count(fresh)
            part = _keep(cache, p_key, tuple((k, tuple(v)) for k, v in fresh.items()))
        for k, counts in part:
            slots = tally.get(k)
            if slots is None:
                tally[k] = list(counts)
            else:
                for i, c in enumerate(counts):
                    slots[i] += c

    def _tally_actor_set(
        self, tally: _Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> None:
        if not (gold or pred) or not {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
            return
        cfg = self.cmp.cfg
        self._replay(
            tally,
            gold,
            ("actor set", key, self.scored, cfg.name_fuzzy, cfg.text_correct, cfg.text_partial),
            tuple((a.name, a.role, a.affiliation) for a in pred),
            lambda t: self._count_actor_set(t, key, gold, pred),
        )

    def _count_actor_set(
        self, tally: _Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> None:
        name = self.cmp.name
        pairs, sims = _align_sets(len(gold), len(pred), lambda i, j: name(gold[i], pred[j].name))
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for i, j in pairs:
            self._add(tally, key, sims[(i, j)][0])
            self._tally_subfields(tally, key, gold[i], pred[j])
        for i in range(len(gold)):
            if i not in matched_g:
                self._tally_actor(tally, key, gold[i], None)
        for j in range(len(pred)):
            if j not in matched_p:
                self._tally_actor(tally, key, None, pred[j])

    def _tally_where_when(
        self,
        tally: _Tally,
        gold: GoldMeeting | GoldPlannedEvent | None,
        pred: Meeting | PlannedEvent | None,
    ) -> None:
        g_loc = gold.location if gold else None
        p_loc = pred.location if pred else None
        self._count(
            tally,
            "location",
            bool(alternatives(g_loc)),
            bool(p_loc),
            self.cmp.location,
            g_loc,
            p_loc,
        )
        g_time = gold.time if gold else None
        p_time = pred.time if pred else None
        self._count(
            tally, "time", g_time is not None, p_time is not None, self.cmp.time, g_time, p_time
        )

    def _tally_categorical(
        self, tally: _Tally, key: str, gold: str | None, pred: str | None
    ) -> None:
        g = None if gold in (None, "unknown") else gold
        p = None if pred in (None, "unknown") else pred
        self._count(tally, key, g is not None, p is not None, _same, g, p)

    def _tally_evidence(
        self,
        tally: _Tally,
        gold: Sequence[GoldEvidence] | None,
        pred: Sequence[Evidence] | None,
    ) -> None:
        if (gold or pred) and "evidence" in self.scored:
            self._count(
                tally,
                "evidence",
                bool(gold),
                bool(pred),
                self._evidence_grade,
                self._spans(gold),
                self._spans(pred),
            )

    def _evidence_grade(self, g_spans: list[_Span], p_spans: list[_Span]) -> tuple[int, float]:
        # Both lists are merged already. Evidence the grounder could not place has no span.
        return self.cmp.grade_iou(_iou_merged(g_spans, p_spans)) if p_spans else (INC, 0.0)


def _align_sets(
    n_gold: int, n_pred: int, grade: Callable[[int, int], tuple[int, float]]
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], tuple[int, float]]]:
    """Match set elements (actors, topics); only correct or partial pairs may match."""
    sims: dict[tuple[int, int], tuple[int, float]] = {}
    if n_gold == 0 or n_pred == 0:
        return [], sims
    weight: list[list[float]] = []
    for i in range(n_gold):
        row: list[float] = []
        for j in range(n_pred):
            g = sims[(i, j)] = grade(i, j)
            # Grade first (a correct pair beats a partial one), similarity breaks ties.
            row.append((2.0 if g[0] == COR else 1.0) + g[1] * 1e-3 if g[0] in (COR, PAR) else 0.0)
        weight.append(row)
    return _assign(weight), sims


def _assign(weight: list[list[float]]) -> list[tuple[int, int]]:
    """The positive-weight pairs (row, column) of a maximum-weight matching, by row."""
    candidates = [[j for j, v in enumerate(row) if v > 0] for row in weight]
    picked = [cols[0] for cols in candidates if cols]
    if len(picked) == sum(len(cols) for cols in candidates) and len(set(picked)) == len(picked):
        # No two candidate pairs share a row or a column: every maximum matching holds all
        # of them (each has positive weight), so there is nothing to solve.
        return [(i, cols[0]) for i, cols in enumerate(candidates) if cols]
    rows, cols_idx = linear_sum_assignment(np.array(weight), maximize=True)
    return [
        (i, j) for i, j in zip(rows.tolist(), cols_idx.tolist(), strict=True) if weight[i][j] > 0
    ]


def _set_similarity(
    n_gold: int,
    n_pred: int,
    pairs: Sequence[tuple[int, int]],
    sims: Mapping[tuple[int, int], tuple[int, float]],
    weight: float,
) -> tuple[float, float]:
    if n_gold + n_pred == 0:
        return 0.0, 0.0
    matched = sum(1.0 if sims[p][0] == COR else 0.5 for p in pairs)
    return weight * 2 * matched / (n_gold + n_pred), weight


# --- list and fixture scoring ---------------------------------------------------------------


def _row(
    *,
    gold: int | None = None,
    pred: int | None = None,
    status: AlignStatus,
    similarity: float = 0.0,
    fields: dict[str, list[int]] | None = None,
) -> ItemAlignment:
    return _build(
        ItemAlignment,
        {
            "gold": gold,
            "pred": pred,
            "status": status,
            "similarity": similarity,
            "fields": {} if fields is None else fields,
        },
    )


def _outside(spans: Sequence[_Span], scored: Sequence[tuple[int, int]]) -> bool:
    """True when every span misses every scored range (and there is at least one span)."""
    if not spans:
        return False
    return all(e <= s0 or s >= e0 for s, e in spans for s0, e0 in scored)


def _score_list(
    list_name: ListName,
    gold: Gold,
    pred_items: Sequence[Meeting | Statement | PlannedEvent],
    cmp: _Comparer,
) -> ListScore:
    scorer = _ItemScorer(cmp, list_name, gold)
    gold_items = gold.items(list_name)
    n_g, n_p = len(gold_items), len(pred_items)
    field_totals: dict[str, list[int]] = {k: [0] * 5 for k in scorer.keys}
    item_totals = [0] * 5
    rows: list[ItemAlignment] = []

    def _absorb(tally: _Tally) -> None:
        for key, (cor, par, inc, mis, spu) in tally.items():
            total = field_totals[key]
            total[COR] += cor
            total[PAR] += par
            total[INC] += inc
            total[MIS] += mis
            total[SPU] += spu

    pairs: list[tuple[int, int, float, _Tally | None]] = []
    if n_g and n_p:
        threshold = cmp.cfg.min_item_similarity
        # Below the threshold a pair is worth nothing, so the matching never trades a real
        # match for a sub-threshold one.
        sim = [
            [0.0 if v < threshold else v for v in row]
            for row in scorer.similarity_rows(gold_items, pred_items)
        ]
        for gi, pj in _assign(sim):
            g_item = gold_items[gi]
            # An optional gold item's match is not counted: no tally needed.
            tally = None if g_item.optional else scorer.tally(g_item, pred_items[pj])
            pairs.append((gi, pj, sim[gi][pj], tally))

    matched_g = {i for i, _, _, _ in pairs}
    matched_p = {j for _, j, _, _ in pairs}
    # By gold index (each appears once, so the tallies are never compared).
    for i, j, s, matched in sorted(pairs, key=lambda pair: pair[0]):
        if matched is None:
            rows.append(_row(gold=i, pred=j, status="optional", similarity=s))
            continue
        _absorb(matched)
        item_totals[COR if _all_correct(matched) else PAR] += 1
        rows.append(_row(gold=i, pred=j, status="matched", similarity=s, fields=matched))
    for i, g in enumerate(gold_items):
        if i in matched_g or g.optional:
            continue
        tally = scorer.tally(g, None)
        _absorb(tally)
        item_totals[MIS] += 1
        rows.append(_row(gold=i, status="missing", fields=tally))
    for j, p in enumerate(pred_items):
        if j in matched_p:
            continue
        if gold.scored_spans is not None and _outside(
            _evidence_spans(p.evidence), gold.scored_spans
        ):
            rows.append(_row(pred=j, status="ignored"))
            continue
        tally = scorer.tally(None, p)
        _absorb(tally)
        item_totals[SPU] += 1
        rows.append(_row(pred=j, status="spurious", fields=tally))
    return _build(
        ListScore,
        {
            "items": Counts.of(item_totals),
            "fields": {k: Counts.of(v) for k, v in field_totals.items() if k in scorer.scored},
            "alignments": rows,
        },
    )


def score_summary(
    prediction: ArticleSummary | None,
    gold: Gold,
    article: Article,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> FixtureScore:
    """Score one prediction (None when the model gave no valid summary) against its gold."""
    pred = prediction if prediction is not None else ArticleSummary(article_id=article.id)
    cmp = _Comparer(config, article.text)
    lists: dict[ListName, ListScore] = {}
    for name in LIST_NAMES:
        if gold.list_scored(name):
            lists[name] = _score_list(name, gold, getattr(pred, name), cmp)
    evidence = [e for name in LIST_NAMES for item in getattr(pred, name) for e in item.evidence]
    return _build(
        FixtureScore,
        {
            "fixture_id": gold.article_id or article.id,
            "schema_valid": prediction is not None,
            "lists": lists,
            "evidence_total": len(evidence),
            "evidence_grounded": sum(1 for e in evidence if e.match in ("exact", "fuzzy")),
        },
    )
