"""The batch runner's own state under attack: two writers on one OUT, an OUT that is the
input, a full disk, signals, failures worth retrying. Real `summarizer batch` processes
against the fake OpenAI server (in this process, on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer import cli
from summarizer.errors import StoreError
from summarizer.testing import FakeOpenAIServer, RecordedRequest, Reply, delayed, json_answer
from summarizer.testing.samples import DRAFT, write_sample_jsonl

REPO = Path(__file__).resolve().parents[1]
CANARY = "sk-canary-state-51c0e2"
CONCURRENCY = 4


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, CANARY)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["OPENAI_API_KEY"] = CANARY
    env["PYTHONPATH"] = str(REPO)
    return env


def _command(srv: FakeOpenAIServer, source: Path | str, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "summarizer.cli", "batch", str(source), "--out", str(out),
        "--base-url", srv.base_url, "--model", "test-model", "--concurrency", str(CONCURRENCY),
        "--progress", "off", *extra,
    ]  # fmt: skip


def _start(command: list[str], **options: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, **options,
    )  # fmt: skip


def _ids(out: Path) -> Counter[str]:
    return Counter(json.loads(line)["id"] for line in out.read_text().splitlines())


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while _lines(path) < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _lines(path) >= n, f"only {_lines(path)} lines"


@pytest.fixture
def slow_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(delayed(json_answer(DRAFT), 0.05)) as srv:
        yield srv


def chats(srv: FakeOpenAIServer) -> int:
    return len(srv.requests_to("/chat/completions"))


# -- one writer per OUT ----------------------------------------------------------------------


@pytest.mark.parametrize("resume", [False, True], ids=["fresh", "resume"])
def test_two_runs_on_one_out_started_at_once_one_is_refused(
    slow_server: FakeOpenAIServer, tmp_path: Path, resume: bool
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_sample_jsonl(source, 40)
    out = tmp_path / "out.jsonl"
    extra = ("--resume",) if resume else ()
    if resume:
        out.write_text("")
    # Each process imports everything, then waits for "go": the two runs really overlap.
    ready = (
        "import sys; from summarizer import cli, batch; print('ready', flush=True); "
        "sys.stdin.readline(); sys.exit(cli.main(sys.argv[1:]))"
    )
    command = _command(slow_server, source, out, *extra)
    procs = [_start([sys.executable, "-c", ready, *command[3:]], stdin=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [(p, *p.communicate(timeout=60)) for p in procs]
    codes = sorted(p.returncode for p, _o, _e in results)
    assert codes == [0, 2], [e for _p, _o, e in results]
    (winner,) = [p for p, _o, _e in results if p.returncode == 0]
    (refused_err,) = [e for p, _o, e in results if p.returncode == 2]
    assert refused_err == (
        f"summarizer: error: {out} is being written by another summarizer batch "
        f"(process {winner.pid}): wait for it to finish, or give another --out\n"
    )
    assert _ids(out) == Counter(ids)  # every id once
    assert chats(slow_server) == 40


def test_a_run_killed_with_sigkill_leaves_no_lock_behind(
    slow_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_sample_jsonl(source, 30)
    out = tmp_path / "out.jsonl"
    first = _start(_command(slow_server, source, out))
    _wait_for_lines(out, 4, first)
    first.kill()
    first.communicate(timeout=10)
    second = subprocess.run(
        _command(slow_server, source, out, "--resume"), cwd=REPO, env=_environment(),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert _ids(out) == Counter(ids)


# -- OUT that is the input ---------------------------------------------------------------------


def test_out_hard_linked_to_the_input_is_refused_before_anything_is_written(
    slow_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    write_sample_jsonl(source, 5)
    before = source.read_bytes()
    link = tmp_path / "out.jsonl"
    os.link(source, link)
    done = subprocess.run(
        _command(slow_server, source, link), cwd=REPO, env=_environment(), capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"summarizer: error: --out {link} is the input file {source} (the same file, or a link "
        "to it): write the output somewhere else\n"
    )
    assert source.read_bytes() == before and chats(slow_server) == 0


def test_stdin_redirected_from_out_is_refused(
    slow_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    write_sample_jsonl(source, 5)
    before = source.read_bytes()
    for extra in ((), ("--resume",)):
        with source.open("rb") as stdin:
            done = subprocess.run(
                _command(slow_server, "-", source, *extra), cwd=REPO, env=_environment(),
                stdin=stdin, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
        assert done.returncode == 2
        assert done.stderr == (
            f"summarizer: error: --out {source} is the file standard input reads from: write "
            "the output somewhere else\n"
        )
    assert source.read_bytes() == before and chats(slow_server) == 0


@pytest.mark.parametrize("which", ["out", "input", "not-a-database"])
def test_a_cache_that_is_the_output_the_input_or_no_database_is_exit_2(
    slow_server: FakeOpenAIServer, tmp_path: Path, which: str
) -> None:
    source = tmp_path / "in.jsonl"
    write_sample_jsonl(source, 3)
    out = tmp_path / "out.jsonl"
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n")
    cache = {"out": out, "input": source, "not-a-database": notes}[which]
    started = time.monotonic()
    done = subprocess.run(
        _command(slow_server, source, out, "--cache", str(cache)), cwd=REPO,
        env=_environment(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - started < 20
    assert done.returncode == 2
    expected = {
        "out": f"--cache {out} is --out: give it a path of its own",
        "input": f"--cache {source} is the input: give it a path of its own",
        "not-a-database": (
            f"the summary cache {notes} is not an SQLite database: give another --cache PATH, "
            "or --no-cache"
        ),
    }[which]
    assert done.stderr == f"summarizer: error: {expected}\n"
    assert notes.read_text() == "my notes, not a database\n" and chats(slow_server) == 0


# -- a full disk -------------------------------------------------------------------------------


def _mount_tmpfs(where: Path, size_kb: int) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
        capture_output=True,
    )
    return done.returncode == 0


def _limit_file_size(limit: int) -> None:  # runs in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past the limit is EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("device", ["tmpfs", "file-size-limit"])
def test_a_full_disk_stops_the_run_promptly_and_resume_completes_exactly(
    tmp_path: Path, device: str
) -> None:
    n = 200
    source = tmp_path / "in.jsonl"
    ids = write_sample_jsonl(source, n)
    cache = tmp_path / "cache.sqlite"  # on a disk with room: the cache is not on the losing side
    mount = tmp_path / "small"
    options: dict[str, Any] = {}
    if device == "tmpfs":
        if not _mount_tmpfs(mount, 2048):
            pytest.skip("cannot mount a tmpfs here (needs root)")
        filler = mount / "filler"
        filler.write_bytes(b"x" * (2000 * 1024))
        out = mount / "out.jsonl"
        reason = "No space left on device: free some space"
    else:
        mount.mkdir()
        filler = None
        out = mount / "out.jsonl"
        options["preexec_fn"] = lambda: _limit_file_size(40 * 1024)
        reason = "File too large: free some space"
    try:
        with FakeOpenAIServer(delayed(json_answer(DRAFT), 0.01)) as srv:
            extra = ("--no-cache",) if device == "file-size-limit" else ("--cache", str(cache))
            first = _start(_command(srv, source, out, *extra), **options)
            _o, err = first.communicate(timeout=120)
            written = _lines(out)
            asked_first = chats(srv)
            assert first.returncode == 1, err
            assert err.splitlines()[-1] == (
                f"summarizer: error: cannot write {out}: {reason}, then run again with "
                "--resume (every line written so far is kept)"
            )
            assert "internal error" not in err and "Traceback" not in err
            assert 0 < written < n
            # Stopped within the articles in flight, not after asking for everything.
            assert asked_first <= written + 2 * CONCURRENCY, (asked_first, written)
            assert out.read_bytes().endswith(b"\n") and len(_ids(out)) == written
            if filler is not None:
                filler.unlink()
            else:
                shutil.move(out, tmp_path / "out.jsonl")  # "free space": lift the limit
                out = tmp_path / "out.jsonl"
            second = subprocess.run(
                _command(srv, source, out, "--resume", *extra), cwd=REPO, env=_environment(),
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert second.returncode == 0, second.stderr
            assert _ids(out) == Counter(ids)
            asked_again = chats(srv) - asked_first
            print(f"{device}: {written} lines, {asked_first} requests, then {asked_again}")
            if device == "tmpfs":
                # The cache kept every answer that arrived but could not be written; only the
                # articles abandoned in flight are asked again.
                assert n - asked_first <= asked_again <= n - asked_first + CONCURRENCY
            else:
                assert asked_again <= n - written
    finally:
        if device == "tmpfs" and mount.is_mount():
            subprocess.run(["umount", str(mount)], check=False)


# -- signals -----------------------------------------------------------------------------------

_FINAL = re.compile(r"^summarizer batch: (\d+) ok, 0 failed, .* -> .*out\.jsonl$", re.M)


@pytest.mark.parametrize(
    ("signum", "code", "times"),
    [(signal.SIGTERM, 143, 1), (signal.SIGHUP, 129, 1), (signal.SIGINT, 130, 3)],
    ids=["SIGTERM", "SIGHUP", "SIGINT x3"],
)
def test_a_signal_ends_the_batch_with_its_summary_line_and_exit_code(
    slow_server: FakeOpenAIServer, tmp_path: Path, signum: int, code: int, times: int
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_sample_jsonl(source, 200)
    out = tmp_path / "out.jsonl"
    proc = _start(_command(slow_server, source, out))
    _wait_for_lines(out, 8, proc)
    signalled = time.monotonic()
    for _ in range(times):
        proc.send_signal(signum)
        time.sleep(0.01)
    _o, err = proc.communicate(timeout=30)
    print(f"{signal.Signals(signum).name}: exit {proc.returncode} after {time.monotonic() - signalled:.2f} s")
    assert proc.returncode == code, err
    found = _FINAL.search(err)
    assert found is not None, err
    written = _lines(out)
    name = signal.Signals(signum).name
    assert err.splitlines()[-1] == (
        f"summarizer: interrupted by {name}: {written} line(s) written to {out}; run the same "
        "command with --resume to finish"
    )
    assert int(found.group(1)) == written < 200
    assert "Traceback" not in err and "Task exception" not in err
    resumed = subprocess.run(
        _command(slow_server, source, out, "--resume"), cwd=REPO, env=_environment(),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert _ids(out) == Counter(ids)


# -- failures worth retrying -------------------------------------------------------------------


class _Switch:
    """Answers 401 until `working` is set."""

    def __init__(self) -> None:
        self.working = False
        self._answer = json_answer(DRAFT)

    def __call__(self, request: RecordedRequest) -> Reply:
        if self.working:
            return self._answer(request)
        return Reply.error(401, "Incorrect API key provided", type="invalid_request_error")


def test_resume_retries_endpoint_failures_and_keeps_input_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_sample_jsonl(source, 20, extra=('{"id": "broken", "text": 42}',))
    out = tmp_path / "out.jsonl"
    switch = _Switch()
    with FakeOpenAIServer(switch) as srv:
        argv = ["batch", str(source), "--out", str(out), "--base-url", srv.base_url,
                "--model", "test-model", "--progress", "off"]  # fmt: skip
        assert cli.main(argv) == 1
        assert chats(srv) == 20
        assert sum(not json.loads(line)["ok"] for line in out.read_text().splitlines()) == 21
        switch.working = True
        capsys.readouterr()
        assert cli.main([*argv, "--resume"]) == 0  # this run's own failures: none
        err = capsys.readouterr().err
        assert chats(srv) == 40
        assert f"retrying 20 failed article(s) from {out.name}" in err
        assert "20 ok, 0 failed" in err and "1 already in out.jsonl" in err
        lines = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
        assert sorted(lines) == sorted([*ids, "broken"])
        assert all(lines[i]["ok"] for i in ids) and not lines["broken"]["ok"]
        assert cli.main([*argv, "--retry-failed"]) == 1  # the bad record fails again
        assert chats(srv) == 40
        assert "retrying 1 failed article(s)" in capsys.readouterr().err
        assert len(out.read_text().splitlines()) == 21


# -- stores and caches -------------------------------------------------------------------------


def _corrupt_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["foreign", "corrupt"])
def test_a_store_that_is_no_database_or_corrupt_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    store = tmp_path / "store.sqlite"
    if kind == "foreign":
        store.write_text("my notes\n")
        problem = "is not an SQLite database: give another --store PATH"
    else:
        _corrupt_database(store)
        problem = (
            "is corrupt (database disk image is malformed): give another --store PATH, or move "
            "the file away to start a new one"
        )
    article = tmp_path / "a.txt"
    article.write_text("Ministers met in Oslo on Monday.\n")
    source = tmp_path / "in.jsonl"
    write_sample_jsonl(source, 3)
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        model = ["--base-url", srv.base_url, "--model", "test-model", "--store", str(store)]
        for argv in (
            ["summarize", str(article), *model],
            ["batch", str(source), "--out", str(tmp_path / "out.jsonl"), *model],
            ["summarize", str(article), *model[:-2], "--replay", "--store", str(store)],
        ):
            assert cli.main(argv) == 2
            assert capsys.readouterr().err == (
                f"summarizer: error: the response store {store} {problem}\n"
            )
        assert chats(srv) == 0


def test_a_store_that_fails_mid_run_is_reported_as_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store.sqlite"
    article = tmp_path / "a.txt"
    article.write_text("Ministers met in Oslo on Monday.\n")

    def broken(self: object, key: str) -> None:
        raise StoreError(f"the response store {store} is corrupt (disk I/O error): fix it")

    monkeypatch.setattr("summarizer.stores.responses.ResponseStore.get", broken)
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        argv = ["summarize", str(article), "--base-url", srv.base_url, "--model", "m",
                "--store", str(store)]  # fmt: skip
        assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: the response store {store} is corrupt (disk I/O error): fix it\n"
    )


def test_a_locked_cache_is_skipped_at_once_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("summarizer.stores.summaries.CACHE_BUSY_TIMEOUT_S", 0.5)
    source = tmp_path / "in.jsonl"
    write_sample_jsonl(source, 12)
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    sqlite3.connect(cache).execute(
        "CREATE TABLE summaries (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
    ).connection.close()
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for as long as this test
    try:
        with FakeOpenAIServer(json_answer(DRAFT)) as srv:
            started = time.monotonic()
            code = cli.main(["batch", str(source), "--out", str(out), "--cache", str(cache),
                             "--base-url", srv.base_url, "--model", "m", "--progress", "off"])  # fmt: skip
            elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 0 and len(out.read_text().splitlines()) == 12
    assert elapsed < 5, elapsed  # one bounded wait, not one per article
    warning = (
        f"summarizer batch: the summary cache {cache} failed (the summary cache {cache} stayed "
        "locked by another process for 0.5 s: wait for it to finish, or give another --cache "
        "PATH, or --no-cache): skipping it for the rest of this run"
    )
    assert err.splitlines()[0] == warning
    assert err.count(warning) == 1
