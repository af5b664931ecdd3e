"""JUnit XML for `eval gate`: one testcase per fixture and one for the gate, so that CI
systems (GitHub, GitLab, Jenkins) show which fixture failed and why."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from summarizer.eval.compare import Comparison, FixtureChange, GateResult, fixture_metrics
from summarizer.eval.runfile import Run

__all__ = ["fixture_outcomes", "gate_junit"]

_SHOWN = ("overall.f1", "items.f1", "meetings.f1", "statements.f1", "planned_events.f1", "grounding_rate")


def _scores(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {values[k]:.3f}" for k in _SHOWN if k in values)


def fixture_outcomes(
    baseline: Run, run: Run, verdict: GateResult
) -> Iterable[tuple[str, str | None, str]]:
    """(fixture id, failure message or None, scores line) for every fixture of `run`."""
    new = fixture_metrics(run)
    base = fixture_metrics(baseline)
    errors = {r.fixture_id: r.error for r in run.results if r.error is not None}
    regressed: dict[str, FixtureChange] = {c.fixture_id: c for c in verdict.fixture_regressions}
    for fid in sorted(new):
        scores = f"new: {_scores(new[fid])}" + (f"; base: {_scores(base[fid])}" if fid in base else "")
        failure: str | None = None
        if fid in errors:
            error = errors[fid]
            failure = f"{error.type}: {error.message}"
        elif fid in regressed:
            c = regressed[fid]
            failure = (
                f"overall.f1 {c.base:.3f} -> {c.new:.3f} ({c.delta:+.3f}), a drop of more than "
                f"{verdict.fixture_max_drop:g}"
            )
        yield fid, failure, scores


def gate_junit(suite_name: str, baseline: Run, run: Run, comparison: Comparison, verdict: GateResult) -> str:
    cases = list(fixture_outcomes(baseline, run, verdict))
    failures = sum(1 for _, failure, _ in cases if failure) + (0 if verdict.passed else 1)
    suite = ET.Element(
        "testsuite",
        name=f"summarizer eval {suite_name}",
        tests=str(len(cases) + 1),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for fid, failure, scores in cases:
        case = ET.SubElement(suite, "testcase", classname=f"summarizer.eval.{suite_name}", name=fid)
        if failure:
            ET.SubElement(case, "failure", message=failure).text = f"{failure}\n{scores}"
        ET.SubElement(case, "system-out").text = scores
    gate_case = ET.SubElement(suite, "testcase", classname=f"summarizer.eval.{suite_name}", name="gate")
    lines = [
        f"{v.metric}: {v.base:.3f} -> {v.new:.3f} ({v.delta:+.3f}), tolerance {v.tolerance:.3g}, "
        f"p {v.p_value:.4f} vs {v.holm_level:.4f}: {'FAILED' if v.failed else 'ok'}"
        for v in verdict.verdicts
    ]
    if not verdict.passed:
        ET.SubElement(gate_case, "failure", message="; ".join(verdict.failures)).text = "\n".join(
            [*verdict.failures, "", *lines]
        )
    ET.SubElement(gate_case, "system-out").text = "\n".join(
        [f"{comparison.n_fixtures} paired fixtures", *lines, *verdict.warnings]
    )
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
