"""The command line: exact messages and exit codes, over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.cli import build_parser, main
from summarizer.config import Settings
from summarizer.schemas import ArticleSummary
from summarizer.testing import FakeOpenAIServer, json_answer

SEED = Path(__file__).parents[1] / "seeds" / "000_dc0927f4facc235e.txt"

DRAFT = {
    "summary": "The foreign ministers of Belarus and Russia met in Minsk.",
    "meetings": [
        {
            "participants": [{"name": "Sergey Aleinik", "kind": "person"}, {"name": "Sergey Lavrov", "kind": "person"}],
            "location": "Minsk",
            "time": "on Monday",
            "topics": ["bilateral ties"],
            "format": "in_person",
            "evidence": ["The Belarusian and Russian foreign ministers on Monday discussed bilateral ties"],
        }
    ],
    "statements": [],
    "planned_events": [],
}


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BACKEND", "SUMMARIZER_DEBUG", "SUMMARIZER_MODEL"):
        monkeypatch.delenv(var, raising=False)


def test_summarize_prints_a_valid_summary(server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["summarize", str(SEED), "--published", "2022-12-19", "--base-url", server.base_url, "--model", "m"])
    out = capsys.readouterr()
    assert code == 0, out.err
    summary = ArticleSummary.model_validate_json(out.out)
    assert summary.article_id == "000_dc0927f4facc235e"
    assert summary.meetings[0].time is not None and str(summary.meetings[0].time.start) == "2022-12-19"
    assert "cookies" not in json.dumps(server.requests[0].json)


@pytest.mark.parametrize("fmt, marker", [("md", "## Meetings"), ("html", "<mark")])
def test_summarize_formats(server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], fmt: str, marker: str) -> None:
    code = main(["summarize", str(SEED), "--format", fmt, "--base-url", server.base_url, "--model", "m"])
    assert code == 0
    assert marker in capsys.readouterr().out


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "nope/missing.txt"]) == 2
    assert capsys.readouterr().err == "summarizer: error: nope/missing.txt: no such file: check the path\n"


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    assert main(["summarize", str(empty)]) == 2
    assert capsys.readouterr().err == f"summarizer: error: {empty} is empty: give an article with some text\n"


def test_bad_published(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--published", "19/12/2022"]) == 2
    assert capsys.readouterr().err == (
        "summarizer: error: --published '19/12/2022' is not a date: use YYYY-MM-DD, e.g. 2022-12-19\n"
    )


def test_future_published(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--published", "2999-01-01"]) == 2
    assert "is in the future" in capsys.readouterr().err


def test_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"summarizer: error: {tmp_path} is a directory: use `summarizer batch")


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["summarize", str(SEED), "--frobnicate"])
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("summarizer: error: unrecognized arguments: --frobnicate")


def test_openai_without_key_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--model", "gpt-4o-mini"]) == 2
    assert capsys.readouterr().err == (
        "summarizer: error: the openai backend needs an API key: set OPENAI_API_KEY, or give "
        "--base-url for a local server that needs none\n"
    )


def test_transport_failure_is_exit_1_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    # Nothing listens on port 9 of loopback: the connection is refused at once.
    code = main(["summarize", str(SEED), "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--max-attempts", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("summarizer: model error: m: the connection failed or was dropped after 1 attempt(s)")
    assert "Traceback" not in err and err.count("\n") == 1


def test_debug_shows_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUMMARIZER_DEBUG", "1")
    assert main(["summarize", "nope/missing.txt"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_api_key_never_printed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    canary = "sk-canary-5f1e2d3c4b5a"
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    main(["summarize", str(SEED), "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--max-attempts", "1"])
    captured = capsys.readouterr()
    assert canary not in captured.err + captured.out


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ArticleSummary"
    assert "meetings" in schema["properties"]
    statement = schema["$defs"]["Statement"]["properties"]
    for name in ("kind", "cue", "content_evidence", "speaker_mention"):
        assert name in statement, name
    assert statement["kind"]["anyOf"][0]["enum"] == ["direct", "indirect", "mixed"]
    assert main(["schema", "--draft"]) == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["title"] == "DraftSummary"
    drafted = draft["$defs"]["DraftStatement"]["properties"]
    for name in ("kind", "cue", "content_evidence", "speaker_mention"):
        assert name in drafted, name


def test_an_undated_article_warns_that_relative_times_stay_unresolved(
    server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["summarize", str(SEED), "--base-url", server.base_url, "--model", "m"]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert out.err == (
        "summarizer: warning: 1 article(s) had no publication date, so 1 relative time(s) stay "
        'unresolved: give --published DATE, or a "published" date in the article record\n'
    )
    assert ArticleSummary.model_validate_json(out.out).run.undated_times == 1
    assert main([*argv, "--published", "2022-12-19"]) == 0
    assert capsys.readouterr().err == ""


PAGE = """<!DOCTYPE html>
<html><head><title>Ministers meet in Minsk | The Ledger</title>
<meta property="article:published_time" content="2022-12-19T10:30:00Z">
<script>var x = 1;</script></head>
<body><nav>Home | World</nav>
<article>
<h1>Ministers meet in Minsk</h1>
<p class="dateline">MINSK, Dec 19</p>
<p>The Belarusian and Russian foreign ministers on Monday discussed bilateral ties at a meeting
in Minsk, the ministry said in a statement released later in the day.</p>
<p>Foreign Minister Sergey Aleinik and Sergey Lavrov also talked about regional security, and
both said they would meet again in the spring to continue the talks.</p>
</article><footer>Cookies policy</footer></body></html>
"""


def test_html_input_carries_its_date_and_the_text_its_offsets_index(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    assert main(["summarize", str(page), "--base-url", server.base_url, "--model", "m"]) == 0
    out = capsys.readouterr()
    assert out.err == ""  # the page's own date resolved "on Monday": nothing to warn about
    summary = ArticleSummary.model_validate_json(out.out)
    text = summary.article_text
    assert text is not None and text.startswith("MINSK, Dec 19\n\nThe Belarusian")
    ev = summary.meetings[0].evidence[0]
    assert ev.start is not None and ev.end is not None and text[ev.start : ev.end] == ev.quote
    time = summary.meetings[0].time
    assert time is not None and str(time.start) == "2022-12-19"
    # A plain-text input is its own text: nothing to carry.
    assert main(["summarize", str(SEED), "--published", "2022-12-19", "--base-url", server.base_url, "--model", "m"]) == 0
    assert ArticleSummary.model_validate_json(capsys.readouterr().out).article_text is None


def _leaf_parsers() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, f"{prefix} {name}".strip())
        if not subs:
            found[prefix] = parser

    walk(build_parser(), "")
    return found


def test_every_option_has_help_and_states_its_default() -> None:
    defaults = Settings()
    model_defaults = {
        "--backend": defaults.backend, "--prompt-format": defaults.prompt_format,
        "--instructor-mode": defaults.instructor_mode, "--max-reasks": defaults.max_reasks,
        "--max-attempts": defaults.max_attempts, "--timeout": f"{defaults.timeout:g}",
        "--max-tokens": defaults.max_tokens, "--grounding": defaults.grounding,
    }  # fmt: skip
    parsers = _leaf_parsers()
    assert set(parsers) == {
        "summarize", "schema", "batch", "eval run", "eval score", "eval report", "eval compare",
        "eval gate", "eval judge", "eval draft-gold", "eval review", "events build", "events show", "events eval",
    }
    for command, parser in parsers.items():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            name = max(action.option_strings, key=len) if action.option_strings else action.dest
            assert action.help and len(action.help) > 10, f"{command} {name}: no help"
            default = action.default
            if action.option_strings and default not in (None, False):
                shown = f"{default:g}" if isinstance(default, float) else str(default)
                assert f"default {shown}" in action.help, f"{command} {name}: default {shown} not stated"
            if name in model_defaults:
                assert f"default {model_defaults[name]}" in action.help, f"{command} {name}"


def test_help_shows_the_defaults_a_newcomer_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["summarize", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--max-tokens N answer length cap in tokens (default 1024; a suite's settings may set their own: evals/seeds.yaml uses 512)" in out
    assert "html (a page with highlighted evidence); default json" in out


@pytest.mark.slow
def test_the_embedded_model_says_it_is_the_smoke_level_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SUMMARIZER_QUIET", raising=False)
    argv = ["summarize", str(SEED), "--published", "2022-12-19", "--max-tokens", "300"]
    assert main(argv) == 0
    ours = [line for line in capsys.readouterr().err.splitlines() if line.startswith("summarizer")]
    assert ours == [
        "summarizer: note: running the embedded smoke-level model (Gemma 3 270M base: it proves "
        "the whole path offline, it is not a good summariser): for real summaries give --base-url "
        "URL --model NAME, or --model-path an instruct GGUF (hide this note with --quiet or "
        "SUMMARIZER_QUIET=1)"
    ]
    assert main([*argv, "--quiet"]) == 0
    assert "summarizer: note" not in capsys.readouterr().err


def test_no_note_for_a_server_model(server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--published", "2022-12-19", "--base-url", server.base_url, "--model", "m"]) == 0
    assert capsys.readouterr().err == ""
