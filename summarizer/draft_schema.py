"""What the model is asked to write: the output schema minus everything the
pipeline fills itself (offsets, normalised dates, run metadata).

Descriptions here are instructions to the model; they end up in the JSON
Schema it sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from summarizer.schemas import ActorKind, EventStatus, MeetingFormat, StatementKind

_EVIDENCE = (
    "Verbatim quotes copied character for character from the article that support this item "
    "(a clause or a sentence each). Never paraphrase here."
)
_TIME = "The time expression exactly as the article writes it (e.g. 'on Monday'), or null."


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DraftActor(_Draft):
    name: str = Field(description="Name as written in full in the article, e.g. 'Sergey Lavrov'.")
    kind: ActorKind = Field(
        default=ActorKind.person, description="person, organization, country or group"
    )
    role: str | None = Field(default=None, description="Role or title, e.g. 'foreign minister'.")
    affiliation: str | None = Field(
        default=None, description="Country or organisation of the actor."
    )


class DraftItem(_Draft):
    # Names of a user's extra fields that hold evidence quotes (see summarizer.extra_fields):
    # they are checked against the article like the built-in evidence.
    evidence_fields: ClassVar[tuple[str, ...]] = ()

    def extra_quotes(self) -> list[str]:
        found: list[str] = []
        for name in self.evidence_fields:
            value = getattr(self, name, None)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
        return found


class DraftMeeting(DraftItem):
    participants: list[DraftActor] = Field(default_factory=list, description="Who met.")
    location: str | None = Field(default=None, description="City or venue, as written.")
    time: str | None = Field(default=None, description=_TIME)
    topics: list[str] = Field(
        default_factory=list, description="What they discussed, short phrases."
    )
    format: MeetingFormat = Field(
        default="unknown", description="in_person, call, video or unknown"
    )
    evidence: list[str] = Field(default_factory=list, description=_EVIDENCE)


class DraftStatement(DraftItem):
    speaker: DraftActor = Field(
        description="Who said it: a person or an organisation, with the fullest name the "
        "article gives (for 'he' or 'the minister', the name given earlier in the article)."
    )
    speaker_mention: str | None = Field(
        default=None,
        description="Where this attribution names or refers to the speaker, verbatim: "
        "'Brandt', 'he', 'the ministry', 'a spokeswoman'.",
    )
    cue: str | None = Field(
        default=None,
        description="The reporting verb phrase, verbatim and short: 'said', 'told reporters', "
        "'according to', 'argued', 'denied', 'wrote'.",
    )
    kind: StatementKind | None = Field(
        default=None,
        description="direct (the words are in quotation marks), indirect (reported in the "
        "article's own words: 'X said that ...', 'according to X') or mixed (both).",
    )
    content_evidence: str | None = Field(
        default=None,
        description="What was said, copied verbatim from the article without the speaker and "
        "the cue: the quoted words (without the quotation marks) or the reported clause. A "
        "statement that runs over several sentences is copied whole.",
    )
    content: str = Field(description="What was said, in one sentence.")
    quote: str | None = Field(
        default=None,
        description="The direct quotation, verbatim, when the article quotes the speaker's "
        "words; else null.",
    )
    evidence: list[str] = Field(default_factory=list, description=_EVIDENCE)

    def span_quotes(self) -> list[str]:
        """The quotes of the attribution's own spans (mention, cue, content), when given."""
        return [q for q in (self.speaker_mention, self.cue, self.content_evidence) if q]


class DraftPlannedEvent(DraftItem):
    description: str = Field(description="What is planned, in a short phrase.")
    participants: list[DraftActor] = Field(default_factory=list)
    location: str | None = None
    time: str | None = Field(default=None, description=_TIME)
    status: EventStatus = Field(
        default="planned", description="scheduled, planned, proposed, postponed or cancelled"
    )
    evidence: list[str] = Field(default_factory=list, description=_EVIDENCE)


@dataclass
class QuoteCheck:
    """Re-ask budget for quotes that are not in the article.

    It travels in a ContextVar rather than instructor's `context=`: instructor
    renders the messages as Jinja templates whenever a context is given, which
    would execute template syntax found in an article.
    """

    is_grounded: Callable[[str], bool]
    reasks_left: int = 1
    reasks_used: int = 0


_QUOTE_CHECK: ContextVar[QuoteCheck | None] = ContextVar("summarizer_quote_check", default=None)


@contextmanager
def checking_quotes(check: QuoteCheck) -> Iterator[QuoteCheck]:
    token = _QUOTE_CHECK.set(check)
    try:
        yield check
    finally:
        _QUOTE_CHECK.reset(token)


class DraftSummary(_Draft):
    """A structured summary of one news article."""

    summary: str = Field(description="One to three sentences summarising the article.")
    meetings: list[DraftMeeting] = Field(
        default_factory=list, description="Meetings, talks and calls that the article reports."
    )
    statements: list[DraftStatement] = Field(
        default_factory=list,
        description="Every attribution in the article, direct and indirect ('X said', 'X "
        "argued that', 'according to X', 'X wrote', 'the campaign denied'): one statement "
        "per reporting verb.",
    )
    planned_events: list[DraftPlannedEvent] = Field(
        default_factory=list, description="Events that are planned, scheduled or proposed."
    )

    @model_validator(mode="after")
    def _quotes_in_article(self) -> DraftSummary:
        check = _QUOTE_CHECK.get()
        if check is None or check.reasks_left <= 0:
            return self
        # Each missing quote once, however many items repeat it.
        missing = [q for q in dict.fromkeys(self.quotes()) if not check.is_grounded(q)]
        if missing:
            check.reasks_left -= 1
            check.reasks_used += 1
            listed = "; ".join(repr(q[:200]) for q in missing[:10])
            raise ValueError(
                f"these evidence quotes are not in the article: {listed}. Copy evidence and "
                "quotes character for character from the article, or leave the item out."
            )
        return self

    def quotes(self) -> list[str]:
        found: list[str] = []
        for meeting in self.meetings:
            found.extend(meeting.evidence)
            found.extend(meeting.extra_quotes())
        for statement in self.statements:
            found.extend(statement.evidence)
            if statement.quote:
                found.append(statement.quote)
            found.extend(statement.span_quotes())
            found.extend(statement.extra_quotes())
        for event in self.planned_events:
            found.extend(event.evidence)
            found.extend(event.extra_quotes())
        return found


DraftItemKind = Literal["meetings", "statements", "planned_events"]


def draft_json_schema(draft_type: type[DraftSummary] = DraftSummary) -> dict[str, Any]:
    return draft_type.model_json_schema()


def schema_fingerprint(schema: dict[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))
