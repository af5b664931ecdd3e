"""The pipeline with a scripted backend: cleaning, chunking, grounding, merging, run metadata."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.backends.base import Backend, ModelResult
from summarizer.config import resolve_settings
from summarizer.draft_schema import (
    DraftActor,
    DraftMeeting,
    DraftPlannedEvent,
    DraftStatement,
    DraftSummary,
    QuoteCheck,
)
from summarizer.pipeline import Pipeline
from summarizer.prompts import PromptInput
from summarizer.schemas import Article

SEED = Path(__file__).parents[1] / "seeds" / "000_dc0927f4facc235e.txt"


class ScriptedBackend(Backend):
    """Answers each chunk with a draft built from that chunk's own text."""

    name = "scripted"
    model = "scripted-1"

    def __init__(self, make: object, budget: int = 100_000) -> None:
        self.make = make
        self.budget = budget
        self.seen: list[PromptInput] = []

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        self.seen.append(item)
        draft = self.make(item)  # type: ignore[operator]
        return ModelResult(draft=draft, tokens_in=len(item.article_text) // 4, tokens_out=50, attempts=1)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    @property
    def article_token_budget(self) -> int:
        return self.budget


def seed_draft(_item: PromptInput) -> DraftSummary:
    return DraftSummary(
        summary="The foreign ministers of Belarus and Russia met in Minsk.",
        meetings=[
            DraftMeeting(
                participants=[DraftActor(name="Aleinik"), DraftActor(name="Sergey Lavrov", role="foreign minister")],
                location="Minsk",
                time="on Monday",
                topics=["bilateral ties"],
                format="in_person",
                evidence=["The Belarusian and Russian foreign ministers on Monday discussed bilateral ties"],
            ),
            DraftMeeting(  # invented: its evidence is nowhere in the article
                participants=[DraftActor(name="Ilse Brandt")],
                evidence=["Brandt met Qadri in Vell on Wednesday."],
            ),
        ],
        statements=[
            DraftStatement(
                speaker=DraftActor(name="Belarusian Foreign Ministry", kind="organization"),
                content="The ministry said trade and joint projects were discussed.",
                quote="Issues of trade and economic cooperation and the implementation of joint projects were touched upon.",
                evidence=["Issues of trade and economic cooperation and the implementation of joint projects were touched upon."],
            )
        ],
        planned_events=[
            DraftPlannedEvent(
                description="joint meeting of the collegiums of the foreign ministries",
                time="the second half of January 2023",
                evidence=["It is planned for the second half of January 2023"],
            )
        ],
    )


def test_seed_article_is_grounded_normalised_and_accounted_for() -> None:
    text = SEED.read_text(encoding="utf-8")
    article = Article(id="seed", text=text, published=date(2022, 12, 19))
    backend = ScriptedBackend(seed_draft)
    summary = Pipeline(resolve_settings(), backend).run(article)

    # The model never saw the cookie banner.
    assert "cookies" not in backend.seen[0].article_text
    # Every evidence span indexes the text as given.
    items = [*summary.meetings, *summary.statements, *summary.planned_events]
    for item in items:
        for ev in item.evidence:
            assert ev.start is not None and ev.end is not None
            assert text[ev.start : ev.end] == ev.quote
    # The invented meeting is dropped and counted.
    assert len(summary.meetings) == 1 and summary.run.dropped == 1
    assert any("meeting 2" in w for w in summary.run.warnings)
    meeting = summary.meetings[0]
    assert [a.name for a in meeting.participants] == ["Sergey Aleinik", "Sergey Lavrov"] or [
        a.name for a in meeting.participants
    ] == ["Aleinik", "Sergey Lavrov"]
    assert meeting.time is not None and meeting.time.start == date(2022, 12, 19)
    event = summary.planned_events[0]
    assert event.time is not None
    assert (event.time.start, event.time.end) == (date(2023, 1, 16), date(2023, 1, 31))
    assert summary.run.backend == "scripted" and summary.run.prompt_version
    assert summary.run.tokens_out == 50 and summary.run.chunks == 1


def test_flag_policy_keeps_ungrounded_items_marked() -> None:
    text = SEED.read_text(encoding="utf-8")
    article = Article(id="seed", text=text, published=date(2022, 12, 19))
    summary = Pipeline(resolve_settings(grounding="flag"), ScriptedBackend(seed_draft)).run(article)
    assert len(summary.meetings) == 2 and summary.run.flagged >= 1 and summary.run.dropped == 0
    assert summary.meetings[1].evidence[0].match == "none"


def test_without_published_relative_times_stay_unresolved() -> None:
    text = SEED.read_text(encoding="utf-8")
    summary = Pipeline(resolve_settings(), ScriptedBackend(seed_draft)).run(Article(id="s", text=text))
    time = summary.meetings[0].time
    assert time is not None and time.start is None and time.text == "on Monday"


def _story(n: int) -> str:
    towns = ["Arlen", "Borvik", "Casmere", "Dunmoor", "Elstow", "Fenwick"]
    town = towns[n % len(towns)]
    lines = [f"Mayor Tomas Keller{n} of {town} met regional governor Ida Brunn{n} on Tuesday."]
    for k in range(95):
        lines.append(
            f"In {town}, council item {n}-{k} on road repairs, school meals and water pipes was reviewed by staff member {k}."
        )
    return " ".join(lines)


def test_long_article_is_chunked_and_items_merged_across_chunks() -> None:
    text = "\n\n".join(_story(n) for n in range(6))
    assert len(text) > 60_000
    article = Article(id="long", text=text)

    def per_chunk(item: PromptInput) -> DraftSummary:
        # Each chunk reports the meeting sentences it contains; overlapping chunks repeat some.
        meetings = []
        for n in range(6):
            sentence = f"Mayor Tomas Keller{n} of "
            if sentence in item.article_text:
                meetings.append(
                    DraftMeeting(
                        participants=[DraftActor(name=f"Tomas Keller{n}"), DraftActor(name=f"Ida Brunn{n}")],
                        evidence=[f"Mayor Tomas Keller{n}"],
                    )
                )
        return DraftSummary(summary="Councils met.", meetings=meetings)

    backend = ScriptedBackend(per_chunk, budget=2_000)
    summary = Pipeline(resolve_settings(), backend).run(article)
    assert summary.run.chunks == len(backend.seen) > 3
    assert len(summary.meetings) == 6
    for n, meeting in enumerate(sorted(summary.meetings, key=lambda m: m.evidence[0].start or 0)):
        ev = meeting.evidence[0]
        assert ev.start is not None and text[ev.start : ev.end] == f"Mayor Tomas Keller{n}"


@pytest.mark.parametrize("policy", ["drop", "flag", "keep"])
def test_policies_count_what_they_do(policy: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    summary = Pipeline(resolve_settings(grounding=policy), ScriptedBackend(seed_draft)).run(
        Article(id="s", text=text, published=date(2022, 12, 19))
    )
    if policy == "drop":
        assert summary.run.dropped >= 1 and summary.run.flagged == 0
    elif policy == "flag":
        assert summary.run.flagged >= 1 and summary.run.dropped == 0
    else:
        assert summary.run.flagged == 0 and summary.run.dropped == 0 and len(summary.meetings) == 2
