"""Draft gold from a model's answer: a fixture (`<id>.txt`, `<id>.meta.json`, `<id>.gold.json`)
for a person to correct with `summarizer eval review`.

The summary is reshaped into the gold model by walking the gold model's own fields, so every
field the gold types have (and a user's extended ones) is carried without a list kept here;
what gold has no place for (`run`, `model_quote`) is left out. Evidence keeps its grounded
offsets; evidence the pipeline could not find in the article is left out (and said so),
since gold evidence must be a span of the article. The gold file says `"review": "draft"`
until a person saves it as reviewed; suites refuse drafts.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from summarizer.errors import InputError
from summarizer.eval.gold import AnyOf, Gold, GoldEvidence, parse_gold
from summarizer.eval.gold_file import dumps, gold_json, write_atomic
from summarizer.schemas import Article, ArticleSummary

_ARTICLE_META = ("id", "title", "published", "source", "url", "language")


@dataclass
class Draft:
    """One drafted fixture: its id, the files written and what a reviewer should know."""

    fixture_id: str
    gold: Gold
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fixture_article(article: Article) -> Article:
    """The article as its `.txt` will read back: fixtures are read with universal newlines,
    so the offsets must index text whose line ends are already `\\n`."""
    text = article.text.replace("\r\n", "\n").replace("\r", "\n")
    return article if text == article.text else article.model_copy(update={"text": text})


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel) and member is not AnyOf:
            return member
    return None


def _element_of(annotation: Any) -> Any:
    for member in _members(annotation):
        if get_origin(member) is list:
            return get_args(member)[0]
    return None


_LEFT_OUT = object()


def _project(
    value: Any, annotation: Any, where: str, notes: list[str], *, in_list: bool = False
) -> Any:
    """`value` (a summary's JSON) in the shape of `annotation` (a gold type)."""
    if isinstance(value, list):
        element = _element_of(annotation)
        items = [
            _project(v, element, f"{where}[{i}]", notes, in_list=True) for i, v in enumerate(value)
        ]
        return [v for v in items if v is not _LEFT_OUT]
    model = _model_of(annotation)
    if not isinstance(value, dict) or model is None:
        return value
    if issubclass(model, GoldEvidence):
        if value.get("start") is None or value.get("end") is None:
            notes.append(
                f"{where}: evidence {str(value.get('quote', ''))[:60]!r} is not in the article; "
                "left out (select the right span in the review page)"
            )
            return _LEFT_OUT if in_list else None
        return {"quote": value["quote"], "start": value["start"], "end": value["end"]}
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in value:
            projected = _project(value[name], info.annotation, f"{where}.{name}", notes)
            if projected is not _LEFT_OUT:
                out[name] = projected
    return out


def gold_from_summary(
    summary: ArticleSummary, text: str, *, fixture_id: str, gold_type: type[Gold] = Gold
) -> tuple[Gold, list[str]]:
    """A draft gold of `summary` that passes every fixture check against `text`."""
    notes: list[str] = []
    raw = _project(summary.model_dump(mode="json"), gold_type, "", notes)
    notes = [n.removeprefix(".") for n in notes]
    raw.update(article_id=fixture_id, review="draft")
    gold = parse_gold(
        raw, text, fixture_id=fixture_id, where=f"draft of {fixture_id}", gold_type=gold_type,
        allow_draft=True,
    )
    return gold, notes


def check_fixture_id(fixture_id: str, origin: str) -> None:
    if (
        not fixture_id
        or fixture_id.startswith(".")
        or any(ch in fixture_id for ch in "/\\\x00")
        or len(fixture_id) > 200
    ):
        raise InputError(
            f"{origin}: article id {fixture_id[:80]!r} cannot name a fixture file: give the "
            "article a plain id (letters, digits, - _ .)"
        )


def _meta(article: Article, summary: ArticleSummary) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(article.model_dump_json(include=set(_ARTICLE_META)))
    run = summary.run
    meta["drafted_by"] = {
        "model": run.model, "backend": run.backend, "prompt_version": run.prompt_version,
    }
    return meta


def write_draft(
    article: Article,
    summary: ArticleSummary,
    out_dir: Path,
    *,
    gold_type: type[Gold] = Gold,
    force: bool = False,
) -> Draft:
    """Write the fixture of `article` drafted from `summary` into `out_dir`.

    An existing file with other content is kept unless `force`: a reviewed gold file is a
    person's work, and an article text that differs would move every offset."""
    fixture_id = article.id
    check_fixture_id(fixture_id, fixture_id)
    gold, notes = gold_from_summary(
        summary, article.text, fixture_id=fixture_id, gold_type=gold_type
    )
    contents = {
        out_dir / f"{fixture_id}.txt": article.text,
        out_dir / f"{fixture_id}.meta.json": dumps(_meta(article, summary)),
        # Written last: a gold file never lies in a folder without its article.
        out_dir / f"{fixture_id}.gold.json": dumps(gold_json(gold)),
    }
    if not force:
        for path, text in contents.items():
            if path.is_file() and path.read_text(encoding="utf-8") != text:
                raise InputError(
                    f"{path} exists with other content: pass --force to overwrite it, or "
                    "--out another folder"
                )
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, text in contents.items():
        write_atomic(path, text)
    return Draft(fixture_id, gold, list(contents), notes)
