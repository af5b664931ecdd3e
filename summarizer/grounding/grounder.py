"""From the model's draft to checked output items: ground and normalise each one.

Nothing the model says is trusted: every evidence quote is aligned to the
article (offsets into `Article.text` as given), every name, place, time and
direct quote is looked up in the article, and what cannot be found is handled by
the grounding policy: `drop` (default) removes it, `flag` keeps it marked
(`match: none`, listed in `run.warnings`), `keep` keeps it silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from summarizer.actors import is_descriptive
from summarizer.config import GroundingPolicy
from summarizer.draft_schema import DraftActor, DraftItem, DraftStatement, DraftSummary
from summarizer.extra_fields import BASE_ITEMS, ExtraField, ItemList, SummaryTypes, summary_types
from summarizer.grounding.alignment import Span, align, contains_name, find_all
from summarizer.schemas import (
    Actor,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    StatementKind,
    TimeExpr,
)
from summarizer.times.in_context import normalize_in
from summarizer.times.normalization import normalize

_QUOTE_MARKS = "\"“”«»„"
# How far outside its evidence a statement's own span may sit and still be preferred there
# (a cue or a speaker just before or after the quoted sentence).
_SLACK = 80

# ASCII words separated by single spaces: most names, places and times a model writes.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


def _edge(ch: str) -> bool:
    return ch.isascii() and not ch.isalnum()


def _verbatim_name(name: str, text: str) -> bool:
    """A cheap sufficient test for `contains_name(name, text)`: True only when that is True.

    `contains_name` normalises the whole article (about 2 ms per 5,000 characters in pure
    Python). A plain name found verbatim in the text, with an ASCII non-alphanumeric
    character (or the text's edge) on each side, is in the normalised text too, on word
    boundaries: its characters normalise to themselves (lower-cased) whatever surrounds
    them, and each neighbour becomes a space, a dash, itself, or a dropped quote mark that
    counts as a break. Anything else falls back to `contains_name`.
    """
    if not _PLAIN_NAME.fullmatch(name):
        return False
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if (start == 0 or _edge(text[start - 1])) and (end == len(text) or _edge(text[end])):
            return True
        start = text.find(name, start + 1)
    return False


@dataclass
class GroundingReport:
    dropped: int = 0
    flagged: int = 0
    warnings: list[str] = field(default_factory=list)

    def note(self, policy: GroundingPolicy, what: str) -> None:
        if policy == "drop":
            self.dropped += 1
            self.warnings.append(f"dropped {what}")
        elif policy == "flag":
            self.flagged += 1
            self.warnings.append(f"flagged {what}")


@dataclass
class Items:
    meetings: list[Meeting] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    planned_events: list[PlannedEvent] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


class Grounder:
    """Grounds the drafts of one article (all its chunks) against `Article.text`.

    `aligned` holds what `align(quote, text)` (no `near`, no `used`) already returned for
    some quotes, e.g. in the draft's quote check: reused rather than searched again.
    """

    def __init__(
        self,
        text: str,
        published: date | None,
        policy: GroundingPolicy,
        *,
        aligned: Mapping[str, Span | None] | None = None,
        summary_type: type[ArticleSummary] = ArticleSummary,
    ) -> None:
        self.types: SummaryTypes = summary_types(summary_type)
        self.text = text
        self.published = published
        self.policy = policy
        self.report = GroundingReport()
        self._used: list[tuple[int, int]] = []
        self._aligned: Mapping[str, Span | None] = aligned if aligned is not None else {}

    def _contains(self, name: str) -> bool:
        return _verbatim_name(name.strip(), self.text) or contains_name(name, self.text)

    # -- evidence ---------------------------------------------------------------------

    def evidence(self, quotes: Iterable[str], near: int | None, what: str) -> list[Evidence] | None:
        """Aligned evidence; None when the item has no grounded evidence and policy drops it."""
        found: list[Evidence] = []
        missing: list[str] = []
        for quote in dict.fromkeys(q for q in quotes if q and q.strip()):
            # Not found without `near`/`used` means not found at all: they only choose
            # among candidates, so a known miss is not searched again (the costly case).
            if quote in self._aligned and self._aligned[quote] is None:
                span = None
            else:
                span = align(quote, self.text, near=near, used=self._used)
            if span is None:
                missing.append(quote)
                continue
            self._used.append((span.start, span.end))
            near = span.start if near is None else near
            # The article's own characters, so that quote == text[start:end] holds even when
            # the model changed quote marks or a word; what it wrote is kept beside them.
            own = self.text[span.start : span.end]
            found.append(
                Evidence(
                    quote=own,
                    start=span.start,
                    end=span.end,
                    match=span.match,
                    model_quote=None if own == quote else quote,
                )
            )
        if found:
            return found
        problem = "evidence not found in the article" if missing else "no evidence given"
        label = f"{what}: {problem}"
        if self.policy == "drop":
            self.report.note("drop", label)
            return None
        self.report.note(self.policy, label)
        return [Evidence(quote=q, match="none") for q in missing]

    # -- fields -------------------------------------------------------------------------

    def _present(self, value: str | None, what: str) -> str | None:
        """A name, place or quote that occurs nowhere in the article is dropped or flagged."""
        if not value or not value.strip():
            return None
        if self._contains(value):
            return value.strip()
        self.report.note(self.policy, f"{what} {value!r}: not in the article")
        return None if self.policy == "drop" else value.strip()

    def actor(self, draft: DraftActor, what: str) -> Actor | None:
        name = draft.name.strip()
        # Descriptions ("the Russian minister") are resolved by the registry, not looked up.
        if not name or (not is_descriptive(name) and self._present(name, what) is None):
            return None
        return Actor(
            name=name,
            kind=draft.kind,
            role=draft.role or None,
            affiliation=draft.affiliation or None,
        )

    def speaker(self, draft: DraftActor, what: str) -> Actor | None:
        """A statement without a speaker the article names is not a statement: under `drop`
        it goes (one drop, one warning), else it is kept with the speaker as given."""
        name = draft.name.strip()
        if name and (is_descriptive(name) or self._contains(name)):
            return self.actor(draft, "speaker")
        problem = f"speaker {name!r} not in the article" if name else "no speaker given"
        self.report.note(self.policy, f"{what}: {problem}")
        if self.policy == "drop":
            return None
        return Actor(
            name=name,
            kind=draft.kind,
            role=draft.role or None,
            affiliation=draft.affiliation or None,
        )

    def actors(self, drafts: Iterable[DraftActor], what: str) -> list[Actor]:
        return [a for d in drafts if (a := self.actor(d, what)) is not None]

    def time(self, text: str | None, *, future: bool, evidence: list[Evidence]) -> TimeExpr | None:
        phrase = self._present(text, "time")
        if phrase is None:
            return None
        tense = "future" if future else None
        # Read where the article says it (the occurrence nearest the item's evidence), so
        # the clause's tense and the times before it resolve "that day" or "on Wednesday".
        near = next((e.start for e in evidence if e.start is not None), None)
        span = align(phrase, self.text, near=near)
        if span is None:
            return normalize(phrase, self.published, tense)
        expr = normalize_in(self.text, span.start, span.end, self.published, tense)
        return expr.model_copy(update={"text": phrase})

    def direct_quote(self, quote: str | None) -> str | None:
        if not quote or not quote.strip():
            return None
        span = self._aligned[quote] if quote in self._aligned else align(quote, self.text)
        if span is not None:
            return quote.strip()
        self.report.note(self.policy, f"direct quote {quote[:60]!r}: not in the article")
        return None if self.policy == "drop" else quote.strip()

    # -- a statement's own spans: speaker mention, cue, content -----------------------

    def _on_words(self, start: int, end: int) -> bool:
        """A span that starts and ends on word boundaries ("he" is not the end of "the")."""
        text = self.text
        left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
        right = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
        return left and right

    def _locate(self, quote: str, evidence: list[Evidence]) -> Span | None:
        """Where a short span of a statement is: among its occurrences on word boundaries,
        one inside the statement's evidence (or just around it) first, else the nearest;
        a longer quote that is not there verbatim may still align fuzzily."""
        windows = [(e.start, e.end) for e in evidence if e.start is not None and e.end is not None]
        spans = [sp for sp in find_all(quote.strip(), self.text) if self._on_words(sp.start, sp.end)]
        if spans and windows:

            def distance(sp: Span) -> int:
                return min(max(s - sp.start, sp.end - e, 0) for s, e in windows)

            best = min(spans, key=lambda sp: (distance(sp), sp.start))
            if distance(best) <= _SLACK:
                return best
        near = windows[0][0] if windows else None
        if spans and near is None:
            return spans[0]
        found = align(quote, self.text, near=near)
        if found is not None and not self._on_words(found.start, found.end):
            return spans[0] if spans else None
        return found

    def span(self, quote: str | None, evidence: list[Evidence], what: str) -> Evidence | None:
        """One grounded span of a statement; one not in the article goes by the policy
        (`drop`: the field is left empty, the statement stays)."""
        if not quote or not quote.strip():
            return None
        found = self._locate(quote, evidence)
        if found is None:
            self.report.note(self.policy, f"{what} {quote[:60]!r}: not in the article")
            return None if self.policy == "drop" else Evidence(quote=quote, match="none")
        own = self.text[found.start : found.end]
        return Evidence(
            quote=own,
            start=found.start,
            end=found.end,
            match=found.match,
            model_quote=None if own == quote else quote,
        )

    def statement_spans(self, draft: DraftStatement, evidence: list[Evidence], what: str) -> dict[str, object]:
        mention = self.span(draft.speaker_mention, evidence, f"{what} speaker mention")
        cue = self.span(draft.cue, evidence, f"{what} cue")
        content = self.span(draft.content_evidence, evidence, f"{what} content")
        return {
            "speaker_mention": mention,
            "cue": cue,
            "content_evidence": content,
            "kind": draft.kind or statement_kind(self.text, content, draft.quote),
        }

    # -- a user's extra fields (summarizer.extra_fields) ----------------------------------

    def _extra_evidence(self, quotes: list[str], near: int | None, what: str) -> list[Evidence]:
        """Grounded quotes of an extra field; none given is no problem (the field is empty)."""
        quotes = [q for q in quotes if q and q.strip()]
        if not quotes:
            return []
        return self.evidence(quotes, near, what) or []

    def _extra(
        self, field_: ExtraField, value: object, evidence: list[Evidence], what: str, *, future: bool
    ) -> object:
        near = next((e.start for e in evidence if e.start is not None), None)
        label = f"{what} {field_.name}"
        if field_.kind in ("evidence", "evidences"):
            quotes = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
            found = self._extra_evidence([str(q) for q in quotes], near, label)
            if field_.kind == "evidences":
                return found
            return found[0] if found else None
        if field_.kind == "time":
            return self.time(value if isinstance(value, str) else None, future=future, evidence=evidence)
        if field_.kind == "actor":
            return self.actor(value, label) if isinstance(value, DraftActor) else None
        if field_.kind == "actors":
            return self.actors(value if isinstance(value, list) else [], label)
        if field_.kind == "text" and isinstance(value, str):
            return (value.strip() or None) if field_.optional else value.strip()
        if field_.kind == "texts" and isinstance(value, list):
            return [t.strip() for t in dict.fromkeys(value) if isinstance(t, str) and t.strip()]
        return value

    def _build(
        self, list_name: ItemList, draft: DraftItem, what: str, fields: dict[str, object]
    ) -> Meeting | Statement | PlannedEvent | None:
        """The item, of the user's type when it is extended; None when a required extra field
        did not survive grounding (the item cannot exist without it)."""
        extras = self.types.extras[list_name]
        if not extras:
            item: Meeting | Statement | PlannedEvent = BASE_ITEMS[list_name](**fields)  # type: ignore[assignment]
            return item
        evidence = fields["evidence"]
        assert isinstance(evidence, list)
        future = list_name == "planned_events"
        for extra in extras:
            # A draft without the field (the embedded completion format fills built-in fields only).
            value = self._extra(extra, getattr(draft, extra.name, None), evidence, what, future=future)
            if value is None and extra.required and not extra.optional:
                self.report.note("drop", f"{what}: required {extra.name} not in the article")
                return None
            if value is not None or extra.optional:
                fields[extra.name] = value
        built: Meeting | Statement | PlannedEvent = self.types.items[list_name](**fields)  # type: ignore[assignment]
        return built

    # -- items --------------------------------------------------------------------------

    def items(self, draft: DraftSummary, near: int | None) -> Items:
        out = Items(summaries=[draft.summary.strip()] if draft.summary.strip() else [])
        for i, m in enumerate(draft.meetings, 1):
            evidence = self.evidence(m.evidence, near, f"meeting {i}")
            if evidence is None:
                continue
            meeting = self._build(
                "meetings",
                m,
                f"meeting {i}",
                {
                    "participants": self.actors(m.participants, "participant"),
                    "location": self._present(m.location, "location"),
                    "time": self.time(m.time, future=False, evidence=evidence),
                    "topics": [t.strip() for t in dict.fromkeys(m.topics) if t.strip()],
                    "format": m.format,
                    "evidence": evidence,
                },
            )
            if isinstance(meeting, Meeting):
                out.meetings.append(meeting)
        for i, s in enumerate(draft.statements, 1):
            evidence = self.evidence(s.evidence, near, f"statement {i}")
            if evidence is None:
                continue
            # Checked after the evidence so that a dropped statement is counted once.
            speaker = self.speaker(s.speaker, f"statement {i}")
            if speaker is None:
                continue
            statement = self._build(
                "statements",
                s,
                f"statement {i}",
                {
                    "speaker": speaker,
                    "content": s.content.strip(),
                    "quote": self.direct_quote(s.quote),
                    "evidence": evidence,
                    **self.statement_spans(s, evidence, f"statement {i}"),
                },
            )
            if isinstance(statement, Statement):
                out.statements.append(statement)
        for i, e in enumerate(draft.planned_events, 1):
            evidence = self.evidence(e.evidence, near, f"planned event {i}")
            if evidence is None:
                continue
            event = self._build(
                "planned_events",
                e,
                f"planned event {i}",
                {
                    "description": e.description.strip(),
                    "participants": self.actors(e.participants, "participant"),
                    "location": self._present(e.location, "location"),
                    "time": self.time(e.time, future=True, evidence=evidence),
                    "status": e.status,
                    "evidence": evidence,
                },
            )
            if isinstance(event, PlannedEvent):
                out.planned_events.append(event)
        return out


def statement_kind(text: str, content: Evidence | None, quote: str | None) -> StatementKind | None:
    """The kind of a statement the model did not label, read from the article: a content
    span inside quotation marks is direct, one holding a quotation is mixed, one with no
    quotation marks indirect. Without a grounded span, a direct quote makes it direct."""
    if content is None or content.start is None or content.end is None:
        return "direct" if quote else None
    body = text[content.start : content.end]
    quoted_inside = any(ch in _QUOTE_MARKS for ch in body.strip(_QUOTE_MARKS + " ,."))
    opens = body[:1] in _QUOTE_MARKS or any(
        ch in _QUOTE_MARKS for ch in text[max(0, content.start - 2) : content.start]
    )
    if opens and not quoted_inside:
        return "direct"
    return "mixed" if opens or quoted_inside else "indirect"
