"""Run reports: Markdown tables and diffs, one safe self-contained HTML file, comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_eval import degrade, make_run, synthetic_suite, write_fixture
from helpers_render import assert_no_active_content, parse

from summarizer.errors import UsageError
from summarizer.eval.compare import compare, gate
from summarizer.eval.gold import Gold, load_suite_dir
from summarizer.eval.report import comparison_markdown, grade_label, to_html, to_markdown
from summarizer.schemas import Actor, Article

EVIL = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Article, Gold]]:
    return synthetic_suite(tmp_path_factory.mktemp("suite"), n=3)


def test_markdown_has_tables_and_gold_vs_predicted(suite: list[tuple[Article, Gold]]) -> None:
    run = make_run(suite)
    pred = run.results[0].prediction
    assert pred is not None
    pred.statements[1].speaker = Actor(name="Wrong Person")
    md = to_markdown(run, suite)
    for heading in ("## Headline", "## Per list", "## Per field", "## Per fixture"):
        assert heading in md
    # 3 fixtures x 3 statements, one speaker wrong; rescored from the predictions.
    assert "| statements.speaker | 8 | 0 | 1 | 0 | 0 |" in md
    assert "statements.speaker.role" not in md  # no value on either side: no row
    assert "speaker: **incorrect**" in md
    gold_name = suite[0][1].statements[1].speaker.name
    assert f"gold: {gold_name}; predicted: Wrong Person" in md


def test_markdown_without_fixtures_uses_the_run_file(suite: list[tuple[Article, Gold]]) -> None:
    md = to_markdown(make_run(suite))
    assert "Gold values not shown" in md
    assert "| Field F1 (overall) | 1.000 |" in md
    unscored = make_run(suite)
    unscored = unscored.model_copy(
        update={
            "aggregate": None,
            "results": [r.model_copy(update={"scores": None}) for r in unscored.results],
        }
    )
    with pytest.raises(UsageError, match="fixtures"):
        to_markdown(unscored)


def test_html_report_is_self_contained_and_safe(tmp_path: Path) -> None:
    text = f"Anna Berg said {EVIL} in Porto. Piet Vos agreed."
    quote = f"Anna Berg said {EVIL} in Porto."
    gold = {
        "statements": [
            {"speaker": {"name": "Anna Berg"}, "content": EVIL, "evidence": [{"quote": quote}]}
        ]
    }
    write_fixture(tmp_path, "evil", text, gold)
    fixtures = load_suite_dir(tmp_path)
    run = make_run(fixtures)
    assert run.results[0].prediction is not None
    run.results[0].prediction.statements[0].speaker.name = EVIL
    page = to_html(run, fixtures)
    c = parse(page)
    assert_no_active_content(c)
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page  # nothing external
    assert "<style>" in page
    # The evidence span is highlighted and linked both ways.
    assert "r0-ev-S1-1" in c.ids and "#r0-ev-S1-1" in c.hrefs
    assert "r0-item-S1" in c.ids and "#r0-item-S1" in c.hrefs
    assert "".join(c.article_text) == text


def test_html_report_of_a_degraded_run_shows_grades(suite: list[tuple[Article, Gold]]) -> None:
    page = to_html(make_run(suite, degrade), suite)
    assert 'class="missing"' in page
    assert page.count("<h3>") >= len(suite)


def test_grade_label() -> None:
    assert grade_label([1, 0, 0, 0, 0]) == "correct"
    assert grade_label([2, 0, 0, 1, 0]) == "2 correct, 1 missing"


def test_comparison_markdown(suite: list[tuple[Article, Gold]]) -> None:
    comparison = compare(make_run(suite), make_run(suite, degrade), n_boot=200)
    md = comparison_markdown(comparison, gate(comparison))
    assert "FAILED" in md and "Fixtures that got worse" in md
    assert "overall.f1" in md
