"""The event database: an embedded DuckDB file and the only module that talks to it.

    articles   one row per article read (date, source, url, text when known)
    mentions   every meeting, statement and planned event, with canonical keys and evidence
    events     one row per real-world meeting or planned event (and postponement, cancellation)
    links      mention -> event (kind 'mention'); planned event -> later event
               (kind 'fulfils' | 'postpones' | 'cancels'); each with its score and reason
    matches    every accepted pair of mentions, with its score and reason: the merges
    problems   records a build could not use, and why

Rows are bulk-loaded from a newline-delimited JSON file through DuckDB's own reader (no
row-by-row inserts, no dataframe library), in one transaction per build.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from summarizer.errors import StoreError
from summarizer.events.model import ArticleRow, Event, FollowUp, Match, Mention, Problem
from summarizer.events.normalize import content_tokens

__all__ = ["SCHEMA", "EventStore", "open_store"]

SCHEMA: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": "VARCHAR", "title": "VARCHAR", "published": "DATE", "source": "VARCHAR",
        "url": "VARCHAR", "text": "VARCHAR", "summary": "VARCHAR", "input_file": "VARCHAR",
    },
    "mentions": {
        "mention_id": "VARCHAR", "article_id": "VARCHAR", "kind": "VARCHAR", "idx": "INTEGER",
        "cluster_kind": "VARCHAR", "description": "VARCHAR", "participants": "JSON",
        "actor_keys": "VARCHAR[]", "place": "VARCHAR", "place_key": "VARCHAR",
        "time_text": "VARCHAR", "time_start": "DATE", "time_end": "DATE",
        "time_inferred": "BOOLEAN", "status": "VARCHAR", "evidence": "JSON",
        "published": "DATE", "source": "VARCHAR",
    },
    "events": {
        "event_id": "VARCHAR", "kind": "VARCHAR", "description": "VARCHAR",
        "participants": "JSON", "actor_keys": "VARCHAR[]", "place": "VARCHAR",
        "time_start": "DATE", "time_end": "DATE", "time_inferred": "BOOLEAN",
        "status": "VARCHAR", "first_seen": "DATE", "last_seen": "DATE",
        "n_articles": "INTEGER", "n_sources": "INTEGER", "n_mentions": "INTEGER",
    },
    "links": {
        "kind": "VARCHAR", "from_id": "VARCHAR", "to_id": "VARCHAR", "score": "DOUBLE",
        "reason": "JSON",
    },
    "matches": {"a": "VARCHAR", "b": "VARCHAR", "score": "DOUBLE", "reason": "JSON"},
    "problems": {"file": "VARCHAR", "line": "INTEGER", "article_id": "VARCHAR", "message": "VARCHAR"},
}
_KEYS = {"articles": "article_id", "mentions": "mention_id", "events": "event_id"}
FOLLOW_UP_KINDS = ("fulfils", "postpones", "cancels")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _translate(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(
            f"{path} is locked by another process (another `events build` or an open DuckDB "
            "session): wait for it to finish, or give another --db"
        )
    return StoreError(f"{path} is not a usable DuckDB database ({text.splitlines()[0]}): give another --db")


def open_store(path: Path, *, read_only: bool = False) -> EventStore:
    """Open (or create) the database at `path`; StoreError when it is locked or not DuckDB."""
    if read_only and not path.is_file():
        raise StoreError(f"{path}: no such database: build one with `summarizer events build`")
    if path.is_dir():
        raise StoreError(f"{path} is a folder: give a file path as --db")
    if path.is_file() and path.stat().st_size:
        # DuckDB would open some other formats (a JSON file, say) as a database of views.
        with path.open("rb") as handle:
            header = handle.read(12)
        if header[8:12] != b"DUCK":
            raise StoreError(f"{path} is not a usable DuckDB database (no DuckDB header): give another --db")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise _translate(path, exc) from None
    store = EventStore(con, path)
    if not read_only:
        store.create()
    return store


class EventStore:
    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def close(self) -> None:
        self.con.close()

    def create(self) -> None:
        for table, columns in SCHEMA.items():
            cols = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            key = _KEYS.get(table)
            cols += f", PRIMARY KEY ({key})" if key else ""
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- bulk load -----------------------------------------------------------------------

    def _load(self, table: str, rows: Iterable[dict[str, Any]]) -> int:
        columns = SCHEMA[table]
        handle, name = tempfile.mkstemp(prefix=f"events-{table}-", suffix=".ndjson")
        count = 0
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                    out.write("\n")
                    count += 1
            if count:
                spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
                self.con.execute(
                    f"INSERT INTO {table} SELECT {', '.join(columns)} FROM read_json(?, "
                    f"format='newline_delimited', columns={spec}, maximum_object_size=268435456)",
                    [name],
                )
        finally:
            Path(name).unlink(missing_ok=True)
        return count

    def add_articles(self, rows: Iterable[ArticleRow]) -> int:
        return self._load(
            "articles",
            (
                {
                    "article_id": r.article_id, "title": r.title, "published": _iso(r.published),
                    "source": r.source, "url": r.url, "text": r.text, "summary": r.summary,
                    "input_file": r.input_file,
                }
                for r in rows
            ),
        )

    def add_mentions(self, rows: Iterable[Mention]) -> int:
        return self._load(
            "mentions",
            (
                {
                    "mention_id": m.mention_id, "article_id": m.article_id, "kind": m.kind,
                    "idx": m.index, "cluster_kind": m.cluster_kind, "description": m.description,
                    "participants": [{"key": k, "name": n} for k, n in m.participants],
                    "actor_keys": sorted(m.actor_keys), "place": m.place, "place_key": m.place_key,
                    "time_text": m.time_text, "time_start": _iso(m.start), "time_end": _iso(m.end),
                    "time_inferred": m.time_inferred, "status": m.status,
                    "evidence": list(m.evidence), "published": _iso(m.published), "source": m.source,
                }
                for m in rows
            ),
        )

    def add_matches(self, rows: Iterable[Match]) -> int:
        return self._load(
            "matches", ({"a": m.a, "b": m.b, "score": m.score, "reason": m.reason} for m in rows)
        )

    def add_problems(self, rows: Iterable[Problem]) -> int:
        return self._load(
            "problems",
            ({"file": p.file, "line": p.line, "article_id": p.article_id, "message": p.message} for p in rows),
        )

    def replace_events(self, removed: Iterable[str], events: Sequence[Event]) -> None:
        """Drop the events `removed` (merged or rebuilt) and write `events` in their place."""
        gone = sorted(set(removed) | {e.event_id for e in events})
        if gone:
            self._load_ids(gone)
            self.con.execute("DELETE FROM events WHERE event_id IN (SELECT id FROM _ids)")
            self.con.execute(
                "DELETE FROM links WHERE kind = 'mention' AND to_id IN (SELECT id FROM _ids)"
            )
        self._load(
            "events",
            (
                {
                    "event_id": e.event_id, "kind": e.kind, "description": e.description,
                    "participants": [{"key": k, "name": n} for k, n in e.participants],
                    "actor_keys": [k for k, _ in e.participants], "place": e.place,
                    "time_start": _iso(e.start), "time_end": _iso(e.end),
                    "time_inferred": e.time_inferred, "status": e.status,
                    "first_seen": _iso(e.first_seen), "last_seen": _iso(e.last_seen),
                    "n_articles": e.n_articles, "n_sources": e.n_sources,
                    "n_mentions": len(e.members),
                }
                for e in events
            ),
        )

    def add_links(self, rows: Iterable[tuple[str, str, str, float | None, dict[str, Any]]]) -> int:
        return self._load(
            "links",
            ({"kind": k, "from_id": f, "to_id": t, "score": s, "reason": r} for k, f, t, s, r in rows),
        )

    def replace_follow_ups(self, rows: Sequence[FollowUp]) -> int:
        self.con.execute("DELETE FROM links WHERE kind IN ('fulfils', 'postpones', 'cancels')")
        return self.add_links((f.relation, f.planned, f.later, f.score, f.reason) for f in rows)

    def _load_ids(self, ids: Sequence[str]) -> None:
        self.con.execute("CREATE OR REPLACE TEMP TABLE _ids (id VARCHAR)")
        handle, name = tempfile.mkstemp(prefix="events-ids-", suffix=".ndjson")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.writelines(json.dumps({"id": i}) + "\n" for i in ids)
            self.con.execute(
                "INSERT INTO _ids SELECT id FROM read_json(?, format='newline_delimited', "
                "columns={'id': 'VARCHAR'})",
                [name],
            )
        finally:
            Path(name).unlink(missing_ok=True)

    # -- reading -------------------------------------------------------------------------

    def article_ids(self) -> set[str]:
        return {row[0] for row in self.con.execute("SELECT article_id FROM articles").fetchall()}

    def clustered_mentions(self) -> list[Mention]:
        rows = self.con.execute(
            "SELECT mention_id, article_id, kind, idx, cluster_kind, description, participants, "
            "place, place_key, time_text, time_start, time_end, time_inferred, status, "
            "published, source FROM mentions WHERE cluster_kind <> 'statement'"
        ).fetchall()
        return [_mention(row) for row in rows]

    def membership(self) -> dict[str, str]:
        """mention id -> event id, for every clustered mention."""
        rows = self.con.execute("SELECT from_id, to_id FROM links WHERE kind = 'mention'").fetchall()
        return dict(rows)

    def matches_of(self, mention_ids: Sequence[str]) -> list[Match]:
        if not mention_ids:
            return []
        self._load_ids(sorted(set(mention_ids)))
        rows = self.con.execute(
            "SELECT a, b, score, reason FROM matches WHERE a IN (SELECT id FROM _ids) "
            "OR b IN (SELECT id FROM _ids)"
        ).fetchall()
        return [Match(a, b, float(s), json.loads(r)) for a, b, s, r in rows]

    def events(self) -> list[Event]:
        rows = self.con.execute(
            "SELECT event_id, kind, description, participants, place, time_start, time_end, "
            "time_inferred, status, first_seen, last_seen, n_articles, n_sources FROM events"
        ).fetchall()
        return [
            Event(
                event_id=r[0], kind=r[1], description=r[2],
                participants=tuple((p["key"], p["name"]) for p in json.loads(r[3])),
                place=r[4], start=_day(r[5]), end=_day(r[6]), time_inferred=bool(r[7]),
                status=r[8], first_seen=_day(r[9]), last_seen=_day(r[10]),
                n_articles=int(r[11]), n_sources=int(r[12]),
            )
            for r in rows
        ]

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows in a fixed order: what two builds are compared by."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table, columns in SCHEMA.items():
            cols = ", ".join(columns)
            out[table] = self.con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()
        return out


def _mention(row: tuple[Any, ...]) -> Mention:
    participants = tuple((p["key"], p["name"]) for p in json.loads(row[6]))
    return Mention(
        mention_id=row[0], article_id=row[1], kind=row[2], index=int(row[3]),
        cluster_kind=row[4], description=row[5], participants=participants, place=row[7],
        place_key=row[8], time_text=row[9], start=_day(row[10]), end=_day(row[11]),
        time_inferred=bool(row[12]), status=row[13], tokens=content_tokens(row[5] or ""),
        evidence=(), published=_day(row[14]), source=row[15],
    )
