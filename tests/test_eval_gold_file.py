"""Gold written as a file: what a loader reads back, and written in one step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import OutputError
from summarizer.eval.gold import load_suite_dir, parse_gold
from summarizer.eval.gold_file import digest, dumps, gold_json, write_atomic

SEEDS = Path(__file__).parents[1] / "seeds"


def test_every_seed_gold_reads_back_unchanged_from_its_file_form() -> None:
    for article, gold in load_suite_dir(SEEDS):
        content = json.loads(dumps(gold_json(gold)))
        assert "meta" not in content and "review" not in content and "scored_fields" not in content
        again = parse_gold(content, article.text, fixture_id=article.id, where="x")
        assert again.model_dump(exclude={"meta"}) == gold.model_dump(exclude={"meta"}), article.id


def test_an_atomic_write_replaces_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "x.gold.json"
    path.write_text("old", encoding="utf-8")
    write_atomic(path, "new ☃\n")
    assert path.read_bytes() == "new ☃\n".encode() and digest(path.read_bytes()) == digest("new ☃\n".encode())
    assert [p.name for p in tmp_path.iterdir()] == ["x.gold.json"]
    with pytest.raises(OutputError) as caught:
        write_atomic(tmp_path / "gone" / "x.gold.json", "x")
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'gone' / 'x.gold.json'}: No such file or directory: check the folder"
    )
