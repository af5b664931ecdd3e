"""Where a batch's articles come from: a directory, a JSONL file, or standard input.

Sources are generators: one article is in memory at a time whatever the input
size. An input that cannot be used at all (a path that does not exist, a
directory with no articles) raises `UsageError` before anything runs; a single
bad record (a malformed line, a missing field, an unreadable file) becomes a
`SourceItem` carrying the error, which the batch writes as a failure line.

Ids: a directory's files are named by their stems (a `.json` record by its own `id`
when it has one); a JSONL record by its `id`,
or `line-N` (its line number) when it has none. An id seen twice becomes a
failure on the later line, so the output holds one line per id.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from summarizer.errors import InputError, SummarizerError, UsageError
from summarizer.reader import (
    ARTICLE_SUFFIXES,
    DEFAULT_MAX_CHARS,
    article_from_bytes,
    article_from_record,
    check_article,
    encodable,
)
from summarizer.schemas import Article, text_id

_SINGLE_ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One input record: an article to summarise, or the reason there is none."""

    id: str
    article: Article | None = None
    error: SummarizerError | None = None


@dataclass(frozen=True)
class Source:
    """An opened input: its items (a one-pass generator) and, when cheap to know, their count."""

    name: str
    items: Iterator[SourceItem]
    total: int | None


def open_source(
    spec: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: IO[bytes] | None = None,
    published: date | None = None,
) -> Source:
    """Open `spec` (a directory, a JSONL file, or "-"); raise UsageError when it is unusable.

    `published` is the date of articles that give none (`batch --published`).
    """
    source = _open(spec, max_chars=max_chars, stdin=stdin)
    if published is None:
        return source
    return Source(source.name, _dated(source.items, published), source.total)


def _dated(items: Iterator[SourceItem], published: date) -> Iterator[SourceItem]:
    for item in items:
        if item.article is not None and item.article.published is None:
            item = SourceItem(
                item.id, article=item.article.model_copy(update={"published": published})
            )
        yield item


def _open(spec: str, *, max_chars: int, stdin: IO[bytes] | None) -> Source:
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return Source("standard input", iter_jsonl(stream, max_chars=max_chars), None)
    path = Path(spec)
    if path.is_dir():
        files = _article_files(path)
        if not files:
            raise UsageError(
                f"{spec}: no articles in this directory: it needs .txt, .json or .html files "
                "(a JSONL file of records is given as the file itself)"
            )
        return Source(spec, iter_directory(path, files, max_chars=max_chars), len(files))
    if not path.exists():
        raise UsageError(
            f"{spec}: no such file or directory: give a directory of articles, a JSONL file, "
            "or - for standard input"
        )
    if path.suffix.lower() in _SINGLE_ARTICLE_SUFFIXES:
        raise UsageError(
            f"{spec} is a single article: use `summarizer summarize {spec}`, or put articles "
            "in a directory for `summarizer batch`"
        )
    try:
        total = count_lines(path)
    except OSError as exc:
        raise UsageError(f"{spec}: cannot read it ({exc.strerror}): check permissions") from None
    return Source(spec, _iter_jsonl_file(path, max_chars), total)


# -- directories ---------------------------------------------------------------------------


def _article_files(folder: Path) -> list[str]:
    # Names only (sorted for a stable order); contents are read one at a time.
    try:
        with os.scandir(folder) as entries:
            return sorted(
                e.name
                for e in entries
                if not e.name.startswith(".")
                and os.path.splitext(e.name)[1].lower() in ARTICLE_SUFFIXES
                and e.is_file()
            )
    except OSError as exc:
        raise UsageError(f"{folder}: cannot list it ({exc.strerror}): check permissions") from None


