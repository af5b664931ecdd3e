"""How far a judge agrees with the token-overlap score, per free-text field, over the pairs
both scored: means, Spearman and Pearson correlation, mean absolute difference, n."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from scipy.stats import pearsonr, spearmanr

__all__ = ["ALL_FIELDS", "Agreement", "agreement", "correlation"]

ALL_FIELDS = "all"


class Agreement(BaseModel):
    """One field's judge scores against its token scores."""

    field: str
    n: int
    judge_mean: float
    token_mean: float
    spearman: float | None = None
    """Rank correlation; None with fewer than 3 pairs or when either side is constant."""
    pearson: float | None = None
    """Linear correlation; None like `spearman`."""
    mean_abs_diff: float


def correlation(judge: Sequence[float], token: Sequence[float], kind: str) -> float | None:
    """Spearman's or Pearson's r, or None where it is undefined (n < 3, a constant side)."""
    if len(judge) < 3 or len(set(judge)) < 2 or len(set(token)) < 2:
        return None
    result = spearmanr(judge, token) if kind == "spearman" else pearsonr(judge, token)
    value = float(result[0])
    return None if math.isnan(value) else value


def _one(name: str, judge: Sequence[float], token: Sequence[float]) -> Agreement:
    j, t = np.asarray(judge, dtype=float), np.asarray(token, dtype=float)
    return Agreement(
        field=name,
        n=len(j),
        judge_mean=float(j.mean()),
        token_mean=float(t.mean()),
        spearman=correlation(list(judge), list(token), "spearman"),
        pearson=correlation(list(judge), list(token), "pearson"),
        mean_abs_diff=float(np.abs(j - t).mean()),
    )


def agreement(pairs: Sequence[tuple[str, float, float]]) -> list[Agreement]:
    """Per field, then over all fields (`ALL_FIELDS`), from (field, judge, token) triples."""
    by_field: dict[str, tuple[list[float], list[float]]] = {}
    for name, judge, token in pairs:
        js, ts = by_field.setdefault(name, ([], []))
        js.append(judge)
        ts.append(token)
    rows = [_one(name, *by_field[name]) for name in sorted(by_field)]
    if len(by_field) > 1:
        rows.append(_one(ALL_FIELDS, [p[1] for p in pairs], [p[2] for p in pairs]))
    return rows
