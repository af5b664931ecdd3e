"""Reading `summarizer batch` outputs: one `Outcome` line per article.

A file that is missing, or in which no line is an outcome, is a user mistake (InputError,
exit 2). Within a real batch output, a torn or invalid line, a failure line and a second
line for an id already read are `Problem`s: recorded and skipped, never fatal.

Batch outputs carry the summary but not the article's date, source and url; those come from
the batch's own input (`--articles`, read with the batch's sources), or from an `article`
object on the line when a producer writes one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.events.model import ArticleRow, Problem
from summarizer.results import Outcome
from summarizer.schemas import Article, ArticleSummary
from summarizer.sources import open_source

__all__ = ["Record", "read_articles", "read_outputs"]


@dataclass(frozen=True, slots=True)
class Record:
    """One usable article of a batch output: its row and its summary."""

    article: ArticleRow
    summary: ArticleSummary


def read_articles(specs: Sequence[str]) -> dict[str, Article]:
    """The batch's input records by id (a folder, or JSONL of Article records)."""
    found: dict[str, Article] = {}
    for spec in specs:
        for item in open_source(spec).items:
            if item.article is not None:
                found.setdefault(item.id, item.article)
    return found


def _not_batch_output(path: Path) -> InputError:
    return InputError(
        f"{path} is not a batch output (no line is an outcome with \"id\" and \"ok\"): "
        "give the OUT.jsonl that `summarizer batch` wrote"
    )


def read_outputs(
    paths: Sequence[Path], articles: dict[str, Article], problems: list[Problem]
) -> Iterator[Record]:
    """Every usable article of `paths`, in file and line order; problems are appended."""
    seen: set[str] = set()
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file: give the OUT.jsonl that `summarizer batch` wrote")
        yield from _read_one(path, articles, problems, seen)


def _read_one(
    path: Path, articles: dict[str, Article], problems: list[Problem], seen: set[str]
) -> Iterator[Record]:
    outcomes = 0
    name = path.name
    try:
        handle = path.open("r", encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError:
                problems.append(Problem(name, number, None, "not JSON (a torn or corrupt line)"))
                continue
            if not isinstance(data, dict) or "id" not in data or "ok" not in data:
                problems.append(Problem(name, number, None, "not an outcome (no \"id\" and \"ok\")"))
                continue
            outcomes += 1
            record = _record(data, name, number, articles, problems)
            if record is None:
                continue
            if record.article.article_id in seen:
                problems.append(
                    Problem(name, number, record.article.article_id, "a second line for this id: the first is kept")
                )
                continue
            seen.add(record.article.article_id)
            yield record
    if outcomes == 0:
        raise _not_batch_output(path)


def _record(
    data: dict[str, Any],
    name: str,
    number: int,
    articles: dict[str, Article],
    problems: list[Problem],
) -> Record | None:
    try:
        outcome = Outcome.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problems.append(Problem(name, number, str(data.get("id")), f"invalid outcome: {where}: {first['msg']}"))
        return None
    if not outcome.ok or outcome.summary is None:
        error = outcome.error
        why = f"{error.type}: {error.message}" if error else "no summary"
        problems.append(Problem(name, number, outcome.id, f"the batch failed on this article ({why})"))
        return None
    meta = _meta(data.get("article"), articles.get(outcome.id))
    summary = outcome.summary
    return Record(
        article=ArticleRow(
            article_id=outcome.id,
            title=summary.title or (meta.title if meta else None),
            published=meta.published if meta else None,
            source=meta.source if meta else None,
            url=meta.url if meta else None,
            text=summary.article_text or (meta.text if meta and meta.text else None),
            summary=summary.summary,
            input_file=name,
        ),
        summary=summary,
    )


def _meta(inline: Any, given: Article | None) -> Article | None:
    if isinstance(inline, dict):
        try:
            return Article.model_validate({"text": "", **inline}, strict=False)
        except ValidationError:
            return given
    return given
