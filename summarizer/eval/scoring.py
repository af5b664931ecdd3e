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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

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
    total = [0] * 5
    for c in items:
        for i, v in enumerate(c.slots()):
            total[i] += v
    return Counts.of(total)


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


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped).split())


@lru_cache(maxsize=1 << 16)
def _bag(text: str) -> tuple[Counter[str], int]:
    tokens = [t for t in _fold(text).split() if t not in _ARTICLES]
    return Counter(tokens), len(tokens)


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


@lru_cache(maxsize=1 << 18)
def token_f1(gold: str, pred: str) -> float:
    """SQuAD-style token F1 (case, accents, punctuation and articles ignored).

    Cached: alignment compares every gold text with every predicted one, and the same
    pairs recur across repetitions and runs of a suite.
    """
    gbag, gn = _bag(gold)
    pbag, pn = _bag(pred)
    if gn == 0 or pn == 0:
        return 1.0 if gn == pn else 0.0
    small, large = (gbag, pbag) if len(gbag) <= len(pbag) else (pbag, gbag)
    same = 0
    for token, n in small.items():
        m = large.get(token)
        if m:
            same += n if n < m else m
    if same == 0:
        return 0.0
    return 2 * same / (gn + pn)


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
_GOLD_CACHE: dict[tuple[int, str], tuple[object, int, Any]] = {}
_GOLD_CACHE_MAX = 4096
_T = TypeVar("_T")


def _gold_cached(owner: Sequence[object], tag: str, build: Callable[[], _T]) -> _T:
    key = (id(owner), tag)
    hit = _GOLD_CACHE.get(key)
    if hit is not None and hit[0] is owner and hit[1] == len(owner):
        value: _T = hit[2]
        return value
    if len(_GOLD_CACHE) >= _GOLD_CACHE_MAX:
        _GOLD_CACHE.clear()
    value = build()
    _GOLD_CACHE[key] = (owner, len(owner), value)
    return value


class _TextIndex:
    """Token counts of gold texts (every alternative), for token F1 against many predictions."""

    def __init__(self, gold: Sequence[Sequence[str]]) -> None:
        vocab: dict[str, int] = {}
        bags: list[Counter[str]] = []
        sizes: list[int] = []
        starts: list[int] = []
        for alts in gold:
            starts.append(len(bags))
            for alt in alts:
                bag, size = _bag(alt)
                bags.append(bag)
                sizes.append(size)
                for t in bag:
                    vocab.setdefault(t, len(vocab))
        self.vocab = vocab
        self.counts = np.zeros((len(bags), len(vocab)))
        for r, bag in enumerate(bags):
            for t, c in bag.items():
                self.counts[r, vocab[t]] = c
        self.sizes = np.array(sizes, dtype=float)[:, None]
        self.starts = np.array(starts, dtype=np.intp)
        self.one_each = len(bags) == len(gold)

    def f1(self, pred: Sequence[str]) -> np.ndarray:
        """token_f1 of every gold (best of its alternatives) against every prediction.

        The same integer counts and the same final division as token_f1, so the values are
        identical, not merely close. Predicted tokens outside the gold vocabulary only add
        to the prediction's length.
        """
        vocab = self.vocab
        counts = np.zeros((len(pred), len(vocab)))
        sizes = np.empty(len(pred))
        for j, text in enumerate(pred):
            bag, size = _bag(text)
            sizes[j] = size
            for t, c in bag.items():
                k = vocab.get(t)
                if k is not None:
                    counts[j, k] = c
        inter = np.minimum(self.counts[:, None, :], counts[None, :, :]).sum(axis=2)
        p_len = sizes[None, :]
        total = self.sizes + p_len
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(total > 0, 2 * inter / np.where(total > 0, total, 1.0), 0.0)
        # Both sides empty counts as equal, as in token_f1.
        f1 = np.where((self.sizes == 0) & (p_len == 0), 1.0, f1)
        if self.one_each:
            return f1
        return np.maximum.reduceat(f1, self.starts, axis=0)


