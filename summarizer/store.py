"""A content-addressed response store in SQLite, safe for concurrent writers.

Backends record every model response under a hash of what determines it
(prompt, schema, model, parameters); replay answers only from the store, so eval
runs in CI are offline and deterministic. Nothing secret is part of a key or a
value: requests are hashed after the API key has been left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Literal

StoreMode = Literal["off", "record", "replay"]


def content_key(payload: Any) -> str:
    """SHA-256 of a canonical JSON rendering of `payload`."""
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _enable_wal(conn: sqlite3.Connection, patience_s: float = 30.0) -> None:
    """Switch to WAL, waiting out other processes doing the same on a new file: SQLite
    does not call the busy handler for that switch and says "database is locked" at once."""
    deadline = time.monotonic() + patience_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(0.2, delay * 2)


class ResponseStore:
    """Key → JSON value. One connection per thread and process; WAL so readers never block
    writers. A store may be handed to worker processes (forked or pickled): each opens its
    own connection, since an SQLite connection must not cross a fork."""

    def __init__(self, path: str | Path, *, table: str = "responses") -> None:
        if not table.isidentifier():
            raise ValueError(f"bad table name {table!r}")
        self.path = Path(path)
        self.table = table
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        conn = self._conn()
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
            "created REAL NOT NULL)"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "table": self.table}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self.table = state["table"]
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) != os.getpid():
            # Inherited through fork: the parent owns it; never use or close it here.
            conn = None
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=30000")
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def get(self, key: str) -> Any | None:
        row = (
            self._conn()
            .execute(f"SELECT value FROM {self.table} WHERE key = ?", (key,))
            .fetchone()
        )
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False, default=str)
        self._conn().execute(
            f"INSERT OR REPLACE INTO {self.table} (key, value, created) VALUES (?, ?, ?)",
            (key, data, time.time()),
        )

    def __len__(self) -> int:
        row = self._conn().execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()
        return int(row[0])

    def keys(self) -> list[str]:
        return [r[0] for r in self._conn().execute(f"SELECT key FROM {self.table} ORDER BY key")]

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local.conn = None
