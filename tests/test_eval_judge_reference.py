"""The committed reference judge: evals/judge-reference.sqlite replays every judge answer for
the reference run and the seeds run, with no network, and its agreement with the token score
is what the README reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.eval.judge import build_judge, judge_run
from summarizer.eval.runfile import Run
from summarizer.eval.suite import load_suite

EVALS = Path(__file__).resolve().parents[1] / "evals"


@pytest.mark.parametrize(
    ("baseline", "pairs", "spearman_all"),
    [("reference-baseline.json", 179, 0.729), ("baseline.json", 144, 0.726)],
)
def test_the_reference_judge_replays_from_its_committed_store(
    baseline: str, pairs: int, spearman_all: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    suite = load_suite(EVALS / "judge-reference.yaml")
    assert suite.judge is not None and not suite.judge.gate
    run = Run.load(EVALS / baseline)
    judged = judge_run(run, suite.load_fixtures(), build_judge(suite.judge, replay=True))
    record = judged.judge
    assert record is not None
    assert record.errors == []
    assert record.requests == record.replayed == 19
    assert len(record.pairs) == pairs
    rows = {a.field: a for a in record.agreement}
    assert rows["all"].n == pairs
    assert rows["all"].spearman == pytest.approx(spearman_all, abs=5e-4)
    # Judged or not, the token scores the gate uses are the baseline's own.
    assert judged.aggregate is not None and run.aggregate is not None
    assert judged.aggregate.metrics["overall.f1"] == run.aggregate.metrics["overall.f1"]
