"""Item similarities for the alignment, built a field at a time from cached columns.

The fast path of `ItemScorer.compare(count=False)`: the same float operations in the same
order, so no alignment (and no score) depends on which of the two computed it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from summarizer.eval.comparers import name_grade, time_interval
from summarizer.eval.gold import Alt, GoldMeeting, GoldPlannedEvent, GoldStatement, alternatives
from summarizer.eval.scores import COR, PAR
from summarizer.eval.spans import Span, evidence_iou, evidence_spans, merge
from summarizer.eval.texts import TextIndex
from summarizer.schemas import ActorKind

if TYPE_CHECKING:
    from summarizer.eval.item_scorer import ItemScorer

__all__ = ["actor_keys", "similarity_rows", "speaker_keys"]


def similarity_rows(
    scorer: ItemScorer, gold_items: Sequence[object], pred_items: Sequence[object]
) -> list[list[float]]:
    """The item similarities of all gold x predicted pairs of `scorer`'s list, a row per
    gold item, as `scorer.compare(count=False)` gives them.

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
    w = scorer.weights
    cmp = scorer.cmp
    gold_cache = scorer.gold_cache
    f1 = cmp.texts.token_f1
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
        cache: dict[Hashable, tuple[float, ...]] = gold_cache.get(
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
                col = gold_cache.keep(
                    cache,
                    p_key,
                    tuple(weight * c if on else 0.0 for c, on in zip(sims, g_on, strict=True)),
                )
            den[j] = [d + weight for d in den[j]]
            num[j] = [v + c for v, c in zip(num[j], col, strict=True)]

    def text_field(key: str, get_g: Callable[[Any], Alt], p_texts: list[str]) -> None:
        if key not in scorer.scored:
            return
        index = gold_cache.get(
            gold_items,
            ("texts", key),
            lambda: TextIndex([alternatives(get_g(g)) for g in gi_], cmp.texts),
        )
        add(key, [True] * n, [t or None for t in p_texts], index.f1)

    def actors(key: str) -> None:
        if not {key, f"{key}.role", f"{key}.affiliation"} & scorer.scored:
            return
        g_uniq, g_sets = gold_cache.get(gold_items, key, lambda: actor_keys(gi_))
        weight = w.get(key, 0.0)
        scale = weight or 1.0
        value = {COR: 1.0, PAR: 0.5}

        def column(names: tuple[str, ...]) -> list[float]:
            # _quick_actor_set on a small table: each distinct (gold actor, predicted
            # name) pair is graded once.
            p_pos: dict[str, int] = {}
            p = [p_pos.setdefault(name, len(p_pos)) for name in names]
            table = [
                [value.get(name_grade(alts, kind, name, fuzzy)[0], 0.0) for name in p_pos]
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
        if "evidence" not in scorer.scored:
            return
        g_spans = gold_cache.get(
            gold_items,
            "evidence",
            lambda: [merge(evidence_spans(g.evidence)) for g in gi_],
        )

        def column(p_spans: tuple[Span, ...]) -> list[float]:
            return [evidence_iou(g, p_spans) for g in g_spans]

        add(
            "evidence",
            [bool(g.evidence) for g in gi_],
            [tuple(scorer.spans(p.evidence)) if p.evidence else None for p in pi_],
            column,
        )

    def where() -> None:
        if "location" not in scorer.scored:
            return
        g_loc = [g.location for g in gi_]
        g_on = [bool(alternatives(x)) for x in g_loc]

        def column(p: str) -> list[float]:
            return [cmp.location(g, p)[1] if on else 0.0 for g, on in zip(g_loc, g_on, strict=True)]

        add("location", g_on, [x or None for x in (p.location for p in pi_)], column, fuzzy)

    def when() -> None:
        if "time" not in scorer.scored:
            return
        g_time = gold_cache.get(
            gold_items,
            "time",
            lambda: [
                None if g.time is None else (time_interval(g.time), alternatives(g.time.text))
                for g in gi_
            ],
        )

        def column(p: tuple[tuple[int, int] | None, str]) -> list[float]:
            return [0.0 if g is None else cmp.time_parts(g[0], g[1], p[0], p[1])[1] for g in g_time]

        add(
            "time",
            [t is not None for t in g_time],
            [None if p.time is None else (time_interval(p.time), p.time.text) for p in pi_],
            column,
            cfg.text_correct,
            cfg.text_partial,
        )

    if scorer.list_name == "statements":
        # Few distinct speakers: grade each distinct (gold, predicted) name pair once.
        g_uniq, g_idx = gold_cache.get(gold_items, "speaker", lambda: speaker_keys(gi_))

        def speaker(name: str) -> list[float]:
            grades = [name_grade(alts, kind, name, fuzzy)[1] for alts, kind in g_uniq]
            return [grades[k] for k in g_idx]

        if "speaker" in scorer.scored:
            add("speaker", [True] * n, [p.speaker.name for p in pi_], speaker, fuzzy)
        text_field("content", lambda g: g.content, [p.content for p in pi_])
        g_quote = [g.quote for g in gi_]

        def quote(p: str) -> list[float]:
            return [0.0 if g is None else cmp.quote(g, p)[1] for g in g_quote]

        if "quote" in scorer.scored:
            add(
                "quote",
                [q is not None for q in g_quote],
                [p.quote or None for p in pi_],
                quote,
                cmp.article_text,
            )
        evidence()
    elif scorer.list_name == "meetings":
        actors("participants")
        where()
        when()
        g_top = [" ".join(alternatives(t)[0] for t in g.topics) for g in gi_]

        def topics(p: str) -> list[float]:
            return [f1(g, p) for g in g_top]

        if "topics" in scorer.scored:
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
    return [[num[j][i] / den[j][i] if den[j][i] > 0 else 0.0 for j in range(m)] for i in range(n)]


def actor_keys(
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


def speaker_keys(
    statements: Sequence[GoldStatement],
) -> tuple[list[tuple[tuple[str, ...], ActorKind]], list[int]]:
    """Distinct (name alternatives, kind) of the gold speakers, and each statement's index."""
    position: dict[tuple[tuple[str, ...], ActorKind], int] = {}
    index = [
        position.setdefault((alternatives(s.speaker.name), s.speaker.kind), len(position))
        for s in statements
    ]
    return list(position), index
