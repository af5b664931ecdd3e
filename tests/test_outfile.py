"""The batch output file: its lock, its checks against the input, resume's scan, the sink."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import OutputError, UsageError
from summarizer.outfile import (
    JsonlSink,
    OutputLock,
    check_not_output,
    check_output_path,
    retryable,
    scan_existing,
)


def ok_line(article_id: str) -> str:
    return json.dumps({"id": article_id, "ok": True, "summary": {"article_id": article_id}})


def failure_line(article_id: str, kind: str, status: int | None = None) -> str:
    error: dict[str, Any] = {"type": kind, "message": "m", "status": status}
    return json.dumps({"id": article_id, "ok": False, "summary": None, "error": error})


def write(path: Path, lines: list[str], tail: str = "") -> None:
    path.write_text("".join(line + "\n" for line in lines) + tail, encoding="utf-8")


def test_scan_existing_drops_unreadable_lines_anywhere(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes((ok_line("a") + "\n\x00\x00garbage\n" + ok_line("b") + '\n{"id":"c"').encode())
    found = scan_existing(out)
    assert found.ids == {"a", "b"}
    assert found.dropped_lines == 1 and found.repaired_tail
    assert out.read_text() == ok_line("a") + "\n" + ok_line("b") + "\n"


def test_a_line_that_starts_right_but_does_not_parse_is_not_done(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    torn_then_next = ok_line("a2")[:20] + ok_line("a3")  # a torn line merged with the next
    write(
        out, [ok_line("a1"), '{"id":"a14","ok":tru}', torn_then_next, '{"id":"a5"}', ok_line("a6")]
    )
    found = scan_existing(out)
    assert found.ids == {"a1", "a6"}
    assert found.dropped_lines == 3 and not found.repaired_tail
    assert out.read_text() == ok_line("a1") + "\n" + ok_line("a6") + "\n"


def test_a_duplicate_id_keeps_its_first_good_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = ok_line("a")
    second = json.dumps({"id": "a", "ok": True, "summary": {"article_id": "a", "n": 2}})
    write(out, ['{"id":"a","ok":tru}', first, ok_line("b"), second, first])
    found = scan_existing(out)
    assert found.ids == {"a", "b"}
    assert (found.dropped_lines, found.duplicates, found.repaired) == (1, 2, 3)
    assert out.read_text() == first + "\n" + ok_line("b") + "\n"


@pytest.mark.parametrize(
    ("kind", "status", "retried"),
    [
        ("TransportError", 401, True),
        ("TransportError", 503, True),
        ("TransportError", None, True),  # a timeout or a reset has no status
        ("ModelError", 429, True),
        ("ConfigError", None, True),
        ("StoreError", None, True),
        ("InputError", None, False),
        ("ModelOutputError", None, False),
        ("ReplayMissError", None, False),
        ("ValueError", None, False),
    ],
)
def test_endpoint_and_config_failures_are_retried_input_ones_kept(
    tmp_path: Path, kind: str, status: int | None, retried: bool
) -> None:
    out = tmp_path / "out.jsonl"
    write(out, [ok_line("a"), failure_line("b", kind, status), ok_line("c")])
    found = scan_existing(out)
    assert ("b" not in found.ids) is retried
    assert found.retrying == int(retried)
    assert ('"b"' in out.read_text()) is not retried
    assert retryable({"type": kind, "status": status}) is retried


def test_retry_failed_removes_every_failure_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write(
        out, [failure_line("a", "InputError"), ok_line("b"), failure_line("c", "ModelOutputError")]
    )
    found = scan_existing(out, retry_failed=True)
    assert found.ids == {"b"} and found.retrying == 2
    assert out.read_text() == ok_line("b") + "\n"


def test_only_a_removed_tail_is_truncated_in_place(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write(out, [ok_line("a"), failure_line("b", "TransportError", 500)], tail='{"id": "c", "ok')
    inode = out.stat().st_ino
    found = scan_existing(out)
    assert found.ids == {"a"} and found.retrying == 1 and found.repaired_tail
    assert out.read_text() == ok_line("a") + "\n" and out.stat().st_ino == inode


def test_the_lock_names_its_holder_and_a_dead_holder_releases_it(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib; from summarizer.outfile import OutputLock; "
         f"OutputLock(pathlib.Path({str(out)!r})); print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(UsageError) as refused:
            OutputLock(out)
        assert str(refused.value) == (
            f"{out} is being written by another summarizer batch (process {holder.pid}): "
            "wait for it to finish, or give another --out"
        )
    finally:
        holder.kill()
        holder.wait(10)
    OutputLock(out).release()  # the kernel dropped the killed holder's lock


def test_out_that_is_the_input_by_any_name_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(ok_line("x") + "\n")
    link = tmp_path / "hard.jsonl"
    os.link(source, link)
    soft = tmp_path / "soft.jsonl"
    soft.symlink_to(source)
    for out in (link, soft, tmp_path / "." / "in.jsonl"):
        with pytest.raises(UsageError, match="is the input file"):
            check_output_path(out, str(source), None)
    with source.open("rb") as stdin, pytest.raises(UsageError) as refused:
        check_output_path(link, "-", stdin)
    assert str(refused.value) == (
        f"--out {link} is the file standard input reads from: write the output somewhere else"
    )
    for device in ("/dev/null", "/dev/full"):
        with pytest.raises(UsageError) as refused:
            check_output_path(Path(device), str(source), None)
        assert str(refused.value) == (
            f"--out {device} is not a regular file: give a .jsonl file path (--resume reads it back)"
        )
    check_output_path(tmp_path / "new.jsonl", str(source), None)


def test_a_cache_or_store_that_is_the_output_or_the_input_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("{}\n")
    with pytest.raises(UsageError) as refused:
        check_not_output(out, "--cache", out, str(source))
    assert str(refused.value) == f"--cache {out} is --out: give it a path of its own"
    with pytest.raises(UsageError, match="is the input"):
        check_not_output(source, "--store", out, str(source))
    with pytest.raises(UsageError, match="is the lock of --out"):
        check_not_output(tmp_path / "out.jsonl.lock", "--store", out, "-")
    check_not_output(tmp_path / "cache.sqlite", "--cache", out, str(source))


def test_a_failed_write_rolls_back_to_the_last_whole_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    sink = JsonlSink(out, append=False)
    sink.write(b'{"id":"a"}\n')
    real_write = os.write

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        if len(data) > 4:
            return real_write(fd, bytes(data[:4]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OutputError) as failed:
        sink.write(b'{"id":"b"}\n')
    monkeypatch.undo()
    sink.close()
    assert str(failed.value) == (
        f"cannot write {out}: No space left on device: free some space, then run again with "
        "--resume (every line written so far is kept)"
    )
    assert out.read_bytes() == b'{"id":"a"}\n'
