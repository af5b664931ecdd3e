"""The gate's rules and test: tolerances, bootstrap p-values, Holm-Bonferroni, detectable drops,
flaky fixtures, and the suite's `gate:` mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers_eval import degrade, make_run, synthetic_suite

from summarizer.errors import UsageError
from summarizer.eval.compare import compare, flaky_fixtures, gate
from summarizer.eval.gating import (
    GateConfig,
    MetricRule,
    bootstrap_p_value,
    detectable_drop,
    gate_config,
    holm,
)
from summarizer.eval.gold import Gold
from summarizer.eval.suite import load_suite
from summarizer.schemas import Article, ArticleSummary


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Article, Gold]]:
    return synthetic_suite(tmp_path_factory.mktemp("suite"))


def test_tolerance_is_the_stricter_of_absolute_and_relative() -> None:
    assert MetricRule(max_drop=0.05).tolerance(0.9) == 0.05
    assert MetricRule(max_relative_drop=0.1).tolerance(0.5) == pytest.approx(0.05)
    assert MetricRule(max_drop=0.02, max_relative_drop=0.1).tolerance(0.5) == 0.02
    assert MetricRule(max_drop=0.2, max_relative_drop=0.1).tolerance(0.5) == pytest.approx(0.05)
    assert MetricRule().tolerance(0.9) == 0.02  # neither given: the default absolute drop


def test_gate_config_reads_numbers_lists_and_mappings() -> None:
    config = gate_config({"metrics": {"overall.f1": 0.03, "items.f1": {"max_relative_drop": 0.1}}, "alpha": 0.1})
    assert config.metrics["overall.f1"].max_drop == 0.03
    assert config.metrics["items.f1"].max_relative_drop == 0.1
    assert config.alpha == 0.1
    assert set(gate_config({"metrics": ["a.f1", "b.f1"]}).metrics) == {"a.f1", "b.f1"}
    assert set(gate_config(None).metrics) == {"overall.f1", "items.f1", "grounding_rate", "schema_valid"}


def test_gate_config_mistakes_name_the_key() -> None:
    with pytest.raises(UsageError, match=r"suite.yaml: gate.alpha: .*fix the suite's `gate:` rules"):
        gate_config({"alpha": 2}, "suite.yaml")
    with pytest.raises(UsageError, match=r"gate.bogus"):
        gate_config({"bogus": 1}, "suite.yaml")
    with pytest.raises(UsageError, match=r"`gate:` must be a mapping"):
        gate_config([1, 2], "suite.yaml")


def test_suite_file_carries_gate_rules_and_record_command(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "fixtures: .\ngate:\n  metrics: {overall.f1: 0.05}\n  exclude_flaky: true\n"
        "record: make record\n",
        encoding="utf-8",
    )
    suite = load_suite(path)
    assert suite.gate.metrics["overall.f1"].max_drop == 0.05
    assert suite.gate.exclude_flaky
    assert suite.re_record_hint() == "make record"


def test_bootstrap_p_value_extremes() -> None:
    assert bootstrap_p_value([0.0] * 10, 0.02, higher_is_better=True, n_boot=500, seed=0) == 1.0
    low = bootstrap_p_value([-0.3] * 10, 0.02, higher_is_better=True, n_boot=500, seed=0)
    assert low == pytest.approx(1 / 501)
    # Lower-is-better metrics regress upwards.
    assert bootstrap_p_value([0.3] * 10, 0.02, higher_is_better=False, n_boot=500, seed=0) == low


def test_holm_steps_down_and_stops_at_the_first_acceptance() -> None:
    decisions = holm({"a": 0.001, "b": 0.02, "c": 0.03, "d": 0.2}, alpha=0.05)
    assert decisions["a"] == (True, 0.05 / 4)
    assert decisions["b"] == (False, 0.05 / 3)  # 0.02 > 0.0167: stop here
    assert decisions["c"][0] is False  # 0.03 <= 0.025 fails too, and nothing after b is rejected
    assert decisions["d"][0] is False


def test_detectable_drop_has_the_promised_power() -> None:
    """A proportional regression of the computed size is caught about 80% of the time when
    suites of the same size are drawn from a population with the baseline's mean and spread."""
    rng = np.random.default_rng(1)
    n, tolerance, alpha = 16, 0.02, 0.05
    base = np.clip(rng.normal(0.8, 0.15, size=n), 0, 1)
    mde = detectable_drop(base, tolerance, alpha=alpha, n_metrics=1)
    assert mde is not None and tolerance < mde < 0.2
    population = rng.normal(base.mean(), base.std(ddof=1), size=20000)
    fraction = mde / base.mean()
    caught = 0
    trials = 300
    for t in range(trials):
        sample = rng.choice(population, size=n)
        p = bootstrap_p_value(-fraction * sample, tolerance, higher_is_better=True, n_boot=400, seed=t)
        caught += p <= alpha
    assert 0.7 <= caught / trials <= 0.9


