"""Reading batch outputs: article metadata from the batch input or from the line itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.events.model import Problem
from summarizer.events.reader import read_articles, read_outputs


def test_metadata_comes_from_the_input_or_from_the_line(tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": "a", "text": "Some text.", "published": "2025-01-02", "source": "Wire"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text(
        json.dumps({"id": "a", "ok": True, "summary": {"article_id": "a"}}) + "\n"
        + json.dumps({"id": "b", "ok": True, "summary": {"article_id": "b"}, "article": {"published": "2025-02-03", "url": "u"}}) + "\n",
        encoding="utf-8",
    )
    problems: list[Problem] = []
    records = list(read_outputs([out], read_articles([str(inputs)]), problems))
    assert [(r.article.article_id, r.article.published, r.article.source, r.article.text) for r in records] == [
        ("a", date(2025, 1, 2), "Wire", "Some text."),
        ("b", date(2025, 2, 3), None, None),
    ]
    assert problems == []


def test_an_empty_file_is_not_a_batch_output(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="is not a batch output"):
        list(read_outputs([empty], {}, []))