def _iou_table(gold: Sequence[Sequence[_Span]], pred: Sequence[Sequence[_Span]]) -> np.ndarray:
    """_iou_merged of every pair of merged span lists; 0 where a prediction has none."""
    n, m = len(gold), len(pred)
    out = np.zeros((n, m))
    single_g = [i for i, g in enumerate(gold) if len(g) == 1]
    single_p = [j for j, p in enumerate(pred) if len(p) == 1]
    if single_g and single_p:
        gs = np.array([gold[i][0] for i in single_g], dtype=float)
        ps = np.array([pred[j][0] for j in single_p], dtype=float)
        g_start, g_end = gs[:, None, 0], gs[:, None, 1]
        p_start, p_end = ps[None, :, 0], ps[None, :, 1]
        inter = np.minimum(g_end, p_end) - np.maximum(g_start, p_start)
        union = (g_end - g_start) + (p_end - p_start) - inter
        # Spans are non-empty, so the union is positive wherever it is used.
        out[np.ix_(single_g, single_p)] = np.where(
            inter > 0, inter / np.where(inter > 0, union, 1.0), 0.0
        )
    for i, g in enumerate(gold):
        g_single = len(g) == 1
        for j, p in enumerate(pred):
            if p and not (g_single and len(p) == 1):
                out[i, j] = _iou_merged(g, p)
    return out


