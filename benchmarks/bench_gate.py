"""Does the gate bite? Seeded regressions (summarizer.testing.mutants) against two baselines.

For the reference suite (a capable model's recorded answers) and the embedded suite (the 270M
model), every mutant is applied to the baseline's own predictions, rescored, compared and
gated with that suite's `gate:` rules. The table says which mutants each gate kills and by
which metrics, and what drop each gated metric can detect with power 0.8.

    .venv/bin/python benchmarks/bench_gate.py
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.cli.eval_commands import compare_and_gate  # noqa: E402
from summarizer.eval.runfile import Run  # noqa: E402
from summarizer.eval.suite import load_suite  # noqa: E402
from summarizer.testing.mutants import HARMLESS, MUTANTS, mutate_run  # noqa: E402

SUITES = (
    ("reference (reference-llm)", "evals/reference.yaml", "evals/reference-baseline.json"),
    ("embedded (Gemma 3 270M)", "evals/seeds.yaml", "evals/baseline.json"),
)


def main() -> None:
    lines = [
        "## Gate: seeded regressions (`benchmarks/bench_gate.py`)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {date.today().isoformat()}",
        "- command: `.venv/bin/python benchmarks/bench_gate.py`",
        "- each mutant rewrites every prediction of the suite's baseline, which is then rescored, "
        "compared with the untouched baseline and gated with the suite's own `gate:` rules "
        "(Holm-Bonferroni at α 0.05)",
        "",
    ]
    killed_counts = []
    for label, suite_path, baseline_path in SUITES:
        suite = load_suite(ROOT / suite_path)
        fixtures = suite.load_fixtures()
        baseline = Run.load(ROOT / baseline_path)
        rows = []
        killed = 0
        for name, mutation in {**MUTANTS, **HARMLESS}.items():
            comparison, verdict = compare_and_gate(baseline, mutate_run(baseline, mutation, fixtures), suite.gate)
            harmful = name in MUTANTS
            killed += harmful and not verdict.passed
            failed = [v.metric for v in verdict.verdicts if v.failed]
            delta = comparison.metrics["overall.f1"].delta
            outcome = ("killed" if harmful else "**false alarm**") if failed else ("**survived**" if harmful else "passed")
            rows.append(f"| {name} | {'mutant' if harmful else 'harmless'} | {delta:+.3f} | {outcome} | "
                        f"{', '.join(failed) or '—'} |")
        _c, identical = compare_and_gate(baseline, baseline, suite.gate)
        detect = ", ".join(
            f"{v.metric} {'none' if v.detectable_drop is None else f'{v.detectable_drop:.3f}'}"
            for v in identical.verdicts
        )
        assert baseline.aggregate is not None
        lines += [
            f"### {label}: baseline field F1 {baseline.aggregate.overall.f1:.3f} (micro), "
            f"{killed} of {len(MUTANTS)} mutants killed",
            "",
            "| change | kind | overall.f1 delta | gate | metrics that failed |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Detectable drop per gated metric (power 0.8; `none`: not even a drop to zero): {detect}.",
            "",
        ]
        killed_counts.append((label, killed))
    text = "\n".join(lines)
    print(text)
    out = ROOT / "benchmarks" / "results" / "gate.md"
    out.write_text(text, encoding="utf-8")
    for label, killed in killed_counts:
        print(f"{label}: {killed}/{len(MUTANTS)} killed", file=sys.stderr)


if __name__ == "__main__":
    main()
