"""Scoring: gold against itself is perfect; hand-computed cases give exactly the expected counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers_eval import S1, S2, S3, S4, SEEDS, TEXT, example_gold, write_fixture

from summarizer.eval.gold import Gold, load_fixture, load_suite_dir, to_prediction
from summarizer.eval.scoring import (
    Counts,
    FixtureScore,
    Price,
    ScoringConfig,
    estimate_cost,
    score_summary,
    span_iou,
    token_f1,
)
from summarizer.schemas import (
    Actor,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    TimeExpr,
)


@pytest.fixture
def example(tmp_path: Path) -> tuple[Article, Gold]:
    write_fixture(tmp_path, "ex", TEXT, example_gold())
    return load_fixture(tmp_path, "ex")


def assert_perfect(score: FixtureScore) -> None:
    bad = {k: v for k, v in score.metrics().items() if v != 1.0}
    assert bad == {}
    assert score.overall.mis == score.overall.spu == score.overall.inc == score.overall.par == 0


# --- gold against itself -----------------------------------------------------------------------


def test_example_gold_scores_itself_perfectly(example: tuple[Article, Gold]) -> None:
    article, gold = example
    score = score_summary(to_prediction(gold), gold, article)
    assert_perfect(score)
    # meeting: 2 names + 2 roles + 2 affiliations + location + time + format + evidence = 10;
    # statements: (speaker, content, quote, evidence) + (speaker, content, evidence) = 7;
    # planned event: description + 2 participants + location + time + status + evidence = 7.
    assert score.overall.cor == 24
    assert score.items.cor == 4


def _seed_ids() -> list[str]:
    return sorted(p.name.removesuffix(".gold.json") for p in SEEDS.glob("*.gold.json"))


@pytest.mark.parametrize("fixture_id", _seed_ids() or ["(no seeds yet)"])
def test_every_seed_gold_scores_itself_perfectly(fixture_id: str) -> None:
    if not _seed_ids():
        pytest.skip("seeds/ has no fixtures yet")
    article, gold = load_fixture(SEEDS, fixture_id)
    score = score_summary(to_prediction(gold), gold, article)
    assert_perfect(score)
    assert score.overall.cor > 0


def test_suite_loader_and_self_score_agree_on_seed_count() -> None:
    fixtures = load_suite_dir(SEEDS) if _seed_ids() else []
    assert len(fixtures) == len(_seed_ids())


# --- hand-computed cases -----------------------------------------------------------------------


def _score(example: tuple[Article, Gold], pred: ArticleSummary) -> FixtureScore:
    article, gold = example
    return score_summary(pred, gold, article)


def test_missing_item(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    del pred.statements[1]
    s = _score(example, pred)
    st = s.lists["statements"]
    # S2 unmatched: its speaker, content and evidence are missing (it has no quote).
    assert st.overall.slots() == [4, 0, 0, 3, 0]
    assert st.overall.precision == 1.0
    assert st.overall.recall == pytest.approx(4 / 7)
    assert st.overall.f1 == pytest.approx(8 / 11)  # 2 * (4/7) / (1 + 4/7)
    assert st.items.slots() == [1, 0, 0, 1, 0]
    # Overall: 24 gold values, 21 found, nothing wrong: R = 21/24, F1 = 2 * .875 / 1.875.
    assert s.overall.slots() == [21, 0, 0, 3, 0]
    assert s.overall.f1 == pytest.approx(14 / 15)
    assert s.items.f1 == pytest.approx(6 / 7)  # P = 1, R = 3/4
    assert [a.status for a in st.alignments] == ["matched", "missing"]


def test_spurious_item(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.statements.append(
        Statement(speaker=Actor(name="Carl Lund"), content="Lund said nothing about the weather.")
    )
    st = _score(example, pred).lists["statements"]
    # The extra statement has a speaker and a content: 2 spurious values, no evidence.
    assert st.overall.slots() == [7, 0, 0, 0, 2]
    assert st.overall.precision == pytest.approx(7 / 9)
    assert st.overall.recall == 1.0
    assert st.overall.f1 == pytest.approx(7 / 8)  # 2 * (7/9) / (16/9)
    assert st.items.slots() == [2, 0, 0, 0, 1]
    assert st.items.f1 == pytest.approx(0.8)  # P = 2/3, R = 1


def test_wrong_speaker(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.statements[1].speaker = Actor(name="Anna Berg")
    st = _score(example, pred).lists["statements"]
    # Still matched (content and evidence agree: similarity (2 + 1) / 4 = 0.75); the speaker
    # name is the only incorrect value among 7.
    assert st.overall.slots() == [6, 0, 1, 0, 0]
    assert st.overall.f1 == pytest.approx(6 / 7)
    assert st.fields["speaker"].slots() == [1, 0, 1, 0, 0]
    assert st.items.slots() == [1, 1, 0, 0, 0]  # S2 is a partial item
    assert st.items.f1 == pytest.approx(0.75)
    row = st.alignments[1]
    assert (row.gold, row.pred, row.grade) == (1, 1, "partial")
    assert row.similarity == pytest.approx(0.75)


def test_shifted_date_is_incorrect(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    assert pred.planned_events[0].time is not None
    pred.planned_events[0].time = TimeExpr(
        text="in April 2024", start=date(2024, 4, 1), end=date(2024, 4, 30)
    )
    pe = _score(example, pred).lists["planned_events"]
    # March vs April: no overlap, so the time is incorrect; 6 of 7 values right.
    assert pe.fields["time"].slots() == [0, 0, 1, 0, 0]
    assert pe.overall.slots() == [6, 0, 1, 0, 0]
    assert pe.overall.f1 == pytest.approx(6 / 7)


def test_overlapping_date_is_partial(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.meetings[0].time = TimeExpr(
        text="on Monday", start=date(2023, 5, 15), end=date(2023, 5, 16)
    )
    m = _score(example, pred).lists["meetings"]
    # One day of two overlaps (IoU 1/2): partial. P = R = (9 + 0.5) / 10.
    assert m.fields["time"].slots() == [0, 1, 0, 0, 0]
    assert m.overall.precision == pytest.approx(0.95)
    assert m.overall.recall == pytest.approx(0.95)


def test_swapped_list_order_changes_nothing(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.statements.reverse()
    s = _score(example, pred)
    assert_perfect(s)
    pairs = [(a.gold, a.pred) for a in s.lists["statements"].alignments]
    assert pairs == [(0, 1), (1, 0)]


def test_surname_only_speaker_is_partial(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.statements[1].speaker = Actor(name="Vos")
    st = _score(example, pred).lists["statements"]
    assert st.fields["speaker"].slots() == [1, 1, 0, 0, 0]


def test_alias_and_fuzzy_names_are_correct(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.statements[0].speaker = Actor(name="Berg")  # an any_of alternative
    pred.statements[1].speaker = Actor(name="Piet Voss")  # one letter off
    st = _score(example, pred).lists["statements"]
    assert st.fields["speaker"].slots() == [2, 0, 0, 0, 0]


def test_missing_participant_and_wrong_role(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    meeting = pred.meetings[0]
    meeting.participants = [
        Actor(name="Anna Berg", role="prime minister", affiliation="Norland"),
    ]
    m = _score(example, pred).lists["meetings"]
    # Berg matched (name correct); her role shares 1 of 2 tokens (F1 0.5: partial);
    # Vos is missing with his role and affiliation.
    assert m.fields["participants"].slots() == [1, 0, 0, 1, 0]
    assert m.fields["participants.role"].slots() == [0, 1, 0, 1, 0]
    assert m.fields["participants.affiliation"].slots() == [1, 0, 0, 1, 0]


def test_location_normalisation(example: tuple[Article, Gold]) -> None:
    pred = to_prediction(example[1])
    pred.meetings[0].location = "in PORTO."
    pred.planned_events[0].location = "Lisbon, Portugal"
    s = _score(example, pred)
    assert s.lists["meetings"].fields["location"].slots() == [1, 0, 0, 0, 0]
    assert s.lists["planned_events"].fields["location"].slots() == [0, 1, 0, 0, 0]


def test_evidence_and_grounding(example: tuple[Article, Gold]) -> None:
    article, gold = example
    pred = to_prediction(gold)
    half = S3[: len(S3) // 2]
    start = TEXT.index(half)
    pred.statements[1].evidence = [
        Evidence(quote=half, start=start, end=start + len(half), match="exact")
    ]
    pred.statements[0].evidence = [Evidence(quote="not in the text", match="none")]
    s = score_summary(pred, gold, article)
    st = s.lists["statements"]
    # Half of S3 (IoU ~0.5) is partial; an unplaced quote is incorrect.
    assert st.fields["evidence"].slots() == [0, 1, 1, 0, 0]
    assert s.evidence_total == 4
    assert s.evidence_grounded == 3
    assert s.grounding_rate == pytest.approx(0.75)


def test_no_prediction_is_all_missing(example: tuple[Article, Gold]) -> None:
    article, gold = example
    s = score_summary(None, gold, article)
    assert not s.schema_valid
    assert s.metrics()["schema_valid"] == 0.0
    assert s.overall.slots() == [0, 0, 0, 24, 0]
    assert s.overall.recall == 0.0
    assert s.overall.f1 == 0.0


# --- optional items and partial gold -----------------------------------------------------------


def test_optional_item_is_neither_missing_nor_spurious(tmp_path: Path) -> None:
    gold = example_gold()
    gold["statements"][1]["optional"] = True
    write_fixture(tmp_path, "opt", TEXT, gold)
    article, g = load_fixture(tmp_path, "opt")
    with_it = score_summary(to_prediction(g), g, article)
    without = score_summary(to_prediction(g, include_optional=False), g, article)
    assert_perfect(with_it)
    assert_perfect(without)
    # The optional statement is not counted either way: 24 - 3 values.
    assert with_it.overall.cor == without.overall.cor == 21
    assert [a.status for a in with_it.lists["statements"].alignments] == ["matched", "optional"]


def test_scored_fields_limit_what_counts(tmp_path: Path) -> None:
    gold = example_gold()
    gold["scored_fields"] = {"statements": ["speaker", "content"]}
    write_fixture(tmp_path, "part", TEXT, gold)
    article, g = load_fixture(tmp_path, "part")
    pred = to_prediction(g)
    for st in pred.statements:
        st.evidence = []  # unscored: must not matter
        st.quote = None
    pred.meetings = []  # the list is not scored at all
    s = score_summary(pred, g, article)
    assert set(s.lists) == {"statements"}
    assert set(s.lists["statements"].fields) == {"speaker", "content"}
    assert s.overall.slots() == [4, 0, 0, 0, 0]
    assert_perfect(s)


def test_scored_spans_ignore_items_outside(tmp_path: Path) -> None:
    gold = example_gold()
    gold["planned_events"] = []
    end_of_s2 = len(S1) + 1 + len(S2)
    gold["scored_spans"] = [[0, end_of_s2]]
    gold["statements"] = gold["statements"][:1]
    write_fixture(tmp_path, "spans", TEXT, gold)
    article, g = load_fixture(tmp_path, "spans")
    pred = to_prediction(g)
    s4 = TEXT.index(S4)
    s3 = TEXT.index(S3)
    outside = Statement(
        speaker=Actor(name="Somebody"),
        content="The ministers will meet in Lisbon.",
        evidence=[Evidence(quote=S4, start=s4, end=s4 + len(S4), match="exact")],
    )
    also_outside = Statement(
        speaker=Actor(name="Piet Vos"),
        content="Vos said the talks had been useful.",
        evidence=[Evidence(quote=S3, start=s3, end=s3 + len(S3), match="exact")],
    )
    no_evidence = Statement(speaker=Actor(name="Nobody"), content="Something unrelated.")
    pred.statements += [outside, also_outside, no_evidence]
    st = score_summary(pred, g, article).lists["statements"]
    statuses = sorted(a.status for a in st.alignments)
    # Two statements lie wholly outside the annotated span: ignored. The one without any
    # evidence cannot be placed, so it stays spurious (speaker + content).
    assert statuses == ["ignored", "ignored", "matched", "spurious"]
    assert st.items.slots() == [1, 0, 0, 0, 1]
    assert st.overall.slots() == [4, 0, 0, 0, 2]


def test_unknown_scored_field_is_rejected(tmp_path: Path) -> None:
    from summarizer.errors import InputError

    gold = example_gold()
    gold["scored_fields"] = {"statements": ["speeker"]}
    write_fixture(tmp_path, "typo", TEXT, gold)
    with pytest.raises(InputError, match="speeker"):
        load_fixture(tmp_path, "typo")


# --- building blocks ---------------------------------------------------------------------------


def test_token_f1_and_span_iou() -> None:
    assert token_f1("The talks were useful.", "talks were useful") == 1.0
    assert token_f1("w x y z", "w x") == pytest.approx(2 * 2 / 6)
    assert token_f1("a b c d", "a b") == pytest.approx(0.5)  # "a" is an article: dropped
    assert token_f1("x", "y") == 0.0
    assert span_iou([(0, 10)], [(5, 15)]) == pytest.approx(5 / 15)
    assert span_iou([(0, 10), (8, 12)], [(0, 12)]) == 1.0  # overlapping gold spans merge
    assert span_iou([(0, 4)], [(6, 9)]) == 0.0


def test_counts_conventions() -> None:
    assert Counts().f1 == 1.0  # nothing to find, nothing claimed
    c = Counts(cor=2, par=2, inc=1, mis=1, spu=2)
    assert c.precision == pytest.approx(3 / 7)
    assert c.recall == pytest.approx(3 / 6)
    assert (c + c).slots() == [4, 4, 2, 2, 4]


def test_config_thresholds_change_grades(example: tuple[Article, Gold]) -> None:
    article, gold = example
    pred = to_prediction(gold)
    pred.statements[1].content = "Vos called the talks useful."  # token F1 with gold: 0.6
    lax = score_summary(pred, gold, article, config=ScoringConfig(text_correct=0.5))
    strict = score_summary(pred, gold, article)
    assert lax.lists["statements"].fields["content"].cor == 2
    assert strict.lists["statements"].fields["content"].slots() == [1, 1, 0, 0, 0]


def test_estimate_cost() -> None:
    prices = {"m": Price(input=1.0, output=2.0)}
    assert estimate_cost("m", 1_000_000, 500_000, prices=prices) == pytest.approx(2.0)
    assert estimate_cost("gemma", 10, 10, backend="local") == 0.0
    assert estimate_cost("gpt-x", 10, 10, backend="openai") is None


def test_vectorised_similarity_matches_the_reference(example: tuple[Article, Gold]) -> None:
    """The alignment's similarity matrix equals pairwise compare(count=False), field by field."""
    import random

    import numpy as np

    from summarizer.eval.scoring import DEFAULT_CONFIG, Comparer, ItemScorer

    fixtures = [example] + (load_suite_dir(SEEDS) if _seed_ids() else [])
    rng = random.Random(3)
    checked = 0
    for article, gold in fixtures:
        for _ in range(5):
            pred = to_prediction(gold)
            for st in pred.statements:
                if rng.random() < 0.4:
                    st.content = " ".join(w for w in st.content.split() if rng.random() < 0.6)
                if rng.random() < 0.3:
                    st.speaker = Actor(name=st.speaker.name.split()[-1])
            for m in pred.meetings:
                m.topics = m.topics[: rng.randint(0, len(m.topics))]
                if rng.random() < 0.5:
                    m.evidence = m.evidence[:1]
            rng.shuffle(pred.statements)
            cmp = Comparer(DEFAULT_CONFIG, article.text)
            for name in ("meetings", "statements", "planned_events"):
                scorer = ItemScorer(cmp, name, gold)  # type: ignore[arg-type]
                g_items, p_items = gold.items(name), getattr(pred, name)  # type: ignore[arg-type]
                if not g_items or not p_items:
                    continue
                fast = scorer.similarity_matrix(g_items, p_items)
                ref = np.array(
                    [[scorer.compare(g, p, count=False)[0] for p in p_items] for g in g_items]
                )
                np.testing.assert_allclose(fast, ref, atol=1e-12)
                checked += 1
    assert checked >= 10


