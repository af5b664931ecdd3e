"""Tests for summarizer.stores.responses: a content-addressed SQLite store safe for concurrent writers."""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import run_together

from summarizer.errors import StoreError
from summarizer.stores.responses import ResponseStore, content_key

PER_WRITER = 100


def test_put_get_len_keys(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / "sub" / "store.sqlite")
    assert len(store) == 0
    assert store.get("missing") is None
    value = {"text": "Lavrov said “yes”", "tokens": [1, 2, 3], "nested": {"ok": True}}
    store.put("k1", value)
    store.put("k2", ["a", None, 1.5])
    assert store.get("k1") == value
    assert store.get("k2") == ["a", None, 1.5]
    assert len(store) == 2
    assert store.keys() == ["k1", "k2"]
    store.put("k1", "replaced")
    assert store.get("k1") == "replaced"
    assert len(store) == 2
    store.close()


def test_values_survive_reopening_and_tables_are_separate(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    first = ResponseStore(path)
    first.put("k", 1)
    first.close()
    assert ResponseStore(path).get("k") == 1
    other = ResponseStore(path, table="summaries")
    assert other.get("k") is None and len(other) == 0
    with pytest.raises(ValueError, match="bad table name"):
        ResponseStore(path, table="x; DROP TABLE responses")


def test_content_key_is_canonical() -> None:
    a = content_key({"model": "m", "messages": [{"role": "user", "content": "é"}], "t": 0.0})
    b = content_key({"t": 0.0, "messages": [{"content": "é", "role": "user"}], "model": "m"})
    assert a == b and len(a) == 64
    assert content_key({"model": "m2"}) != content_key({"model": "m"})


def test_concurrent_threads_lose_nothing(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / "store.sqlite")
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for i in range(PER_WRITER):
                store.put(f"t{writer}-{i}", {"writer": writer, "i": i})
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store) == 6 * PER_WRITER
    assert store.get("t5-99") == {"writer": 5, "i": 99}


def _write_from_path(path: str, writer: int) -> None:
    store = ResponseStore(path)
    for i in range(PER_WRITER):
        store.put(f"p{writer}-{i}", {"writer": writer, "i": i})
    store.close()


def _write_with_store(store: ResponseStore, writer: int) -> None:
    for i in range(PER_WRITER):
        store.put(f"f{writer}-{i}", {"writer": writer, "i": i})


def _run(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * len(processes)


def test_two_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite")
    ctx = multiprocessing.get_context("spawn")
    _run([ctx.Process(target=_write_from_path, args=(path, w)) for w in range(2)])
    store = ResponseStore(path)
    assert len(store) == 2 * PER_WRITER
    assert {store.get(f"p{w}-{i}")["i"] for w in range(2) for i in range(PER_WRITER)} == set(
        range(PER_WRITER)
    )


def test_a_store_opened_before_fork_works_in_the_children(tmp_path: Path) -> None:
    # The parent's connection is open when the children fork; each child must open its own.
    store = ResponseStore(tmp_path / "store.sqlite")
    store.put("parent", 0)
    ctx = multiprocessing.get_context("fork")
    _run([ctx.Process(target=_write_with_store, args=(store, w)) for w in range(2)])
    store.put("parent-after", 1)
    assert len(store) == 2 * PER_WRITER + 2
    assert store.get("f1-99") == {"writer": 1, "i": 99}


def test_a_store_pickles_without_its_connection(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / "store.sqlite")
    store.put("k", "v")
    copy = pickle.loads(pickle.dumps(store))
    assert copy.get("k") == "v"
    copy.put("k2", "v2")
    assert store.get("k2") == "v2"


_OPENER = (
    "import sys\nfrom summarizer.stores.responses import ResponseStore\n"
    "print('ready', flush=True)\nsys.stdin.readline()\n"  # start together
    "ResponseStore(sys.argv[1]).put('k', 1)\n"
)


def test_processes_creating_one_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    # SQLite answers "database is locked" at once (no busy wait) to a WAL switch that races
    # another process's on a new file; the store waits it out instead of failing.
    for round_ in range(5):
        path = tmp_path / f"new-{round_}.sqlite"
        run_together([["-c", _OPENER, str(path)] for _ in range(4)])


# -- unusable files --------------------------------------------------------------------------


def corrupt_copy(path: Path) -> Path:
    """A real store whose first page (the schema) is overwritten: a valid header, bad inside."""
    store = ResponseStore(path)
    store.put("k", {"a": 1})
    store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    return path


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    with pytest.raises(StoreError) as refused:
        ResponseStore(notes)
    assert str(refused.value) == (
        f"the response store {notes} is not an SQLite database: give another --store PATH"
    )
    assert notes.read_text() == "not a database\n"
    with pytest.raises(StoreError, match="is a directory"):
        ResponseStore(tmp_path)


def test_a_corrupt_database_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = corrupt_copy(tmp_path / "store.sqlite")
    with pytest.raises(StoreError) as refused:
        ResponseStore(path, role="the summary cache", fix="give another --cache PATH")
    assert str(refused.value) == (
        f"the summary cache {path} is corrupt (database disk image is malformed): give another "
        "--cache PATH, or move the file away to start a new one"
    )


def test_a_locked_store_waits_a_bounded_time_then_says_so(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = ResponseStore(path, busy_timeout_s=0.3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as locked:
            store.put("k", 1)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 0.25 <= waited < 3
    assert str(locked.value) == (
        f"the response store {path} stayed locked by another process for 0.3 s: wait for it "
        "to finish, or give another --store PATH"
    )
    store.put("k", 1)  # usable again once the other writer is done
    assert store.get("k") == 1


def test_an_unreadable_value_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = ResponseStore(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO responses VALUES ('bad', '{not json', 0)")
    conn.execute("INSERT INTO responses VALUES ('deep', ?, 0)", ("[" * 100_000,))
    conn.close()
    assert store.get("bad") is None and store.get("deep") is None
