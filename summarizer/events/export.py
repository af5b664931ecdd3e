"""`--parquet DIR`: every table of the event database as DIR/<table>.parquet."""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import UsageError
from summarizer.events.store import SCHEMA, EventStore

__all__ = ["export_parquet"]


def export_parquet(store: EventStore, folder: Path) -> list[Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror}: give another --parquet DIR") from None
    written = []
    for table in SCHEMA:
        target = folder / f"{table}.parquet"
        quoted = str(target).replace("'", "''")
        # ORDER BY ALL: the same database always gives the same files.
        store.con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{quoted}' (FORMAT PARQUET)")
        written.append(target)
    return written
