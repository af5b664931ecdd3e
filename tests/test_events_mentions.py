"""Mentions: one per item, with canonical keys, an interval (given or assumed) and its kind."""

from __future__ import annotations

from datetime import date

from summarizer.events.mentions import extract_mentions
from summarizer.events.model import ArticleRow
from summarizer.schemas import Actor, ArticleSummary, Meeting, PlannedEvent, Statement

ROW = ArticleRow("a1", None, date(2025, 5, 12), "Wire", None, None, "", "out.jsonl")


def test_items_become_mentions_with_keys_and_intervals() -> None:
    summary = ArticleSummary(
        article_id="a1",
        meetings=[Meeting(participants=[Actor(name="President Mira Kessler"), Actor(name="Kessler")], location="in Port Ferra, Estavia")],
        statements=[Statement(speaker=Actor(name="Joao Almar"), content="Almar agreed on the delay.")],
        planned_events=[
            PlannedEvent(description="the visit, now postponed to June", participants=[Actor(name="Kessler")]),
            PlannedEvent(description="talks", status="cancelled"),
            PlannedEvent(description="a rail link deal"),
        ],
    )
    meeting, statement, moved, gone, plan = extract_mentions(ROW, summary)
    assert meeting.mention_id == "a1#M1" and meeting.participants == (("kessler", "President Mira Kessler"),)
    assert meeting.place_key == "port ferra"
    # No time given: the week up to publication, marked as assumed.
    assert (meeting.start, meeting.end, meeting.time_inferred) == (date(2025, 5, 5), date(2025, 5, 12), True)
    assert statement.kind == "statement" and not statement.clustered
    assert [m.cluster_kind for m in (moved, gone, plan)] == ["postponed", "cancelled", "planned"]
    assert (plan.start, plan.end) == (date(2025, 5, 12), date(2025, 11, 11))
