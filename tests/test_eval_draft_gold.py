"""Drafting gold from a summary: the fixture files, carried fields, left-out evidence, drafts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import ARTICLE_TEXT
from helpers_review import CueStatement, CueSummary

from summarizer.errors import InputError
from summarizer.eval.draft_gold import (
    check_fixture_id,
    fixture_article,
    gold_from_summary,
    write_draft,
)
from summarizer.eval.extras import gold_type
from summarizer.eval.gold import Gold, load_fixture, load_suite_dir
from summarizer.schemas import (
    Actor,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    RunInfo,
    Statement,
    TimeExpr,
)


def _ev(quote: str, *, found: bool = True) -> Evidence:
    start = ARTICLE_TEXT.find(quote) if found else -1
    if start < 0:
        return Evidence(quote=quote, match="none")
    return Evidence(quote=quote, start=start, end=start + len(quote), match="exact", model_quote=quote.lower())


def _summary(**lists: object) -> ArticleSummary:
    return ArticleSummary.model_validate({
        "article_id": "berg", "summary": "Berg met Holt.",
        "run": RunInfo(model="m", backend="openai", prompt_version="abc123"), **lists,
    })  # fmt: skip


MEETING = Meeting(
    participants=[Actor(name="Anna Berg", role="foreign minister"), Actor(name="Jon Holt")],
    location="Oslo",
    time=TimeExpr(text="on Monday", start=date(2024, 3, 4), end=date(2024, 3, 4), granularity="day"),
    topics=["fishing rights"],
    format="in_person",
    evidence=[_ev("Anna Berg met Prime Minister Jon Holt in Oslo"), _ev("met in Bergen yesterday")],
)


def test_a_summary_becomes_gold_with_offsets_times_and_no_model_only_fields() -> None:
    gold, notes = gold_from_summary(_summary(meetings=[MEETING]), ARTICLE_TEXT, fixture_id="berg")
    assert gold.review == "draft" and gold.article_id == "berg" and gold.summary == "Berg met Holt."
    meeting = gold.meetings[0]
    assert meeting.participants[0].name == "Anna Berg" and meeting.participants[0].role == "foreign minister"
    assert meeting.time is not None and (meeting.time.start, meeting.time.granularity) == (date(2024, 3, 4), "day")
    # The evidence the article has keeps its offsets; the one it lacks is left out, and said so.
    [ev] = meeting.evidence
    assert ARTICLE_TEXT[ev.start or 0 : ev.end] == ev.quote and ev.match == "exact"
    assert notes == [
        "meetings[0].evidence[1]: evidence 'met in Bergen yesterday' is not in the article; "
        "left out (select the right span in the review page)"
    ]


def test_every_field_of_an_extended_gold_model_is_carried() -> None:
    said = "Berg said after the talks"
    summary = CueSummary(
        article_id="berg",
        statements=[
            CueStatement(
                speaker=Actor(name="Anna Berg"), content="They will meet again in March.",
                quote="We agreed to meet again in March", evidence=[_ev("We agreed to meet again in March")],
                cue=_ev(said), tone="calm",
            ),
            CueStatement(speaker=Actor(name="Jon Holt"), content="x", cue=_ev("Holt shouted", found=False)),
        ],
    )
    gold, notes = gold_from_summary(summary, ARTICLE_TEXT, fixture_id="berg", gold_type=gold_type(CueSummary))
    first, second = gold.statements
    assert first.cue.quote == said and ARTICLE_TEXT[first.cue.start : first.cue.end] == said  # type: ignore[attr-defined]
    assert first.tone == "calm"  # type: ignore[attr-defined]
    assert second.cue is None  # type: ignore[attr-defined]
    assert notes == [
        "statements[1].cue: evidence 'Holt shouted' is not in the article; left out (select "
        "the right span in the review page)"
    ]


def test_the_fixture_files_read_back_as_the_draft(tmp_path: Path) -> None:
    article = Article(id="berg", text=ARTICLE_TEXT, published=date(2024, 3, 5), title="Talks", source="Wire")
    draft = write_draft(article, _summary(meetings=[MEETING]), tmp_path)
    assert [p.name for p in draft.files] == ["berg.txt", "berg.meta.json", "berg.gold.json"]
    assert (tmp_path / "berg.txt").read_text(encoding="utf-8") == ARTICLE_TEXT
    meta = json.loads((tmp_path / "berg.meta.json").read_text(encoding="utf-8"))
    assert meta == {
        "id": "berg", "title": "Talks", "published": "2024-03-05", "source": "Wire", "url": None,
        "language": None, "drafted_by": {"model": "m", "backend": "openai", "prompt_version": "abc123"},
    }
    raw = json.loads((tmp_path / "berg.gold.json").read_text(encoding="utf-8"))
    assert raw["review"] == "draft" and "run" not in raw and "meta" not in raw
    assert set(raw["meetings"][0]["evidence"][0]) == {"quote", "start", "end"}
    _, gold = load_fixture(tmp_path, "berg", allow_draft=True)
    assert gold.model_dump(exclude={"meta"}) == draft.gold.model_dump(exclude={"meta"})
    assert gold.meta["drafted_by"]["model"] == "m"


def test_a_suite_refuses_a_draft_until_it_is_reviewed(tmp_path: Path) -> None:
    write_draft(Article(id="berg", text=ARTICLE_TEXT, published=date(2024, 3, 5)), _summary(), tmp_path)
    gold_path = tmp_path / "berg.gold.json"
    message = (
        f"{gold_path}: a draft nobody has reviewed (\"review\": \"draft\"): review it with "
        f"`summarizer eval review {gold_path}` and save it as reviewed"
    )
    with pytest.raises(InputError) as caught:
        load_suite_dir(tmp_path)
    assert str(caught.value) == message
    raw = json.loads(gold_path.read_text(encoding="utf-8"))
    del raw["review"]
    gold_path.write_text(json.dumps(raw), encoding="utf-8")
    [(_, gold)] = load_suite_dir(tmp_path)
    assert gold.review is None


def test_existing_files_with_other_content_are_kept_unless_forced(tmp_path: Path) -> None:
    article = Article(id="berg", text=ARTICLE_TEXT, published=date(2024, 3, 5))
    write_draft(article, _summary(meetings=[MEETING]), tmp_path)
    write_draft(article, _summary(meetings=[MEETING]), tmp_path)  # the same draft again: fine
    edited = tmp_path / "berg.gold.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Oslo", "Oslo, Norway"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_draft(article, _summary(meetings=[MEETING]), tmp_path)
    assert str(caught.value) == (
        f"{edited} exists with other content: pass --force to overwrite it, or --out another folder"
    )
    assert "Oslo, Norway" in edited.read_text(encoding="utf-8")
    write_draft(article, _summary(meetings=[MEETING]), tmp_path, force=True)
    assert "Oslo, Norway" not in edited.read_text(encoding="utf-8")


def test_line_ends_are_those_the_fixture_reads_back(tmp_path: Path) -> None:
    crlf = Article(id="crlf", text="Berg met Holt.\r\n\r\nThey talked.\rAgain.")
    article = fixture_article(crlf)
    assert article.text == "Berg met Holt.\n\nThey talked.\nAgain." and article.id == "crlf"
    assert fixture_article(article) is article
    start = article.text.index("They talked.")
    summary = ArticleSummary(article_id="crlf", statements=[Statement(
        speaker=Actor(name="Berg"), content="They talked.",
        evidence=[Evidence(quote="They talked.", start=start, end=start + 12, match="exact")],
    )])  # fmt: skip
    write_draft(article, summary, tmp_path)
    _, gold = load_fixture(tmp_path, "crlf", allow_draft=True)
    assert gold.statements[0].evidence[0].start == start


@pytest.mark.parametrize("bad", ["", ".hidden", "../up", "a/b", "a\\b", "x" * 201])
def test_an_id_that_cannot_name_a_file_is_refused(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        check_fixture_id(bad, "in.json")
    assert str(caught.value) == (
        f"in.json: article id {bad[:80]!r} cannot name a fixture file: give the article a plain "
        "id (letters, digits, - _ .)"
    )
    check_fixture_id("000_dc0927f4facc235e", "in.json")


def test_plain_gold_ignores_fields_only_an_extended_type_has() -> None:
    summary = CueSummary(
        article_id="berg",
        statements=[CueStatement(speaker=Actor(name="Anna Berg"), content="c", tone="angry")],
    )
    gold, _ = gold_from_summary(summary, ARTICLE_TEXT, fixture_id="berg", gold_type=Gold)
    assert "tone" not in gold.statements[0].model_dump()
