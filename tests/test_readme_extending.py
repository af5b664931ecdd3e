"""The README's section "Your own prompts, examples and fields": its Python runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else len(README)]


def test_the_sections_python_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)
    blocks = re.findall(r"```python\n(.*?)```", _section("Your own prompts, examples and fields"), re.S)
    assert blocks, "the section has a Python example"
    for block in blocks:
        # dont_inherit: the example runs as a user would run it, without this module's futures.
        exec(compile(block, "README.md", "exec", dont_inherit=True), {"__name__": "readme_example"})


def test_the_contents_link_to_the_section_resolves() -> None:
    assert "(#your-own-prompts-examples-and-fields)" in README
    assert "\n## Your own prompts, examples and fields\n" in README
