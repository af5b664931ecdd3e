"""Eval suites: a YAML file naming fixtures, backend and model settings, and repetitions;
and `run_suite`, which runs the pipeline over them and returns a scored `Run`.

```yaml
name: seeds
fixtures: ../seeds            # a folder of <id>.txt/.meta.json/.gold.json, relative to this file
include: [000_dc0927f4facc235e]   # optional subset
repetitions: 1
store: responses.sqlite       # response store, relative to this file (record / replay)
settings:                     # any Settings field: backend, model, base_url, max_tokens, ...
  backend: local
gate:                         # the regression gate's rules (see summarizer.eval.gating)
  metrics: {overall.f1: 0.02, items.f1: 0.02}
record: summarizer eval run evals/seeds.yaml --out evals/baseline.json   # how to re-record
judge:                        # optional: a judge model for free-text fields (summarizer.eval.judge_config)
  model: gpt-4o-mini
matrix:                       # optional: prompts x models x settings (see summarizer.eval.matrix)
  models: {small: m-small, big: m-big}
```

`adapter: meantime` builds the fixtures in memory from a corpus instead (see
`summarizer.eval.meantime`); `fixtures:` then names the corpus folder. `~` and `$VARS` are
expanded in `fixtures:` and `store:`; relative paths are relative to the YAML file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from summarizer.api import pipeline_for
from summarizer.config import Settings
from summarizer.errors import InputError, SummarizerError
from summarizer.eval.extras import gold_type
from summarizer.eval.gating import GateConfig, gate_config
from summarizer.eval.gold import Gold, load_suite_dir
from summarizer.eval.judge_config import JudgeConfig, judge_config, with_judge_gate
from summarizer.eval.matrix import MatrixSpec, matrix_spec
from summarizer.eval.runfile import ErrorInfo, FixtureResult, Run, RunSettings, rescore
from summarizer.extra_fields import summary_type_name
from summarizer.prompts import prompts_version
from summarizer.schemas import Article
from summarizer.version import __version__

_SUITE_KEYS = {
    "name", "fixtures", "adapter", "include", "repetitions", "store", "settings", "gate", "record",
    "matrix", "judge",
}
ADAPTERS = ("meantime",)


def load_fixture_set(
    folder: str | Path, adapter: str | None = None, *, gold_type: type[Gold] = Gold
) -> list[tuple[Article, Gold]]:
    """The fixtures in `folder`: gold files, or a corpus converted in memory by `adapter`.
    `gold_type` reads gold with a user's extra fields (summarizer.eval.extras)."""
    if adapter is None:
        return load_suite_dir(folder, gold_type=gold_type)
    if adapter == "meantime":
        from summarizer.eval.meantime import load_meantime

        return load_meantime(folder)
    raise InputError(f"unknown fixture adapter {adapter!r}: use one of {list(ADAPTERS)}")


def _path(base: Path, value: object) -> Path:
    expanded = Path(os.path.expanduser(os.path.expandvars(str(value))))
    return (base / expanded).resolve()


@dataclass
class Suite:
    name: str
    fixtures_dir: Path
    include: list[str] | None = None
    adapter: str | None = None
    repetitions: int = 1
    store: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    gate: GateConfig = field(default_factory=GateConfig)
    path: Path | None = None
    record_command: str | None = None
    # Prompt variants x models x settings to run side by side (summarizer.eval.matrix).
    matrix: MatrixSpec | None = None
    # An optional judge of free-text fields (summarizer.eval.judge); reported, and gated
    # only when it says `gate: true`.
    judge: JudgeConfig | None = None

    def re_record_hint(self) -> str:
        """The command that records this suite's answers again (the suite's `record:`)."""
        if self.record_command:
            return self.record_command
        where = str(self.path) if self.path else str(self.fixtures_dir)
        return f"summarizer eval run {where} --out BASELINE.json (without --replay, against the model)"

    def load_fixtures(self, gold_type: type[Gold] = Gold) -> list[tuple[Article, Gold]]:
        fixtures = load_fixture_set(self.fixtures_dir, self.adapter, gold_type=gold_type)
        if self.include is not None:
            wanted = set(self.include)
            unknown = wanted - {a.id for a, _ in fixtures}
            if unknown:
                raise InputError(
                    f"suite {self.name!r} includes unknown fixtures {sorted(unknown)[:5]}: "
                    f"check the ids against {self.fixtures_dir}"
                )
            fixtures = [(a, g) for a, g in fixtures if a.id in wanted]
        return fixtures


