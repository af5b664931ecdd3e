"""The pytest plugin: `pytest --summarizer-suite S --summarizer-baseline B` collects a test per
fixture plus the gate, in a real pytest process in an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.eval.gold import to_prediction
from summarizer.eval.runfile import FixtureResult, Run, RunSettings, rescore
from summarizer.eval.suite import load_suite

ROOT = Path(__file__).parents[1]
SUITE = ROOT / "evals" / "reference.yaml"
BASELINE = ROOT / "evals" / "reference-baseline.json"


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Autoload off and the plugin named: the same run whether or not the entry point is installed.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "summarizer.eval.pytest_plugin", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow
def test_plugin_collects_fixtures_and_the_gate_and_passes(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "--summarizer-suite", str(SUITE), "--summarizer-baseline", str(BASELINE), "-rA")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "17 passed" in done.stdout
    passed = [line for line in done.stdout.splitlines() if line.startswith("PASSED ")]
    assert any(line.endswith("reference.yaml::000_dc0927f4facc235e") for line in passed)
    assert any(line.endswith("reference.yaml::gate") for line in passed)


@pytest.mark.slow
def test_plugin_fails_fixtures_and_gate_against_a_better_baseline(tmp_path: Path) -> None:
    """Against a perfect baseline (the gold itself) the replayed reference run regresses."""
    fixtures = load_suite(SUITE).load_fixtures()
    results = [FixtureResult(fixture_id=a.id, prediction=to_prediction(g)) for a, g in fixtures]
    perfect = rescore(Run(settings=RunSettings(suite=str(ROOT / "seeds"), model="gold"), results=results), fixtures)
    baseline = tmp_path / "perfect.json"
    perfect.save(baseline)
    # The reference answers come close to the gold on every fixture: a stricter per-fixture
    # limit in a copy of the suite (its folders made absolute) makes some fixture fail it.
    text = SUITE.read_text(encoding="utf-8")
    for old, new in (
        ("fixtures: ../seeds", f"fixtures: {ROOT / 'seeds'}"),
        ("store: reference.sqlite", f"store: {ROOT / 'evals' / 'reference.sqlite'}"),
        ("fixture_max_drop: 0.25", "fixture_max_drop: 0.05"),
    ):
        assert old in text
        text = text.replace(old, new)
    suite = tmp_path / "reference.yaml"
    suite.write_text(text, encoding="utf-8")
    done = _pytest(tmp_path, "--summarizer-suite", str(suite), "--summarizer-baseline", str(baseline))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "## Gate: FAILED" in done.stdout
    assert "reference.yaml::gate" in done.stdout
    # A fixture that lost more than the limit of its F1 fails with its scores in the message.
    assert "a drop of more than 0.05" in done.stdout


def test_plugin_needs_a_baseline(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "--summarizer-suite", str(SUITE))
    assert done.returncode == 4
    assert "--summarizer-suite needs --summarizer-baseline BASE.json" in done.stderr


def test_plugin_adds_nothing_without_a_suite(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n", encoding="utf-8")
    done = _pytest(tmp_path)
    assert done.returncode == 0
    assert "1 passed" in done.stdout


def test_plugin_is_declared_as_a_pytest11_entry_point() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.pytest11]\nsummarizer = "summarizer.eval.pytest_plugin"' in pyproject