# --- the fast paths equal their references -----------------------------------------------------


def _perturbed(gold: Gold, rng: Any) -> ArticleSummary:
    """The gold as a prediction with seeded edits: dropped/shuffled items, shortened names,
    changed roles, trimmed texts, topics and evidence, ungrounded evidence, shifted dates."""
    from datetime import timedelta

    pred = to_prediction(gold)
    for name in ("meetings", "statements", "planned_events"):
        items = [x for x in getattr(pred, name) if rng.random() > 0.2]
        if items and rng.random() < 0.3:
            items.append(items[0].model_copy(deep=True))
        rng.shuffle(items)
        setattr(pred, name, items)
    actors = [s.speaker for s in pred.statements]
    actors += [a for x in pred.meetings + pred.planned_events for a in x.participants]
    for a in actors:
        r = rng.random()
        if r < 0.2:
            a.name = a.name.split()[-1]
        elif r < 0.3:
            a.name, a.role = "Someone Else", None
        elif r < 0.4:
            a.role = "the spokesperson"
    for st in pred.statements:
        if rng.random() < 0.4:
            st.content = " ".join(w for w in st.content.split() if rng.random() < 0.6)
        if rng.random() < 0.2:
            st.quote = None
    for x in pred.meetings + pred.planned_events:
        if x.time is not None and x.time.start is not None and rng.random() < 0.4:
            days = timedelta(days=rng.choice([-1, 1, 30]))
            x.time.start += days
            x.time.end = (x.time.end or x.time.start) + days
        if rng.random() < 0.2:
            x.location = None
    for m in pred.meetings:
        m.topics = m.topics[: rng.randint(0, len(m.topics))]
    every: list[Meeting | Statement | PlannedEvent] = [
        *pred.meetings,
        *pred.statements,
        *pred.planned_events,
    ]
    for item in every:
        if item.evidence and rng.random() < 0.3:
            item.evidence = [Evidence(quote=item.evidence[0].quote[:15], match="none")]
    return pred


