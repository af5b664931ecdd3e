"""An eval session as the command line and the pytest plugin run it: a suite's settings with
the caller's flags on top, the run, and the gate against a baseline (no output, no exit codes:
the callers report)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.config import DEFAULT_OPENAI_MODEL, Settings, resolve_settings

__all__ = [
    "compare_and_gate",
    "flags_of",
    "gate_against",
    "gate_config_for",
    "judge_suite_run",
    "replay_miss_advice",
    "run_suite_for",
    "suite_settings",
]

_SETTING_FLAGS = (
    "backend",
    "model",
    "base_url",
    "model_path",
    "prompt_format",
    "instructor_mode",
    "max_reasks",
    "max_attempts",
    "timeout",
    "max_tokens",
    "grounding",
    "prompts",
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


def flags_of(args: argparse.Namespace) -> dict[str, Any]:
    values = {k: getattr(args, k, None) for k in _SETTING_FLAGS}
    values["store"] = getattr(args, "store", None)
    return values


def replay_miss_advice(run: Any, hint: str) -> str | None:
    """What to do when a replay found no recordings: None when nothing missed."""
    missed = [
        r.fixture_id
        for r in run.results
        if r.error is not None and r.error.type == "ReplayMissError"
    ]
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
    settings = suite_settings(flags_of(args), suite.settings, suite.store, replay=replay)
    result = run_suite(
        suite,
        settings,
        repetitions=getattr(args, "repetitions", None),
        limit=getattr(args, "limit", None),
        progress=say,
    )
    if suite.judge is not None:
        result = judge_suite_run(suite, result, replay=replay, say=say)
    return suite, result


def judge_suite_run(
    suite: Any,
    run: Any,
    *,
    replay: bool,
    fixtures: Any = None,
    overrides: dict[str, Any] | None = None,
    say: Callable[[str], None] | None = None,
) -> Any:
    """`run` judged by the suite's judge (`overrides` on top of its `judge:` settings)."""
    from summarizer.eval.extras import gold_type
    from summarizer.eval.judge import build_judge, judge_run
    from summarizer.extra_fields import import_summary_type
    from summarizer.schemas import ArticleSummary

    config = suite.judge.model_copy(update={k: v for k, v in (overrides or {}).items() if v is not None})
    if fixtures is None:
        spec = run.settings.summary_type
        fixtures = suite.load_fixtures(gold_type(import_summary_type(spec) if spec else ArticleSummary))
    judge = build_judge(config, replay=replay)
    try:
        return judge_run(run, fixtures, judge, fields=config.fields, gate=config.gate, progress=say)
    finally:
        judge.backend.close()


def gate_config_for(args: argparse.Namespace, suite_gate: Any) -> Any:
    from summarizer.eval.gating import GateConfig

    config = suite_gate if suite_gate is not None else GateConfig()
    metrics = (
        [m.strip() for m in args.metrics.split(",") if m.strip()]
        if getattr(args, "metrics", None)
        else None
    )
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
        verdict = verdict.model_copy(
            update={"passed": False, "failures": [advice, *verdict.failures]}
        )
    return comparison, verdict
