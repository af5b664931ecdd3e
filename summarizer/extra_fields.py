"""A user's own fields: `ArticleSummary` subclasses whose item types carry extra fields.

```python
class MyEvent(PlannedEvent):
    budget: str | None = Field(default=None, description="The budget, as written.")

class MySummary(ArticleSummary):
    planned_events: list[MyEvent] = Field(default_factory=list)
```

`summary_types(MySummary)` reads such a class once: which item types are extended, each
extra field's kind (which decides how the model is asked for it, how it is grounded and how
it is scored), and the draft model the model fills, which mirrors the built-in draft with
the extra fields added. Kinds, and what the model writes for each:

- text (`str`), texts (`list[str]`), value (`int`, `float`, `bool`, a `Literal` or an `Enum`,
  or a list of them): the same type;
- evidence (`Evidence`), evidences (`list[Evidence]`): verbatim quotes, grounded like the
  built-in evidence;
- time (`TimeExpr`): the expression as written, normalised like the built-in times;
- actor (`Actor`), actors (`list[Actor]`): as the built-in participants, names checked.

Any of them may be optional (`X | None`). Anything else is a ConfigError when the class is
read, not a surprise in the middle of a batch.
"""

from __future__ import annotations

import functools
import importlib
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from summarizer.draft_schema import (
    DraftActor,
    DraftItem,
    DraftMeeting,
    DraftPlannedEvent,
    DraftStatement,
    DraftSummary,
)
from summarizer.errors import ConfigError
from summarizer.schemas import (
    Actor,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    TimeExpr,
)

ItemList = Literal["meetings", "statements", "planned_events"]
ITEM_LISTS: tuple[ItemList, ...] = ("meetings", "statements", "planned_events")
BASE_ITEMS: dict[ItemList, type[BaseModel]] = {
    "meetings": Meeting,
    "statements": Statement,
    "planned_events": PlannedEvent,
}
_BASE_DRAFTS: dict[ItemList, type[DraftItem]] = {
    "meetings": DraftMeeting,
    "statements": DraftStatement,
    "planned_events": DraftPlannedEvent,
}

FieldKind = Literal["text", "texts", "value", "evidence", "evidences", "time", "actor", "actors"]

_EVIDENCE_NOTE = (
    "Copy it character for character from the article (a clause or a sentence); never paraphrase."
)
_TIME_NOTE = "The time expression exactly as the article writes it (e.g. 'on Monday'), or null."
_SUPPORTED = (
    "str, int, float, bool, a Literal, an Enum, Evidence, TimeExpr, Actor, a list of one of "
    "these, or any of them | None"
)


@dataclass(frozen=True)
class ExtraField:
    """One field a user added to an item type."""

    name: str
    kind: FieldKind
    optional: bool
    """The field accepts None."""
    required: bool
    """The field has no default: the model must give it."""


@dataclass(frozen=True, eq=False)
class SummaryTypes:
    """What a summary type asks for: item classes, their extra fields, the draft to fill."""

    summary: type[ArticleSummary]
    items: dict[ItemList, type[BaseModel]]
    extras: dict[ItemList, tuple[ExtraField, ...]]
    draft: type[DraftSummary]

    @property
    def extended(self) -> bool:
        return any(self.extras.values())


def _is_value(tp: Any) -> bool:
    if typing.get_origin(tp) is Literal:
        return True
    return isinstance(tp, type) and (tp in (int, float, bool) or issubclass(tp, Enum))


def _kind(owner: str, name: str, annotation: Any) -> tuple[FieldKind, bool]:
    """The field's kind, and whether it accepts None."""
    origin = typing.get_origin(annotation)
    core = annotation
    optional = False
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        core = args[0] if len(args) == 1 else None
    if typing.get_origin(core) is list:
        (inner,) = typing.get_args(core) or (None,)
        listed: dict[Any, FieldKind] = {str: "texts", Evidence: "evidences", Actor: "actors"}
        if inner in listed:
            return listed[inner], optional
        if inner is not None and _is_value(inner):
            return "value", optional
    else:
        single: dict[Any, FieldKind] = {
            str: "text", Evidence: "evidence", TimeExpr: "time", Actor: "actor"
        }
        if core in single:
            return single[core], optional
        if core is not None and _is_value(core):
            return "value", optional
    raise ConfigError(
        f"{owner}.{name}: extra fields may be {_SUPPORTED}, not {annotation!r}: change its type"
    )


def _draft_annotation(kind: FieldKind, annotation: Any, optional: bool) -> Any:
    """What the model writes for a field of this kind (see the module docstring)."""
    single: dict[FieldKind, Any] = {"evidence": str, "time": str, "actor": DraftActor}
    if kind in single:
        tp = single[kind]
        return tp | None if optional or kind == "time" else tp
    if kind == "evidences":
        return list[str] | None if optional else list[str]
    if kind == "actors":
        return list[DraftActor] | None if optional else list[DraftActor]
    return annotation


