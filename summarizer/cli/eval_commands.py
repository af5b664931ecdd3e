"""`summarizer eval run|score|report|compare|gate`: argument handling and output for the `summarizer` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.config import DEFAULT_OPENAI_MODEL, Settings, resolve_settings
from summarizer.errors import InputError, UsageError

_SETTING_FLAGS = (
    "backend", "model", "base_url", "model_path", "prompt_format", "instructor_mode",
    "max_reasks", "max_attempts", "timeout", "max_tokens", "grounding", "prompts",
)
# Flags that choose a backend by themselves: given on the command line, they outrank the
# suite's choice of backend, as an explicit argument outranks everything else.
_OPENAI_SELECTORS = ("model", "base_url")


def suite_settings(
    flags: dict[str, Any], suite_settings: dict[str, Any], store: Path | None, *, replay: bool
) -> Settings:
    """The suite's settings with the command line's flags on top (flags win, always)."""
    chosen = dict(suite_settings)
    given = {k: v for k, v in flags.items() if k in _SETTING_FLAGS and v is not None}
    if "backend" not in given:
        if any(k in given for k in _OPENAI_SELECTORS) and "model_path" not in given:
            chosen.pop("backend", None)
            chosen.pop("model_path", None)
        elif "model_path" in given:
            chosen.pop("backend", None)
            for key in _OPENAI_SELECTORS:
                chosen.pop(key, None)
    chosen.update(given)
    store_path = flags.get("store") or (str(store) if store else None)
    if store_path:
        chosen["store_path"] = store_path
    if replay:
        # Replay answers for the backend that recorded, keeping the suite's model so that the
        # requests hash as they did when recorded.
        if chosen.get("backend") == "openai" and not chosen.get("model"):
            chosen["model"] = DEFAULT_OPENAI_MODEL
        chosen["backend"] = "replay"
    return resolve_settings(**chosen)


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    values = {k: getattr(args, k, None) for k in _SETTING_FLAGS}
    values["store"] = getattr(args, "store", None)
    return values


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


def replay_miss_advice(run: Any, hint: str) -> str | None:
    """What to do when a replay found no recordings: None when nothing missed."""
    missed = [r.fixture_id for r in run.results if r.error is not None and r.error.type == "ReplayMissError"]
    if not missed:
        return None
    s = run.settings
    return (
        f"prompt version {s.prompt_version[:12]} has no recorded answers from {s.model or s.backend} "
        f"for {len(missed)} of {len({r.fixture_id for r in run.results})} fixture(s) "
        f"({', '.join(missed[:3])}{', ...' if len(missed) > 3 else ''}): the templates, examples, "
        f"model or parameters changed since the recording. Re-record with: {hint}; commit the "
        "store and the new baseline, then replay"
    )


def run_suite_for(
    args: argparse.Namespace, *, replay: bool, say: Callable[[str], None] | None = None
) -> tuple[Any, Any]:
    """Load `args.suite` and run it with the command line's settings on top of the suite's."""
    from summarizer.eval.suite import load_suite, run_suite

    suite = load_suite(args.suite)
    settings = suite_settings(_flags(args), suite.settings, suite.store, replay=replay)
    result = run_suite(
        suite,
        settings,
        repetitions=getattr(args, "repetitions", None),
        limit=getattr(args, "limit", None),
        progress=say,
    )
    return suite, result


def run_matrix_for(
    args: argparse.Namespace, suite: Any, *, replay: bool, say: Callable[[str], None] | None = None
) -> Any:
    """Run every cell of `suite.matrix`: the suite's settings, the cell's on top, flags on top."""
    from summarizer.eval.matrix import cell_settings, run_matrix
    from summarizer.eval.suite import run_suite

    def run_cell(overrides: dict[str, Any]) -> Any:
        chosen = cell_settings(overrides, suite.settings)
        settings = suite_settings(_flags(args), chosen, suite.store, replay=replay)
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


def gate_config_for(args: argparse.Namespace, suite_gate: Any) -> Any:
    from summarizer.eval.gating import GateConfig

    config = suite_gate if suite_gate is not None else GateConfig()
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if getattr(args, "metrics", None) else None
    config = config.restricted(metrics, getattr(args, "threshold", None))
    if getattr(args, "exclude_flaky", False):
        config = config.model_copy(update={"exclude_flaky": True})
    return config


def compare_and_gate(base: Any, new: Any, config: Any) -> tuple[Any, Any]:
    from summarizer.eval.compare import DEFAULT_METRICS, compare, gate

    metrics = list(dict.fromkeys([*DEFAULT_METRICS, *config.metrics]))
    comparison = compare(base, new, metrics=metrics, exclude_flaky=config.exclude_flaky)
    return comparison, gate(comparison, config=config)


def gate_against(
    args: argparse.Namespace, baseline: Any, suite: Any, result: Any
) -> tuple[Any, Any]:
    """Compare `result` with `baseline` under the suite's rules (flags on top); a replay that
    missed fails the gate, with what to do first among its failures."""
    comparison, verdict = compare_and_gate(baseline, result, gate_config_for(args, suite.gate))
    advice = replay_miss_advice(result, suite.re_record_hint())
    if advice:
        verdict = verdict.model_copy(update={"passed": False, "failures": [advice, *verdict.failures]})
    return comparison, verdict


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
            return _report_matrix(args, emit)
        loaded = Run.load(args.run)
        try:
            fixtures = _fixtures_for(
                loaded.settings.suite, args.fixtures, loaded.settings.adapter,
                loaded.settings.summary_type,
            )
        except InputError:
            if args.fixtures:
                raise
            fixtures = None  # a report without the articles still has every table
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


def _report_matrix(args: argparse.Namespace, emit: Callable[[str, str | None], None]) -> int:
    from summarizer.eval.matrix import MatrixRun
    from summarizer.eval.matrix_report import matrix_html, matrix_markdown

    matrix = MatrixRun.load(args.run)
    first = matrix.cells[0].run.settings
    try:
        fixtures = _fixtures_for(first.suite, args.fixtures, first.adapter, first.summary_type)
    except InputError:
        if args.fixtures:
            raise
        fixtures = None
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