def iter_directory(
    folder: Path, names: list[str], *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[SourceItem]:
    seen: set[str] = set()
    for name in names:
        stem, suffix = os.path.splitext(name)
        # `a.json` and `a.txt` would share an id: the later file keeps its full name.
        article_id = _unique(_printable(stem) if stem not in seen else _printable(name), seen)
        seen.add(article_id)
        origin = str(folder / name)
        try:
            data = (folder / name).read_bytes()
            article = article_from_bytes(data, origin=origin, suffix=suffix.lower())
            check_article(article, origin, max_chars)
        except SummarizerError as exc:
            yield SourceItem(article_id, error=exc)
            continue
        except OSError as exc:
            problem = InputError(f"{origin}: cannot read it ({exc.strerror}): check permissions")
            yield SourceItem(article_id, error=problem)
            continue
        except Exception as exc:  # whatever one file does, it is that file's failure
            problem = InputError(f"{origin}: cannot read it ({type(exc).__name__}): fix it")
            yield SourceItem(article_id, error=problem)
            continue
        if suffix.lower() == ".json" and article.id != text_id(article.text):
            # A record that names itself keeps its id, as `summarizer summarize` keeps it.
            if article.id in seen and article.id != article_id:
                problem = InputError(
                    f"{origin}: id {article.id!r} is already used by another file: give "
                    "every article its own id"
                )
                yield SourceItem(article_id, error=problem)
                continue
            seen.add(article.id)
            yield SourceItem(article.id, article=article)
            continue
        yield SourceItem(article_id, article=article.model_copy(update={"id": article_id}))


# -- JSONL -----------------------------------------------------------------------------------


def count_lines(path: Path) -> int:
    """Non-blank lines of a file, read in blocks (for a progress total; memory stays flat)."""
    count = 0
    with path.open("rb") as handle:
        tail = b"\n"
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            tail = block[-1:]
    # A last line without a newline still counts; blank lines are not articles, but counting
    # them exactly would mean a second parse, so the total may overshoot by the blank ones.
    return count + (0 if tail == b"\n" else 1)


def _iter_jsonl_file(path: Path, max_chars: int) -> Iterator[SourceItem]:
    try:
        with path.open("rb") as handle:
            yield from iter_jsonl(handle, max_chars=max_chars, origin=str(path))
    except OSError as exc:  # the file vanished or the disk failed mid-run
        raise UsageError(
            f"{path}: reading failed ({exc.strerror}): fix the input, then run again with "
            "--resume"
        ) from None


def iter_jsonl(
    stream: IO[bytes], *, max_chars: int = DEFAULT_MAX_CHARS, origin: str = "standard input"
) -> Iterator[SourceItem]:
    """Article records, one JSON object a line; blank lines are skipped.

    Ids are unique across given and generated ones: a generated `line-N` that a record
    already took becomes `line-N~2`; a given id seen before fails on its later line."""
    seen: dict[str, int] = {}
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        item = _record_item(raw, number, origin, max_chars)
        generated = item.id == f"line-{number}"
        first = seen.get(item.id)
        if first is not None and generated:
            unique = _unique(item.id, seen)
            article = item.article.model_copy(update={"id": unique}) if item.article else None
            item = SourceItem(unique, article=article, error=item.error)
        elif first is not None:
            item = SourceItem(
                _unique(f"line-{number}", seen),
                error=InputError(
                    f"{origin}:{number}: id {item.id!r} already appeared on line {first}: "
                    "give every article its own id"
                ),
            )
        seen[item.id] = number
        yield item


def _unique(candidate: str, seen: Container[str]) -> str:
    if candidate not in seen:
        return candidate
    n = 2
    while f"{candidate}~{n}" in seen:
        n += 1
    return f"{candidate}~{n}"


def _printable(name: str) -> str:
    # A file name that is not UTF-8 arrives with surrogate escapes, which no JSON line can hold.
    return name if encodable(name) else name.encode("utf-8", "backslashreplace").decode("utf-8")


def _record_item(raw: bytes, number: int, origin: str, max_chars: int) -> SourceItem:
    where = f"{origin}:{number}"
    fallback = f"line-{number}"
    try:
        record = json.loads(raw)
    except UnicodeDecodeError:
        return SourceItem(fallback, error=InputError(f"{where}: not valid UTF-8: convert the file"))
    except json.JSONDecodeError as exc:
        return SourceItem(
            fallback,
            error=InputError(f"{where}: invalid JSON ({exc.msg}): write one JSON object a line"),
        )
    except RecursionError:
        return SourceItem(
            fallback,
            error=InputError(
                f"{where}: invalid JSON (nested too deeply to read): write one flat article "
                "record a line"
            ),
        )
    given = record.get("id") if isinstance(record, dict) else None
    article_id = given if isinstance(given, str) and given and encodable(given) else fallback
    try:
        if isinstance(record, dict) and record.get("id") in (None, ""):
            record = {**record, "id": fallback}
        article = article_from_record(record, where)
        check_article(article, where, max_chars)
    except SummarizerError as exc:
        return SourceItem(article_id, error=exc)
    except Exception as exc:  # whatever one record does, it is that record's failure
        problem = InputError(f"{where}: cannot read this record ({type(exc).__name__}): fix it")
        return SourceItem(article_id, error=problem)
    return SourceItem(article.id, article=article)
