"""The README's promises that can be checked mechanically."""

from __future__ import annotations

import re
from pathlib import Path

from summarizer.config import ENVIRONMENT

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
