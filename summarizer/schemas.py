"""The typed contract: what goes in (`Article`) and what comes out (`ArticleSummary`).

Field descriptions are written for the model: they are part of the JSON Schema
the model sees (through `summarizer.draft_schema`, which mirrors these types without
the fields the pipeline fills itself).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ActorKind(str, Enum):
    person = "person"
    organization = "organization"
    country = "country"
    group = "group"


class Granularity(str, Enum):
    day = "day"
    week = "week"
    part_of_month = "part-of-month"
    month = "month"
    quarter = "quarter"
    season = "season"
    half_year = "half-year"
    year = "year"
    unknown = "unknown"


MatchKind = Literal["exact", "fuzzy", "none"]
MeetingFormat = Literal["in_person", "call", "video", "unknown"]
EventStatus = Literal["scheduled", "planned", "proposed", "postponed", "cancelled"]
StatementKind = Literal["direct", "indirect", "mixed"]


class Actor(_Model):
    name: str = Field(
        description="The name as written in full in the article, e.g. 'Sergey Lavrov' or "
        "'Belarusian Foreign Ministry'. Use the fullest form the article gives."
    )
    kind: ActorKind = Field(
        default=ActorKind.person,
        description="person, organization, country or group",
    )
    role: str | None = Field(
        default=None, description="The actor's role or title, e.g. 'foreign minister'."
    )
    affiliation: str | None = Field(
        default=None, description="The country or organisation the actor belongs to."
    )


class Evidence(_Model):
    """A span of the article behind an item. Once grounded, `quote == text[start:end]`: the
    article's own characters, whatever the model wrote (that is kept in `model_quote`)."""

    quote: str = Field(description="A verbatim span of the article that supports the item.")
    start: int | None = Field(
        default=None, description="Character offset of the quote in Article.text (filled by grounding)."
    )
    end: int | None = Field(
        default=None, description="End offset (exclusive) of the quote in Article.text."
    )
    match: MatchKind | None = Field(
        default=None,
        description="How the model's quote was found: exact (verbatim, or differing only in "
        "case, spacing, quote or dash styles), fuzzy (words changed or elided) or none.",
    )
    model_quote: str | None = Field(
        default=None,
        description="The quote as the model wrote it, when that differs from `quote`.",
    )


class TimeExpr(_Model):
    text: str = Field(description="The time expression as written, e.g. 'on Monday'.")
    start: date | None = Field(default=None, description="First day of the interval (ISO date).")
    end: date | None = Field(default=None, description="Last day of the interval (ISO date).")
    granularity: Granularity | None = Field(default=None, description="Size of the interval.")
    note: str | None = Field(
        default=None, description="Why the expression is unresolved or ambiguous, when it is."
    )


class Meeting(_Model):
    participants: list[Actor] = Field(default_factory=list)
    location: str | None = None
    time: TimeExpr | None = None
    topics: list[str] = Field(default_factory=list)
    format: MeetingFormat = "unknown"
    evidence: list[Evidence] = Field(default_factory=list)


class Statement(_Model):
    """One attribution: who said what, and the article's spans for the speaker, the reporting
    verb and what was said. The spans are optional so that summaries and gold written before
    they existed still load."""

    speaker: Actor
    content: str = Field(description="What was said, in one sentence.")
    quote: str | None = Field(
        default=None, description="The verbatim direct quotation when the article quotes words."
    )
    evidence: list[Evidence] = Field(default_factory=list)
    kind: StatementKind | None = Field(
        default=None,
        description="direct (the words are quoted), indirect (reported in the article's own "
        "words: 'X said that ...', 'according to X') or mixed (both in one statement).",
    )
    cue: Evidence | None = Field(
        default=None,
        description="The reporting verb phrase, e.g. 'told reporters', 'according to', 'denied'.",
    )
    content_evidence: Evidence | None = Field(
        default=None,
        description="The article's span of what was said (the quotation or the reported "
        "clause), without the speaker and the cue.",
    )
    speaker_mention: Evidence | None = Field(
        default=None,
        description="Where this attribution names or refers to the speaker ('Brandt', 'he', "
        "'the ministry'); `speaker.name` is then the fullest name the article gives.",
    )


class PlannedEvent(_Model):
    description: str
    participants: list[Actor] = Field(default_factory=list)
    location: str | None = None
    time: TimeExpr | None = None
    status: EventStatus = "planned"
    evidence: list[Evidence] = Field(default_factory=list)


class RunInfo(_Model):
    """How a summary was made: enough to reproduce it and to account for its cost."""

    model: str = ""
    backend: str = ""
    prompt_version: str = ""
    library_version: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    attempts: int = 0
    reasks: int = 0
    chunks: int = 1
    dropped: int = 0
    flagged: int = 0
    cache_hit: bool = False
    # Time expressions left unresolved because the article has no publication date.
    undated_times: int = 0
    warnings: list[str] = Field(default_factory=list)


class ArticleSummary(_Model):
    article_id: str
    title: str | None = None
    summary: str = ""
    meetings: list[Meeting] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    planned_events: list[PlannedEvent] = Field(default_factory=list)
    run: RunInfo = Field(default_factory=RunInfo)
    article_text: str | None = Field(
        default=None,
        description="The text the evidence offsets index, when it is not the input as given "
        "(the main text extracted from an HTML page); null otherwise.",
    )


def text_id(text: str) -> str:
    """A stable id for an article without one: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Article(_Model):
    id: str = ""
    text: str
    title: str | None = None
    published: date | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None

    # Set when `text` was extracted from a page (not part of the record, nor of cache keys).
    _extracted: bool = PrivateAttr(default=False)

    @field_validator("published", mode="before")
    @classmethod
    def _day_of_a_timestamp(cls, value: Any) -> Any:
        # Feeds give "2022-12-19T10:00:00+03:00": the day is the one in the article's own
        # offset (its local date), never shifted to UTC.
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str) and len(value.strip()) > 10:
            try:
                return datetime.fromisoformat(value.strip()).date()
            except ValueError:
                return value  # pydantic's own message then says what is wrong
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Article:
        if not self.id:
            self.id = text_id(self.text)
        return self

    @property
    def extracted(self) -> bool:
        """True when `text` is what was extracted from an HTML page, not the file itself."""
        return self._extracted

    def as_extracted(self) -> Article:
        """A copy marked as extracted, so that summaries carry the text their offsets index."""
        copy = self.model_copy()
        copy._extracted = True
        return copy


def output_json_schema() -> dict[str, object]:
    """The JSON Schema of `ArticleSummary`, as `summarizer schema` prints it."""
    return ArticleSummary.model_json_schema()
