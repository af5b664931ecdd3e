"""A fixture's article in the eval reports: predicted and gold evidence (a statement's speaker,
cue and content spans too) marked in two styles, each mark titled with its item; fixture rows
link to the sections; a fixture whose files are missing degrades to a note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_eval import S2, TEXT, example_gold, make_run, write_fixture
from helpers_html import parse_article_text
from helpers_render import assert_no_active_content, parse

from summarizer.cli import main
from summarizer.eval.evidence_view import gold_highlights, predicted_highlights
from summarizer.eval.gold import Gold, load_suite_dir, to_prediction
from summarizer.eval.matrix import MatrixCell, MatrixRun
from summarizer.eval.matrix_report import matrix_html
from summarizer.eval.report import to_html
from summarizer.schemas import Article, Evidence


def _gold_with_spans() -> dict[str, object]:
    gold = example_gold()
    statement = gold["statements"][0]  # type: ignore[index]
    statement.update(
        cue={"quote": "said"},
        speaker_mention={"quote": "Berg"},
        content_evidence={"quote": "We agreed to cooperate on energy"},
    )
    return gold


@pytest.fixture
def fixtures(tmp_path: Path) -> list[tuple[Article, Gold]]:
    for n in range(2):
        write_fixture(tmp_path / "fx", f"f{n}", f"{TEXT} Story {n}.", _gold_with_spans())
    return load_suite_dir(tmp_path / "fx")


def test_marks_are_titled_with_their_side_and_item(fixtures: list[tuple[Article, Gold]]) -> None:
    article, gold = fixtures[0]
    pred = to_prediction(gold)
    got = {h.title: h for h in predicted_highlights(pred, article.text, "r0-")}
    assert set(got) == {
        "predicted meeting 1", "predicted statement 1", "predicted statement 2",
        "predicted planned event 1", "predicted statement 1 speaker", "predicted statement 1 cue",
        "predicted statement 1 content",
    }
    cue = got["predicted statement 1 cue"]
    assert article.text[cue.start : cue.end] == "said" and cue.start > article.text.index(S2)
    assert (cue.kind, cue.tagged, cue.target_id) == ("part", False, "r0-item-S1")
    # Evidence marks keep the ids the item list links to.
    assert got["predicted statement 1"].mark_id == "r0-ev-S1-1" and got["predicted statement 1"].tagged
    gold_marks = {h.title: h for h in gold_highlights(gold, article.text, "r0-", "r0-fixture")}
    assert gold_marks["gold statement 1 cue"].kind == "gold part"
    assert gold_marks["gold meeting 1"].kind == "gold" and gold_marks["gold meeting 1"].label == "gold M1"
    # Spans without offsets, or outside the text, are left out.
    pred.meetings[0].evidence = [Evidence(quote="x"), Evidence(quote="y", start=0, end=10**6)]
    assert "predicted meeting 1" not in {h.title for h in predicted_highlights(pred, article.text, "")}


def test_fixture_rows_link_to_the_article_with_both_sides_marked(
    fixtures: list[tuple[Article, Gold]],
) -> None:
    run = make_run(fixtures)
    page = to_html(run, fixtures)
    c = parse(page)
    assert_no_active_content(c)
    assert '<a href="#r1-fixture">f1</a>' in page and "r1-fixture" in c.ids and "r1-article" in c.ids
    assert parse_article_text(page) == [a.text for a, _g in fixtures]
    titles = [a.get("title") for t, a in c.tags if t == "mark"]
    for title in ("predicted statement 1 cue", "gold statement 1 cue", "gold planned event 1"):
        assert title in titles
    # A span both sides cite: the gold mark sits inside the predicted one.
    assert (
        '<mark id="r0-ev-M1-1" title="predicted meeting 1"><a class="tag" href="#r0-item-M1">M1</a>'
        '<mark id="r0-gold-M1-1" class="gold" title="gold meeting 1">'
    ) in page
    assert page.count('class="legend muted"') == 2 and "cited by both" in page
    # Fields graded correct share one row; the others keep a row each.
    assert '<td colspan="4" class="correct">correct: participants, participants.role, ' in page
    degraded = make_run(fixtures)
    assert degraded.results[0].prediction is not None
    degraded.results[0].prediction.meetings[0].location = "Lisbon"
    section = to_html(degraded, fixtures).split('id="r0-fixture"')[1]
    assert '<td>location</td><td class="incorrect">incorrect</td><td>Porto | Porto, Portugal</td><td>Lisbon</td>' in section


def test_a_failed_fixture_still_shows_its_article_with_the_gold(fixtures: list[tuple[Article, Gold]]) -> None:
    run = make_run(fixtures)
    run.results[0] = run.results[0].model_copy(update={"prediction": None})
    page = to_html(run, fixtures)
    section = page.split('id="r0-fixture"')[1].split("</section>")[0]
    assert 'class="gold"' in section and 'title="predicted' not in section


def test_a_missing_fixture_degrades_to_a_note(fixtures: list[tuple[Article, Gold]]) -> None:
    run = make_run(fixtures)
    page = to_html(run, fixtures[1:])  # f0's files are gone
    first = page.split('id="r0-fixture"')[1].split("</section>")[0]
    assert "No article or gold for f0: it is not among the fixtures the report was given" in first
    assert 'class="article"' not in first
    assert 'id="r1-article"' in page and parse_article_text(page) == [fixtures[1][0].text]


def test_the_cli_reports_over_a_folder_with_a_fixture_file_missing(
    tmp_path: Path, fixtures: list[tuple[Article, Gold]], capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(fixtures).model_copy(deep=True)
    run.settings.suite = str(tmp_path / "fx")
    run.save(tmp_path / "RUN.json")
    (tmp_path / "fx" / "f0.txt").unlink()
    out = tmp_path / "report.html"
    assert main(["eval", "report", str(tmp_path / "RUN.json"), "--format", "html", "--out", str(out)]) == 0
    assert capsys.readouterr().err == (
        f"summarizer: warning: fixture 'f0': {tmp_path / 'fx' / 'f0.txt'} is missing; a fixture needs "
        "<id>.txt and <id>.gold.json (and optionally <id>.meta.json). The report shows it without "
        "its article and gold.\n"
    )
    page = out.read_text(encoding="utf-8")
    assert "No article or gold for f0" in page and 'id="r1-article"' in page


def test_a_matrix_report_has_a_section_per_fixture_with_every_cell(
    fixtures: list[tuple[Article, Gold]],
) -> None:
    good, weak = make_run(fixtures), make_run(fixtures)
    for r in weak.results:
        assert r.prediction is not None
        r.prediction.statements = []
    matrix = MatrixRun(
        name="grid", baseline="good",
        cells=[MatrixCell(label="good", run=good), MatrixCell(label="weak", run=weak)],
    )
    page = matrix_html(matrix, fixtures)
    c = parse(page)
    assert_no_active_content(c)
    assert '<a href="#f0-fixture">f0</a>' in page and "f1-fixture" in c.ids
    section = page.split('id="f0-fixture"')[1].split("</section>")[0]
    assert section.count("<details") == 2 and section.count("<details open>") == 1
    assert "<summary>good: field F1 1.000</summary>" in section
    assert 'id="f0c0-ev-S1-cue"' in section and 'id="f0c1-ev-S1-cue"' not in section
    assert section.count('id="f0c1-gold-S1-cue"') == 1  # the gold is shown in every cell
    # Without the fixtures: the predictions, and a note.
    bare = matrix_html(matrix)
    assert "Pass the suite's fixtures to show articles and gold." in bare and 'class="article"' not in bare
    assert json.dumps("f0")[1:-1] in bare
