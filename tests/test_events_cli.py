"""`summarizer events build | show | eval` through the real command line and a real DuckDB file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers_events import ARTICLES, CLUSTERS, gold_outputs
from helpers_html import audit

from summarizer import cli


@pytest.fixture
def built(tmp_path: Path) -> Path:
    db = tmp_path / "events.duckdb"
    out = gold_outputs(tmp_path / "out.jsonl")
    assert cli.main(["events", "build", str(out), "--db", str(db), "--articles", ARTICLES]) == 0
    return db


def _event_id(db: Path, place: str, kind: str = "meeting") -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT event_id FROM events WHERE place = ? AND kind = ?", [place, kind]).fetchone()
    assert row is not None
    return str(row[0])


def test_build_reports_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "events.duckdb"
    out = gold_outputs(tmp_path / "out.jsonl")
    with out.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "x", "ok": tr\n')
    parquet = tmp_path / "pq"
    argv = ["events", "build", str(out), "--db", str(db), "--articles", ARTICLES, "--parquet", str(parquet)]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "summarizer events: skipped out.jsonl line 12: not JSON (a torn or corrupt line)",
        "summarizer events: 11 articles added (0 already in the database), 21 mentions, 7 matches, "
        f"9 events written, 9 in all, 3 follow-up links, 1 records skipped -> {db}",
    ]
    assert sorted(p.name for p in parquet.iterdir()) == [
        "articles.parquet", "events.parquet", "links.parquet", "matches.parquet",
        "mentions.parquet", "problems.parquet",
    ]
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM '{parquet / 'events.parquet'}'").fetchone() == (9,)
    # Again: nothing new.
    assert cli.main(argv) == 0
    assert "0 articles added (11 already in the database)" in capsys.readouterr().err


def test_show_prints_the_event_with_its_articles_and_evidence(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event_id(built, "Castelmar")
    assert cli.main(["events", "show", event, "--db", str(built)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{event}  meeting (held)\n")
    assert "  participants: Tomas Brekke; Anika Roth\n" in text
    assert "  reported:     3 article(s) from 3 source(s), first 2025-03-10, last 2025-03-11\n" in text
    assert "[c01#M1] Roth and Brekke meet in Castelmar (Harbour Post, 2025-03-10)" in text
    assert "“Valdorian Foreign Minister Anika Roth met her Norvanian counterpart Tomas Brekke in Castelmar on Monday” (chars 0-103)" in text
    assert "    joined: matched c01#M1 with score 0.93 " in text  # c03, its best match
    plan = _event_id(built, "Lindholm", "planned")
    assert cli.main(["events", "show", plan, "--db", str(built), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["relation"] for f in data["follow_ups"]] == ["fulfils"]
    assert [r["article_id"] for r in data["reports"]] == ["c01", "c02"]


def test_show_writes_an_html_page_with_highlighted_evidence(built: Path, tmp_path: Path) -> None:
    event = _event_id(built, "Castelmar")
    page = tmp_path / "event.html"
    assert cli.main(["events", "show", event, "--db", str(built), "--format", "html", "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    found = audit(html)
    assert found.handlers == [] and "script" not in found.tags
    assert html.count('<mark id="r') == 3  # one evidence span in each of the three articles
    assert 'id="r1-ev-1"' in html and 'href="#r1-ev-1"' in html


def test_eval_scores_the_gold_and_a_prediction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["events", "eval", str(CLUSTERS), "--format", "json"]) == 0
    gold = json.loads(capsys.readouterr().out)
    assert gold["mode"] == "gold summaries" and gold["conll_f1"] == 1.0 and gold["follow_ups"]["f1"] == 1.0
    # A prediction that puts the three Castelmar reports apart scores less.
    from helpers_events import suite, write_outputs

    s = suite()
    summaries = dict(s.summaries)
    moved = summaries["c03"].meetings[0].model_copy(update={"location": "Elsewhere", "participants": summaries["c03"].meetings[0].participants[:1]})
    summaries["c03"] = summaries["c03"].model_copy(update={"meetings": [moved]})
    predictions = write_outputs(tmp_path / "pred.jsonl", summaries.values())
    assert cli.main(["events", "eval", str(CLUSTERS), "--predictions", str(predictions)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Event clustering (end to end): 10 events for 9 gold")
    assert "| MUC | 1.000 | 0.833 | 0.909 |" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["events", "build", "{tmp}/nope.jsonl", "--db", "{tmp}/e.duckdb"],
         "summarizer: error: {tmp}/nope.jsonl: no such file: give the OUT.jsonl that `summarizer batch` wrote"),
        (["events", "build", "{tmp}/articles.jsonl", "--db", "{tmp}/e.duckdb"],
         'summarizer: error: {tmp}/articles.jsonl is not a batch output (no line is an outcome with "id" and "ok"): '
         "give the OUT.jsonl that `summarizer batch` wrote"),
        (["events", "build", "{tmp}/out.jsonl", "--db", "{tmp}/articles.jsonl"],
         "summarizer: error: {tmp}/articles.jsonl is not a usable DuckDB database"),
        (["events", "show", "ev_0", "--db", "{tmp}/missing.duckdb"],
         "summarizer: error: {tmp}/missing.duckdb: no such database: build one with `summarizer events build`"),
        (["events", "show", "ev_0", "--db", "{tmp}/e2.duckdb"],
         "summarizer: error: no event ev_0 in {tmp}/e2.duckdb: list the ids with `SELECT event_id, description FROM events`"),
        (["events", "eval", "{tmp}"],
         "summarizer: error: {tmp}/gold.json: no such file: a cluster fixture folder holds articles.jsonl and gold.json"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "articles.jsonl").write_text(Path(ARTICLES).read_text(encoding="utf-8"), encoding="utf-8")
    out = gold_outputs(tmp_path / "out.jsonl", ["c01"])
    assert cli.main(["events", "build", str(out), "--db", str(tmp_path / "e2.duckdb")]) == 0
    capsys.readouterr()
    assert cli.main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message.format(tmp=tmp_path)) and err.count("\n") == 1


def test_a_database_locked_by_another_process_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.duckdb"
    out = gold_outputs(tmp_path / "out.jsonl", ["c01"])
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(db)!r}); print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        assert cli.main(["events", "build", str(out), "--db", str(db)]) == 2
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert capsys.readouterr().err == (
        f"summarizer: error: {db} is locked by another process (another `events build` or an open "
        "DuckDB session): wait for it to finish, or give another --db\n"
    )
    assert cli.main(["events", "build", str(out), "--db", str(db)]) == 0  # free again
