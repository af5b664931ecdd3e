"""Character spans for scoring: merging, IoU of span sets, the spans of evidence."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.eval.gold import GoldEvidence
from summarizer.schemas import Evidence

__all__ = ["Span", "evidence_iou", "evidence_spans", "iou_merged", "merge", "span_iou"]

# [start, end) character offsets into the article text.
Span = tuple[int, int]


def merge(spans: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def span_iou(gold: Sequence[Span], pred: Sequence[Span]) -> float:
    """Character IoU of two sets of [start, end) spans (each merged first)."""
    if len(gold) == 1 and len(pred) == 1:
        return iou_merged(gold, pred)  # a single span is already merged
    return iou_merged(merge(gold), merge(pred))


def evidence_iou(g: Sequence[Span], p: Sequence[Span]) -> float:
    """IoU of merged evidence spans; evidence the grounder could not place points nowhere."""
    if len(g) == 1 and len(p) == 1:
        (gs, ge), (ps, pe) = g[0], p[0]
        inter = (ge if ge < pe else pe) - (gs if gs > ps else ps)
        if inter <= 0:
            return 0.0
        return inter / ((ge - gs) + (pe - ps) - inter)
    return iou_merged(g, p) if p else 0.0


def iou_merged(g: Sequence[Span], p: Sequence[Span]) -> float:
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


def evidence_spans(evidence: Sequence[Evidence | GoldEvidence]) -> list[Span]:
    """The placed spans of evidence (evidence the grounder could not place has none)."""
    return [
        (e.start, e.end)
        for e in evidence
        if e.start is not None and e.end is not None and e.end > e.start
    ]
