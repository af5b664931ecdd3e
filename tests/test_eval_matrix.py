"""Matrices: a two-prompt x two-model suite runs through the real openai backend against the
fake server, reports the cells side by side with paired intervals, and replays from the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key
from helpers_eval import S1, S2, S3, S4, TEXT, example_gold, write_fixture
from helpers_html import audit

from summarizer.cli import main
from summarizer.eval.matrix import MatrixRun, MatrixSpec, cells
from summarizer.testing import FakeOpenAIServer, json_answer
from summarizer.testing.server import RecordedRequest

TERSE = "You extract meetings only. Answer with JSON only."
FULL: dict[str, Any] = {
    "summary": "Two ministers met in Porto.",
    "meetings": [
        {
            "participants": [{"name": "Anna Berg"}, {"name": "Piet Vos"}],
            "location": "Porto",
            "time": "on Monday",
            "evidence": [S1],
        }
    ],
    "statements": [
        {"speaker": {"name": "Anna Berg"}, "content": "Berg said they agreed to cooperate on energy.",
         "evidence": [S2]},
        {"speaker": {"name": "Piet Vos"}, "content": "Vos said the talks had been useful.", "evidence": [S3]},
    ],
    "planned_events": [
        {"description": "The two ministers will meet again in Lisbon.", "location": "Lisbon",
         "time": "in March 2024", "status": "planned", "evidence": [S4]}
    ],
}


def answer(request: RecordedRequest) -> dict[str, Any]:
    """m-good answers everything, m-weak only the meeting; the terse prompt drops statements."""
    draft = json.loads(json.dumps(FULL))
    if request.body["model"] == "m-weak":
        draft["statements"], draft["planned_events"] = [], []
    if TERSE in request.body["messages"][0]["content"]:
        draft["statements"] = []
    return draft


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, "sk-test-matrix-0000")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(answer)) as srv:
        yield srv


def _suite(tmp_path: Path, base_url: str, matrix: str) -> Path:
    for n in range(3):
        # Distinct texts: identical requests would be answered once and then from the store.
        write_fixture(tmp_path / "fixtures", f"f{n}", f"{TEXT} Story {n}.", example_gold())
    (tmp_path / "terse").mkdir(exist_ok=True)
    (tmp_path / "terse" / "system.j2").write_text(TERSE, encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"name: grid\nfixtures: fixtures\nstore: store.sqlite\nsettings:\n  backend: openai\n"
        f"  base_url: {base_url}\n  model: m-good\n{matrix}",
        encoding="utf-8",
    )
    return suite


MATRIX = (
    "matrix:\n  prompts: {packaged: null, terse: terse}\n  models: {good: m-good, weak: {model: m-weak}}\n"
    "  baseline: packaged/good\n"
)


def test_a_two_by_two_matrix_runs_reports_side_by_side_and_replays(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = _suite(tmp_path, server.base_url, MATRIX)
    out = tmp_path / "matrix.json"
    assert main(["eval", "run", str(suite), "--out", str(out)]) == 0
    assert len(server.requests_to("/chat/completions")) == 12  # 4 cells x 3 fixtures
    matrix = MatrixRun.load(out)
    assert matrix.labels == ["packaged/good", "packaged/weak", "terse/good", "terse/weak"]
    assert matrix.baseline == "packaged/good"
    f1 = {c.label: c.run.aggregate.overall.f1 for c in matrix.cells if c.run.aggregate}
    assert f1["packaged/good"] > f1["terse/good"] > f1["terse/weak"]
    assert f1["packaged/good"] > f1["packaged/weak"]
    assert {c.run.settings.model for c in matrix.cells} == {"m-good", "m-weak"}
    assert len({c.run.settings.prompt_version for c in matrix.cells}) == 2
    assert "cell 4/4: terse/weak" in capsys.readouterr().err

    report = tmp_path / "matrix.md"
    assert main(["eval", "report", str(out), "--out", str(report)]) == 0
    md = report.read_text(encoding="utf-8")
    assert "| metric | packaged/good | packaged/weak | terse/good | terse/weak |" in md
    assert "## Against the baseline: packaged/good" in md
    side, deltas = md.split("## Against the baseline")

    def row(section: str, metric: str) -> list[str]:
        line = next(x for x in section.splitlines() if x.startswith(f"| {metric} |"))
        return [c.strip() for c in line.strip("|").split("|")][1:]

    # The baseline finds the statements, the three other cells none: the same drop on every
    # fixture, so the paired interval is that one value.
    base_value = row(side, "statements.f1")[0]
    assert row(side, "statements.f1")[1:] == ["0.000"] * 3 and float(base_value) > 0.5
    assert row(deltas, "statements.f1") == [f"-{base_value} [-{base_value}, -{base_value}]"] * 3
    assert row(deltas, "meetings.f1")[2].startswith("+0.000")  # terse/good keeps the meeting
    # Another baseline column, chosen at report time.
    assert main(["eval", "report", str(out), "--baseline", "terse/weak", "--out", str(report)]) == 0
    assert "## Against the baseline: terse/weak" in report.read_text(encoding="utf-8")

    page = tmp_path / "matrix.html"
    assert main(["eval", "report", str(out), "--format", "html", "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    found = audit(html)
    assert "script" not in found.tags and found.handlers == [] and found.js_urls == []
    assert html.count("<svg") == 6  # F1 bars, three forest plots, latency, tokens
    assert str(tmp_path) not in found.title

    # Replay: the same answers from the store, no request to the server.
    sent = len(server.requests)
    replayed = tmp_path / "replayed.json"
    assert main(["eval", "run", str(suite), "--replay", "--out", str(replayed)]) == 0
    assert len(server.requests) == sent
    again = MatrixRun.load(replayed)
    for a, b in zip(matrix.cells, again.cells, strict=True):
        assert [r.prediction.model_dump(exclude={"run"}) for r in a.run.results if r.prediction] == [
            r.prediction.model_dump(exclude={"run"}) for r in b.run.results if r.prediction
        ]
        assert b.run.aggregate is not None and b.run.aggregate.n_errors == 0


def test_a_settings_axis_and_labels() -> None:
    spec = MatrixSpec(models={"a": {"model": "x"}}, settings={"long": {"max_tokens": 9}, "short": {"max_tokens": 3}})
    got = [(c.label, c.overrides) for c in cells(spec)]
    assert got == [("a/long", {"model": "x", "max_tokens": 9}), ("a/short", {"model": "x", "max_tokens": 3})]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ("matrix: {model: {a: m}}\n", "unknown matrix keys ['model']: use ['prompts', 'models', 'settings', 'baseline']"),
        ("matrix: {models: {a: m}, baseline: b}\n", "matrix.baseline 'b' is not a cell: use one of ['a']"),
        ("matrix: {models: {a/b: m}}\n", "matrix.models label 'a/b' must be non-empty without '/'"),
        ("matrix: {}\n", "`matrix:` names no variants: give prompts, models or settings"),
    ],
)
def test_matrix_mistakes_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], matrix: str, message: str
) -> None:
    suite = _suite(tmp_path, "http://127.0.0.1:9/v1", matrix)
    assert main(["eval", "run", str(suite), "--out", str(tmp_path / "m.json")]) == 2
    assert capsys.readouterr().err == f"summarizer: error: {suite}: {message}\n"


def test_an_unknown_baseline_column_is_exit_2(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = _suite(tmp_path, server.base_url, "matrix: {models: {good: m-good, weak: m-weak}}\n")
    out = tmp_path / "m.json"
    assert main(["eval", "run", str(suite), "--out", str(out), "--limit", "1"]) == 0
    capsys.readouterr()
    assert main(["eval", "report", str(out), "--baseline", "nope"]) == 2
    assert capsys.readouterr().err == (
        "summarizer: error: the matrix has no cell 'nope': use one of ['good', 'weak']\n"
    )
