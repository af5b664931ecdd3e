"""The README's promises that can be checked mechanically."""

from __future__ import annotations

import argparse
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import build_parser
from summarizer.config import ENVIRONMENT
from summarizer.schemas import text_id
from summarizer.testing import FakeOpenAIServer, json_answer

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return re.findall(r"```\n(python3 -m venv .*)\n```", README)


def test_quickstart_has_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert "summarizer summarize seeds/000_dc0927f4facc235e.txt --published 2022-12-19" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def test_every_environment_variable_is_documented() -> None:
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)` \|", README, re.MULTILINE)}
    assert table == {var for var, _, _ in ENVIRONMENT}


def test_every_environment_variable_is_read_only_in_config() -> None:
    names = [var for var, _, _ in ENVIRONMENT if var.startswith("SUMMARIZER_")]
    for path in (ROOT / "summarizer").rglob("*.py"):
        if path.name == "config.py":
            continue
        source = path.read_text(encoding="utf-8")
        for name in names:
            assert f'"{name}"' not in source, f"{path} reads {name}: read it in config.py"


# -- the command summary and the parser -------------------------------------------------------

_MODEL_GROUP = "model"


def _command_block() -> str:
    section = README.split("## Command line\n", 1)[1]
    return section.split("```\n", 2)[1]


def _readme_synopses() -> dict[str, str]:
    """Each command's synopsis ("batch", "eval run", "MODEL OPTIONS"), continuation lines joined."""
    entries: dict[str, str] = {}
    current = ""
    for line in _command_block().splitlines():
        if line.startswith("summarizer "):
            words = line.split()
            current = " ".join(words[1:3]) if words[1] in ("eval", "events") else words[1]
            entries[current] = line
        elif line.startswith("MODEL OPTIONS:"):
            current = "MODEL OPTIONS"
            entries[current] = line.removeprefix("MODEL OPTIONS:")
        elif line.strip():
            entries[current] += " " + line.strip()
    return entries


def _option_token(action: argparse.Action) -> str:
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        value = ""
    elif action.choices:
        value = " " + "|".join(str(c) for c in action.choices)
    else:
        value = " " + str(action.metavar or action.dest.upper())
    return f"{flag}{value}" if action.required else f"[{flag}{value}]"


def _parser_synopses() -> dict[str, tuple[set[str], set[str]]]:
    """Each command's option tokens as the README writes them: (own options, model options)."""
    out: dict[str, tuple[set[str], set[str]]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
        if prefix and not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            groups = {id(a): g.title for g in parser._action_groups for a in g._group_actions}
            own, model = set(), set()
            for action in parser._actions:
                if not action.option_strings or isinstance(action, argparse._HelpAction):
                    continue
                (model if groups.get(id(action)) == _MODEL_GROUP else own).add(_option_token(action))
            out[prefix] = (own, model)

    walk(build_parser(), "")
    return out


def _tokens(synopsis: str) -> set[str]:
    return set(re.findall(r"\[--[^\]]+\]|(?<!\[)--[a-z-]+ [A-Z][\w.]*", synopsis))


def test_the_readme_command_summary_lists_every_option_as_the_parser_has_it() -> None:
    readme = _readme_synopses()
    parsers = _parser_synopses()
    assert set(readme) - {"MODEL OPTIONS"} == set(parsers)
    model_options = _tokens(readme["MODEL OPTIONS"])
    for command, (own, model) in parsers.items():
        synopsis = readme[command]
        assert _tokens(synopsis) == own, command
        if model:
            assert "[MODEL OPTIONS]" in synopsis and model_options == model, command
        else:
            assert "[MODEL OPTIONS]" not in synopsis, command


# -- the Python blocks run as written --------------------------------------------------------

SEED = ROOT / "seeds" / "000_dc0927f4facc235e.txt"
# The README's example endpoint; the test points it at the fake server instead.
EXAMPLE_ENDPOINT = "http://127.0.0.1:8080/v1"
SEED_DRAFT = {
    "summary": "The foreign ministers of Belarus and Russia met in Minsk.",
    "meetings": [
        {
            "participants": [{"name": "Sergey Lavrov", "kind": "person"}],
            "location": "Minsk",
            "time": "on Monday",
            "topics": ["bilateral ties"],
            "format": "in_person",
            "evidence": ["The Belarusian and Russian foreign ministers on Monday discussed bilateral ties"],
        }
    ],
    "statements": [],
    "planned_events": [],
}


def _python_blocks() -> list[str]:
    """The blocks that need a model; one that starts its own server runs in its own test
    (tests/test_readme_extending.py)."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    return [b for b in blocks if "FakeOpenAIServer(" not in b]


def test_every_python_block_of_the_readme_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _python_blocks()
    assert blocks, "the README has no Python example"
    (tmp_path / "article.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)
    with FakeOpenAIServer(json_answer(SEED_DRAFT)) as server:
        # The environment stands in for the embedded model and the hosted one: no real model.
        monkeypatch.setenv("SUMMARIZER_BACKEND", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-readme-test")
        for block in blocks:
            assert EXAMPLE_ENDPOINT in block or "summarize" not in block
            namespace: dict[str, Any] = {"__name__": "readme"}
            exec(compile(block.replace(EXAMPLE_ENDPOINT, server.base_url), "README.md", "exec"), namespace)
        assert len(server.requests) >= 7  # every call in the example reached the server
    out = capsys.readouterr().out.splitlines()
    article, page = namespace["article"], namespace["page"]
    assert out == [
        f"{article.id} {SEED_DRAFT['summary']}",
        f"article {SEED_DRAFT['summary']}",
        f"{text_id(namespace['articles'][2])} {SEED_DRAFT['summary']}",
        "2022-12-19",
    ]
    assert page.published == date(2022, 12, 19)
    assert namespace["summary"].meetings, "the evidence check in the example checked nothing"


def test_the_contents_list_every_section_in_order() -> None:
    sections = re.findall(r"^## (.+)$", README, re.M)
    assert sections[0] == "Contents"
    listed = re.findall(r"^- \[(.+?)\]\(#([\w-]+)\)$", README.split("## Contents\n", 1)[1].split("\n## ", 1)[0], re.M)
    assert [title for title, _ in listed] == sections[1:]
    for title, anchor in listed:
        assert anchor == re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
