"""Cross-document coreference metrics: MUC, B³, CEAF-e, their CoNLL average, and BLANC.

A clustering is a list of sets of mention ids. The key (gold) and the response (system) may
hold different mentions, as they do end to end: a mention only in the response counts
against precision, one only in the key against recall (as in the reference scorer of
Pradhan et al., 2014, and BLANC as extended by Luo et al., 2014).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["PRF", "b_cubed", "blanc", "ceaf_e", "conll", "muc", "score_all"]

Clusters = Sequence[frozenset[str]]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    # BLANC's F is the mean of two F-scores, not the F of its mean precision and recall.
    f1_given: float | None = None

    @property
    def f1(self) -> float:
        if self.f1_given is not None:
            return self.f1_given
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def _clean(clusters: Iterable[Iterable[str]]) -> list[frozenset[str]]:
    return [c for c in (frozenset(x) for x in clusters) if c]


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _muc_side(key: Clusters, response: Clusters) -> float:
    where = {m: i for i, c in enumerate(response) for m in c}
    num = den = 0
    for c in key:
        # Parts of c in the response; a mention the response lacks is a part of its own.
        parts = {where.get(m, f"missing:{m}") for m in c}
        num += len(c) - len(parts)
        den += len(c) - 1
    return _ratio(num, den)


def muc(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> PRF:
    k, r = _clean(key), _clean(response)
    return PRF(precision=_muc_side(r, k), recall=_muc_side(k, r))


def _b3_side(key: Clusters, response: Clusters) -> float:
    where = {m: c for c in response for m in c}
    total = sum(len(c) for c in key)
    num = 0.0
    for c in key:
        for m in c:
            other = where.get(m)
            if other is not None:
                num += len(c & other) / len(c)
    return _ratio(num, total)


def b_cubed(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> PRF:
    k, r = _clean(key), _clean(response)
    return PRF(precision=_b3_side(r, k), recall=_b3_side(k, r))


def ceaf_e(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> PRF:
    """Entity-based CEAF: the best one-to-one alignment of clusters under
    φ4(K, R) = 2|K ∩ R| / (|K| + |R|)."""
    k, r = _clean(key), _clean(response)
    if not k or not r:
        return PRF(0.0, 0.0)
    sim = np.array([[2 * len(a & b) / (len(a) + len(b)) for b in r] for a in k])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    best = float(sim[rows, cols].sum())
    return PRF(precision=best / len(r), recall=best / len(k))


def _links(clusters: Clusters) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    coref = {frozenset(p) for c in clusters for p in combinations(sorted(c), 2)}
    mentions = sorted(m for c in clusters for m in c)
    where = {m: i for i, c in enumerate(clusters) for m in c}
    non = {
        frozenset((a, b)) for a, b in combinations(mentions, 2) if where[a] != where[b]
    }
    return coref, non


def blanc(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> PRF:
    """BLANC: the mean of the F-scores on coreference links and on non-coreference links
    (precision and recall are the means of the two kinds). Quadratic in mentions: for
    fixture-sized data, not for a million mentions."""
    k, r = _clean(key), _clean(response)
    ck, nk = _links(k)
    cr, nr = _links(r)
    coref = PRF(_ratio(len(ck & cr), len(cr)), _ratio(len(ck & cr), len(ck)))
    non = PRF(_ratio(len(nk & nr), len(nr)), _ratio(len(nk & nr), len(nk)))
    return PRF(
        (coref.precision + non.precision) / 2,
        (coref.recall + non.recall) / 2,
        (coref.f1 + non.f1) / 2,
    )


def conll(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> float:
    """The CoNLL F1: the mean of the MUC, B³ and CEAF-e F1 scores."""
    k, r = _clean(key), _clean(response)
    return (muc(k, r).f1 + b_cubed(k, r).f1 + ceaf_e(k, r).f1) / 3


def score_all(key: Iterable[Iterable[str]], response: Iterable[Iterable[str]]) -> dict[str, object]:
    k, r = _clean(key), _clean(response)
    return {
        "muc": muc(k, r).as_dict(),
        "b3": b_cubed(k, r).as_dict(),
        "ceaf_e": ceaf_e(k, r).as_dict(),
        "blanc": blanc(k, r).as_dict(),
        "conll_f1": conll(k, r),
    }
