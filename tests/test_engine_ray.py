"""`summarizer batch --engine ray` on a small local Ray instance, against the fake server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_batch import CANARY, read_lines, stable

from summarizer import cli
from summarizer.testing import FakeOpenAIServer, json_answer
from summarizer.testing.samples import DRAFT
from summarizer.testing.samples import write_sample_jsonl as write_jsonl


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("SUMMARIZER_", "OPENAI_", "RAY_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


def batch(srv: FakeOpenAIServer, source: Path, out: Path, *extra: str) -> int:
    argv = ["batch", str(source), "--out", str(out), "--base-url", srv.base_url]
    return cli.main([*argv, "--model", "test-model", "--progress", "off", *extra])


def test_ray_engine_writes_what_the_local_engine_writes(
    ray_instance: Any, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 6, extra=("{broken json",))
    cache = tmp_path / "cache.sqlite"
    local_out, ray_out, cached_out = (tmp_path / f"{n}.jsonl" for n in ("local", "ray", "cached"))
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        assert batch(srv, source, local_out, "--cache", str(cache)) == 1  # one bad line
        assert len(srv.requests) == 6
        # Through Ray's workers: every article asks the model again.
        assert batch(srv, source, ray_out, "--engine", "ray", "--no-cache") == 1
        assert len(srv.requests) == 12
        # The same cache: every answer comes from it, and no model call is made.
        assert batch(srv, source, cached_out, "--engine", "ray", "--cache", str(cache)) == 1
        assert len(srv.requests) == 12
    local = read_lines(local_out)
    assert sorted(line["id"] for line in local) == sorted([*ids, "line-7"])
    assert stable(read_lines(ray_out)) == stable(local)
    cached = read_lines(cached_out)
    assert stable(cached) == stable(local)
    assert all(line["summary"]["run"]["cache_hit"] for line in cached if line["ok"])
    assert CANARY not in ray_out.read_text(encoding="utf-8")


def test_ray_engine_resumes_like_the_local_engine(ray_instance: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 5)
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        head = tmp_path / "head.jsonl"
        write_jsonl(head, 2)
        assert batch(srv, head, out, "--no-cache") == 0
        with out.open("ab") as handle:
            handle.write(b'{"id": "a2", "ok": tr')  # a torn last line, as a kill leaves it
        assert batch(srv, source, out, "--engine", "ray", "--no-cache", "--resume") == 0
        assert len(srv.requests) == 5  # 2 before, then only a2..a4
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == ids


def test_without_ray_the_engine_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 1)
    argv = ["batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--engine", "ray"]
    assert cli.main([*argv, "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]) == 2
    assert "summarizer[ray]" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()
