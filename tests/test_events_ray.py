"""`events build --engine ray`: the Ray Data pipeline gives the local engine's database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_events import ARTICLES, dump, gold_outputs, suite

from summarizer import cli


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_the_ray_pipeline_builds_the_same_database(ray_instance: Any, tmp_path: Path) -> None:
    ids = sorted(suite().summaries)
    a, b = gold_outputs(tmp_path / "a.jsonl", ids[::2]), gold_outputs(tmp_path / "b.jsonl", ids[1::2])
    local, on_ray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    common = ["--articles", ARTICLES]
    assert cli.main(["events", "build", str(a), str(b), "--db", str(local), *common]) == 0
    # On Ray, and incrementally: A, then B.
    for part in (a, b):
        assert cli.main(["events", "build", str(part), "--db", str(on_ray), "--engine", "ray", *common]) == 0
    tables = dump(on_ray)
    assert len(tables["events"]) == 9 and len(tables["matches"]) == 7
    assert tables == dump(local)
