"""`build`: the cluster fixtures' gold into a real DuckDB file; incremental == from scratch."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from helpers_events import ARTICLES, dump, gold_outputs, suite, write_outputs

from summarizer.events.build import build

IDS = sorted(suite().summaries)


def _events(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT kind, place, time_start, n_articles, n_sources FROM events ORDER BY time_start, kind"
        ).fetchall()


def test_the_same_meeting_from_three_outlets_is_one_event(tmp_path: Path) -> None:
    db = tmp_path / "e.duckdb"
    stats = build([gold_outputs(tmp_path / "gold.jsonl")], db, articles=[ARTICLES])
    assert (stats.articles, stats.mentions, stats.problems) == (11, 21, [])
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT event_id, n_articles, n_sources, first_seen, last_seen, place, "
            "list_sort(actor_keys) FROM events WHERE kind = 'meeting' AND place = 'Castelmar'"
        ).fetchall()
        assert len(row) == 1
        event_id, n_articles, n_sources, first, last, _place, keys = row[0]
        assert (n_articles, n_sources, str(first), str(last), keys) == (
            3, 3, "2025-03-10", "2025-03-11", ["brekke", "roth"]
        )
        # Every mention of it says why it joined: a match with its score and parts.
        reasons = [
            json.loads(r)
            for (r,) in con.execute(
                "SELECT reason FROM links WHERE kind = 'mention' AND to_id = ?", [event_id]
            ).fetchall()
        ]
        assert {r["rule"] for r in reasons} == {"matched"}
        assert all(r["score"] >= r["threshold"] and "brekke" in r["shared_actors"] for r in reasons)
        # The phone call of the same two ministers two weeks later stays apart.
        calls = con.execute(
            "SELECT count(*) FROM events WHERE kind = 'meeting' AND time_start = DATE '2025-03-25'"
        ).fetchone()
        assert calls == (1,)
        # Statements are mentions too, with their evidence offsets, but not events.
        statements = con.execute(
            "SELECT count(*), min(json_extract(evidence, '$[0].start')::INT) FROM mentions "
            "WHERE kind = 'statement'"
        ).fetchone()
        assert statements is not None and statements[0] == 6 and statements[1] >= 0


def test_planned_events_link_to_their_follow_ups(tmp_path: Path) -> None:
    db = tmp_path / "e.duckdb"
    build([gold_outputs(tmp_path / "gold.jsonl")], db, articles=[ARTICLES])
    with duckdb.connect(str(db), read_only=True) as con:
        links = con.execute(
            "SELECT l.kind, p.place, p.kind, f.kind, f.place, l.reason->>'relation' FROM links l "
            "JOIN events p ON p.event_id = l.from_id JOIN events f ON f.event_id = l.to_id "
            "WHERE l.kind <> 'mention' ORDER BY l.kind"
        ).fetchall()
    assert links == [
        ("cancels", "Norvik", "planned", "cancelled", "Norvik", "cancels"),
        ("fulfils", "Lindholm", "planned", "meeting", "Lindholm", "fulfils"),
        ("postpones", "Port Ferra", "planned", "postponed", "Port Ferra", "postpones"),
    ]


def test_building_a_then_b_gives_what_building_both_gives(tmp_path: Path) -> None:
    # A holds the later half of the articles, so B adds earlier ones: order must not matter.
    a_ids, b_ids = IDS[::2], IDS[1::2]
    a, b = gold_outputs(tmp_path / "a.jsonl", a_ids), gold_outputs(tmp_path / "b.jsonl", b_ids)
    both = tmp_path / "both.duckdb"
    build([a, b], both, articles=[ARTICLES])
    step = tmp_path / "step.duckdb"
    first = build([a], step, articles=[ARTICLES])
    assert first.articles == len(a_ids)
    before = _events(step)
    second = build([b], step, articles=[ARTICLES])
    assert second.articles == len(b_ids)
    assert _events(step) != before  # B did change the events
    assert dump(step) == dump(both)
    # B in the other order, and then A again (already there): still the same database.
    reverse = tmp_path / "reverse.duckdb"
    build([b], reverse, articles=[ARTICLES])
    build([a], reverse, articles=[ARTICLES])
    again = build([a], reverse, articles=[ARTICLES])
    assert (again.articles, again.skipped) == (0, len(a_ids))
    assert dump(reverse) == dump(both)


def test_an_incremental_build_rescores_only_pairs_with_a_new_mention(tmp_path: Path) -> None:
    a = gold_outputs(tmp_path / "a.jsonl", ["c01", "c02", "c03"])
    b = gold_outputs(tmp_path / "b.jsonl", ["c05"])
    db = tmp_path / "e.duckdb"
    # The three Castelmar reports pair up, and so do the two reports of the Lindholm plan.
    assert build([a], db, articles=[ARTICLES]).matches == 4
    second = build([b], db, articles=[ARTICLES])
    # c05 matches nothing stored; the Castelmar pairs are not scored (nor written) again.
    assert (second.matches, second.events_written) == (0, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM matches").fetchone() == (4,)


def test_bad_records_are_recorded_and_skipped(tmp_path: Path) -> None:
    s = suite()
    out = write_outputs(
        tmp_path / "out.jsonl",
        [s.summaries["c01"], s.summaries["c02"]],
        '{"id": "c09", "ok": false, "error": {"type": "TransportError", "message": "HTTP 503"}}',
        '{"id": "c10", "ok": tr',
        s.summaries["c01"].model_dump_json(),  # a summary, not an outcome
        json.dumps({"id": "c01", "ok": True, "summary": s.summaries["c01"].model_dump(mode="json")}),
        '{"id": "c11", "ok": true, "summary": {"meetings": 3}}',
    )
    db = tmp_path / "e.duckdb"
    stats = build([out], db, articles=[ARTICLES])
    assert stats.articles == 2
    messages = [(p.line, p.article_id, p.message) for p in stats.problems]
    assert messages == [
        (3, "c09", "the batch failed on this article (TransportError: HTTP 503)"),
        (4, None, "not JSON (a torn or corrupt line)"),
        (5, None, 'not an outcome (no "id" and "ok")'),
        (6, "c01", "a second line for this id: the first is kept"),
        (7, "c11", "invalid outcome: summary.article_id: Field required"),
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone() == (5,)


def test_without_the_articles_dates_are_unknown_but_the_build_works(tmp_path: Path) -> None:
    db = tmp_path / "e.duckdb"
    build([gold_outputs(tmp_path / "gold.jsonl")], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone() == (11,)
        # Gold times are resolved already, so the merges still hold.
        assert con.execute(
            "SELECT n_articles FROM events WHERE place = 'Castelmar'"
        ).fetchall() == [(3,)]
