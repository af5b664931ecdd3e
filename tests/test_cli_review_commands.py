"""`summarizer eval draft-gold` and `summarizer eval review` on the command line: what they
write, say and exit with, through the real openai backend and a real server process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLE_TEXT, draft_for_article, use_only_api_key
from helpers_review import ANSWER, HOSTILE_ARTICLE, PUBLISHED, draft_fixture

from summarizer import cli
from summarizer.testing import FakeOpenAIServer, Reply, json_answer
from summarizer.testing.server import RecordedRequest

ROOT = Path(__file__).parents[1]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, "sk-test-draft-0000")


def _draft(srv: FakeOpenAIServer, *args: str, published: str = "2024-03-05") -> int:
    return cli.main([
        "eval", "draft-gold", *args, "--published", published, "--base-url", srv.base_url,
        "--model", "test-model", "--max-attempts", "1",
    ])  # fmt: skip


def _answer(request: RecordedRequest) -> Reply:
    # Berg's article gets its answer; any other gets a server failure.
    if "Anna Berg" in request.prompt_text():
        return json_answer(draft_for_article())(request)
    return Reply.error(500, "the model crashed")


def test_one_failed_article_does_not_lose_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "berg.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (tmp_path / "other.txt").write_text("Minister Eva Lund visited Riga on Friday.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    out = tmp_path / "gold"
    with FakeOpenAIServer(_answer) as srv:
        code = _draft(
            srv, str(tmp_path / "missing.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "berg.txt"),
            str(tmp_path / "other.txt"), str(tmp_path / "berg.txt"), "--out", str(out),
        )
    err = capsys.readouterr().err.splitlines()
    assert code == 2  # a user mistake among the failures
    assert err[0] == f"summarizer: error: {tmp_path / 'missing.txt'}: no such file: check the path"
    assert err[1] == f"summarizer: error: {tmp_path / 'empty.txt'} is empty: give an article with some text"
    assert err[2] == f"summarizer: drafted {out / 'berg.gold.json'} (meetings: 1, statements: 1, planned events: 1)"
    assert err[3].startswith(f"summarizer: model error: {tmp_path / 'other.txt'}: ")
    assert err[4] == (
        f"summarizer: error: {tmp_path / 'berg.txt'}: fixture id 'berg' is drafted from "
        f"{tmp_path / 'berg.txt'} already: give the articles distinct file names or ids"
    )
    assert err[5] == f"summarizer: 1 of 5 drafted; correct them with: summarizer eval review {out}"
    assert sorted(p.name for p in out.iterdir()) == ["berg.gold.json", "berg.meta.json", "berg.txt"]


def test_a_model_failure_alone_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "other.txt").write_text("Minister Eva Lund visited Riga on Friday.", encoding="utf-8")
    with FakeOpenAIServer(_answer) as srv:
        assert _draft(srv, str(tmp_path / "other.txt"), "--out", str(tmp_path / "gold")) == 1
    assert capsys.readouterr().err.startswith(f"summarizer: model error: {tmp_path / 'other.txt'}: ")
    assert not (tmp_path / "gold").exists()


def test_the_draft_of_a_record_is_a_fixture_a_suite_refuses_until_reviewed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {"id": "berg-2024", "text": ARTICLE_TEXT, "published": "2024-03-05", "source": "Wire"}
    (tmp_path / "berg.json").write_text(json.dumps(record), encoding="utf-8")
    out = tmp_path / "gold"
    with FakeOpenAIServer(json_answer(draft_for_article())) as srv:
        assert cli.main([
            "eval", "draft-gold", str(tmp_path / "berg.json"), "--out", str(out),
            "--base-url", srv.base_url, "--model", "test-model",
        ]) == 0  # fmt: skip
        gold = json.loads((out / "berg-2024.gold.json").read_text(encoding="utf-8"))
        assert gold["review"] == "draft"
        assert gold["meetings"][0]["time"]["start"] == "2024-03-04"  # "on Monday", resolved
        capsys.readouterr()
        code = cli.main(["eval", "run", str(out), "--out", str(tmp_path / "run.json"), "--base-url", srv.base_url])
    assert code == 2
    gold_path = out / "berg-2024.gold.json"
    assert capsys.readouterr().err.strip().endswith(
        f"{gold_path}: a draft nobody has reviewed (\"review\": \"draft\"): review it with "
        f"`summarizer eval review {gold_path}` and save it as reviewed"
    )


def test_an_edited_fixture_is_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold_path = draft_fixture(tmp_path)
    draft_fixture(tmp_path)  # the same answer again writes the same files: no complaint
    gold_path.write_text(gold_path.read_text(encoding="utf-8").replace("Piet Aalto", "P. Aalto"), encoding="utf-8")
    capsys.readouterr()
    article = tmp_path / "talks.txt"
    with FakeOpenAIServer(json_answer(ANSWER)) as srv:
        assert _draft(srv, str(article), "--out", str(gold_path.parent), published=PUBLISHED) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"summarizer: error: {gold_path} exists with other content: pass --force to "
            "overwrite it, or --out another folder"
        )
        assert "P. Aalto" in gold_path.read_text(encoding="utf-8")
        assert _draft(srv, str(article), "--out", str(gold_path.parent), "--force", published=PUBLISHED) == 0
    assert "P. Aalto" not in gold_path.read_text(encoding="utf-8")


def test_extra_fields_of_a_summary_type_reach_the_draft(tmp_path: Path) -> None:
    answer: dict[str, Any] = draft_for_article()
    answer["statements"][0]["cue"] = "Berg said after the talks"
    answer["statements"][0]["tone"] = "calm"
    (tmp_path / "berg.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    with FakeOpenAIServer(json_answer(answer)) as srv:
        assert _draft(srv, str(tmp_path / "berg.txt"), "--out", str(tmp_path), "--summary-type", "helpers_review:CueSummary") == 0
    statement = json.loads((tmp_path / "berg.gold.json").read_text(encoding="utf-8"))["statements"][0]
    start = ARTICLE_TEXT.index("Berg said after the talks")
    assert statement["cue"] == {"quote": "Berg said after the talks", "start": start, "end": start + 25}
    assert statement["tone"] == "calm"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "draft-gold", "README.md", "--out", "pyproject.toml"],
         "summarizer: error: --out pyproject.toml is a file: give a folder for the fixtures"),
        (["eval", "review", "nowhere/x.gold.json"],
         "summarizer: error: nowhere/x.gold.json: no such file or folder: check the path"),
        (["eval", "review", "README.md"],
         "summarizer: error: README.md is not a gold file: give an <id>.gold.json file or a folder"),
        (["eval", "review", "benchmarks"],
         "summarizer: error: benchmarks holds no *.gold.json files: draft some with "
         "`summarizer eval draft-gold ARTICLE... --out DIR`"),
        (["eval", "review", "seeds", "--port", "70000"],
         "summarizer: error: --port 70000 is not a port: give 1-65535, or 0 for a free one"),
        (["eval", "review", "seeds", "--summary-type", "nomodule"],
         "summarizer: error: summary_type 'nomodule': write it as module:Class, e.g. mytypes:MySummary"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == message + "\n"


def test_a_gold_file_without_its_article_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.gold.json").write_text("{}", encoding="utf-8")
    assert cli.main(["eval", "review", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: {tmp_path / 'x.gold.json'}: no x.txt beside it: a gold file is "
        "reviewed against its article text\n"
    )


@pytest.mark.slow
def test_the_review_command_serves_until_interrupted(tmp_path: Path) -> None:
    gold_path = draft_fixture(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer.cli", "eval", "review", str(gold_path), "--port", "0"],
        stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        prefix = f"summarizer: reviewing 1 fixture(s) of {gold_path} at http://127.0.0.1:"
        assert line.startswith(prefix) and line.endswith(" (127.0.0.1 only; Ctrl-C stops)\n"), line
        url = line.removeprefix(prefix).split(" ")[0]
        assert "/?token=" in url and len(url.split("/?token=")[1]) >= 40
        with urllib.request.urlopen(f"http://127.0.0.1:{url}", timeout=10) as response:
            page = response.read().decode("utf-8")
        assert "Gold review" in page and HOSTILE_ARTICLE[:10] not in page  # the article comes by API
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and rest == "summarizer: review stopped\n"