def test_a_baseline_near_zero_cannot_detect_anything() -> None:
    assert detectable_drop([0.0] * 12 + [0.1, 0.05, 0.0, 0.02], 0.02, alpha=0.05, n_metrics=4) is None


def test_gate_warns_when_the_baseline_is_blind(suite: list[tuple[Article, Gold]]) -> None:
    def empty(pred: ArticleSummary) -> ArticleSummary:
        return pred.model_copy(update={"meetings": [], "statements": [], "planned_events": []})

    weak = make_run(suite, empty)
    result = gate(compare(weak, weak))
    assert result.passed
    assert any("overall.f1" in w and "cannot detect" in w for w in result.warnings)
    strong = make_run(suite)
    assert not any("overall.f1" in w for w in gate(compare(strong, strong)).warnings)


def test_holm_controls_many_gated_metrics(suite: list[tuple[Article, Gold]]) -> None:
    base = make_run(suite)
    comparison = compare(base, make_run(suite, degrade))
    config = GateConfig(metrics={m: MetricRule(max_drop=0.02) for m in comparison.metrics if m.endswith(".f1")})
    result = gate(comparison, config=config)
    assert not result.passed
    levels = sorted(v.holm_level for v in result.verdicts)
    assert levels[0] == pytest.approx(0.05 / len(config.metrics))
    assert {"overall.f1", "items.f1"} <= {v.metric for v in result.verdicts if v.failed}


def test_unknown_gated_metric_is_a_warning_not_a_pass_by_silence(suite: list[tuple[Article, Gold]]) -> None:
    run = make_run(suite)
    result = gate(compare(run, run), config=GateConfig(metrics={"overall.f2": MetricRule()}))
    assert result.passed
    assert result.warnings == [
        "overall.f2 is gated but neither run has it: check the metric's name (see `eval score`)"
    ]


def test_flaky_fixtures_are_flagged_and_can_be_excluded(suite: list[tuple[Article, Gold]]) -> None:
    stable = make_run(suite, repetitions=2)
    # The second repetition of two fixtures loses its items: those fixtures disagree with themselves.
    results = []
    for r in stable.results:
        if r.repetition == 1 and r.fixture_id in ("syn00", "syn01") and r.prediction is not None:
            r = r.model_copy(update={"prediction": degrade(r.prediction), "scores": None})
        results.append(r)
    from summarizer.eval.runfile import rescore

    shaky = rescore(stable.model_copy(update={"results": results}), suite)
    assert flaky_fixtures(shaky) == ["syn00", "syn01"]
    assert flaky_fixtures(stable) == []
    kept = compare(stable, shaky)
    assert kept.flaky == ["syn00", "syn01"] and kept.excluded == []
    assert kept.metrics["overall.f1"].n == 16
    left_out = compare(stable, shaky, exclude_flaky=True)
    assert left_out.excluded == ["syn00", "syn01"]
    assert left_out.metrics["overall.f1"].n == 14
    assert left_out.metrics["overall.f1"].delta == 0.0


def test_fixture_regressions_are_listed(suite: list[tuple[Article, Gold]]) -> None:
    result = gate(compare(make_run(suite), make_run(suite, degrade)))
    assert result.fixture_regressions
    assert all(-c.delta > result.fixture_max_drop for c in result.fixture_regressions)
