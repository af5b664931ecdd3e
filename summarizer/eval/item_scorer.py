"""Compares the items of one list (meetings, statements or planned events) field by field.

`ItemScorer.compare` is the reference definition of an item pair's similarity and counts;
`similarity_rows` (summarizer.eval.similarity) and `tally` give the same values faster, with
the same float operations in the same order, so no score depends on the path or on what the
caches hold (tests check both).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from summarizer.eval.assignment import align_sets, set_similarity
from summarizer.eval.comparers import Comparer, same, same_value
from summarizer.eval.extras import field_keys, gold_extras
from summarizer.eval.gold import (
    FIELD_KEYS,
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
from summarizer.eval.gold_cache import GoldCache
from summarizer.eval.scores import COR, INC, MIS, PAR, SPU, Tally
from summarizer.eval.similarity import similarity_rows
from summarizer.eval.spans import Span, evidence_spans, iou_merged, merge
from summarizer.schemas import Actor, Evidence, Meeting, PlannedEvent, Statement, TimeExpr

__all__ = ["ItemScorer"]


class ItemScorer:
    """Compares items of one list, honouring the gold's scored fields."""

    def __init__(
        self, cmp: Comparer, list_name: ListName, gold: Gold, gold_cache: GoldCache | None = None
    ) -> None:
        self.cmp = cmp
        # Gold-side values shared by every scorer of the same gold (see GoldCache).
        self.gold_cache = GoldCache() if gold_cache is None else gold_cache
        self.list_name = list_name
        # A user's extra fields count when the gold type declares them (summarizer.eval.extras).
        self.extras = gold_extras(type(gold), list_name)
        self.keys = FIELD_KEYS[list_name] + tuple(k for e in self.extras for k in field_keys(e))
        self.scored = frozenset(k for k in self.keys if gold.is_scored(list_name, k))
        self.weights = cmp.cfg.weights.get(list_name, {})
        self.counting = True
        self._span_cache: dict[int, tuple[object, list[Span]]] = {}

    # Each compare_* returns (weighted similarity, weight, tally) for the pair.
    def _add(self, tally: Tally, key: str, grade: int | None) -> None:
        if self.counting and grade is not None and key in self.scored:
            tally.setdefault(key, [0, 0, 0, 0, 0])[grade] += 1

    def _scalar(
        self,
        tally: Tally,
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
        self, tally: Tally, key: str, gold: GoldActor | None, pred: Actor | None
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
        self, tally: Tally, key: str, gold: GoldActor | None, pred: Actor | None
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
        self, tally: Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> tuple[float, float]:
        if not {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
            return 0.0, 0.0
        if not self.counting:
            return self._quick_actor_set(key, gold, pred)
        pairs, sims = align_sets(
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
        return set_similarity(len(gold), len(pred), pairs, sims, self.weights.get(key, 0.0))

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
        self, tally: Tally, key: str, gold: Sequence[Alt], pred: Sequence[str]
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
            return weight * self.cmp.texts.token_f1(joined, " ".join(pred)), weight
        pairs, sims = align_sets(len(gold), len(pred), lambda i, j: self.cmp.text(gold[i], pred[j]))
        for i, j in pairs:
            self._add(tally, key, sims[(i, j)][0])
        for _ in range(len(gold) - len(pairs)):
            self._add(tally, key, MIS)
        for _ in range(len(pred) - len(pairs)):
            self._add(tally, key, SPU)
        return set_similarity(len(gold), len(pred), pairs, sims, self.weights.get(key, 0.0))

    def _count_text_set(
        self, tally: Tally, key: str, gold: Sequence[Alt], pred: Sequence[str]
    ) -> None:
        self.counting = True
        self._text_set(tally, key, gold, pred)

    def _time(
        self, tally: Tally, gold: GoldTime | None, pred: TimeExpr | None
    ) -> tuple[float, float]:
        return self._scalar(
            tally,
            "time",
            gold is not None,
            pred is not None,
            lambda: self.cmp.time(gold, pred),  # type: ignore[arg-type]
        )

    def _location(self, tally: Tally, gold: Alt | None, pred: str | None) -> tuple[float, float]:
        return self._scalar(
            tally,
            "location",
            bool(alternatives(gold)),
            bool(pred),
            lambda: self.cmp.location(gold, pred),  # type: ignore[arg-type]
        )

    def _evidence(
        self,
        tally: Tally,
        gold: Sequence[GoldEvidence] | None,
        pred: Sequence[Evidence] | None,
    ) -> tuple[float, float]:
        g_spans = self.spans(gold)
        p_spans = self.spans(pred)
        return self._scalar(
            tally,
            "evidence",
            bool(gold),
            bool(pred),
            # Evidence the grounder could not place has no span: it points nowhere.
            lambda: self.cmp.spans(g_spans, p_spans) if p_spans else (INC, 0.0),
        )

    def spans(self, evidence: Sequence[Evidence | GoldEvidence] | None) -> list[Span]:
        # Each item's evidence meets every item of the other side: merge its spans once.
        if not evidence:
            return []
        key = id(evidence)
        cached = self._span_cache.get(key)
        if cached is None or cached[0] is not evidence:
            cached = (evidence, merge(evidence_spans(evidence)))
            self._span_cache[key] = cached
        return cached[1]

    def _categorical(self, tally: Tally, key: str, gold: str | None, pred: str | None) -> None:
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
        """similarity_matrix as nested lists (a row per gold item): see
        `summarizer.eval.similarity.similarity_rows`."""
        return similarity_rows(self, gold_items, pred_items)

    def compare(
        self, gold: object | None, pred: object | None, *, count: bool = True
    ) -> tuple[float, Tally]:
        """(similarity, per-field tally) of a pair; either side may be None (unmatched).

        With count=False only the similarity is computed (the tally stays empty). The
        reference definition: scoring uses `similarity_rows` and `tally`, which give the
        same values faster.
        """
        self.counting = count
        tally: Tally = {}
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

    def tally(self, gold: object | None, pred: object | None) -> Tally:
        """The per-field tally of a pair, as compare(gold, pred)[1] gives it.

        The alignment rows need only the counts; this skips the similarity and the
        per-field closures of `compare`, visiting the fields (and so creating the tally's
        keys) in the same order.
        """
        tally: Tally = {}
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

    def _tally_extras(self, tally: Tally, gold: object | None, pred: object | None) -> None:
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
                self._count(tally, key, g not in (None, []), p not in (None, []), same_value, g, p)
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
                    merge(evidence_spans(g_ev)),
                    merge(evidence_spans(p_ev)),
                )
            elif kind == "actor":
                if g is not None or p is not None:
                    self._tally_actor(tally, key, g, p)
            elif (g or p) and {key, f"{key}.role", f"{key}.affiliation"} & self.scored:
                self._count_actor_set(tally, key, g or [], p or [])

    def _count(
        self,
        tally: Tally,
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
        self, tally: Tally, key: str, gold: GoldActor | None, pred: Actor | None
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
        self, tally: Tally, key: str, gold: GoldActor | None, pred: Actor | None
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
        tally: Tally,
        owner: Sequence[object],
        tag: Hashable,
        p_key: Hashable,
        count: Callable[[Tally], None],
    ) -> None:
        """Adds to `tally` what `count` adds to an empty tally, cached with the gold list
        `owner` and keyed by the predicted value `p_key` (which must determine the counts).

        For set-valued fields, whose counting (a matching per pair) costs the most and whose
        predicted values recur as often as scalar ones.
        """
        if not owner:
            count(tally)  # an unmatched prediction: no gold list to hold a cache
            return
        cache: dict[Hashable, tuple[tuple[str, tuple[int, ...]], ...]] = self.gold_cache.get(
            owner, tag, dict
        )
        part = cache.get(p_key)
        if part is None:
            fresh: Tally = {}
            count(fresh)
            part = self.gold_cache.keep(
                cache, p_key, tuple((k, tuple(v)) for k, v in fresh.items())
            )
        for k, counts in part:
            slots = tally.get(k)
            if slots is None:
                tally[k] = list(counts)
            else:
                for i, c in enumerate(counts):
                    slots[i] += c

    def _tally_actor_set(
        self, tally: Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
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
        self, tally: Tally, key: str, gold: Sequence[GoldActor], pred: Sequence[Actor]
    ) -> None:
        name = self.cmp.name
        pairs, sims = align_sets(len(gold), len(pred), lambda i, j: name(gold[i], pred[j].name))
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
        tally: Tally,
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
        self, tally: Tally, key: str, gold: str | None, pred: str | None
    ) -> None:
        g = None if gold in (None, "unknown") else gold
        p = None if pred in (None, "unknown") else pred
        self._count(tally, key, g is not None, p is not None, same, g, p)

    def _tally_evidence(
        self,
        tally: Tally,
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
                self.spans(gold),
                self.spans(pred),
            )

    def _evidence_grade(self, g_spans: list[Span], p_spans: list[Span]) -> tuple[int, float]:
        # Both lists are merged already. Evidence the grounder could not place has no span.
        return self.cmp.grade_iou(iou_merged(g_spans, p_spans)) if p_spans else (INC, 0.0)
