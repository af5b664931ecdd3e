"""A pytest plugin (entry point `pytest11`): an eval suite's fixtures and its gate as test items.

    pytest --summarizer-suite evals/reference.yaml --summarizer-baseline evals/reference-baseline.json

collects one item per fixture (it fails when the fixture has no answer or its overall.f1 dropped
by more than the suite's `fixture_max_drop`; its scores are in the message) and one item for the
gate (it fails as `summarizer eval gate` would, with the gate's Markdown as the message). The
suite is replayed from its store unless `--summarizer-live` is given. Without
`--summarizer-suite` the plugin adds nothing, so having summarizer installed changes no one's
test run.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["pytest_addoption", "pytest_collection_modifyitems"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("summarizer", "summarizer eval suite and gate")
    group.addoption("--summarizer-suite", help="an eval suite YAML: one test per fixture plus the gate")
    group.addoption("--summarizer-baseline", help="the baseline RUN.json the suite is gated against")
    group.addoption(
        "--summarizer-live", action="store_true", help="call the model instead of replaying the store"
    )
    group.addoption("--summarizer-metrics", help="comma-separated metrics to gate (default: the suite's)")


@dataclass
class _Evaluation:
    suite: Any
    baseline: Any
    run: Any
    comparison: Any
    verdict: Any
    markdown: str
    outcomes: dict[str, tuple[str | None, str]]


class _Evaluator:
    """Runs the suite once per session, on the first item that needs it."""

    def __init__(self, suite: Path, baseline: Path, *, live: bool, metrics: str | None) -> None:
        self.suite_path, self.baseline_path, self.live, self.metrics = suite, baseline, live, metrics
        self._result: _Evaluation | None = None

    def get(self) -> _Evaluation:
        if self._result is None:
            self._result = self._evaluate()
        return self._result

    def _evaluate(self) -> _Evaluation:
        from summarizer.eval.junit import fixture_outcomes
        from summarizer.eval.report import comparison_markdown
        from summarizer.eval.runfile import Run
        from summarizer.eval.session import gate_against, run_suite_for

        args = argparse.Namespace(suite=str(self.suite_path), metrics=self.metrics, threshold=None)
        baseline = Run.load(self.baseline_path)
        suite, run = run_suite_for(args, replay=not self.live)
        comparison, verdict = gate_against(args, baseline, suite, run)
        outcomes = {fid: (failure, scores) for fid, failure, scores in fixture_outcomes(baseline, run, verdict)}
        return _Evaluation(
            suite, baseline, run, comparison, verdict, comparison_markdown(comparison, verdict), outcomes
        )


class SuiteFixtureItem(pytest.Item):
    """One fixture of the suite."""

    def __init__(self, *, evaluator: _Evaluator, fixture_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.evaluator = evaluator
        self.fixture_id = fixture_id

    def runtest(self) -> None:
        failure, scores = self.evaluator.get().outcomes.get(self.fixture_id, ("no result in the run", ""))
        if failure:
            pytest.fail(f"{self.fixture_id}: {failure}\n{scores}", pytrace=False)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"summarizer fixture {self.fixture_id}"


class SuiteGateItem(pytest.Item):
    """The suite's regression gate against the baseline."""

    def __init__(self, *, evaluator: _Evaluator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.evaluator = evaluator

    def runtest(self) -> None:
        evaluation = self.evaluator.get()
        if not evaluation.verdict.passed:
            pytest.fail(evaluation.markdown, pytrace=False)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "summarizer gate"


class SuiteFile(pytest.File):
    """The suite YAML as a collector of its fixtures and its gate."""

    evaluator: _Evaluator

    def collect(self) -> Iterator[pytest.Item]:
        from summarizer.eval.suite import load_suite

        suite = load_suite(self.path)
        for article, _gold in suite.load_fixtures():
            yield SuiteFixtureItem.from_parent(
                self, name=article.id, evaluator=self.evaluator, fixture_id=article.id
            )
        yield SuiteGateItem.from_parent(self, name="gate", evaluator=self.evaluator)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    suite_option = config.getoption("summarizer_suite", default=None)
    if not suite_option:
        return
    baseline_option = config.getoption("summarizer_baseline", default=None)
    if not baseline_option:
        raise pytest.UsageError("--summarizer-suite needs --summarizer-baseline BASE.json (the run to gate against)")
    suite_path = Path(suite_option).resolve()
    baseline_path = Path(baseline_option).resolve()
    for path, what in ((suite_path, "suite"), (baseline_path, "baseline")):
        if not path.is_file():
            raise pytest.UsageError(f"summarizer {what} {path} not found: give an existing file")
    from summarizer.errors import UsageError

    node = SuiteFile.from_parent(session, path=suite_path)
    node.evaluator = _Evaluator(
        suite_path,
        baseline_path,
        live=bool(config.getoption("summarizer_live")),
        metrics=config.getoption("summarizer_metrics"),
    )
    try:
        items.extend(node.collect())
    except UsageError as exc:
        raise pytest.UsageError(f"summarizer suite {suite_path}: {exc}") from None
