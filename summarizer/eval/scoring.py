"""Field-level scoring of one predicted `ArticleSummary` against its `Gold`: the public names.

The scoring lives in one module per job; this module gathers their public names, the import
path other code and the README use:

- `scores`: the thresholds (`ScoringConfig`) and the result models (`Counts`, `FixtureScore`);
- `cost`: `Price` and `estimate_cost`;
- `texts`: text normalisation, token F1 and the text caches; `spans`: character-span IoU;
- `comparers`: one field value against another (`Comparer`);
- `item_scorer` and `similarity`: one list's items compared field by field (`ItemScorer`);
- `assignment`: maximum-weight matching of items and of set elements;
- `scorer`: `Scorer` (which owns the caches) and `score_summary`.

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

from summarizer.eval.assignment import align_sets, assign, set_similarity
from summarizer.eval.comparers import Comparer
from summarizer.eval.cost import DEFAULT_PRICES, FREE_BACKENDS, Price, estimate_cost
from summarizer.eval.gold_cache import GoldCache
from summarizer.eval.item_scorer import ItemScorer
from summarizer.eval.scorer import Scorer, score_summary
from summarizer.eval.scores import (
    COR,
    DEFAULT_CONFIG,
    GRADE_NAMES,
    INC,
    MIS,
    PAR,
    SPU,
    AlignStatus,
    Counts,
    FixtureScore,
    ItemAlignment,
    ListScore,
    ScoringConfig,
    Tally,
    sum_counts,
)
from summarizer.eval.spans import Span, span_iou
from summarizer.eval.texts import TextCache, TextIndex, token_f1

__all__ = [
    "COR",
    "DEFAULT_CONFIG",
    "DEFAULT_PRICES",
    "FREE_BACKENDS",
    "GRADE_NAMES",
    "INC",
    "MIS",
    "PAR",
    "SPU",
    "AlignStatus",
    "Comparer",
    "Counts",
    "FixtureScore",
    "GoldCache",
    "ItemAlignment",
    "ItemScorer",
    "ListScore",
    "Price",
    "Scorer",
    "ScoringConfig",
    "Span",
    "Tally",
    "TextCache",
    "TextIndex",
    "align_sets",
    "assign",
    "estimate_cost",
    "score_summary",
    "set_similarity",
    "span_iou",
    "sum_counts",
    "token_f1",
]
