"""Test modules share helpers through conftest.py or helpers_*.py, never by importing each other."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_test_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0].startswith("test_")]
    return found


def test_no_test_module_imports_another() -> None:
    offenders = {
        path.name: _imported_test_modules(path)
        for path in sorted(TESTS.rglob("*.py"))
        if _imported_test_modules(path)
    }
    assert offenders == {}, "move shared helpers into tests/conftest.py or tests/helpers_*.py"


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("import os\nfrom test_other import helper\nimport test_third.sub\n")
    assert _imported_test_modules(sample) == ["test_other", "test_third.sub"]
