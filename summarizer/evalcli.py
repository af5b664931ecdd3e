"""`summarizer eval run|score|report|compare`: argument handling for cli.py (which prints)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.config import Settings, resolve_settings
from summarizer.errors import InputError, UsageError

_SETTING_FLAGS = (
    "backend", "model", "base_url", "model_path", "prompt_format", "instructor_mode",
    "max_reasks", "max_attempts", "timeout", "max_tokens", "grounding", "prompts",
)


def _suite_settings(args: argparse.Namespace, suite_settings: dict[str, Any], store: Path | None) -> Settings:
    explicit = {k: v for k, v in suite_settings.items()}
    explicit.update({k: getattr(args, k) for k in _SETTING_FLAGS if getattr(args, k, None) is not None})
    store_path = args.store or (str(store) if store else None)
    if store_path:
        explicit["store_path"] = store_path
    if args.replay:
        explicit["backend"] = "replay"
    return resolve_settings(**explicit)


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


def run(
    args: argparse.Namespace,
    *,
    settings_from: Callable[[argparse.Namespace], Any],
    emit: Callable[[str, str | None], None],
) -> int:
    from summarizer.eval.runfile import Run

    command = args.eval_command
    if command == "run":
        from summarizer.eval.suite import load_suite, run_suite

        suite = load_suite(args.suite)
        settings = _suite_settings(args, suite.settings, suite.store)
        result = run_suite(
            suite,
            settings,
            repetitions=args.repetitions,
            limit=args.limit,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
        result.save(args.out)
        agg = result.aggregate
        if agg is not None:
            f1 = agg.metrics.get("overall.f1")
            grounded = agg.metrics.get("grounding_rate")
            print(
                f"{agg.n_results} results, {agg.n_errors} failed; overall F1 "
                f"{f1.mean if f1 else float('nan'):.3f}; grounding rate "
                f"{grounded.mean if grounded else float('nan'):.3f}; wrote {args.out}",
                file=sys.stderr,
            )
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
        from summarizer.eval.report import to_html, to_markdown

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
        text = to_html(loaded, fixtures) if args.format == "html" else to_markdown(loaded, fixtures)
        emit(text, args.out)
        return 0

    if command == "compare":
        from summarizer.eval.compare import compare, gate
        from summarizer.eval.report import comparison_markdown

        base, new = Run.load(args.base), Run.load(args.new)
        comparison = compare(base, new)
        verdict = gate(comparison, threshold=args.threshold)
        emit(comparison_markdown(comparison, verdict), args.out)
        if args.fail_on_regression and not verdict.passed:
            print(f"summarizer: regression: {'; '.join(verdict.failures)}", file=sys.stderr)
            return 1
        return 0
    raise UsageError(f"unknown eval command {command!r}")
