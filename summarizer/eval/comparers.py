"""Field comparisons: each returns (grade, similarity in [0, 1]).

Actors are alias-aware (fuzzy names, surname-only = partial), locations are compared as
normalised names, times by interval IoU of the resolved dates (text when unresolved), free
text by token F1, quotes by character-span IoU against the article.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import Enum
from functools import lru_cache

from rapidfuzz import fuzz

from summarizer.eval.gold import Alt, GoldActor, GoldTime, alternatives
from summarizer.eval.scores import COR, INC, PAR, ScoringConfig
from summarizer.eval.spans import Span, span_iou
from summarizer.eval.texts import TextCache, find_span, fold, location_tokens
from summarizer.schemas import ActorKind, TimeExpr

__all__ = [
    "Comparer",
    "interval",
    "name_grade",
    "same",
    "same_value",
    "time_interval",
]


class Comparer:
    """Grades single field values under one config, for one article's text."""

    def __init__(self, config: ScoringConfig, text: str, texts: TextCache | None = None) -> None:
        self.cfg = config
        self.article_text = text
        self.texts = TextCache() if texts is None else texts

    def grade_ratio(self, value: float, correct: float, partial: float) -> tuple[int, float]:
        if value >= correct:
            return COR, value
        if value >= partial:
            return PAR, value
        return INC, value

    def text(self, gold: Alt, pred: str) -> tuple[int, float]:
        f1 = self.texts.token_f1
        if isinstance(gold, str):
            best = f1(gold, pred)
        else:
            alts = alternatives(gold)
            best = f1(alts[0], pred) if len(alts) == 1 else max(f1(g, pred) for g in alts)
        cfg = self.cfg
        if best >= cfg.text_correct:
            return COR, best
        if best >= cfg.text_partial:
            return PAR, best
        return INC, best

    def name(self, gold: GoldActor, pred: str) -> tuple[int, float]:
        # The same few names meet each other over and over within one article.
        return name_grade(alternatives(gold.name), gold.kind, pred, self.cfg.name_fuzzy)

    def location(self, gold: Alt, pred: str) -> tuple[int, float]:
        p = location_tokens(pred)
        best: tuple[int, float] = (INC, 0.0)
        for alt in alternatives(gold):
            g = location_tokens(alt)
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
            time_interval(gold), alternatives(gold.text), time_interval(pred), pred.text
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
        f1 = self.texts.token_f1
        best = max(f1(g, p_text) for g in g_texts)
        if best >= self.cfg.text_correct:
            # The same words, but only one side resolved them: half right.
            return (COR, 1.0) if g_iv is None and p_iv is None else (PAR, 0.5)
        if best >= self.cfg.text_partial:
            return PAR, best
        return INC, best

    def spans(self, gold: Sequence[Span], pred: Sequence[Span]) -> tuple[int, float]:
        return self.grade_iou(span_iou(gold, pred))

    def grade_iou(self, iou: float) -> tuple[int, float]:
        if iou >= self.cfg.span_correct:
            return COR, iou
        if iou >= self.cfg.span_partial:
            return PAR, iou
        return INC, iou

    def quote(self, gold: Alt, pred: str) -> tuple[int, float]:
        f1 = self.texts.token_f1
        p_span = find_span(pred, self.article_text)
        best: tuple[int, float] = (INC, -1.0)
        for alt in alternatives(gold):
            g_span = find_span(alt, self.article_text)
            if g_span is not None and p_span is not None:
                cand = self.spans([g_span], [p_span])
            else:
                cand = self.grade_ratio(f1(alt, pred), self.cfg.text_correct, self.cfg.text_partial)
            if cand[1] > best[1]:
                best = cand
        return best


# Cached: the same few names meet each other over and over within an article and a suite.
@lru_cache(maxsize=1 << 16)
def name_grade(
    alts: tuple[str, ...], kind: ActorKind, pred: str, fuzzy: float
) -> tuple[int, float]:
    """The best grade of a predicted name against a gold name's alternatives."""
    p = fold(pred)
    best: tuple[int, float] = (INC, 0.0)
    for alt in alts:
        g = fold(alt)
        if g == p:
            return COR, 1.0
        ratio = fuzz.ratio(g, p) / 100.0
        if ratio * 100.0 >= fuzzy:
            cand = (COR, ratio)
        elif _partial_name(g, p, kind):
            cand = (PAR, 0.5)
        else:
            continue
        if (cand[0], -cand[1]) < (best[0], -best[1]):
            best = cand
    return best


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


def time_interval(t: GoldTime | TimeExpr) -> tuple[int, int] | None:
    return interval(t.start, t.end)


def same(gold: str, pred: str) -> tuple[int, float]:
    return (COR, 1.0) if gold == pred else (INC, 0.0)


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return sorted(str(_plain(v)) for v in value)
    return value


def same_value(gold: object, pred: object) -> tuple[int, float]:
    return (COR, 1.0) if _plain(gold) == _plain(pred) else (INC, 0.0)


def interval(start: object, end: object) -> tuple[int, int] | None:
    if not isinstance(start, date):
        return None
    s = start.toordinal()
    e = end.toordinal() if isinstance(end, date) else s
    return (s, e) if e >= s else None