def _partial_variants(gold: Gold, rng: Any) -> list[Gold]:
    from summarizer.eval.gold import FIELD_KEYS, LIST_NAMES

    some_fields = gold.model_copy(deep=True)
    some_fields.scored_fields = {
        n: [f for f in FIELD_KEYS[n] if rng.random() < 0.5] for n in LIST_NAMES
    }
    optional = gold.model_copy(deep=True)
    for n in LIST_NAMES:
        for item in optional.items(n):
            item.optional = rng.random() < 0.3
    return [gold, some_fields, optional]


def _fixtures(example: tuple[Article, Gold]) -> list[tuple[Article, Gold]]:
    return [example] + (load_suite_dir(SEEDS) if _seed_ids() else [])


def test_counting_fast_path_matches_compare(example: tuple[Article, Gold]) -> None:
    """tally() gives compare()'s counts, keys in the same order, cached or not."""
    import random

    from summarizer.eval.scoring import DEFAULT_CONFIG, Comparer, ItemScorer

    rng = random.Random(11)
    checked = 0
    for article, base in _fixtures(example):
        for gold in _partial_variants(base, rng):
            for _ in range(3):
                pred = _perturbed(gold, rng)
                cmp = Comparer(DEFAULT_CONFIG, article.text)
                for name in ("meetings", "statements", "planned_events"):
                    scorer = ItemScorer(cmp, name, gold)
                    g_items = list(gold.items(name))
                    p_items = getattr(pred, name)
                    pairs = [(g, p) for g in [*g_items, None] for p in [*p_items, None]]
                    for g, p in pairs:
                        if g is None and p is None:
                            continue
                        want = list(scorer.compare(g, p)[1].items())
                        assert list(scorer.tally(g, p).items()) == want
                        assert list(scorer.tally(g, p).items()) == want  # from the caches
                        checked += 1
    assert checked >= 100


