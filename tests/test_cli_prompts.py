"""`--prompts DIR` on summarize, batch and eval run, and a suite's `prompts:` setting: the
templates used, the version recorded, and the exit-2 errors, over the real openai backend
against a fake server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.eval.runfile import Run
from summarizer.prompts import prompt_version, prompts_version
from summarizer.testing import FakeOpenAIServer, json_answer

ROOT = Path(__file__).parents[1]
SEED_ID = "000_dc0927f4facc235e"
SEED = ROOT / "seeds" / f"{SEED_ID}.txt"
DRAFT = {
    "summary": "The foreign ministers of Belarus and Russia met in Minsk.",
    "meetings": [],
    "statements": [],
    "planned_events": [],
}
SYSTEM = "You extract meetings for a newsroom's calendar. Answer with JSON only."


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    folder = tmp_path / "my-prompts"
    folder.mkdir()
    (folder / "system.j2").write_text(SYSTEM, encoding="utf-8")
    return folder


def _systems(srv: FakeOpenAIServer) -> list[str]:
    return [r.body["messages"][0]["content"] for r in srv.requests_to("/chat/completions")]


def test_summarize_uses_the_folder_and_records_its_version(
    server: FakeOpenAIServer, mine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["summarize", str(SEED), "--base-url", server.base_url, "--model", "m"]
    assert main([*argv, "--prompts", str(mine)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert _systems(server) == [SYSTEM]
    assert summary["run"]["prompt_version"] == prompts_version(str(mine)) != prompt_version()
    # The folder has no user.j2: the packaged one framed the article.
    user = server.requests_to("/chat/completions")[0].body["messages"][1]["content"]
    assert user.endswith("</article>") and "Here is an example" in user


def test_summarizer_prompts_in_the_environment_is_the_default(
    server: FakeOpenAIServer, mine: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SUMMARIZER_PROMPTS", str(mine))
    assert main(["summarize", str(SEED), "--base-url", server.base_url, "--model", "m"]) == 0
    assert json.loads(capsys.readouterr().out)["run"]["prompt_version"] == prompts_version(str(mine))
    assert _systems(server) == [SYSTEM]


@pytest.mark.parametrize("command", ["summarize", "batch"])
def test_a_missing_folder_is_exit_2_before_any_request(
    server: FakeOpenAIServer, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    target = [str(SEED)] if command == "summarize" else [str(SEED.parent), "--out", str(tmp_path / "o.jsonl")]
    argv = [command, *target, "--base-url", server.base_url, "--model", "m", "--prompts", str(missing)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: prompts folder {missing} not found: give a folder of templates "
        "(system.j2, user.j2, completion.j2) and examples/*.json, or drop --prompts to use the "
        "packaged ones\n"
    )
    assert server.requests_to("/chat/completions") == []


def test_a_template_that_does_not_render_is_exit_2(
    server: FakeOpenAIServer, mine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mine / "user.j2").write_text("{{ article_body }}", encoding="utf-8")
    argv = ["summarize", str(SEED), "--base-url", server.base_url, "--model", "m", "--prompts", str(mine)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: prompt template user.j2 in {mine} does not render: 'article_body' "
        "is undefined: fix it, or remove it to use the packaged one\n"
    )
    assert server.requests_to("/chat/completions") == []


def test_batch_uses_the_folder(
    server: FakeOpenAIServer, mine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SEED, source / "a.txt")
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(source), "--out", str(out), "--base-url", server.base_url, "--model", "m"]
    assert main([*argv, "--prompts", str(mine), "--no-cache"]) == 0
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["summary"]["run"]["prompt_version"] == prompts_version(str(mine))
    assert _systems(server) == [SYSTEM]


def _suite(tmp_path: Path, server: FakeOpenAIServer, prompts: str) -> Path:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for suffix in (".txt", ".meta.json", ".gold.json"):
        shutil.copy(ROOT / "seeds" / f"{SEED_ID}{suffix}", fixtures / f"{SEED_ID}{suffix}")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"name: mine\nfixtures: fixtures\nsettings:\n  backend: openai\n  model: m\n"
        f"  base_url: {server.base_url}\n  prompts: {prompts}\n",
        encoding="utf-8",
    )
    return suite


def test_a_suite_names_its_prompts_relative_to_the_suite_file(
    server: FakeOpenAIServer, mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = _suite(tmp_path, server, mine.name)
    monkeypatch.chdir(ROOT)  # not the suite's folder: the path must not depend on it
    out = tmp_path / "run.json"
    assert main(["eval", "run", str(suite), "--out", str(out)]) == 0
    run = Run.load(out)
    assert run.settings.prompts == str(mine.resolve())
    assert run.settings.prompt_version == prompts_version(str(mine)) != prompt_version()
    assert all(r.prediction and r.prediction.run.prompt_version == run.settings.prompt_version for r in run.results)
    assert _systems(server) == [SYSTEM]


def test_prompts_on_the_command_line_win_over_the_suites(
    server: FakeOpenAIServer, mine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = _suite(tmp_path, server, "does-not-exist")
    out = tmp_path / "run.json"
    assert main(["eval", "run", str(suite), "--out", str(out), "--prompts", str(mine)]) == 0
    assert Run.load(out).settings.prompt_version == prompts_version(str(mine))
    capsys.readouterr()
    missing = tmp_path / "does-not-exist"
    assert main(["eval", "run", str(suite), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"summarizer: error: prompts folder {missing} not found")


def test_a_template_that_fails_on_one_article_is_a_config_error_not_a_model_error(
    server: FakeOpenAIServer, mine: Path
) -> None:
    from summarizer import Article, summarize
    from summarizer.errors import ConfigError

    # Renders for the check's sample article (which has a title), fails for one without.
    (mine / "user.j2").write_text("{{ title.upper() }}\n{{ article_text }}", encoding="utf-8")
    options = {"base_url": server.base_url, "model": "m", "prompts": str(mine)}
    assert summarize(Article(text="Talks.", title="Oslo"), **options).run.prompt_version
    with pytest.raises(ConfigError, match=r"^prompt template user.j2 in .* does not render: 'None' has no attribute 'upper'"):
        summarize(Article(text="Talks."), **options)
    assert len(server.requests_to("/chat/completions")) == 1
