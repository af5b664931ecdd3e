"""Batch inputs: directories, JSONL files and stdin, read as streams."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from summarizer.errors import InputError, UsageError
from summarizer.sources import SourceItem, count_lines, iter_jsonl, open_source

TEXT = "Ministers Anna Berg and Tomas Lind met in Vilnius on Monday to discuss energy security."


def _items(spec: str | Path, **kwargs: object) -> list[SourceItem]:
    return list(open_source(str(spec), **kwargs).items)  # type: ignore[arg-type]


def _jsonl(lines: list[str]) -> list[SourceItem]:
    return list(iter_jsonl(io.BytesIO("".join(line + "\n" for line in lines).encode())))


# -- directories ----------------------------------------------------------------------------


def test_directory_articles_in_name_order_with_stems_as_ids(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Talks\n\n" + TEXT, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"text": TEXT}), encoding="utf-8")
    (tmp_path / "c.html").write_text(
        f"<html><head><title>Talks in Vilnius</title></head><body><article><p>{TEXT}</p>"
        f"<p>{TEXT}</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    source = open_source(str(tmp_path))
    items = list(source.items)
    assert source.total == 3
    assert [i.id for i in items] == ["a", "b", "c"]
    assert all(i.error is None and i.article is not None for i in items), items
    assert [i.article.id for i in items if i.article] == ["a", "b", "c"]
    b = items[1].article
    assert b is not None and b.title == "Talks" and TEXT in b.text


def test_a_json_record_in_a_directory_keeps_its_own_id(tmp_path: Path) -> None:
    # As `summarizer summarize a.json` keeps it; a record without one is named by its file.
    (tmp_path / "a.json").write_text(json.dumps({"id": "own-id", "text": TEXT}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"text": TEXT + " More."}), encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps({"id": "own-id", "text": "Other text."}), encoding="utf-8")
    (tmp_path / "own-id.txt").write_text(TEXT, encoding="utf-8")
    items = list(open_source(str(tmp_path)).items)
    assert [i.id for i in items] == ["own-id", "b", "c", "own-id.txt"]
    assert [i.article.id for i in items if i.article] == ["own-id", "b", "own-id.txt"]
    assert items[2].error is not None and items[2].error.message == (
        f"{tmp_path / 'c.json'}: id 'own-id' is already used by another file: give every "
        "article its own id"
    )


def test_published_is_the_default_for_articles_without_a_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.json").write_text(
        json.dumps({"text": TEXT, "published": "2021-05-04"}), encoding="utf-8"
    )
    items = list(open_source(str(tmp_path), published=date(2022, 12, 19)).items)
    assert [i.article.published for i in items if i.article] == [date(2022, 12, 19), date(2021, 5, 4)]


def test_unreadable_files_in_a_directory_are_failures_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 talks".encode("latin-1"))
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    items = {i.id: i for i in _items(tmp_path)}
    assert items["ok"].article is not None
    for name in ("empty", "latin", "bad"):
        assert items[name].article is None
        assert isinstance(items[name].error, InputError), name
    assert "empty" in str(items["empty"].error)
    assert "UTF-8" in str(items["latin"].error)
    assert "invalid JSON" in str(items["bad"].error)


def test_two_files_with_one_stem_get_distinct_ids(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"text": TEXT}), encoding="utf-8")
    assert [i.id for i in _items(tmp_path)] == ["a", "a.txt"]


def test_max_chars_applies_per_article(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text(TEXT * 10, encoding="utf-8")
    [item] = _items(tmp_path, max_chars=100)
    assert item.article is None and "--max-chars" in str(item.error)


def test_unusable_inputs_are_usage_errors_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(TEXT, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("x", encoding="utf-8")
    cases = {
        tmp_path / "missing": "no such file or directory",
        empty: "no articles in this directory",
        tmp_path / "one.txt": "single article",
    }
    for spec, expected in cases.items():
        with pytest.raises(UsageError) as caught:
            open_source(str(spec))
        message = str(caught.value)
        assert expected in message and "\n" not in message, message


# -- JSONL ----------------------------------------------------------------------------------


def test_jsonl_records_with_and_without_ids() -> None:
    items = _jsonl(
        [
            json.dumps({"id": "x1", "text": TEXT, "published": "2024-03-04"}),
            json.dumps({"text": TEXT, "title": "No id"}),
            "",
            json.dumps({"id": "", "text": TEXT}),
        ]
    )
    assert [i.id for i in items] == ["x1", "line-2", "line-4"]
    assert [i.article.id for i in items if i.article] == ["x1", "line-2", "line-4"]
    first = items[0].article
    assert first is not None and first.published is not None and first.published.day == 4


def test_bad_jsonl_lines_become_failures_with_a_reason() -> None:
    items = _jsonl(
        [
            "{not json",
            json.dumps({"id": "no-text", "title": "x"}),
            json.dumps({"id": "wrong-type", "text": 5}),
            json.dumps(["a", "list"]),
            json.dumps({"id": "bad-date", "text": TEXT, "published": "Monday"}),
            json.dumps({"id": 7, "text": TEXT}),
            json.dumps({"id": "fine", "text": TEXT}),
        ]
    )
    ids = [i.id for i in items]
    assert ids == ["line-1", "no-text", "wrong-type", "line-4", "bad-date", "line-6", "fine"]
    for item in items[:-1]:
        assert item.article is None and isinstance(item.error, InputError), item
        assert str(item.error).startswith("standard input:"), item.error
    assert "invalid JSON" in str(items[0].error)
    assert "'text'" in str(items[1].error)
    assert "JSON object" in str(items[3].error)
    assert items[-1].article is not None


def test_invalid_utf8_on_a_line_is_that_lines_failure() -> None:
    good = json.dumps({"id": "b", "text": TEXT}).encode()
    raw = b'{"id": "a", "text": "caf\xe9"}\n' + good + b"\n"
    items = list(iter_jsonl(io.BytesIO(raw)))
    assert [i.id for i in items] == ["line-1", "b"]
    assert "UTF-8" in str(items[0].error)


def test_a_repeated_id_is_a_failure_on_the_later_line() -> None:
    line = json.dumps({"id": "dup", "text": TEXT})
    items = _jsonl([line, line])
    assert [i.id for i in items] == ["dup", "line-2"]
    assert items[0].article is not None
    assert "already appeared on line 1" in str(items[1].error)


def test_jsonl_is_read_lazily() -> None:
    """An endless input yields its first records at once: nothing reads ahead of the consumer."""
    pulled = 0

    def endless() -> Iterator[bytes]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield (json.dumps({"id": f"a{i}", "text": TEXT}) + "\n").encode()

    first = list(itertools.islice(iter_jsonl(endless()), 3))  # type: ignore[arg-type]
    assert [i.id for i in first] == ["a0", "a1", "a2"]
    assert pulled == 3


def test_stdin_is_jsonl(tmp_path: Path) -> None:
    data = (json.dumps({"id": "s1", "text": TEXT}) + "\n" + "oops\n").encode()
    source = open_source("-", stdin=io.BytesIO(data))
    assert source.total is None
    got = [(i.id, i.article is not None) for i in source.items]
    assert got == [("s1", True), ("line-2", False)]


def test_jsonl_file_total_counts_lines_including_an_unterminated_last_one(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": TEXT}) + "\n" + json.dumps({"id": "b", "text": TEXT}),
        encoding="utf-8",
    )
    assert count_lines(path) == 2
    source = open_source(str(path))
    assert source.total == 2
    assert [i.id for i in source.items] == ["a", "b"]
    assert str(path) in source.name


def test_generated_ids_never_collide_with_given_ones() -> None:
    items = _jsonl(
        [
            json.dumps({"id": "line-2", "text": "one"}),
            json.dumps({"text": "two"}),  # would be line-2: taken
            json.dumps({"id": "line-2~2", "text": "three"}),  # a given id equal to that: refused
        ]
    )
    assert [i.id for i in items] == ["line-2", "line-2~2", "line-3"]
    assert items[1].article is not None and items[1].article.id == "line-2~2"
    assert items[2].error is not None and "already appeared on line 2" in items[2].error.message