def test_assignment_shortcut_matches_linear_sum_assignment() -> None:
    import random

    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from summarizer.eval.assignment import assign

    rng = random.Random(5)
    shortcuts = 0
    for _ in range(2000):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        density = rng.choice([0.1, 0.3, 0.7])
        weight = [
            [
                rng.choice([0.45, 0.5, 1.0, rng.random()]) if rng.random() < density else 0.0
                for _ in range(m)
            ]
            for _ in range(n)
        ]
        rows, cols = linear_sum_assignment(np.array(weight), maximize=True)
        want = [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i][j] > 0]
        assert assign(weight) == want
        positive = [(i, j) for i in range(n) for j in range(m) if weight[i][j] > 0]
        if len({i for i, _ in positive}) == len({j for _, j in positive}) == len(positive):
            shortcuts += 1
    assert 100 < shortcuts < 1900  # both paths exercised


def _reference_token_f1(gold: str, pred: str) -> float:
    """token_f1 as first written: NFKD folding for every text, Counter intersection."""
    import re
    import unicodedata
    from collections import Counter

    def bag(text: str) -> Counter[str]:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        words = " ".join(re.sub(r"[^\w\s]", " ", stripped).split()).split()
        return Counter(t for t in words if t not in {"a", "an", "the"})

    g, p = bag(gold), bag(pred)
    gn, pn = sum(g.values()), sum(p.values())
    if gn == 0 or pn == 0:
        return 1.0 if gn == pn else 0.0
    same = sum((g & p).values())
    return 0.0 if same == 0 else 2 * same / (gn + pn)


