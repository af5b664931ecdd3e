"""`summarizer eval` as a newcomer meets it: flags outrank the suite, a gate that says what it
gates, runs that move between checkouts, replay misses that say what to do, checked fixtures."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLE_TEXT, use_only_api_key

from summarizer.cli import main
from summarizer.eval.runfile import Run
from summarizer.prompts import prompt_version
from summarizer.testing.server import FakeOpenAIServer, json_answer

ROOT = Path(__file__).parents[1]


def _fixture_folder(folder: Path, published: str | None = "2023-05-15") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a1.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    meta: dict[str, Any] = {"id": "a1", "published": published}
    (folder / "a1.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "a1.gold.json").write_text(json.dumps({"summary": "Berg met Holt."}), encoding="utf-8")
    return folder


def test_command_line_model_outranks_the_suites_backend(
    tmp_path: Path,
    fake_openai: Callable[..., FakeOpenAIServer],
    draft_payload: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_only_api_key(monkeypatch, "sk-test")
    _fixture_folder(tmp_path / "fx")
    suite = tmp_path / "mine.yaml"
    suite.write_text("fixtures: fx\nstore: store.sqlite\nsettings:\n  backend: local\n  max_tokens: 512\n")
    server = fake_openai(json_answer(draft_payload))
    out = tmp_path / "new.json"
    code = main(["eval", "run", str(suite), "--base-url", server.base_url, "--model", "m-new", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run = Run.load(out)
    assert (run.settings.backend, run.settings.model) == ("openai", "m-new")
    assert run.settings.base_url == server.base_url
    assert len(server.requests_to("/chat/completions")) == 1
    assert "1 results, 0 failed (openai m-new)" in capsys.readouterr().err


def test_a_local_run_records_no_base_url(tmp_path: Path) -> None:
    from summarizer.eval.session import suite_settings

    settings = suite_settings(
        {"model_path": "x.gguf"}, {"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1"}, None,
        replay=False,
    )
    assert settings.backend == "local" and settings.model_path == "x.gguf"
    assert settings.base_url is None


def test_run_summary_names_both_averages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "run", str(ROOT / "evals" / "reference.yaml"), "--replay", "--limit", "2",
                 "--out", str(tmp_path / "r.json")])
    assert code == 0
    err = capsys.readouterr().err
    assert "micro over all fields" in err and "mean over fixtures" in err


def test_compare_reads_base_then_new_and_shows_its_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ROOT / "evals" / "baseline.json"
    new = ROOT / "evals" / "reference-baseline.json"
    assert main(["eval", "compare", str(base), str(new)]) == 0
    out = capsys.readouterr().out
    heading = out.splitlines()[0]
    assert heading.startswith("# Comparison: base gemma-3-270m")
    assert "→ new reference-llm (openai) prompt " in heading
    assert "| gated metric | may drop by |" in out
    for metric in ("overall.f1", "items.f1", "grounding\\_rate", "schema\\_valid"):
        assert f"| {metric} | 0.02 |" in out
    assert "&gt;" not in out


def test_compare_metrics_threshold_suite_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ROOT / "evals" / "reference-baseline.json"
    out_file = tmp_path / "c.json"
    assert main(["eval", "compare", str(base), str(base), "--metrics", "statements.speaker.f1,overall.f1",
                 "--threshold", "0.1", "--format", "json", "--out", str(out_file)]) == 0
    payload = json.loads(out_file.read_text())
    assert [v["metric"] for v in payload["gate"]["verdicts"]] == ["statements.speaker.f1", "overall.f1"]
    assert all(v["tolerance"] == 0.1 for v in payload["gate"]["verdicts"])
    assert payload["gate"]["passed"] is True
    assert main(["eval", "compare", str(base), str(base), "--suite", str(ROOT / "evals" / "reference.yaml")]) == 0
    assert "| meetings.time.f1 | 0.05 |" in capsys.readouterr().out


def test_a_baseline_scores_in_another_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "seeds", checkout / "seeds")
    (checkout / "evals").mkdir()
    shutil.copy(ROOT / "evals" / "reference-baseline.json", checkout / "evals" / "reference-baseline.json")
    assert main(["eval", "score", str(checkout / "evals" / "reference-baseline.json")]) == 0
    assert "overall.f1\t0.8999" in capsys.readouterr().out


def test_replay_miss_says_what_changed_and_how_to_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fixture_folder(tmp_path / "fx")
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "fixtures: fx\nstore: empty.sqlite\nrecord: make record-evals\n"
        "settings:\n  backend: openai\n  model: m1\n  instructor_mode: json\n"
    )
    assert main(["eval", "run", str(suite), "--replay", "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err
    assert (
        f"summarizer: prompt version {prompt_version()[:12]} has no recorded answers from m1 for 1 of 1 "
        "fixture(s) (a1): the templates, examples, model or parameters changed since the recording. "
        "Re-record with: make record-evals; commit the store and the new baseline, then replay"
    ) in err


def test_gate_fails_on_replay_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fixture_folder(tmp_path / "fx")
    suite = tmp_path / "s.yaml"
    suite.write_text("fixtures: fx\nstore: empty.sqlite\nsettings:\n  backend: openai\n  model: m1\n")
    baseline = tmp_path / "base.json"
    assert main(["eval", "run", str(suite), "--replay", "--out", str(baseline)]) == 1
    capsys.readouterr()
    assert main(["eval", "gate", str(suite), "--baseline", str(baseline)]) == 1
    err = capsys.readouterr().err
    assert "summarizer: gate failed: prompt version" in err
    assert f"Re-record with: summarizer eval run {suite} --out BASELINE.json" in err


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "a1.gold.json").rename(f / "a1.gold.jsn"),
         "a1.meta.json: no a1.gold.json beside it, so fixture 'a1' would be skipped"),
        (lambda f: (f / "a1.gold.json").rename(f / "a1.json"),
         "a1.json: not a fixture file: name gold <id>.gold.json"),
        (lambda f: (f / "a1.meta.json").write_text('{"id": "a1"}'),
         "a1.meta.json: no `published` date: add it (YYYY-MM-DD"),
        (lambda f: (f / "a1.gold.json").write_text(json.dumps(
            {"summary": "x", "statements": [{"speaker": {"name": "Berg"}, "content": "x",
                                             "evidence": [{"quote": "Berg"}]}]})),
         "evidence quote of statements[0] occurs 3 times in the article: 'Berg'. Quote a longer span"),
    ],
)
def test_fixture_mistakes_are_errors_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], object], message: str
) -> None:
    folder = _fixture_folder(tmp_path / "fx")
    damage(folder)
    assert main(["eval", "run", str(folder), "--replay", "--store", str(tmp_path / "s.sqlite"),
                 "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"summarizer: error: {folder}/"), err
    assert message in err
