"""Shared batch test helpers: a canary key and output lines compared without run-to-run noise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CANARY = "sk-canary-openai-batch-51c0e2"
VOLATILE = ("latency_s", "cache_hit")


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stable(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines sorted by id, without the fields that differ between runs of the same answers."""
    result = []
    for line in sorted(lines, key=lambda line: line["id"]):
        line = json.loads(json.dumps(line))
        if line.get("summary"):
            for name in VOLATILE:
                line["summary"]["run"].pop(name, None)
        result.append(line)
    return result
