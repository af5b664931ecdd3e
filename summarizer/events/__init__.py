"""Across articles: batch outputs into a DuckDB database of real-world events.

    reader ─ mentions (normalize) ─ blocking ─ scoring ─ cluster ─ followups ─ store ─ export
                                    matching (local) | ray_pipeline (Ray Data)
    show / page: one event with its articles and evidence; metrics, evaluate: B³, MUC, CEAF-e

Each stage is a module with one job; they pass the dataclasses of `model`.
"""

from __future__ import annotations

from summarizer.events.build import BuildStats, build

__all__ = ["BuildStats", "build"]
