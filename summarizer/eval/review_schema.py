"""The gold model described for the review page: which editor each field gets.

Read from the gold types themselves (annotations, Literal choices, enums), so a field added
to the gold model gets an editor on the page without a change here or in the page's script;
a type with no dedicated editor falls back to a JSON box that the server validates.
"""

from __future__ import annotations

import types
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from summarizer.eval.gold import LIST_NAMES, AnyOf, Gold, GoldEvidence
from summarizer.render import LISTS


def _members(annotation: Any) -> tuple[list[Any], bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = list(get_args(annotation))
    else:
        args = [annotation]
    nullable = type(None) in args
    return [a for a in args if a is not type(None)], nullable


def field_spec(annotation: Any) -> dict[str, Any]:
    """The editor of one annotation: {"type": ..., "nullable": ..., and what the type needs}."""
    members, nullable = _members(annotation)
    spec: dict[str, Any] = {"nullable": nullable}
    if set(members) == {str, AnyOf}:
        return {**spec, "type": "alt"}
    if len(members) != 1:
        return {**spec, "type": "json"}
    tp = members[0]
    origin = get_origin(tp)
    if origin is list:
        return {**spec, "type": "list", "of": field_spec(get_args(tp)[0])}
    if origin is Literal:
        return {**spec, "type": "enum", "choices": [str(c) for c in get_args(tp)]}
    if isinstance(tp, type):
        if issubclass(tp, GoldEvidence):
            return {**spec, "type": "evidence"}
        if issubclass(tp, BaseModel):
            return {**spec, "type": "object", "fields": describe(tp), "blank": blank(tp)}
        if issubclass(tp, Enum):
            return {**spec, "type": "enum", "choices": [str(m.value) for m in tp]}
        for python_type, name in ((bool, "bool"), (int, "int"), (str, "text"), (date, "date")):
            if issubclass(tp, python_type):
                return {**spec, "type": name}
    return {**spec, "type": "json"}


def describe(model: type[BaseModel]) -> list[dict[str, Any]]:
    return [
        {"name": name, "required": info.is_required(), **field_spec(info.annotation)}
        for name, info in model.model_fields.items()
    ]


def _blank_value(annotation: Any) -> Any:
    spec = field_spec(annotation)
    kind = spec["type"]
    if kind == "object":
        return spec["blank"]
    if kind in ("alt", "text"):
        return ""
    if kind == "list":
        return []
    if kind == "enum":
        return spec["choices"][0]
    return None


def blank(model: type[BaseModel]) -> dict[str, Any]:
    """A new item of `model`: defaults, and empty values where the model requires one."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            out[name] = _blank_value(info.annotation)
        else:
            default = info.get_default(call_default_factory=True)
            adapter: TypeAdapter[Any] = TypeAdapter(info.annotation or Any)
            out[name] = adapter.dump_python(default, mode="json")
    return out


def item_model(gold_type: type[Gold], list_name: str) -> type[BaseModel]:
    annotation = gold_type.model_fields[list_name].annotation
    element = get_args(annotation)[0]
    assert isinstance(element, type) and issubclass(element, BaseModel)
    return element


def page_schema(gold_type: type[Gold] = Gold) -> dict[str, Any]:
    """What the page needs to edit a gold file of `gold_type`: each list's fields and blank."""
    headings = {attr: (heading, short) for attr, heading, short in LISTS}
    lists = []
    for name in LIST_NAMES:
        model = item_model(gold_type, name)
        heading, short = headings[name]
        lists.append(
            {"name": name, "heading": heading, "short": short, "fields": describe(model),
             "blank": blank(model)}
        )
    return {"lists": lists}
