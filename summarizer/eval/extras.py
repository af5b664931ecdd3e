"""Gold for a user's extended summary type (see summarizer.extra_fields).

`gold_type(MySummary)` is a `Gold` whose items also take the extra fields, in gold form:
text may be `{"any_of": [...]}`, evidence gives only `{"quote": ...}` (offsets are found
when the fixture loads), times and actors are written as in the built-in fields. A gold
file may leave an extra field out (then a predicted value counts as spurious, as for
`location`). Scoring (summarizer.eval.scoring) compares each extra field by its kind:

- text: token F1, as `content`; texts: set alignment by token F1, as `topics`;
- value: equality, as `status`;
- time: interval overlap of the resolved dates, as `time`;
- evidence, evidences: character-span IoU, as `evidence`;
- actor, actors: alias-aware names with role and affiliation, as `speaker` / `participants`.

Extra fields count in the field scores of matched, missing and spurious items; the item
alignment uses the built-in fields only, so an extended gold aligns as the plain one does.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, Field, create_model, field_validator

from summarizer.eval.gold import (
    FIELD_KEYS,
    Alt,
    Gold,
    GoldActor,
    GoldEvidence,
    GoldMeeting,
    GoldPlannedEvent,
    GoldStatement,
    GoldTime,
    ListName,
)
from summarizer.extra_fields import ITEM_LISTS, ExtraField, FieldKind, summary_types
from summarizer.schemas import ArticleSummary

_GOLD_ITEMS: dict[ListName, type[BaseModel]] = {
    "meetings": GoldMeeting,
    "statements": GoldStatement,
    "planned_events": GoldPlannedEvent,
}
_GOLD_FORM: dict[FieldKind, Any] = {
    "text": Alt | None,
    "texts": list[Alt],
    "evidence": GoldEvidence | None,
    "evidences": list[GoldEvidence],
    "time": GoldTime | None,
    "actor": GoldActor | None,
    "actors": list[GoldActor],
}
_LISTED: frozenset[FieldKind] = frozenset({"texts", "evidences", "actors"})

# Gold class -> its extra fields per list (the built-in Gold has none).
_EXTRAS: dict[type[Gold], dict[ListName, tuple[ExtraField, ...]]] = {}


def field_keys(extra: ExtraField) -> tuple[str, ...]:
    """The field keys scoring reports for an extra field (actors add role and affiliation)."""
    if extra.kind in ("actor", "actors"):
        return (extra.name, f"{extra.name}.role", f"{extra.name}.affiliation")
    return (extra.name,)


def gold_extras(gold: type[Gold], list_name: ListName) -> tuple[ExtraField, ...]:
    return _EXTRAS.get(gold, {}).get(list_name, ())


def _gold_field(extra: ExtraField, annotation: Any) -> tuple[Any, Any]:
    if extra.kind == "value":
        return annotation | None, None
    form = _GOLD_FORM[extra.kind]
    return (form, Field(default_factory=list)) if extra.kind in _LISTED else (form, None)


@functools.cache
def gold_type(summary: type[ArticleSummary]) -> type[Gold]:
    """The gold model for fixtures of `summary` (plain `Gold` when nothing is extended)."""
    types = summary_types(summary)
    if not types.extended:
        return Gold
    lists: dict[str, Any] = {}
    known: dict[ListName, tuple[str, ...]] = {}
    for name in ITEM_LISTS:
        extras = types.extras[name]
        known[name] = FIELD_KEYS[name] + tuple(k for e in extras for k in field_keys(e))
        if not extras:
            continue
        item = types.items[name]
        fields: dict[str, Any] = {
            e.name: _gold_field(e, item.model_fields[e.name].annotation) for e in extras
        }
        gold_item: type[BaseModel] = create_model(
            f"Gold{item.__name__}", __base__=_GOLD_ITEMS[name], __module__=__name__, **fields
        )
        lists[name] = (list[gold_item], Field(default_factory=list))

    def _known_fields(
        cls: type[Gold], value: dict[ListName, list[str]] | None
    ) -> dict[ListName, list[str]] | None:
        for list_name, keys in (value or {}).items():
            unknown = sorted(set(keys) - set(known[list_name]))
            if unknown:
                raise ValueError(
                    f"unknown field(s) {unknown} in scored_fields[{list_name!r}]; "
                    f"use some of {list(known[list_name])}"
                )
        return value

    validators: dict[str, Any] = {
        # Same name as Gold's own check: this one replaces it, with the extra field keys.
        "_known_fields": field_validator("scored_fields")(classmethod(_known_fields))
    }
    gold: type[Gold] = create_model(
        f"Gold{summary.__name__}",
        __base__=Gold,
        __module__=__name__,
        __validators__=validators,
        **lists,
    )
    _EXTRAS[gold] = dict(types.extras)
    return gold