def load_suite(path: str | Path) -> Suite:
    """A suite YAML file, or a folder of fixtures taken as a suite with default settings."""
    source = Path(path)
    if source.is_dir():
        return Suite(name=source.name, fixtures_dir=source)
    if not source.is_file():
        raise InputError(f"suite {source} not found: give a suite .yaml file or a folder of fixtures")
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{source} is not valid YAML ({exc.__class__.__name__}): fix the file") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: a suite is a mapping with at least `fixtures:`")
    unknown = set(data) - _SUITE_KEYS
    if unknown:
        raise InputError(f"{source}: unknown suite keys {sorted(unknown)}: use {sorted(_SUITE_KEYS)}")
    if "fixtures" not in data:
        raise InputError(f"{source}: missing `fixtures:` (the folder of fixtures)")
    # The YAML's real folder: a symlinked suite file still finds its own relative paths.
    base = source.resolve().parent
    adapter = data.get("adapter")
    if adapter is not None and adapter not in ADAPTERS:
        raise InputError(f"{source}: unknown `adapter: {adapter}`; use one of {list(ADAPTERS)}")
    repetitions = data.get("repetitions", 1)
    if not isinstance(repetitions, int) or repetitions < 1:
        raise InputError(f"{source}: `repetitions` must be a whole number >= 1")
    judge = judge_config(data.get("judge"), str(source), base)
    return Suite(
        name=str(data.get("name") or source.stem),
        fixtures_dir=_path(base, data["fixtures"]),
        include=[str(i) for i in data["include"]] if data.get("include") else None,
        adapter=adapter,
        repetitions=repetitions,
        store=_path(base, data["store"]) if data.get("store") else None,
        settings=_settings(base, data.get("settings")),
        gate=with_judge_gate(gate_config(data.get("gate"), str(source)), judge),
        path=source,
        record_command=str(data["record"]) if data.get("record") else None,
        matrix=matrix_spec(data["matrix"], base, str(source)) if data.get("matrix") is not None else None,
        judge=judge,
    )


def _settings(base: Path, value: object) -> dict[str, Any]:
    settings = dict(value) if isinstance(value, dict) else {}
    if settings.get("prompts"):
        # Like fixtures and store: a prompts folder is relative to the suite file.
        settings["prompts"] = str(_path(base, settings["prompts"]))
    return settings


def run_suite(
    suite: Suite,
    settings: Settings,
    *,
    repetitions: int | None = None,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Run:
    """Run every fixture (times repetitions) through the pipeline; failures are recorded, not raised."""
    fixtures = suite.load_fixtures(gold_type(settings.summary_type))
    fixtures = fixtures[:limit] if limit else fixtures
    reps = repetitions or suite.repetitions
    pipeline = pipeline_for(settings)
    results: list[FixtureResult] = []
    for rep in range(reps):
        for article, _gold in fixtures:
            started = time.monotonic()
            try:
                summary = pipeline.run(article)
                result = FixtureResult(
                    fixture_id=article.id,
                    repetition=rep,
                    prediction=summary,
                    latency_s=summary.run.latency_s,
                    tokens_in=summary.run.tokens_in,
                    tokens_out=summary.run.tokens_out,
                )
            except Exception as exc:  # one fixture's failure is recorded; the run goes on
                message = exc.message if isinstance(exc, SummarizerError) else str(exc)[:500]
                result = FixtureResult(
                    fixture_id=article.id,
                    repetition=rep,
                    error=ErrorInfo(type=type(exc).__name__, message=message or type(exc).__name__),
                    latency_s=time.monotonic() - started,
                )
            results.append(result)
            if progress is not None:
                state = "ok" if result.error is None else f"failed ({result.error.type})"
                progress(f"[{len(results)}/{len(fixtures) * reps}] {article.id}: {state}")
    run_settings = RunSettings(
        suite=str(suite.fixtures_dir),
        adapter=suite.adapter,
        model=pipeline.backend.model,
        backend=pipeline.backend.name,
        base_url=settings.base_url if pipeline.backend.name == "openai" else None,
        prompt_version=prompts_version(settings.prompts),
        prompts=settings.prompts,
        summary_type=summary_type_name(settings.summary_type),
        library_version=__version__,
        parameters={
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "max_reasks": settings.max_reasks,
            "grounding": settings.grounding,
            "instructor_mode": settings.instructor_mode if pipeline.backend.name == "openai" else None,
            "suite_name": suite.name,
        },
        repetitions=reps,
    )
    return rescore(Run(settings=run_settings, results=results), fixtures)
