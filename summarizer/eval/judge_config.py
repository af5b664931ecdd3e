"""A suite's optional `judge:` section: which model judges which free-text fields, where its
answers are recorded, and whether the gate looks at its scores (by default it does not).

```yaml
judge:
  backend: openai             # openai | local (the embedded model, or model_path: a GGUF)
  model: gpt-4o-mini
  base_url: http://127.0.0.1:8000/v1    # optional, like --base-url
  store: judge.sqlite         # response store, relative to the suite file
  mode: record                # record (read-through) | replay (store only) | off (no store)
  fields: [summary, statements.content, meetings.topics, planned_events.description]
  gate: false                 # true: the gate also watches judge.<field> with max_drop
  max_drop: 0.05
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import UsageError
from summarizer.eval.gating import GateConfig, MetricRule

__all__ = ["JUDGE_FIELDS", "JudgeConfig", "judge_config", "judge_metric", "with_judge_gate"]

JudgeField = Literal["summary", "statements.content", "meetings.topics", "planned_events.description"]
JUDGE_FIELDS: tuple[JudgeField, ...] = (
    "summary",
    "statements.content",
    "meetings.topics",
    "planned_events.description",
)


def judge_metric(field: str) -> str:
    """The run metric of a judged field: `judge.statements.content`."""
    return f"judge.{field}"


class JudgeConfig(BaseModel):
    """The `judge:` mapping of a suite YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["openai", "local"] = "openai"
    model: str | None = None
    base_url: str | None = None
    model_path: str | None = None
    instructor_mode: Literal["tools", "json", "json_schema", "md_json"] = "json"
    store: Path | None = None
    """Response store of the judge's answers (record / replay), apart from the suite's."""
    mode: Literal["record", "replay", "off"] = "record"
    fields: tuple[JudgeField, ...] = JUDGE_FIELDS
    gate: bool = False
    """True: the gate watches `judge.<field>` too; false: judge scores are reported only."""
    max_drop: float = Field(default=0.05, ge=0, le=1)
    batch_size: int = Field(default=12, ge=1, le=50)
    """Pairs of one fixture asked in one request."""
    max_tokens: int = Field(default=2048, ge=16)
    max_reasks: int = Field(default=1, ge=0)


def judge_config(raw: Any, source: str, base: Path) -> JudgeConfig | None:
    """Parse a suite's `judge:` value (paths relative to `base`); a mistake is a UsageError
    naming the key."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise UsageError(
            f"{source}: `judge:` must be a mapping (backend, model, store, fields, gate, ...)"
        )
    values = dict(raw)
    if values.get("store"):
        values["store"] = str(base / os.path.expanduser(os.path.expandvars(str(values["store"]))))
    if values.get("model_path"):
        values["model_path"] = str(base / os.path.expanduser(str(values["model_path"])))
    try:
        config = JudgeConfig.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or "judge"
        allowed = ""
        if where == "fields":
            allowed = f" (use some of {list(JUDGE_FIELDS)})"
        raise UsageError(
            f"{source}: judge.{where}: {first['msg']}{allowed}: fix the suite's `judge:` section"
        ) from None
    if config.mode == "replay" and config.store is None:
        raise UsageError(f"{source}: judge.mode is replay but judge.store is not given: name the store")
    if not config.fields:
        raise UsageError(f"{source}: judge.fields is empty: name at least one of {list(JUDGE_FIELDS)}")
    return config


def with_judge_gate(gate: GateConfig, judge: JudgeConfig | None) -> GateConfig:
    """`gate` with the judged fields added when the suite's judge says `gate: true`; rules the
    suite gives for judge metrics by name are kept as they are."""
    if judge is None or not judge.gate:
        return gate
    metrics = dict(gate.metrics)
    for field in judge.fields:
        metrics.setdefault(judge_metric(field), MetricRule(max_drop=judge.max_drop))
    return gate.model_copy(update={"metrics": metrics})
