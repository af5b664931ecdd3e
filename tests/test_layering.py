"""The import graph of `summarizer/` has no cycle, lazy (in-function) imports included, so that
data flows one way and a newcomer can change a stage without knotting two others together.
Imports under `if TYPE_CHECKING:` are type hints only and are left out."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "summarizer"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_import_graph_has_no_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# Test-support processes (a fake server, the answer book) run as their own programs: their
# entry points print their URL and exit with a status, like any command line.
PROCESS_ENTRY_POINTS = {
    "summarizer.testing.server",
    "summarizer.testing.server_cli",
    "summarizer.testing.answerbook",
}


def _in_cli(module: str) -> bool:
    return module == "summarizer.cli" or module.startswith("summarizer.cli.")


def test_nothing_below_the_cli_imports_it() -> None:
    offenders = {
        name: sorted(d for d in deps if _in_cli(d))
        for name, deps in import_graph().items()
        if not _in_cli(name) and any(_in_cli(d) for d in deps)
    }
    assert offenders == {}, "move what both need below summarizer/cli"


def output_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of each print(), exit(), sys.exit() or os._exit() in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("print", "exit", "quit"):
            found.append((node.lineno, func.id))
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in (("sys", "exit"), ("os", "_exit"))
        ):
            found.append((node.lineno, f"{func.value.id}.{func.attr}"))
    return found


def test_only_the_cli_prints_or_exits() -> None:
    offenders = [
        f"{name}:{line}: {call}()"
        for name, path in sorted((_module_name(p), p) for p in PACKAGE.rglob("*.py"))
        if not _in_cli(name) and name not in PROCESS_ENTRY_POINTS
        for line, call in output_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "return the text or the status and let summarizer/cli report it"


def test_the_output_check_sees_prints_and_exits() -> None:
    sample = "import sys, os\nprint('x')\nsys.exit(1)\nos._exit(2)\nlog.print('fine')\n"
    assert output_calls(sample) == [(2, "print"), (3, "sys.exit"), (4, "os._exit")]
