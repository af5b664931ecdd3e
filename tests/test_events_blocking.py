"""Blocking: candidates share an actor (or place) and a month; each pair is scored once."""

from __future__ import annotations

from helpers_events import mention

from summarizer.events.blocking import block_keys, candidate_pairs


def _ids(pairs: object) -> list[tuple[str, str]]:
    return [(a.mention_id, b.mention_id) for a, b in pairs]  # type: ignore[attr-defined]


def test_keys_are_kind_actor_and_month() -> None:
    m = mention("a#M1", ["roth", "brekke"], start="2025-03-30", end="2025-04-02")
    assert block_keys(m) == (
        "meeting|a:brekke|2025-03", "meeting|a:brekke|2025-04",
        "meeting|a:roth|2025-03", "meeting|a:roth|2025-04",
    )
    assert block_keys(mention("b#M1", [], place="norvik")) == ("meeting|p:norvik|2025-03",)


def test_pairs_sharing_several_keys_come_once_and_apart_ones_never() -> None:
    ms = [
        mention("a#M1"), mention("b#M1"), mention("c#M1", start="2025-05-01"),
        mention("d#M1", ["ferro"]), mention("a#M2"),  # a#M2: same article as a#M1
        mention("e#P1", kind="planned"),
    ]
    assert _ids(candidate_pairs(ms)) == [("a#M1", "b#M1"), ("a#M2", "b#M1")]


def test_only_pairs_with_a_new_mention() -> None:
    ms = [mention("a#M1"), mention("b#M1"), mention("c#M1")]
    assert _ids(candidate_pairs(ms, new={"c#M1"})) == [("a#M1", "c#M1"), ("b#M1", "c#M1")]
