"""Our own CI gate: replay the seeds suite from recorded responses and compare with the baseline."""

from __future__ import annotations

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