def _actor_keys(
    items: Sequence[GoldMeeting | GoldPlannedEvent],
) -> tuple[list[tuple[tuple[str, ...], ActorKind]], list[list[int]]]:
    """Distinct (name alternatives, kind) of the gold participants, and each item's indices."""
    position: dict[tuple[tuple[str, ...], ActorKind], int] = {}
    sets = [
        [position.setdefault((alternatives(a.name), a.kind), len(position)) for a in item.participants]
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
    return _iou_merged(_merge(gold), _merge(pred))


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
        alts = alternatives(gold)
        best = token_f1(alts[0], pred) if len(alts) == 1 else max(token_f1(g, pred) for g in alts)
        return self.grade_ratio(best, self.cfg.text_correct, self.cfg.text_partial)

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
        g_iv = _interval(gold.start, gold.end)
        p_iv = _interval(pred.start, pred.end)
        if g_iv is not None and p_iv is not None:
            if g_iv == p_iv:
                return COR, 1.0
            inter = min(g_iv[1], p_iv[1]) - max(g_iv[0], p_iv[0]) + 1
            if inter <= 0:
                return INC, 0.0
            union = (g_iv[1] - g_iv[0] + 1) + (p_iv[1] - p_iv[0] + 1) - inter
            return PAR, inter / union
        # At least one side unresolved: compare the expressions as written.
        best = max(token_f1(g, pred.text) for g in alternatives(gold.text))
        if best >= self.cfg.text_correct:
            # The same words, but only one side resolved them: half right.
            return (COR, 1.0) if g_iv is None and p_iv is None else (PAR, 0.5)
        if best >= self.cfg.text_partial:
            return PAR, best
        return INC, best

    def spans(self, gold: Sequence[_Span], pred: Sequence[_Span]) -> tuple[int, float]:
        iou = span_iou(gold, pred)
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


def _name_grade(
    alts: tuple[str, ...], kind: ActorKind, pred: str, fuzzy: float
) -> tuple[int, float]:
    # Cached: the same few names meet each other over and over within an article and a suite.
    return _Comparer._name_uncached(alts, kind, pred, fuzzy)


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
        self.scored = frozenset(k for k in FIELD_KEYS[list_name] if gold.is_scored(list_name, k))
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
        """Item similarities of all gold x predicted pairs, as compare(count=False) gives them.

        Plain loops over per-item values taken out once: lists hold a handful of items, so
        numpy's per-call overhead on tiny arrays cost more than the arithmetic. Every entry
        is built with the same float operations in the same order as `compare`, so the
        alignment (and hence every score) does not depend on which path computed it.
        """
        n, m = len(gold_items), len(pred_items)
        num = np.zeros((n, m))
        den = np.zeros((n, m))
        w = self.weights
        cmp = self.cmp
        gi_: Any = gold_items
        pi_: Any = pred_items

        def add_matrix(key: str, gp: Sequence[bool], pp: Sequence[bool], sim: np.ndarray) -> None:
            weight = w.get(key, 0.0)
            if weight == 0.0:
                return
            g = np.array(gp, dtype=bool)[:, None]
            p = np.array(pp, dtype=bool)[None, :]
            den[...] += weight * (g | p)
            num[...] += np.where(g & p, weight * sim, 0.0)

        def add(
            key: str,
            gp: Sequence[bool],
            pp: Sequence[bool],
            sim: Callable[[Any, Any], float],
            g_vals: Sequence[Any],
            p_vals: Sequence[Any],
        ) -> None:
            if w.get(key, 0.0) == 0.0:
                return
            rows = [
                [sim(g, p) if g_on and p_on else 0.0 for p, p_on in zip(p_vals, pp, strict=True)]
                for g, g_on in zip(g_vals, gp, strict=True)
            ]
            add_matrix(key, gp, pp, np.array(rows, dtype=float).reshape(n, m))

        def text_field(key: str, get_g: Callable[[Any], Alt], p_texts: list[str]) -> None:
            if key in self.scored:
                index = _gold_cached(
                    gold_items, key, lambda: _TextIndex([alternatives(get_g(g)) for g in gi_])
                )
                add_matrix(key, [True] * n, [bool(t) for t in p_texts], index.f1(p_texts))

        def actors(key: str) -> None:
            if {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
                # _quick_actor_set on small integer tables: each distinct (gold actor,
                # predicted name) pair is graded once per call instead of once per item pair.
                g_uniq, g_sets = _gold_cached(gold_items, key, lambda: _actor_keys(gi_))
                p_pos: dict[str, int] = {}
                p_sets = [[p_pos.setdefault(a.name, len(p_pos)) for a in p.participants] for p in pi_]
                fuzzy = cmp.cfg.name_fuzzy
                value = {COR: 1.0, PAR: 0.5}
                table = [
                    [value.get(_name_grade(alts, kind, name, fuzzy)[0], 0.0) for name in p_pos]
                    for alts, kind in g_uniq
                ]
                weight = w.get(key, 0.0)
                scale = weight or 1.0

                def actor_sim(g: list[int], p: list[int]) -> float:
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
                    return weight * 2 * matched / (len(g) + len(p)) / scale

                add(
                    key,
                    [bool(s) for s in g_sets],
                    [bool(s) for s in p_sets],
                    actor_sim,
                    g_sets,
                    p_sets,
                )

        def evidence() -> None:
            if "evidence" in self.scored:
                g_spans = _gold_cached(
                    gold_items,
                    "evidence",
                    lambda: [_merge(_evidence_spans(g.evidence)) for g in gi_],
                )
                p_spans = [self._spans(p.evidence) for p in pi_]
                add_matrix(
                    "evidence",
                    [bool(g.evidence) for g in gi_],
                    [bool(p.evidence) for p in pi_],
                    _iou_table(g_spans, p_spans),
                )

        def where() -> None:
            if "location" in self.scored:
                g_loc = [g.location for g in gi_]
                p_loc = [p.location for p in pi_]
                add(
                    "location",
                    [bool(alternatives(x)) for x in g_loc],
                    [bool(x) for x in p_loc],
                    lambda g, p: cmp.location(g, p)[1],
                    g_loc,
                    p_loc,
                )

        def when() -> None:
            if "time" in self.scored:
                g_time = [g.time for g in gi_]
                p_time = [p.time for p in pi_]
                add(
                    "time",
                    [t is not None for t in g_time],
                    [t is not None for t in p_time],
                    lambda g, p: cmp.time(g, p)[1],
                    g_time,
                    p_time,
                )

        if self.list_name == "statements":
            if "speaker" in self.scored:
                # Few distinct speakers: grade each distinct (gold, predicted) name pair once.
                g_uniq, g_idx = _gold_cached(gold_items, "speaker", lambda: _speaker_keys(gi_))
                p_pos: dict[str, int] = {}
                p_idx = [p_pos.setdefault(p.speaker.name, len(p_pos)) for p in pi_]
                fuzzy = cmp.cfg.name_fuzzy
                table = np.array(
                    [[_name_grade(alts, kind, name, fuzzy)[1] for name in p_pos] for alts, kind in g_uniq],
                    dtype=float,
                ).reshape(len(g_uniq), len(p_pos))
                add_matrix("speaker", [True] * n, [True] * m, table[np.ix_(g_idx, p_idx)])
            text_field("content", lambda g: g.content, [p.content for p in pi_])
            if "quote" in self.scored:
                g_quote = [g.quote for g in gi_]
                p_quote = [p.quote for p in pi_]
                add(
                    "quote",
                    [q is not None for q in g_quote],
                    [bool(q) for q in p_quote],
                    lambda g, p: cmp.quote(g, p)[1],
                    g_quote,
                    p_quote,
                )
            evidence()
        elif self.list_name == "meetings":
            actors("participants")
            where()
            when()
            if "topics" in self.scored:
                g_top = [" ".join(alternatives(t)[0] for t in g.topics) for g in gi_]
                p_top = [" ".join(p.topics) for p in pi_]
                add(
                    "topics",
                    [bool(g.topics) for g in gi_],
                    [bool(p.topics) for p in pi_],
                    token_f1,
                    g_top,
                    p_top,
                )
            evidence()
        else:
            text_field("description", lambda g: g.description, [p.description for p in pi_])
            actors("participants")
            where()
            when()
            evidence()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)

    def compare(
        self, gold: object | None, pred: object | None, *, count: bool = True
    ) -> tuple[float, _Tally]:
        """(similarity, per-field tally) of a pair; either side may be None (unmatched).

        With count=False only the similarity is computed (the tally stays empty): that is
        all the alignment needs for the n x m candidate pairs.
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
        total_w = sum(w for _, w in parts)
        sim = sum(s for s, _ in parts) / total_w if total_w > 0 else 0.0
        return sim, tally


def _align_sets(
    n_gold: int, n_pred: int, grade: Callable[[int, int], tuple[int, float]]
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], tuple[int, float]]]:
    """Match set elements (actors, topics); only correct or partial pairs may match."""
    sims: dict[tuple[int, int], tuple[int, float]] = {}
    if n_gold == 0 or n_pred == 0:
        return [], sims
    weight = np.zeros((n_gold, n_pred))
    for i in range(n_gold):
        for j in range(n_pred):
            g = grade(i, j)
            sims[(i, j)] = g
            if g[0] in (COR, PAR):
                # Grade first (a correct pair beats a partial one), similarity breaks ties.
                weight[i, j] = (2.0 if g[0] == COR else 1.0) + g[1] * 1e-3
    if n_gold == 1 and n_pred == 1:
        return ([(0, 0)] if weight[0, 0] > 0 else []), sims
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0], sims


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
    field_totals: dict[str, list[int]] = {k: [0] * 5 for k in FIELD_KEYS[list_name]}
    item_totals = [0] * 5
    rows: list[ItemAlignment] = []

    def _absorb(tally: _Tally) -> None:
        for key, slots in tally.items():
            total = field_totals[key]
            for i in range(5):
                total[i] += slots[i]

    pairs: list[tuple[int, int, float, _Tally]] = []
    if n_g and n_p:
        sim = np.zeros((n_g, n_p))
        sim = scorer.similarity_matrix(gold_items, pred_items)
        # Below the threshold a pair is worth nothing, so the matching never trades a real
        # match for a sub-threshold one.
        sim[sim < cmp.cfg.min_item_similarity] = 0.0
        rows_idx, cols_idx = linear_sum_assignment(sim, maximize=True)
        for i, j in zip(rows_idx, cols_idx, strict=True):
            if sim[i, j] > 0:
                gi, pj = int(i), int(j)
                pairs.append(
                    (gi, pj, float(sim[i, j]), scorer.compare(gold_items[gi], pred_items[pj])[1])
                )

    matched_g = {i for i, _, _, _ in pairs}
    matched_p = {j for _, j, _, _ in pairs}
    for i, j, s, tally in sorted(pairs):
        if gold_items[i].optional:
            rows.append(
                _row(gold=i, pred=j, status="optional", similarity=s)
            )
            continue
        _absorb(tally)
        item_totals[COR if _all_correct(tally) else PAR] += 1
        rows.append(
            _row(gold=i, pred=j, status="matched", similarity=s, fields=tally)
        )
    for i, g in enumerate(gold_items):
        if i in matched_g or g.optional:
            continue
        _, tally = scorer.compare(g, None)
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
        _, tally = scorer.compare(None, p)
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
