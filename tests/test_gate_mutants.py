"""The reference suite's gate bites: every seeded regression fails it, and identical or
harmless runs pass. Mutants are applied to the replayed reference run (summarizer.testing.mutants)
and, for time normalisation, to the pipeline itself during a replay."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from summarizer.cli import eval_commands, main
from summarizer.eval.runfile import Run
from summarizer.eval.suite import load_suite
from summarizer.schemas import TimeExpr
from summarizer.testing.mutants import HARMLESS, MUTANTS, mutate_run

ROOT = Path(__file__).parents[1]
SUITE = ROOT / "evals" / "reference.yaml"
BASELINE = ROOT / "evals" / "reference-baseline.json"


@pytest.fixture(scope="module")
def reference() -> tuple[Run, list[object], object]:
    suite = load_suite(SUITE)
    return Run.load(BASELINE), suite.load_fixtures(), suite.gate  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_every_mutant_fails_the_reference_gate(name: str, reference: tuple[Run, list[object], object]) -> None:
    baseline, fixtures, config = reference
    mutated = mutate_run(baseline, MUTANTS[name], fixtures)
    _comparison, verdict = eval_commands.compare_and_gate(baseline, mutated, config)
    assert not verdict.passed, f"the gate let through: {name}"
    assert verdict.failures


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_identical_and_harmless_runs_pass(name: str, reference: tuple[Run, list[object], object]) -> None:
    baseline, fixtures, config = reference
    changed = mutate_run(baseline, HARMLESS[name], fixtures)
    comparison, verdict = eval_commands.compare_and_gate(baseline, changed, config)
    assert verdict.passed, verdict.failures
    assert comparison.metrics["overall.f1"].delta == pytest.approx(0.0, abs=1e-9)


def test_the_embedded_baseline_sees_half_of_its_items_go(reference: tuple[Run, list[object], object]) -> None:
    """With evidence-first fields the embedded baseline (field F1 about 0.5) is no longer
    blind: losing half its items fails its own gate."""
    _baseline, fixtures, _config = reference
    embedded = Run.load(ROOT / "evals" / "baseline.json")
    halved = mutate_run(embedded, MUTANTS["half of the items removed"], fixtures)
    config = load_suite(ROOT / "evals" / "seeds.yaml").gate
    _comparison, verdict = eval_commands.compare_and_gate(embedded, halved, config)
    assert not verdict.passed
    assert any(f.startswith("overall.f1:") for f in verdict.failures)


@pytest.mark.slow
def test_time_normalisation_disabled_in_the_pipeline_fails_eval_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import summarizer.grounding.grounder as grounder

    def unresolved(text: str, start: int, end: int, *args: object, **kwargs: object) -> TimeExpr:
        return TimeExpr(text=text[start:end])

    monkeypatch.setattr(grounder, "normalize_in", unresolved)
    junit = tmp_path / "junit.xml"
    summary = tmp_path / "summary.md"
    step = tmp_path / "step.md"
    step.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step))
    code = main([
        "eval", "gate", str(SUITE), "--baseline", str(BASELINE),
        "--junit", str(junit), "--summary", str(summary),
    ])
    captured = capsys.readouterr()
    assert code == 1
    assert "summarizer: gate failed: " in captured.err
    assert "meetings.time.f1" in captured.err
    assert "## Gate: FAILED" in summary.read_text(encoding="utf-8")
    assert step.read_text(encoding="utf-8").startswith("earlier step\n# Comparison: base ")
    suite = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == 17 and suite.get("tests") == "17"
    assert cases["gate"].find("failure") is not None
    assert int(suite.get("failures") or 0) >= 1
