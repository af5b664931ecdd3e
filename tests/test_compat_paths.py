"""The modules' old paths (before grounding/, times/, stores/, sentences, chunks and
draft_schema) still import the same objects, and nothing in `summarizer/` uses them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "summarizer"

# Old module -> {public name: new module that defines it}.
MOVED: dict[str, dict[str, str]] = {
    "summarizer.postprocess": {
        **dict.fromkeys(
            ("Grounder", "GroundingReport", "Items", "statement_kind"),
            "summarizer.grounding.grounder",
        ),
        **dict.fromkeys(("canonicalise_actors", "merge"), "summarizer.grounding.merge"),
    },
    "summarizer.segment": dict.fromkeys(("Sentence", "sentences"), "summarizer.sentences"),
    "summarizer.chunking": dict.fromkeys(("Chunk", "split"), "summarizer.chunks"),
    "summarizer.draft": dict.fromkeys(
        (
            "DraftActor", "DraftItem", "DraftItemKind", "DraftMeeting", "DraftPlannedEvent",
            "DraftStatement", "DraftSummary", "QuoteCheck", "checking_quotes",
            "draft_json_schema", "schema_fingerprint",
        ),
        "summarizer.draft_schema",
    ),
    "summarizer.timex": {"normalize": "summarizer.times.normalization"},
    "summarizer.timex_context": dict.fromkeys(
        ("TimeMention", "infer_tense", "normalize_in", "times_in"), "summarizer.times.in_context"
    ),
    "summarizer.store": dict.fromkeys(
        ("ResponseStore", "StoreMode", "content_key"), "summarizer.stores.responses"
    ),
    "summarizer.cache": dict.fromkeys(
        ("ANSWER_FIELDS", "CACHE_BUSY_TIMEOUT_S", "SummaryCache", "settings_fingerprint"),
        "summarizer.stores.summaries",
    ),
    # A package now, not a shim: its own `__init__` re-exports the aligner's names.
    "summarizer.grounding": dict.fromkeys(
        (
            "ELISION_MAX_GAP", "FUZZY_MIN_WORDS", "FUZZY_THRESHOLD", "SUBSTITUTION_MIN_WORDS",
            "Span", "align", "contains_name", "find_all",
        ),
        "summarizer.grounding.alignment",
    ),
}
SHIMS = {name for name in MOVED if name != "summarizer.grounding"}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_imports_the_same_objects_as_the_new_one(old: str) -> None:
    module = importlib.import_module(old)
    for name, new in MOVED[old].items():
        assert getattr(module, name) is getattr(importlib.import_module(new), name), (old, name)
    assert sorted(module.__all__) == sorted(MOVED[old])


def test_the_documented_public_paths_still_work() -> None:
    from summarizer.grounding import align
    from summarizer.grounding.alignment import align as aligner
    from summarizer.times import normalize as new_normalize
    from summarizer.times import normalize_in as new_normalize_in
    from summarizer.timex import normalize
    from summarizer.timex_context import normalize_in

    assert align is aligner
    assert normalize is new_normalize
    assert normalize_in is new_normalize_in


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def compat_imports(source: str, shims: set[str]) -> list[tuple[int, str]]:
    """(line, module) of each import of a shim in `source` (absolute imports: the package
    uses no relative ones)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name in shims]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in shims:
                found.append((node.lineno, node.module))
            found += [
                (node.lineno, f"{node.module}.{a.name}")
                for a in node.names
                if f"{node.module}.{a.name}" in shims
            ]
    return found


def test_nothing_in_the_package_imports_an_old_path() -> None:
    offenders = [
        f"{_module_name(path)}:{line}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if _module_name(path) not in SHIMS
        for line, module in compat_imports(path.read_text(encoding="utf-8"), SHIMS)
    ]
    assert offenders == [], "import from the new module (see its old path's docstring)"


def test_the_check_sees_an_import_of_an_old_path() -> None:
    sample = (
        "import summarizer.store\nfrom summarizer import timex\n"
        "from summarizer.draft import DraftSummary\nfrom summarizer.times import normalize\n"
    )
    assert compat_imports(sample, SHIMS) == [
        (1, "summarizer.store"), (2, "summarizer.timex"), (3, "summarizer.draft"),
    ]  # fmt: skip


def test_each_shim_is_only_re_exports() -> None:
    for name in SHIMS:
        path = PACKAGE / (name.removeprefix("summarizer.") + ".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        kinds = {type(n).__name__ for n in body}
        assert kinds <= {"ImportFrom", "Assign"}, (name, kinds)
        assert ast.get_docstring(tree) and "summarizer." in (ast.get_docstring(tree) or ""), name
