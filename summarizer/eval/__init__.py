"""The eval harness: gold fixtures, field-level scoring, run files, run comparison and reports.

Every module here is a set of pure functions over Pydantic models, so the CLI, CI scripts and
notebooks call the same code:

- `gold`: load fixtures (`seeds/<id>.txt`, `.meta.json`, `.gold.json`) as (Article, Gold) pairs;
- `scoring`: score one prediction against its gold (MUC-style counts, P/R/F1 per field and list);
- `runfile`: the RUN.json models, aggregation over fixtures and repetitions, `rescore`;
- `compare`: paired-bootstrap deltas between two runs and the regression gate;
- `report`: Markdown and self-contained HTML reports of a run.
"""

from __future__ import annotations

from summarizer.eval.compare import Comparison, GateResult, compare, gate
from summarizer.eval.gold import Gold, load_fixture, load_suite_dir
from summarizer.eval.runfile import Run, RunSettings, rescore
from summarizer.eval.scoring import FixtureScore, ScoringConfig, score_summary

__all__ = [
    "Comparison",
    "FixtureScore",
    "GateResult",
    "Gold",
    "Run",
    "RunSettings",
    "ScoringConfig",
    "compare",
    "gate",
    "load_fixture",
    "load_suite_dir",
    "rescore",
    "score_summary",
]
