"""The batch's output file: who may write it, what a resumed one holds, how lines get in.

- `claim_output` refuses an `--out` that is the input (by inode: links and a redirected
  standard input included) or is not a regular file, then takes an OS lock on a sidecar
  `OUT.lock`: one writer per output, released by the kernel when the process dies.
- `scan_existing` reads a resumed OUT line by line: only whole, parseable result lines
  count; torn, invalid and duplicate lines, and failures worth retrying, are removed.
- `JsonlSink` appends whole lines with single writes; a write error rolls the file back
  to its last whole line and becomes an `OutputError`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from summarizer.errors import OutputError, UsageError

__all__ = [
    "Existing",
    "JsonlSink",
    "OutputLock",
    "check_not_output",
    "check_output_path",
    "claim_output",
    "lock_path",
    "retryable",
    "same_file",
    "scan_existing",
]

# Failures caused by the endpoint or the configuration, not by the article: a resume
# retries them. An article the model could not summarise, or a bad record, stays failed.
_RETRY_TYPES = frozenset({"TransportError", "ModelError", "ConfigError", "EndpointConfigError", "StoreError"})
_RETRY_STATUSES = frozenset({401, 403, 404, 408, 409, 429})


def retryable(error: Any) -> bool:
    """Whether a failure line's `error` came from the endpoint or configuration."""
    if not isinstance(error, dict):
        return False
    status = error.get("status")
    if isinstance(status, int) and (status in _RETRY_STATUSES or status >= 500):
        return True
    return error.get("type") in _RETRY_TYPES


# -- who may write it ------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _stdin_stat(stdin: IO[bytes] | None) -> os.stat_result | None:
    try:
        fd = stdin.fileno() if stdin is not None else 0
        return os.fstat(fd)
    except (OSError, ValueError, AttributeError):  # a BytesIO or a closed descriptor
        return None


def check_output_path(out: Path, input_spec: str, stdin: IO[bytes] | None) -> None:
    """Refuse an OUT that would destroy the input or cannot be read back by --resume."""
    out_stat = _stat(out)
    if out_stat is not None and not os.path.isfile(out):
        raise UsageError(
            f"--out {out} is not a regular file: give a .jsonl file path (--resume reads it back)"
        )
    if input_spec == "-":
        source = _stdin_stat(stdin)
        if out_stat is not None and source is not None and same_file(out_stat, source):
            raise UsageError(
                f"--out {out} is the file standard input reads from: write the output "
                "somewhere else"
            )
        return
    source = _stat(Path(input_spec))
    if Path(input_spec).resolve() == out.resolve() or (
        out_stat is not None and source is not None and same_file(out_stat, source)
    ):
        raise UsageError(
            f"--out {out} is the input file {input_spec} (the same file, or a link to it): "
            "write the output somewhere else"
        )


def check_not_output(path: Path, what: str, out: Path, input_spec: str) -> None:
    """Refuse a cache or store that is the output, its lock, or the input."""
    mine = _stat(path)
    others = [(out, "--out"), (lock_path(out), "the lock of --out")]
    if input_spec != "-":
        others.append((Path(input_spec), "the input"))
    for other_path, name in others:
        theirs = _stat(other_path)
        if path.resolve() == other_path.resolve() or (
            mine is not None and theirs is not None and same_file(mine, theirs)
        ):
            raise UsageError(f"{what} {path} is {name}: give it a path of its own")


class OutputLock:
    """An exclusive `flock` on OUT.lock, which holds the pid of its owner."""

    def __init__(self, out: Path) -> None:
        self.path = lock_path(out)
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UsageError(f"cannot create {self.path}: {exc.strerror}: check the path") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(self._fd)
                raise UsageError(f"cannot lock {self.path}: {exc.strerror}") from None
            owner = _wait_for_owner(self._fd)
            os.close(self._fd)
            who = f"process {owner}" if owner else "another process"
            raise UsageError(
                f"{out} is being written by another summarizer batch ({who}): wait for it "
                "to finish, or give another --out"
            ) from None
        # The pid is only for the message above; the lock itself is the kernel's.
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def release(self) -> None:
        # The file stays: deleting it would let a third process lock a fresh inode while a
        # second still waits on this one.
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _wait_for_owner(fd: int, patience: float = 2.0) -> int | None:
    # The owner writes its pid just after it takes the lock, so a run refused in that
    # instant would read an empty file, or the pid of a run that has since ended.
    deadline = time.monotonic() + patience
    while True:
        pid = _read_pid(fd)
        if pid is not None and pid != os.getpid() and _alive(pid):
            return pid
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def claim_output(out: Path, input_spec: str, stdin: IO[bytes] | None) -> Iterator[None]:
    """Check OUT against the input, then hold its lock for the whole run."""
    check_output_path(out, input_spec, stdin)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = OutputLock(out)
    try:
        yield
    finally:
        lock.release()


