"""The match score: its parts, the hard rules, and the threshold."""

from __future__ import annotations

import pytest
from helpers_events import mention

from summarizer.events.scoring import THRESHOLD, match, score_pair


def test_the_same_meeting_scores_high_with_its_parts_recorded() -> None:
    a = mention("a#M1", ["roth", "brekke"], words="fisheries accord")
    b = mention("b#M1", ["roth", "brekke", "kessler"], place=None, words="the fisheries deal")
    scored = score_pair(a, b)
    assert scored is not None
    score, reason = scored
    # participants 2/3, place 0.5 (one not given), time 1, description 1/3.
    assert reason["parts"] == {"participants": 0.6667, "place": 0.5, "time": 1.0, "description": 0.3333}
    assert score == pytest.approx(0.45 * 2 / 3 + 0.2 * 0.5 + 0.2 + 0.15 / 3)
    assert reason["shared_actors"] == ["brekke", "roth"]
    found = match(b, a)
    assert found is not None and (found.a, found.b) == ("a#M1", "b#M1")


def test_hard_rules() -> None:
    a = mention("a#M1")
    assert score_pair(a, mention("b#M1", start="2025-03-25")) is None  # apart in time
    assert score_pair(a, mention("b#P1", kind="planned")) is None  # another kind
    assert score_pair(a, mention("b#M1", ["ferro"], place="norvik")) is None  # nothing shared


def test_an_inferred_time_weighs_less() -> None:
    a = mention("a#M1", place=None, words="")
    b = mention("b#M1", ["roth", "kessler"], place=None, words="", start="2025-03-04", end="2025-03-10", inferred=True)
    scored = score_pair(a, b)
    assert scored is not None and scored[1]["parts"]["time"] == 0.6
    assert match(a, b) is None and scored[0] < THRESHOLD