def _draft_field(kind: FieldKind, info: FieldInfo) -> Any:
    note = {"evidence": _EVIDENCE_NOTE, "evidences": _EVIDENCE_NOTE, "time": _TIME_NOTE}.get(kind)
    description = " ".join(part for part in (info.description, note) if part) or None
    if info.is_required():
        return Field(description=description)
    if kind in ("evidences", "actors", "texts") or info.default_factory is not None:
        return Field(default_factory=list, description=description)
    # Rich defaults (a TimeExpr, an Actor) have no draft form: the model says null or writes one.
    default = info.default if kind in ("text", "value") else None
    return Field(default=default, description=description)


def _item_type(summary: type[ArticleSummary], list_name: ItemList) -> type[BaseModel]:
    annotation = summary.model_fields[list_name].annotation
    base = BASE_ITEMS[list_name]
    args = typing.get_args(annotation) if typing.get_origin(annotation) is list else ()
    item = args[0] if len(args) == 1 else None
    if not (isinstance(item, type) and issubclass(item, base)):
        raise ConfigError(
            f"{summary.__name__}.{list_name} must be a list of {base.__name__} or of a subclass "
            f"of it, not {annotation!r}"
        )
    return item


def _extras(item: type[BaseModel], base: type[BaseModel]) -> tuple[ExtraField, ...]:
    found: list[ExtraField] = []
    for name, info in item.model_fields.items():
        if name in base.model_fields:
            continue
        kind, optional = _kind(item.__name__, name, info.annotation)
        found.append(ExtraField(name, kind, optional, info.is_required()))
    return tuple(found)


@functools.cache
def summary_types(summary: type[ArticleSummary] = ArticleSummary) -> SummaryTypes:
    """Read a summary type (cached: a class does not change while it is used)."""
    if not (isinstance(summary, type) and issubclass(summary, ArticleSummary)):
        raise ConfigError(f"summary_type={summary!r} is not an ArticleSummary subclass")
    top = sorted(set(summary.model_fields) - set(ArticleSummary.model_fields))
    if top:
        raise ConfigError(
            f"{summary.__name__} adds {', '.join(top)} to the summary itself: put extra fields "
            "on the item types (Meeting, Statement, PlannedEvent subclasses)"
        )
    items = {name: _item_type(summary, name) for name in ITEM_LISTS}
    extras = {name: _extras(items[name], BASE_ITEMS[name]) for name in ITEM_LISTS}
    if not any(extras.values()):
        return SummaryTypes(summary, items, extras, DraftSummary)
    lists: dict[str, Any] = {}
    for name in ITEM_LISTS:
        if not extras[name]:
            continue
        draft_item = _draft_item(items[name], _BASE_DRAFTS[name], extras[name])
        description = DraftSummary.model_fields[name].description
        lists[name] = (list[draft_item], Field(default_factory=list, description=description))  # type: ignore[valid-type]
    draft = create_model(
        f"Draft{summary.__name__}", __base__=DraftSummary, __module__=__name__, **lists
    )
    draft.__doc__ = DraftSummary.__doc__
    return SummaryTypes(summary, items, extras, draft)


def _draft_item(
    item: type[BaseModel], base: type[DraftItem], extras: tuple[ExtraField, ...]
) -> type[DraftItem]:
    fields: dict[str, Any] = {}
    for extra in extras:
        info = item.model_fields[extra.name]
        annotation = _draft_annotation(extra.kind, info.annotation, extra.optional)
        fields[extra.name] = (annotation, _draft_field(extra.kind, info))
    draft: type[DraftItem] = create_model(
        f"Draft{item.__name__}", __base__=base, __module__=__name__, **fields
    )
    draft.evidence_fields = tuple(e.name for e in extras if e.kind in ("evidence", "evidences"))
    return draft


def draft_type(summary: type[ArticleSummary] = ArticleSummary) -> type[DraftSummary]:
    """The draft model the model fills for `summary`."""
    return summary_types(summary).draft


def extra_field_names(summary: type[ArticleSummary], list_name: ItemList) -> tuple[str, ...]:
    return tuple(e.name for e in summary_types(summary).extras[list_name])


def summary_type_name(summary: type[ArticleSummary]) -> str | None:
    """`module:Class` for a user's summary type, as suites and run files name it; None for
    the built-in one."""
    if summary is ArticleSummary:
        return None
    return f"{summary.__module__}:{summary.__qualname__}"


def import_summary_type(spec: str) -> type[ArticleSummary]:
    """The class a `module:Class` name (a suite's `summary_type:`) points at."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(
            f"summary_type {spec!r}: write it as module:Class, e.g. mytypes:MySummary"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"summary_type {spec!r}: cannot import {module_name} ({exc}): put it on PYTHONPATH"
        ) from None
    found: Any = module
    for part in attribute.split("."):
        found = getattr(found, part, None)
    if not (isinstance(found, type) and issubclass(found, ArticleSummary)):
        raise ConfigError(f"summary_type {spec!r} is not an ArticleSummary subclass")
    return found
