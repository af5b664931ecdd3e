"""Quality and cost of a backend on the eval suites (seeds, and MEANTIME when ../shared is present).

    .venv/bin/python benchmarks/bench_eval.py [--suite evals/seeds.yaml --suite evals/meantime.yaml]
        [--limit N] [--backend ... --model ... --base-url ...] [--before RUN.json ...]

`--before` adds the figures of runs recorded earlier (e.g. the embedded baseline before a
change: `git show REV:evals/baseline.json > before.json`) as rows above the live ones, so one
report shows before and after.

Runs each suite live (no replay), writes the runs to benchmarks/_work/, and the headline figures
to benchmarks/results/eval.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = [
    ("overall.f1", "field F1"),
    ("overall.precision", "field P"),
    ("overall.recall", "field R"),
    ("items.f1", "item F1"),
    ("statements.f1", "statements F1"),
    ("planned_events.f1", "planned events F1"),
    ("meetings.f1", "meetings F1"),
    ("grounding_rate", "grounding rate"),
    ("schema_valid", "schema-valid rate"),
    ("latency_s", "latency per article (s)"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suite", action="append")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--backend")
    parser.add_argument("--model")
    parser.add_argument("--base-url")
    parser.add_argument("--before", action="append", default=[], help="an earlier RUN.json to report too")
    args = parser.parse_args()
    suites = args.suite or ["evals/seeds.yaml", "evals/meantime.yaml"]

    from summarizer.config import resolve_settings
    from summarizer.errors import InputError
    from summarizer.eval.runfile import Run
    from summarizer.eval.suite import load_suite, run_suite

    work = ROOT / "benchmarks" / "_work"
    work.mkdir(parents=True, exist_ok=True)
    rows: list[str] = []
    for path in args.before:
        before = Run.load(Path(path))
        agg = before.aggregate
        assert agg is not None
        values = [f"{agg.metrics[k].mean:.3f}" if k in agg.metrics else "n/a" for k, _ in HEADLINE]
        rows.append(
            f"| before: {Path(path).name} ({agg.n_results} articles, {agg.n_errors} failed) | "
            f"{before.settings.model} ({before.settings.backend}) | " + " | ".join(values) + " |"
        )
    for name in suites:
        try:
            suite = load_suite(ROOT / name)
            suite.load_fixtures()
        except InputError as exc:
            rows.append(f"| {name} | skipped: {exc} |" + " |" * len(HEADLINE))
            continue
        explicit = {**suite.settings}
        for key in ("backend", "model", "base_url"):
            if getattr(args, key) is not None:
                explicit[key] = getattr(args, key)
        settings = resolve_settings(**explicit)
        started = time.perf_counter()
        run = run_suite(suite, settings, limit=args.limit)
        wall = time.perf_counter() - started
        run.save(work / f"{suite.name}-run.json")
        agg = run.aggregate
        assert agg is not None
        values = [f"{agg.metrics[k].mean:.3f}" if k in agg.metrics else "n/a" for k, _ in HEADLINE]
        rows.append(
            f"| {suite.name} ({agg.n_results} articles, {agg.n_errors} failed, {wall:.0f} s) | "
            f"{run.settings.model} ({run.settings.backend}) | " + " | ".join(values) + " |"
        )
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    flags = " ".join(f"--suite {s}" for s in suites) + (f" --limit {args.limit}" if args.limit else "")
    flags += "".join(f" --before {p}" for p in args.before)
    report = "\n".join(
        [
            "## Eval: quality of the embedded model",
            "",
            f"- machine: {machine}; date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- command: `.venv/bin/python benchmarks/bench_eval.py {flags}`",
            "- MEANTIME is scored only where it annotates (statements' speakers and evidence, planned",
            "  events' description, participants, time and evidence, in the first sentences).",
            "",
            "| suite | model | " + " | ".join(label for _, label in HEADLINE) + " |",
            "| --- | --- | " + " | ".join("---" for _ in HEADLINE) + " |",
            *rows,
            "",
        ]
    )
    (ROOT / "benchmarks" / "results" / "eval.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
