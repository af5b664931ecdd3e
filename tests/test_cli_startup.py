"""`summarizer batch` starts with what a batch needs, and tunes the collector only in its own process.

Start-up is part of every batch a user waits for (benchmarks/RESULTS.md, batch throughput):
a heavy import that slips into the batch path would cost each run a second or more, silently.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.cli import main

# Never needed by `summarizer batch` with the local engine and an OpenAI-compatible endpoint.
_HEAVY = (
    "trafilatura", "lxml", "llama_cpp", "duckdb", "ray", "pandas", "pyarrow", "numpy",
    "selenium", "yaml",
    "summarizer.eval", "summarizer.events", "summarizer.render", "summarizer.backends.local",
    "summarizer.engines.ray_engine", "summarizer.engines.openai_batch",
    "summarizer.cli.eval_commands",
)

# Runs the console script's way (argv from sys.argv), then reports what it imported and
# how it left the garbage collector.
_PROBE = """
import gc, json, sys
from summarizer.cli import main
sys.argv = ["summarizer", *sys.argv[1:]]
code = main()
print(json.dumps({"code": code, "modules": sorted(sys.modules),
                  "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()[0]}))
"""


def _batch_argv(tmp_path: Path) -> list[str]:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    # Nothing listens on port 9: an empty input sends no request.
    return [
        "batch", str(empty), "--out", str(tmp_path / "out.jsonl"),
        "--base-url", "http://127.0.0.1:9/v1", "--model", "test-model",
        "--no-cache", "--progress", "off",
    ]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One console-script start, shared by the tests that read it (each costs seconds)."""
    tmp_path = tmp_path_factory.mktemp("startup")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *_batch_argv(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
             "OPENAI_API_KEY": "sk-startup-test"},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_batch_imports_no_heavy_module(probe: dict[str, object]) -> None:
    report = probe
    assert report["code"] == 0
    modules = report["modules"]
    assert isinstance(modules, list)
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in _HEAVY))
    assert heavy == [], f"summarizer batch imported {heavy}: import them lazily where used"
    # What it does need is there (so the probe did run a batch).
    assert "summarizer.engines.local" in modules and "openai" in modules


def test_console_script_freezes_the_start_up_heap(probe: dict[str, object]) -> None:
    report = probe
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000
    assert report["threshold"] == 10_000


def test_in_process_call_leaves_the_collector_alone(tmp_path: Path) -> None:
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert main(_batch_argv(tmp_path)) == 0
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen
