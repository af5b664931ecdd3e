"""The types the event stages pass along: an article's row, a mention, a match, an event.

Plain frozen dataclasses (not Pydantic): a build moves millions of mentions, and these are
made and compared far more often than they are validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

__all__ = [
    "ArticleRow",
    "ClusterKind",
    "Event",
    "FollowUp",
    "Match",
    "Mention",
    "MentionKind",
    "Problem",
]

MentionKind = Literal["meeting", "statement", "planned"]
# What is clustered together: a postponement or a cancellation is its own event, which the
# follow-up step links to the planned event it changes.
ClusterKind = Literal["meeting", "planned", "postponed", "cancelled", "statement"]


@dataclass(frozen=True, slots=True)
class ArticleRow:
    article_id: str
    title: str | None
    published: date | None
    source: str | None
    url: str | None
    text: str | None
    summary: str
    input_file: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One meeting, statement or planned event of one article, with its canonical keys."""

    mention_id: str
    article_id: str
    kind: MentionKind
    index: int
    cluster_kind: ClusterKind
    description: str
    participants: tuple[tuple[str, str], ...]  # (key, name as written), sorted by key
    place: str | None
    place_key: str | None
    time_text: str | None
    start: date | None
    end: date | None
    # True when the interval was not given but assumed from the publication date.
    time_inferred: bool
    status: str
    tokens: frozenset[str]
    evidence: tuple[dict[str, Any], ...]
    published: date | None
    source: str | None

    @property
    def actor_keys(self) -> frozenset[str]:
        return frozenset(key for key, _ in self.participants)

    @property
    def clustered(self) -> bool:
        return self.cluster_kind != "statement"


@dataclass(frozen=True, slots=True)
class Match:
    """An accepted pair of mentions (`a` < `b`) and why: the score and its parts."""

    a: str
    b: str
    score: float
    reason: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    kind: ClusterKind
    description: str
    participants: tuple[tuple[str, str], ...]
    place: str | None
    start: date | None
    end: date | None
    time_inferred: bool
    status: str
    first_seen: date | None
    last_seen: date | None
    n_articles: int
    n_sources: int
    members: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A planned event and the later event that fulfils, postpones or cancels it."""

    planned: str
    later: str
    relation: Literal["fulfils", "postpones", "cancels"]
    score: float
    reason: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be used, kept so that the build can say what it left out."""

    file: str
    line: int
    article_id: str | None
    message: str
