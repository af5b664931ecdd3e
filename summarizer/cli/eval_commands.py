"""`summarizer eval run|score|report|compare|gate`: argument handling and output for the `summarizer` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.errors import InputError, UsageError
from summarizer.eval.session import (
    compare_and_gate,
    flags_of,
    gate_against,
    gate_config_for,
    replay_miss_advice,
    run_suite_for,
    suite_settings,
)

# Re-exported: these lived here before summarizer.eval.session.
__all__ = ["compare_and_gate", "gate_against", "gate_config_for", "replay_miss_advice", "run", "run_suite_for", "suite_settings"]


def _fixtures_for(
    run_suite_path: str, override: str | None, adapter: str | None = None,
    summary_type: str | None = None,
) -> Any:
    from summarizer.eval.extras import gold_type
    from summarizer.eval.gold import Gold
    from summarizer.eval.suite import load_fixture_set
    from summarizer.extra_fields import import_summary_type

    # A run of an extended summary type reads its gold with the extra fields.
    gold = gold_type(import_summary_type(summary_type)) if summary_type else Gold

    folder = Path(override or run_suite_path)
    if not folder.is_dir():
        raise InputError(
            f"fixture folder {folder} not found: give it with --fixtures (the run names {run_suite_path})"
        )
    return load_fixture_set(folder, adapter, gold_type=gold)


def _report_fixtures(
    settings: Any, override: str | None, tell: Callable[[str], None]
) -> Any:
    """The fixtures a report shows: all of them, or (a fixture file missing or broken) those
    that load, with a warning for each other; None without a fixture folder (tables only)."""
    try:
        return _fixtures_for(settings.suite, override, settings.adapter, settings.summary_type)
    except InputError:
        folder = Path(override or settings.suite)
        if not folder.is_dir() or settings.adapter is not None:
            if override:
                raise
            return None  # a report without the articles still has every table
    from summarizer.eval.extras import gold_type
    from summarizer.eval.gold import Gold, load_loadable
    from summarizer.extra_fields import import_summary_type

    gold = gold_type(import_summary_type(settings.summary_type)) if settings.summary_type else Gold
    loaded, problems = load_loadable(folder, gold_type=gold)
    for problem in problems:
        tell(f"summarizer: warning: {problem} The report shows it without its article and gold.")
    return loaded


def run_matrix_for(
    args: argparse.Namespace, suite: Any, *, replay: bool, say: Callable[[str], None] | None = None
) -> Any:
    """Run every cell of `suite.matrix`: the suite's settings, the cell's on top, flags on top."""
    from summarizer.eval.matrix import cell_settings, run_matrix
    from summarizer.eval.suite import run_suite

    def run_cell(overrides: dict[str, Any]) -> Any:
        chosen = cell_settings(overrides, suite.settings)
        settings = suite_settings(flags_of(args), chosen, suite.store, replay=replay)
        return run_suite(
            suite, settings, repetitions=getattr(args, "repetitions", None),
            limit=getattr(args, "limit", None), progress=say,
        )

    return run_matrix(suite.name, suite.matrix, run_cell, progress=say)


def _run_summary(result: Any, out: str | None) -> str:
    agg = result.aggregate
    if agg is None:
        return "no results"
    mean_f1 = agg.metrics.get("overall.f1")
    grounded = agg.metrics.get("grounding_rate")
    s = result.settings
    return (
        f"{agg.n_results} results, {agg.n_errors} failed ({s.backend} {s.model}); field F1 "
        f"{agg.overall.f1:.3f} micro over all fields, "
        f"{_fixture_mean(result, 'overall.f1'):.3f} mean over fixtures "
        f"(pooled per repetition: {mean_f1.mean if mean_f1 else float('nan'):.3f}); grounding rate "
        f"{grounded.mean if grounded else float('nan'):.3f}" + (f"; wrote {out}" if out else "")
    )


def _fixture_mean(result: Any, metric: str) -> float:
    from summarizer.eval.compare import fixture_metrics

    per = [m[metric] for m in fixture_metrics(result).values() if metric in m]
    return sum(per) / len(per) if per else float("nan")




def _write_text(path: str, text: str, *, append: bool = False) -> None:
    try:
        with open(path, "a" if append else "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}: check the path") from None


def run(
    args: argparse.Namespace,
    *,
    emit: Callable[[str, str | None], None],
    say: Callable[[str], None] | None = None,
    environ: dict[str, str] | None = None,
) -> int:
    from summarizer.eval.runfile import Run

    tell = say or (lambda line: print(line, file=sys.stderr, flush=True))
    command = args.eval_command
    if command == "run":
        from summarizer.eval.suite import load_suite

        suite = load_suite(args.suite)
        if suite.matrix is not None:
            return _run_matrix(args, suite, tell)
        suite, result = run_suite_for(args, replay=args.replay, say=tell)
        result.save(args.out)
        tell(_run_summary(result, args.out))
        from summarizer.cli.judge_commands import judge_lines

        for line in judge_lines(result):
            tell(line)
        advice = replay_miss_advice(result, suite.re_record_hint())
        if advice:
            tell(f"summarizer: {advice}")
        agg = result.aggregate
        return 1 if agg is not None and agg.n_results and agg.n_errors == agg.n_results else 0

    if command == "score":
        from summarizer.eval.runfile import rescore

        loaded = Run.load(args.run)
        rescored = rescore(
            loaded,
            _fixtures_for(
                loaded.settings.suite, args.fixtures, loaded.settings.adapter,
                loaded.settings.summary_type,
            ),
        )
        if args.out:
            rescored.save(args.out)
        agg = rescored.aggregate
        if agg is not None:
            lines = [f"{name}\t{stat.mean:.4f}" for name, stat in sorted(agg.metrics.items())]
            emit("\n".join(lines), None)
        return 0

    if command == "report":
        from summarizer.eval.matrix import is_matrix_file
        from summarizer.eval.report import to_html, to_markdown

        if is_matrix_file(args.run):
            return _report_matrix(args, emit, tell)
        loaded = Run.load(args.run)
        fixtures = _report_fixtures(loaded.settings, args.fixtures, tell)
        baseline = Run.load(args.baseline) if getattr(args, "baseline", None) else None
        if args.format == "html":
            text = to_html(loaded, fixtures, baseline=baseline)
        else:
            text = to_markdown(loaded, fixtures, baseline=baseline)
        emit(text, args.out)
        return 0

    if command == "compare":
        from summarizer.eval.report import comparison_markdown

        suite_gate = None
        if args.suite:
            from summarizer.eval.suite import load_suite

            suite_gate = load_suite(args.suite).gate
        base, new = Run.load(args.base), Run.load(args.new)
        comparison, verdict = compare_and_gate(base, new, gate_config_for(args, suite_gate))
        if args.format == "json":
            payload = {"comparison": comparison.model_dump(mode="json"), "gate": verdict.model_dump(mode="json")}
            emit(json.dumps(payload, indent=2), args.out)
        else:
            emit(comparison_markdown(comparison, verdict), args.out)
        for warning in verdict.warnings:
            tell(f"summarizer: warning: {warning}")
        if args.fail_on_regression and not verdict.passed:
            tell(f"summarizer: regression: {'; '.join(verdict.failures)}")
            return 1
        return 0

    if command == "gate":
        return _gate(args, emit=emit, say=tell, environ=os.environ if environ is None else environ)
    raise UsageError(f"unknown eval command {command!r}")


def _run_matrix(args: argparse.Namespace, suite: Any, tell: Callable[[str], None]) -> int:
    matrix = run_matrix_for(args, suite, replay=args.replay, say=tell)
    matrix.save(args.out)
    failed_all = True
    for cell in matrix.cells:
        tell(f"{cell.label}: {_run_summary(cell.run, None)}")
        advice = replay_miss_advice(cell.run, suite.re_record_hint())
        if advice:
            tell(f"summarizer: {cell.label}: {advice}")
        agg = cell.run.aggregate
        failed_all = failed_all and agg is not None and agg.n_results > 0 and agg.n_errors == agg.n_results
    tell(f"{len(matrix.cells)} cells, baseline {matrix.baseline}; wrote {args.out}")
    return 1 if failed_all else 0


def _report_matrix(
    args: argparse.Namespace, emit: Callable[[str, str | None], None], tell: Callable[[str], None]
) -> int:
    from summarizer.eval.matrix import MatrixRun
    from summarizer.eval.matrix_report import matrix_html, matrix_markdown

    matrix = MatrixRun.load(args.run)
    fixtures = _report_fixtures(matrix.cells[0].run.settings, args.fixtures, tell)
    render = matrix_html if args.format == "html" else matrix_markdown
    emit(render(matrix, fixtures, baseline=getattr(args, "baseline", None)), args.out)
    return 0


def _gate(
    args: argparse.Namespace,
    *,
    emit: Callable[[str, str | None], None],
    say: Callable[[str], None],
    environ: Any,
) -> int:
    """Replay (or run with --live) a suite, compare it with its baseline, and gate."""
    from summarizer.eval.junit import gate_junit
    from summarizer.eval.report import comparison_markdown
    from summarizer.eval.runfile import Run

    baseline = Run.load(args.baseline)
    suite, result = run_suite_for(args, replay=not args.live, say=say)
    if args.out:
        result.save(args.out)
    say(_run_summary(result, args.out))
    comparison, verdict = gate_against(args, baseline, suite, result)
    markdown = comparison_markdown(comparison, verdict)
    emit(markdown, None)
    if args.summary:
        _write_text(args.summary, markdown)
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        _write_text(step_summary, markdown, append=True)
    if args.junit:
        _write_text(args.junit, gate_junit(suite.name, baseline, result, comparison, verdict))
    for warning in verdict.warnings:
        say(f"summarizer: warning: {warning}")
    if not verdict.passed:
        say(f"summarizer: gate failed: {'; '.join(verdict.failures)}")
        return 1
    say(f"summarizer: gate passed ({len(verdict.verdicts)} metrics, {comparison.n_fixtures} fixtures)")
    return 0
