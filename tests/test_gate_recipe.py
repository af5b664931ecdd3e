"""The README's "Gate a prompt change in CI", walked end to end in a temporary folder: record a
suite through a scripted OpenAI-compatible server, gate a replay, change a template, watch the
replay miss with a message naming the new prompt version and the command to re-record,
re-record, compare, gate, and find the JUnit and Markdown files written."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer.cli import main
from summarizer.prompts import prompts_dir
from summarizer.testing.server import FakeOpenAIServer, RecordedRequest, json_answer

ROOT = Path(__file__).parents[1]
FIXTURES = ("001_bilateral_meeting", "003_phone_call")


def _first_sentence_answer(request: RecordedRequest) -> dict[str, Any]:
    """A stand-in model: the article's first sentence as the summary, nothing extracted."""
    text = request.messages[-1]["content"]
    article = text.split("<article>")[-1].split("</article>")[0].strip()
    first = article.split("\n")[0]
    return {"summary": first, "meetings": [], "statements": [], "planned_events": []}


@pytest.mark.slow
def test_gate_a_prompt_change_in_ci(
    tmp_path: Path,
    fake_openai: Callable[..., FakeOpenAIServer],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_only_api_key(monkeypatch, "sk-test")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").mkdir()
    for fid in FIXTURES:
        for suffix in (".txt", ".meta.json", ".gold.json"):
            shutil.copy(ROOT / "seeds" / f"{fid}{suffix}", tmp_path / "fixtures" / f"{fid}{suffix}")
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    shutil.copy(prompts_dir() / "system.j2", prompts / "system.j2")
    server = fake_openai(json_answer(_first_sentence_answer))
    record = f"summarizer eval run mine.yaml --base-url {server.base_url} --out mine-baseline.json"
    Path("mine.yaml").write_text(
        "name: mine\nfixtures: fixtures\nstore: mine.sqlite\n"
        f"record: {record}\n"
        "settings:\n  model: m-test\n  instructor_mode: json\n  prompts: prompts\n",
        encoding="utf-8",
    )
    # 1. Record once against the model.
    assert main(record.split()[1:]) == 0
    assert len(server.requests_to("/chat/completions")) == 2
    # 2. CI replays offline and gates.
    assert main(["eval", "gate", "mine.yaml", "--baseline", "mine-baseline.json"]) == 0
    assert len(server.requests_to("/chat/completions")) == 2  # replay: no request
    capsys.readouterr()
    # 3. A prompt change: the replay misses, and says what to do.
    with (prompts / "system.j2").open("a", encoding="utf-8") as handle:
        handle.write("\nKeep the summary to one sentence.\n")
    from summarizer.prompts import prompts_version

    new_version = prompts_version(str(prompts))[:12]
    assert main(["eval", "gate", "mine.yaml", "--baseline", "mine-baseline.json"]) == 1
    err = capsys.readouterr().err
    assert f"prompt version {new_version} has no recorded answers from m-test for 2 of 2 fixture(s)" in err
    assert f"Re-record with: {record}; commit the store and the new baseline, then replay" in err
    # 4. Re-record, look at the comparison, gate with JUnit and Markdown.
    shutil.copy("mine-baseline.json", "old-baseline.json")
    assert main(record.split()[1:]) == 0
    assert len(server.requests_to("/chat/completions")) == 4
    assert main(["eval", "compare", "old-baseline.json", "mine-baseline.json", "--format", "json",
                 "--out", "compare.json"]) == 0
    comparison = json.loads(Path("compare.json").read_text())["comparison"]
    assert comparison["base_prompt_version"] != comparison["new_prompt_version"]
    assert comparison["new_prompt_version"].startswith(new_version)
    assert main(["eval", "gate", "mine.yaml", "--baseline", "mine-baseline.json",
                 "--junit", "junit.xml", "--summary", "gate.md"]) == 0
    suite = ET.parse("junit.xml").getroot()
    assert [c.get("name") for c in suite.iter("testcase")] == [*FIXTURES, "gate"]
    assert suite.get("failures") == "0"
    assert "## Gate: PASSED" in Path("gate.md").read_text(encoding="utf-8")
