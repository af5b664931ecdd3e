"""Assemble benchmarks/RESULTS.md from the sections each benchmark writes to benchmarks/results/.

    .venv/bin/python benchmarks/collect.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["model", "eval", "gate", "timex", "grounding", "scoring", "batch"]

HEADER = """# Benchmark results

Every figure below was measured by the script named in its section, on the machine it names;
re-run that command to reproduce it. Each script rewrites its own section in
`benchmarks/results/`; `python benchmarks/collect.py` assembles this file.
"""


def main() -> None:
    sections = {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted((HERE / "results").glob("*.md"))}
    ordered = [name for name in ORDER if name in sections] + sorted(set(sections) - set(ORDER))
    body = "\n\n".join(sections[name] for name in ordered)
    (HERE / "RESULTS.md").write_text(f"{HEADER}\n{body}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
