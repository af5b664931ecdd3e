"""Matrices: one suite run under every combination of prompt variants, models and settings.

A suite's `matrix:` names up to three axes, each a mapping of label to variant; `eval run` runs
their product (each cell is an ordinary run: the suite's settings, the cell's variants on top,
the command line's flags on top of both), recording to and replaying from the suite's store:

```yaml
matrix:
  prompts:                    # label: a prompts folder (relative to this file); null: packaged
    packaged: null
    terse: prompts-terse
  models:                     # label: a model name, or a mapping of settings
    small: m-small
    big: {model: m-big, max_tokens: 4096}
  settings:                   # label: a mapping of any other settings
    t0: {temperature: 0}
  baseline: packaged/small    # the column the others are compared with (default: the first)
```

A cell's label joins its axes' labels with "/" in the order prompts, models, settings
(`terse/big/t0`). The matrix file holds every cell's run; `eval report` shows them side by side
with paired bootstrap intervals (`summarizer.eval.compare`) against the baseline column.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import InputError, UsageError
from summarizer.eval.compare import Comparison, compare
from summarizer.eval.runfile import Run

AXES = ("prompts", "models", "settings")
_KEYS = (*AXES, "baseline")


class MatrixSpec(BaseModel):
    """A suite's `matrix:` mapping, with prompts folders resolved against the suite file."""

    model_config = ConfigDict(extra="forbid")

    prompts: dict[str, str | None] = Field(default_factory=dict)
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    baseline: str | None = None


@dataclass(frozen=True)
class Cell:
    label: str
    axes: dict[str, str]
    overrides: dict[str, Any]


def matrix_spec(raw: object, base: Path, source: str) -> MatrixSpec:
    """Parse a suite's `matrix:` value; every mistake is a UsageError saying what to fix."""
    if not isinstance(raw, Mapping):
        raise UsageError(f"{source}: `matrix:` must be a mapping with any of {list(_KEYS)}")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise UsageError(f"{source}: unknown matrix keys {unknown}: use {list(_KEYS)}")
    data: dict[str, Any] = {"baseline": raw.get("baseline")}
    for axis in AXES:
        variants = raw.get(axis) or {}
        if not isinstance(variants, Mapping):
            raise UsageError(f"{source}: matrix.{axis} must be a mapping of label to variant")
        for label in variants:
            if not str(label) or "/" in str(label):
                raise UsageError(f"{source}: matrix.{axis} label {label!r} must be non-empty without '/'")
        if axis == "prompts":
            data[axis] = {
                str(k): None if v is None else str((base / os.path.expanduser(os.path.expandvars(str(v)))).resolve())
                for k, v in variants.items()
            }
        elif axis == "models":
            data[axis] = {str(k): {"model": v} if isinstance(v, str) else v for k, v in variants.items()}
        else:
            data[axis] = {str(k): v for k, v in variants.items()}
    try:
        spec = MatrixSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{source}: matrix.{where}: {first['msg']}: fix the suite's `matrix:`") from None
    if not any(getattr(spec, axis) for axis in AXES):
        raise UsageError(f"{source}: `matrix:` names no variants: give prompts, models or settings")
    labels = [c.label for c in cells(spec)]
    if spec.baseline is not None and spec.baseline not in labels:
        raise UsageError(f"{source}: matrix.baseline {spec.baseline!r} is not a cell: use one of {labels}")
    return spec


def cells(spec: MatrixSpec) -> list[Cell]:
    """Every combination of the axes' variants, in the order the suite lists them."""
    axes = [(axis, list(getattr(spec, axis).items())) for axis in AXES if getattr(spec, axis)]
    out: list[Cell] = []
    for combo in itertools.product(*(variants for _axis, variants in axes)):
        overrides: dict[str, Any] = {}
        chosen: dict[str, str] = {}
        for (axis, _variants), (label, variant) in zip(axes, combo, strict=True):
            chosen[axis] = label
            if axis == "prompts":
                overrides["prompts"] = variant
            else:
                overrides.update(variant)
        out.append(Cell(label="/".join(chosen.values()), axes=chosen, overrides=overrides))
    return out


class MatrixCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    axes: dict[str, str] = Field(default_factory=dict)
    run: Run


class MatrixRun(BaseModel):
    """Every cell's run of one suite; `baseline` is the column the others are compared with."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["matrix"] = "matrix"
    name: str
    baseline: str
    cells: list[MatrixCell]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.cells]

    def cell(self, label: str) -> MatrixCell:
        for c in self.cells:
            if c.label == label:
                return c
        raise UsageError(f"the matrix has no cell {label!r}: use one of {self.labels}")

    def save(self, path: str | Path) -> None:
        target = Path(path)
        folder = target.resolve().parent
        relative = [c.model_copy(update={"run": c.run.relative_to(folder)}) for c in self.cells]
        target.write_text(self.model_copy(update={"cells": relative}).model_dump_json(indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> MatrixRun:
        file = Path(path)
        try:
            matrix = cls.model_validate_json(file.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as exc:
            raise InputError(f"{file} is not a matrix file ({type(exc).__name__}): re-create it with `eval run`") from None
        folder = file.resolve().parent
        return matrix.model_copy(
            update={"cells": [c.model_copy(update={"run": c.run.resolved_from(folder)}) for c in matrix.cells]}
        )


def is_matrix_file(path: str | Path) -> bool:
    """Whether `path` holds a matrix (`eval run` of a suite with `matrix:`) rather than one run."""
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.read(64)
    except OSError:
        return False
    if '"kind"' not in head:
        return False
    try:
        return bool(json.loads(Path(path).read_text(encoding="utf-8")).get("kind") == "matrix")
    except (OSError, ValueError, AttributeError):
        return False


def run_matrix(
    name: str,
    spec: MatrixSpec,
    run_cell: Callable[[dict[str, Any]], Run],
    *,
    progress: Callable[[str], None] | None = None,
) -> MatrixRun:
    """Run every cell through `run_cell(overrides)` (the suite run with those settings on top)."""
    done: list[MatrixCell] = []
    todo = cells(spec)
    for n, cell in enumerate(todo, 1):
        if progress is not None:
            progress(f"cell {n}/{len(todo)}: {cell.label}")
        done.append(MatrixCell(label=cell.label, axes=cell.axes, run=run_cell(cell.overrides)))
    return MatrixRun(name=name, baseline=spec.baseline or todo[0].label, cells=done)


def matrix_comparisons(matrix: MatrixRun, baseline: str | None = None) -> list[tuple[str, Comparison]]:
    """Each other cell compared with the baseline column (paired over fixtures, new - base)."""
    base = matrix.cell(baseline or matrix.baseline)
    return [(c.label, compare(base.run, c.run)) for c in matrix.cells if c.label != base.label]


def cell_settings(overrides: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The suite's settings with a cell's variants on top (a cell's model replaces a model path)."""
    chosen = dict(settings)
    if "model" in overrides and "model_path" not in overrides:
        chosen.pop("model_path", None)
    chosen.update(overrides)
    return chosen

