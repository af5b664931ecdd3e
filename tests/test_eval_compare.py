"""Run comparison: paired bootstrap deltas, reproducible CIs, and the regression gate."""

from __future__ import annotations

import pytest
from helpers_eval import SEEDS, degrade, make_run, synthetic_suite

from summarizer.eval.compare import compare, fixture_metrics, gate
from summarizer.eval.gold import Gold, load_suite_dir
from summarizer.eval.runfile import rescore
from summarizer.schemas import Article, ArticleSummary


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Article, Gold]]:
    return synthetic_suite(tmp_path_factory.mktemp("suite"))


def test_identical_run_never_fails_the_gate(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    new = make_run(suite, repetitions=2)
    comparison = compare(base, new)
    assert comparison.n_fixtures == 16
    for d in comparison.metrics.values():
        if d.metric != "latency_s":
            assert d.delta == 0.0 and d.ci_low == 0.0 and d.ci_high == 0.0
    result = gate(comparison)
    assert result.passed and bool(result) and result.failures == []
    assert comparison.worse == [] and comparison.better == []


def test_degraded_run_always_fails_the_gate(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    new = make_run(suite, degrade)
    for seed in range(5):
        comparison = compare(base, new, seed=seed, n_boot=500)
        result = gate(comparison)
        assert not result.passed
        assert any(f.startswith("overall.f1") for f in result.failures)
        d = comparison.metrics["overall.f1"]
        assert d.ci_high < -0.02 and d.delta < 0
        assert d.ci_low <= d.delta <= d.ci_high
    # Every fixture lost items, so every fixture is listed as worse, with what changed.
    assert len(comparison.worse) == 16
    changed = {f.metric for f in comparison.worse[0].fields}
    assert "meetings.participants.f1" in changed
    assert "statements.speaker.f1" in changed
    assert all(f.new < f.base for f in comparison.worse[0].fields)


def test_degraded_seed_suite_fails_the_gate() -> None:
    if len(list(SEEDS.glob("*.gold.json"))) < 2:
        pytest.skip("needs at least two fixtures in seeds/")
    fixtures = load_suite_dir(SEEDS)
    result = gate(compare(make_run(fixtures), make_run(fixtures, degrade)))
    assert not result.passed
    assert gate(compare(make_run(fixtures), make_run(fixtures))).passed


def test_one_worse_fixture_does_not_fail_the_gate(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    new = make_run(suite)
    target = new.results[3]
    assert target.prediction is not None
    target.prediction.statements[0].speaker.name = "Somebody Else"
    new = rescore(new, suite)
    comparison = compare(base, new)
    d = comparison.metrics["overall.f1"]
    assert d.delta < 0 and d.ci_high == 0.0  # most resamples see no change
    assert gate(comparison).passed
    assert [c.fixture_id for c in comparison.worse] == [target.fixture_id]
    assert [f.metric for f in comparison.worse[0].fields] == ["statements.speaker.f1"]


def test_bootstrap_is_reproducible(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)

    def drop_some(pred: ArticleSummary) -> ArticleSummary:
        out = pred.model_copy(deep=True)
        k = int(out.article_id[-2:])
        out.statements = out.statements[k % 4 :]  # 0 to 3 statements dropped
        return out

    new = make_run(suite, drop_some)
    a = compare(base, new, seed=7).metrics["overall.f1"]
    b = compare(base, new, seed=7).metrics["overall.f1"]
    c = compare(base, new, seed=8).metrics["overall.f1"]
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.delta == c.delta
    assert a.ci_low < a.delta < a.ci_high
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)


def test_pairing_by_id_and_repetition_average(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    new = make_run(suite[1:])
    comparison = compare(base, new)
    assert comparison.n_fixtures == 15
    assert comparison.only_in_base == [suite[0][0].id]
    # Two repetitions, one perfect and one with no items: the fixture averages to 0.5 recall.
    reps = make_run(suite[:1])
    bad = make_run(suite[:1], lambda p: ArticleSummary(article_id=p.article_id))
    both = reps.model_copy(
        update={"results": [*reps.results, bad.results[0].model_copy(update={"repetition": 1})]}
    )
    assert fixture_metrics(both)[suite[0][0].id]["overall.recall"] == pytest.approx(0.5)


def test_gate_threshold_and_lower_is_better(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    slow = make_run(suite)
    for r in slow.results:
        r.latency_s = 3.0
    comparison = compare(base, slow)
    assert comparison.metrics["latency_s"].delta == pytest.approx(2.0)
    assert gate(comparison).passed  # latency is not gated by default
    failed = gate(comparison, metrics=["latency_s"], threshold=0.5)
    assert not failed.passed and "latency_s" in failed.failures[0]
