"""Our own CI gate: replay the seeds suite from recorded responses and compare with the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.eval.runfile import Run

ROOT = Path(__file__).parents[1]
SUITE = ROOT / "evals" / "seeds.yaml"
BASELINE = ROOT / "evals" / "baseline.json"


@pytest.mark.slow
def test_replayed_seeds_suite_passes_the_gate_against_the_baseline(tmp_path: Path) -> None:
    run_path = tmp_path / "run.json"
    assert main(["eval", "run", str(SUITE), "--replay", "--out", str(run_path)]) == 0
    run = Run.load(run_path)
    baseline = Run.load(BASELINE)
    assert {r.fixture_id for r in run.results} == {r.fixture_id for r in baseline.results}
    assert all(r.error is None for r in run.results), [r.error for r in run.results if r.error]
    # Replay is deterministic: the same predictions as when the baseline was recorded.
    by_id = {r.fixture_id: r.prediction for r in baseline.results}
    for result in run.results:
        assert result.prediction is not None
        expected = by_id[result.fixture_id]
        assert expected is not None
        assert result.prediction.model_dump(exclude={"run"}) == expected.model_dump(exclude={"run"})
    assert main(["eval", "compare", str(BASELINE), str(run_path), "--fail-on-regression"]) == 0
    html = tmp_path / "report.html"
    assert main(["eval", "report", str(run_path), "--format", "html", "--out", str(html)]) == 0
    assert "<mark" in html.read_text(encoding="utf-8")


def test_replay_miss_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"name: empty-store\nfixtures: {ROOT / 'seeds'}\ninclude: [003_phone_call]\nstore: empty.sqlite\n",
        encoding="utf-8",
    )
    assert main(["eval", "run", str(suite), "--replay", "--out", str(tmp_path / "r.json")]) == 1
    captured = capsys.readouterr()
    assert "ReplayMissError" in captured.err
    run = Run.load(tmp_path / "r.json")
    assert run.results[0].error is not None
    assert "no recorded response" in run.results[0].error.message


REFERENCE_SUITE = ROOT / "evals" / "reference.yaml"
REFERENCE_BASELINE = ROOT / "evals" / "reference-baseline.json"


@pytest.mark.slow
def test_reference_store_covers_the_current_prompt_version(tmp_path: Path) -> None:
    """Edit a template or an example and this fails, naming what to run."""
    from summarizer.eval.session import replay_miss_advice
    from summarizer.eval.suite import load_suite

    run_path = tmp_path / "reference.json"
    main(["eval", "run", str(REFERENCE_SUITE), "--replay", "--out", str(run_path)])
    run = Run.load(run_path)
    advice = replay_miss_advice(run, load_suite(REFERENCE_SUITE).re_record_hint())
    if advice:
        pytest.fail(advice)
    assert all(r.error is None for r in run.results)


@pytest.mark.slow
def test_reference_suite_passes_its_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([
        "eval", "gate", str(REFERENCE_SUITE), "--baseline", str(REFERENCE_BASELINE),
        "--out", str(tmp_path / "run.json"),
    ]) == 0
    out = capsys.readouterr()
    assert "## Gate: PASSED" in out.out
    assert "summarizer: gate passed (14 metrics, 16 fixtures)" in out.err


def test_reference_baseline_is_a_capable_model_and_covers_every_seed() -> None:
    baseline = Run.load(REFERENCE_BASELINE)
    assert baseline.settings.model == "reference-llm"
    assert baseline.settings.backend == "openai"
    assert baseline.settings.parameters["instructor_mode"] == "json"
    seeds = {p.name.removesuffix(".gold.json") for p in (ROOT / "seeds").glob("*.gold.json")}
    assert {r.fixture_id for r in baseline.results} == seeds
    assert baseline.aggregate is not None
    assert baseline.aggregate.overall.f1 >= 0.8
    assert baseline.aggregate.n_errors == 0
    # Stored relative to the run file, so another checkout finds the fixtures.
    assert not Path(json.loads(REFERENCE_BASELINE.read_text())["settings"]["suite"]).is_absolute()