# -- what a resumed OUT holds ----------------------------------------------------------------


@dataclass
class Existing:
    """What a resumed OUT already holds, and what the scan took out of it."""

    ids: set[str] = field(default_factory=set)
    repaired_tail: bool = False  # a last line without its newline (a kill mid-write)
    dropped_lines: int = 0  # whole lines that do not parse as results
    duplicates: int = 0  # later lines for an id already seen
    retrying: int = 0  # failure lines removed so that their articles run again

    @property
    def repaired(self) -> int:
        return self.dropped_lines + int(self.repaired_tail) + self.duplicates


def _parse_line(line: bytes) -> dict[str, Any] | None:
    """A whole result line as written by the batch, or None."""
    if not line.endswith(b"}\n"):
        return None
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    found, ok = record.get("id"), record.get("ok")
    if not isinstance(found, str) or not isinstance(ok, bool):
        return None
    part = record.get("summary") if ok else record.get("error")
    return record if isinstance(part, dict) else None


def scan_existing(path: Path, *, retry_failed: bool = False) -> Existing:
    """Ids already done in OUT, after repairing it so it holds one whole line per id.

    Failure lines whose cause was the endpoint or configuration (or every failure line,
    with `retry_failed`) are removed, so their articles run again."""
    existing = Existing()
    if not path.exists():
        return existing
    keep: list[bool] = []
    with path.open("rb") as handle:
        for line in handle:
            record = _parse_line(line)
            if record is None:
                if line.endswith(b"\n"):
                    existing.dropped_lines += 1
                else:
                    existing.repaired_tail = True
                keep.append(False)
            elif record["id"] in existing.ids:
                existing.duplicates += 1
                keep.append(False)
            elif not record["ok"] and (retry_failed or retryable(record.get("error"))):
                existing.retrying += 1
                keep.append(False)
            else:
                existing.ids.add(record["id"])
                keep.append(True)
    if all(keep):
        return existing
    first_removed = keep.index(False)
    if all(not k for k in keep[first_removed:]):
        _truncate_after(path, first_removed)
    else:
        _rewrite(path, keep)
    return existing


def _truncate_after(path: Path, lines: int) -> None:
    with path.open("r+b") as handle:
        for _ in range(lines):
            handle.readline()
        handle.truncate(handle.tell())
        handle.flush()
        os.fsync(handle.fileno())


def _rewrite(path: Path, keep: list[bool]) -> None:
    temporary = path.with_name(path.name + ".repair")
    with path.open("rb") as source, temporary.open("wb") as target:
        for line, wanted in zip(source, keep, strict=False):
            if wanted:
                target.write(line)
        target.flush()
        os.fsync(target.fileno())
    os.replace(temporary, path)


# -- how lines get in ------------------------------------------------------------------------


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        fix = "free some space"
    elif exc.errno == errno.EROFS:
        fix = "give an --out on a writable file system"
    else:
        fix = "check the disk"
    return OutputError(
        f"cannot write {path}: {reason}: {fix}, then run again with --resume "
        "(every line written so far is kept)"
    )


class JsonlSink:
    """Appends whole lines with single `os.write` calls; fsync on demand."""

    def __init__(self, path: Path, *, append: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        try:
            self._fd = os.open(path, flags, 0o644)
            self._good_size = os.fstat(self._fd).st_size
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}: check the path") from None
        self.path = path
        self.unsynced = 0
        self.failed = False

    def write(self, line: bytes) -> None:
        view = memoryview(line)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as exc:
            self.failed = True
            # A part-written line would be a torn line in the middle of the file once the
            # disk has room again: cut it off (truncation frees space, so it works when full).
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._good_size)
            raise _output_error(self.path, exc) from None
        self._good_size += len(line)
        self.unsynced += 1

    def sync(self) -> None:
        try:
            os.fsync(self._fd)
        except OSError as exc:
            self.failed = True
            raise _output_error(self.path, exc) from None
        self.unsynced = 0

    def close(self) -> None:
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            os.fsync(fd)
        except OSError as exc:
            if not self.failed:  # the first error is the one worth reporting
                raise _output_error(self.path, exc) from None
        finally:
            os.close(fd)
