"""A content-addressed response store in SQLite, safe for concurrent writers.

Backends record every model response under a hash of what determines it
(prompt, schema, model, parameters); replay answers only from the store, so eval
runs in CI are offline and deterministic. Nothing secret is part of a key or a
value: requests are hashed after the API key has been left out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from summarizer.errors import StoreError

StoreMode = Literal["off", "record", "replay"]
_SQLITE_HEADER = b"SQLite format 3\x00"


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
    own connection, since an SQLite connection must not cross a fork.

    A file that is not a database, a corrupt one, or one another process keeps locked past
    `busy_timeout_s` raises `StoreError` naming the file; `role` and `fix` word its message
    ("the summary cache", "give another --cache PATH, or --no-cache")."""

    def __init__(
        self,
        path: str | Path,
        *,
        table: str = "responses",
        busy_timeout_s: float = 30.0,
        role: str = "the response store",
        fix: str = "give another --store PATH",
    ) -> None:
        if not table.isidentifier():
            raise ValueError(f"bad table name {table!r}")
        self.path = Path(path)
        self.table = table
        self.busy_timeout_s = busy_timeout_s
        self.role = role
        self.fix = fix
        self._check_header()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._translated():
            self._conn().execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                "created REAL NOT NULL)"
            )

    def _check_header(self) -> None:
        # SQLite would take any file and fail later, or (for an empty one) start a database
        # in it: refuse up front what is plainly something else, before writing to it.
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            return
        except IsADirectoryError:
            raise StoreError(f"{self.role} {self.path} is a directory: {self.fix}") from None
        except OSError as exc:
            raise StoreError(
                f"{self.role} {self.path} cannot be read ({exc.strerror}): {self.fix}"
            ) from None
        if head and head != _SQLITE_HEADER:
            raise StoreError(f"{self.role} {self.path} is not an SQLite database: {self.fix}")

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"{self.role} {self.path} stayed locked by another process for "
                    f"{self.busy_timeout_s:g} s: wait for it to finish, or {self.fix}"
                ) from None
            raise StoreError(f"{self.role} {self.path} failed ({exc}): {self.fix}") from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            raise StoreError(
                f"{self.role} {self.path} is corrupt ({exc}): {self.fix}, or move the file "
                "away to start a new one"
            ) from None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "path": self.path, "table": self.table, "busy_timeout_s": self.busy_timeout_s,
            "role": self.role, "fix": self.fix,
        }  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) != os.getpid():
            # Inherited through fork: the parent owns it; never use or close it here.
            conn = None
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
            _enable_wal(conn, self.busy_timeout_s)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def get(self, key: str) -> Any | None:
        """The value under `key`; None when absent or unreadable (the caller asks again)."""
        with self._translated():
            row = (
                self._conn()
                .execute(f"SELECT value FROM {self.table} WHERE key = ?", (key,))
                .fetchone()
            )
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except (ValueError, RecursionError):
            return None

    def put(self, key: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False, default=str)
        with self._translated():
            self._conn().execute(
                f"INSERT OR REPLACE INTO {self.table} (key, value, created) VALUES (?, ?, ?)",
                (key, data, time.time()),
            )

    def __len__(self) -> int:
        with self._translated():
            row = self._conn().execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()
        return int(row[0])

    def keys(self) -> list[str]:
        with self._translated():
            rows = self._conn().execute(f"SELECT key FROM {self.table} ORDER BY key")
            return [r[0] for r in rows]

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local.conn = None
