"""Scores one predicted `ArticleSummary` against its `Gold`: list alignment, then counts.

Each list is aligned to gold by maximum-weight bipartite matching on item similarity; pairs
below `ScoringConfig.min_item_similarity` are not matches. Matched pairs are compared field by
field (summarizer.eval.item_scorer); every comparison adds one MUC count.

A `Scorer` owns the caches that make a suite fast (text bags and token F1, gold-side columns):
a suite scores the same gold against many predictions, and predicted values recur. The caches
are bounded, and no score depends on what they hold. `score_summary` uses one scorer shared
by the process unless given another.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.eval.assignment import assign
from summarizer.eval.comparers import Comparer
from summarizer.eval.gold import LIST_NAMES, Gold, ListName
from summarizer.eval.gold_cache import GoldCache
from summarizer.eval.item_scorer import ItemScorer
from summarizer.eval.scores import (
    COR,
    DEFAULT_CONFIG,
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
    all_correct,
    build,
)
from summarizer.eval.spans import Span, evidence_spans
from summarizer.eval.texts import TextCache
from summarizer.schemas import Article, ArticleSummary, Meeting, PlannedEvent, Statement

__all__ = ["Scorer", "score_summary"]


class Scorer:
    """Scores predictions against gold; owns the caches shared by all of its scores."""

    def __init__(
        self, *, texts: TextCache | None = None, gold_cache: GoldCache | None = None
    ) -> None:
        self.texts = TextCache() if texts is None else texts
        self.gold_cache = GoldCache() if gold_cache is None else gold_cache

    def clear(self) -> None:
        """Empties the caches (scores do not change; the next ones are slower)."""
        self.texts.clear()
        self.gold_cache.clear()

    def comparer(self, config: ScoringConfig, text: str) -> Comparer:
        return Comparer(config, text, self.texts)

    def item_scorer(self, cmp: Comparer, list_name: ListName, gold: Gold) -> ItemScorer:
        return ItemScorer(cmp, list_name, gold, self.gold_cache)

    def score(
        self,
        prediction: ArticleSummary | None,
        gold: Gold,
        article: Article,
        *,
        config: ScoringConfig = DEFAULT_CONFIG,
    ) -> FixtureScore:
        """Score one prediction (None when the model gave no valid summary) against its gold."""
        pred = prediction if prediction is not None else ArticleSummary(article_id=article.id)
        cmp = self.comparer(config, article.text)
        lists: dict[ListName, ListScore] = {}
        for name in LIST_NAMES:
            if gold.list_scored(name):
                lists[name] = _score_list(
                    self.item_scorer(cmp, name, gold), gold, getattr(pred, name)
                )
        evidence = [e for name in LIST_NAMES for item in getattr(pred, name) for e in item.evidence]
        return build(
            FixtureScore,
            {
                "fixture_id": gold.article_id or article.id,
                "schema_valid": prediction is not None,
                "lists": lists,
                "evidence_total": len(evidence),
                "evidence_grounded": sum(1 for e in evidence if e.match in ("exact", "fuzzy")),
            },
        )


# One scorer for the process, so that the scores of a suite share their caches.
_SHARED = Scorer()


def score_summary(
    prediction: ArticleSummary | None,
    gold: Gold,
    article: Article,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
    scorer: Scorer | None = None,
) -> FixtureScore:
    """Score one prediction (None when the model gave no valid summary) against its gold."""
    return (_SHARED if scorer is None else scorer).score(prediction, gold, article, config=config)


def _row(
    *,
    gold: int | None = None,
    pred: int | None = None,
    status: AlignStatus,
    similarity: float = 0.0,
    fields: dict[str, list[int]] | None = None,
) -> ItemAlignment:
    return build(
        ItemAlignment,
        {
            "gold": gold,
            "pred": pred,
            "status": status,
            "similarity": similarity,
            "fields": {} if fields is None else fields,
        },
    )


def _outside(spans: Sequence[Span], scored: Sequence[tuple[int, int]]) -> bool:
    """True when every span misses every scored range (and there is at least one span)."""
    if not spans:
        return False
    return all(e <= s0 or s >= e0 for s, e in spans for s0, e0 in scored)


def _score_list(
    scorer: ItemScorer,
    gold: Gold,
    pred_items: Sequence[Meeting | Statement | PlannedEvent],
) -> ListScore:
    cmp = scorer.cmp
    gold_items = gold.items(scorer.list_name)
    n_g, n_p = len(gold_items), len(pred_items)
    field_totals: dict[str, list[int]] = {k: [0] * 5 for k in scorer.keys}
    item_totals = [0] * 5
    rows: list[ItemAlignment] = []

    def _absorb(tally: Tally) -> None:
        for key, (cor, par, inc, mis, spu) in tally.items():
            total = field_totals[key]
            total[COR] += cor
            total[PAR] += par
            total[INC] += inc
            total[MIS] += mis
            total[SPU] += spu

    pairs: list[tuple[int, int, float, Tally | None]] = []
    if n_g and n_p:
        threshold = cmp.cfg.min_item_similarity
        # Below the threshold a pair is worth nothing, so the matching never trades a real
        # match for a sub-threshold one.
        sim = [
            [0.0 if v < threshold else v for v in row]
            for row in scorer.similarity_rows(gold_items, pred_items)
        ]
        for gi, pj in assign(sim):
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
        item_totals[COR if all_correct(matched) else PAR] += 1
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
            evidence_spans(p.evidence), gold.scored_spans
        ):
            rows.append(_row(pred=j, status="ignored"))
            continue
        tally = scorer.tally(None, p)
        _absorb(tally)
        item_totals[SPU] += 1
        rows.append(_row(pred=j, status="spurious", fields=tally))
    return build(
        ListScore,
        {
            "items": Counts.of(item_totals),
            "fields": {k: Counts.of(v) for k, v in field_totals.items() if k in scorer.scored},
            "alignments": rows,
        },
    )