def test_token_f1_matches_the_reference() -> None:
    import random

    words = [
        "talks",
        "Talks",
        "the",
        "a",
        "Zürich",
        "zurich",
        "Ñandú",
        "co-operate",
        "“energy”",
        "energy",
        "ﬁnal",
        "final",
        "x",
        "",
        "İstanbul",
        "straße",
        "STRASSE",
        "...",
        "9",
    ]
    rng = random.Random(2)
    for _ in range(3000):
        gold = " ".join(rng.choice(words) for _ in range(rng.randint(0, 7)))
        pred = " ".join(rng.choice(words) for _ in range(rng.randint(0, 7)))
        assert token_f1(gold, pred) == _reference_token_f1(gold, pred), (gold, pred)


def test_scores_do_not_depend_on_cache_state(example: tuple[Article, Gold]) -> None:
    """Cold caches, warm caches and caches too small to hold anything give the same scores."""
    import random

    from summarizer.eval.scoring import GoldCache, Scorer, TextCache

    rng = random.Random(7)
    cases = [
        (article, gold, _perturbed(gold, rng))
        for article, base in _fixtures(example)
        for gold in _partial_variants(base, rng)
    ]

    def dump_all(scorer: Scorer) -> list[str]:
        return [score_summary(p, g, a, scorer=scorer).model_dump_json() for a, g, p in cases]

    roomy = Scorer()
    cold = dump_all(roomy)
    assert dump_all(roomy) == cold  # warm
    assert [score_summary(p, g, a).model_dump_json() for a, g, p in cases] == cold  # shared
    tiny = Scorer(
        texts=TextCache(max_texts=3, max_pairs=3),
        gold_cache=GoldCache(max_entries=2, max_columns=3),
    )
    assert dump_all(tiny) == cold
    assert len(tiny.texts.bags) <= 3 and len(tiny.texts.pairs) <= 3
    assert len(tiny.gold_cache) <= 2
    roomy.clear()
    assert len(roomy.gold_cache) == 0 and not roomy.texts.bags
    assert dump_all(roomy) == cold


def test_cached_bags_are_not_tracked_by_the_garbage_collector() -> None:
    """Cached texts must not add to the objects every full collection walks: the young
    collections (which untrack tuples of atoms, nested ones a pass later) drop them first."""
    import gc

    from summarizer.eval.scoring import TextCache

    texts = TextCache()
    bags = [texts.bag("no token repeats here"), texts.bag("a rose is a rose is a rose")]
    gc.collect(0)
    gc.collect(1)
    assert not any(gc.is_tracked(b) for b in bags)
