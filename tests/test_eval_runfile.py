"""RUN.json models: aggregation over repetitions, rescoring from predictions, secrets, I/O."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_eval import degrade, make_run, synthetic_suite

from summarizer.errors import InputError, UsageError
from summarizer.eval.gold import Gold, to_prediction
from summarizer.eval.runfile import (
    ErrorInfo,
    FixtureResult,
    Run,
    RunSettings,
    aggregate,
    redact_url,
    rescore,
)
from summarizer.eval.scoring import Price
from summarizer.schemas import Article


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Article, Gold]]:
    return synthetic_suite(tmp_path_factory.mktemp("suite"), n=4)


def test_rescore_recomputes_stored_scores(suite: list[tuple[Article, Gold]]) -> None:
    run = make_run(suite)
    assert run.aggregate is not None
    assert run.aggregate.metrics["overall.f1"].mean == 1.0
    tampered = run.model_copy(deep=True)
    assert tampered.results[0].scores is not None
    tampered.results[0].scores.lists["statements"].items.cor = 0
    again = rescore(tampered, suite)
    assert again.results[0].scores == run.results[0].scores
    assert again.aggregate == run.aggregate


def test_repetitions_give_mean_and_std(suite: list[tuple[Article, Gold]]) -> None:
    good = make_run(suite)
    bad = make_run(suite, degrade)
    results = good.results + [r.model_copy(update={"repetition": 1}) for r in bad.results]
    run = rescore(Run(settings=good.settings, results=results), suite)
    assert run.aggregate is not None
    stat = run.aggregate.metrics["overall.f1"]
    bad_f1 = bad.aggregate.metrics["overall.f1"].mean  # type: ignore[union-attr]
    assert stat.n == 2 and stat.values == [1.0, bad_f1]
    assert stat.mean == pytest.approx((1.0 + bad_f1) / 2)
    assert stat.std == pytest.approx(abs(1.0 - bad_f1) / 2**0.5)  # sample std of two values
    assert run.aggregate.n_fixtures == 4 and run.aggregate.n_results == 8


def test_errors_latency_tokens_and_cost(suite: list[tuple[Article, Gold]]) -> None:
    (a1, g1), (a2, _g2) = suite[0], suite[1]
    results = [
        FixtureResult(
            fixture_id=a1.id,
            prediction=to_prediction(g1),
            latency_s=2.0,
            tokens_in=1_000_000,
            tokens_out=100_000,
        ),
        FixtureResult(
            fixture_id=a2.id, error=ErrorInfo.from_exception(TimeoutError("slow")), latency_s=4.0
        ),
    ]
    settings = RunSettings(
        suite="s",
        model="api-model",
        backend="openai",
        prices={"api-model": Price(input=1.0, output=10.0)},
    )
    run = rescore(Run(settings=settings, results=results), suite)
    agg = run.aggregate
    assert agg is not None
    assert agg.n_errors == 1
    assert agg.metrics["schema_valid"].mean == 0.5
    assert agg.metrics["latency_s"].mean == 3.0
    assert agg.cost_usd == pytest.approx(1.0 + 1.0)  # 1M in at $1 + 0.1M out at $10
    assert agg.metrics["overall.recall"].mean < 1.0  # the failed fixture's gold is missing
    unpriced = rescore(
        run.model_copy(update={"settings": settings.model_copy(update={"prices": {}})}), suite
    )
    assert unpriced.aggregate is not None and unpriced.aggregate.cost_usd is None


def test_base_url_secrets_are_removed() -> None:
    assert redact_url("https://user:pw@api.example.com:8443/v1?api-key=abc&x=1") == (
        "https://api.example.com:8443/v1?api-key=REDACTED&x=1"
    )
    settings = RunSettings(suite="s", base_url="http://me:secret@127.0.0.1:8080/v1")
    assert settings.base_url == "http://127.0.0.1:8080/v1"


def test_save_load_roundtrip(tmp_path: Path, suite: list[tuple[Article, Gold]]) -> None:
    run = make_run(suite)
    path = tmp_path / "RUN.json"
    run.save(path)
    assert Run.load(path) == run
    path.write_text('{"settings": {}}')
    with pytest.raises(InputError, match="not a valid run file"):
        Run.load(path)
    with pytest.raises(InputError, match="does not exist"):
        Run.load(tmp_path / "none.json")


def test_rescore_and_aggregate_need_the_suite(suite: list[tuple[Article, Gold]]) -> None:
    run = make_run(suite)
    with pytest.raises(UsageError, match="not in the suite"):
        rescore(run, suite[:1])
    unscored = [r.model_copy(update={"scores": None}) for r in run.results]
    with pytest.raises(UsageError, match="rescore"):
        aggregate(unscored, run.settings)
