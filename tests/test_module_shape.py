"""The shape rules of `summarizer/`: no module reads another module's private attributes, and
no module outgrows one job (about 800 lines), except the rule tables named below."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "summarizer"
MAX_LINES = 800
# Modules allowed past MAX_LINES, each with its reason (none today: the time rules, once one
# 1,500-line module, are split in summarizer/times/).
LONG_TABLES: dict[str, str] = {}
# Reads of private attributes of objects that are not ours to change, with the reason.
FOREIGN_PRIVATES = {
    ("backends/_grammar_sampling.py", "_model"): "llama-cpp-python's Llama has no public handle",
    ("backends/_grammar_sampling.py", "_ctx"): "llama-cpp-python's Llama has no public context",
    ("backends/_grammar_sampling.py", "_grammar"): "llama-cpp-python's LlamaGrammar internals",
    ("backends/_grammar_sampling.py", "_root"): "llama-cpp-python's LlamaGrammar internals",
}


def _own_privates(tree: ast.AST) -> set[str]:
    """Private names a module defines: its functions, classes, class attributes and the
    attributes its methods set on self/cls."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if n.startswith("_")}


def private_reads(source: str) -> list[tuple[int, str]]:
    """(line, attribute) of each `x._name` where x is not self/cls and `_name` is not defined
    in the same module (a reach into another module's internals)."""
    tree = ast.parse(source)
    own = _own_privates(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        attr = node.attr
        if not attr.startswith("_") or attr.startswith("__") or attr in own:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append((node.lineno, attr))
    return found


def test_no_module_reads_another_modules_private_attributes() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, attr in private_reads(path.read_text(encoding="utf-8")):
            if (rel, attr) not in FOREIGN_PRIVATES:
                offenders.append(f"{rel}:{line}: .{attr}")
    assert offenders == [], "use (or add) a public method instead"


def test_the_check_sees_a_reach_in() -> None:
    sample = (
        "class A:\n    def __init__(self):\n        self._mine = 1\n\n"
        "def f(a, b):\n    return a._mine, b._theirs, b.public\n"
    )
    assert private_reads(sample) == [(6, "_theirs")]


def test_no_module_is_longer_than_one_job() -> None:
    long = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert {k: v for k, v in long.items() if k not in LONG_TABLES} == {}, (
        "split the module along its jobs, or name it in LONG_TABLES with the reason"
    )
    assert set(LONG_TABLES) <= set(long), "a listed module is short now: drop it from the list"
