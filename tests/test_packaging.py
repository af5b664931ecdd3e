"""The wheel ships the templates and examples, the type marker, and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_contains_prompts_and_py_typed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("summarizer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("system.j2", "user.j2", "completion.j2"):
        assert f"summarizer/prompts/{template}" in names
    assert any(n.startswith("summarizer/prompts/examples/") and n.endswith(".json") for n in names)
    for template in (
        "page.html.j2", "items.html.j2", "summary.html.j2", "summary.md.j2", "review.html.j2",
        "review.js", "review.css",
    ):
        assert f"summarizer/templates/{template}" in names
    assert "summarizer/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "summarizer = summarizer.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "summarizer"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("summarizer ")


def test_the_version_module_matches_the_package_metadata() -> None:
    import tomllib

    from summarizer import __version__
    from summarizer.version import __version__ as stage_version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == stage_version == project["version"]
