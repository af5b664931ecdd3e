"""Assignment: maximum-weight matching of items and of set elements (actors, topics)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from summarizer.eval.scores import COR, PAR

__all__ = ["align_sets", "assign", "set_similarity"]


def align_sets(
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
    return assign(weight), sims


def assign(weight: list[list[float]]) -> list[tuple[int, int]]:
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


def set_similarity(
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
