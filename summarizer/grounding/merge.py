"""Merging what several chunks of one article found, and canonical actors across them.

A long article is read in overlapping chunks (`summarizer.chunks`), so one meeting or
statement may come back twice: `merge` keeps one item per thing with the evidence of
both, and `canonicalise_actors` gives every actor the fullest name the article uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from rapidfuzz import fuzz

from summarizer.actors import ActorRegistry
from summarizer.grounding.grounder import Items
from summarizer.schemas import Actor, Evidence, Meeting, PlannedEvent, Statement

__all__ = ["canonicalise_actors", "merge"]


def _spans(evidence: list[Evidence]) -> set[tuple[int, int]]:
    return {(e.start, e.end) for e in evidence if e.start is not None and e.end is not None}


def _overlap(a: list[Evidence], b: list[Evidence]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in _spans(a) for s2, e2 in _spans(b))


def _similar(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(a.lower(), b.lower()) >= 85


def _same_meeting(a: Meeting, b: Meeting, names: _Names) -> bool:
    return _overlap(a.evidence, b.evidence) or (
        bool(names.of(a.participants))
        and names.of(a.participants) == names.of(b.participants)
        and (a.time is None or b.time is None or a.time.start == b.time.start)
    )


def _same_statement(a: Statement, b: Statement, names: _Names) -> bool:
    if names.of([a.speaker]) != names.of([b.speaker]):
        return False
    spans_a = [a.content_evidence] if a.content_evidence else []
    spans_b = [b.content_evidence] if b.content_evidence else []
    return (
        _overlap(a.evidence, b.evidence)
        or _overlap(spans_a, spans_b)
        or _similar(a.content, b.content)
        or (a.quote is not None and a.quote == b.quote)
    )


def _same_event(a: PlannedEvent, b: PlannedEvent) -> bool:
    return _overlap(a.evidence, b.evidence) or (
        _similar(a.description, b.description)
        and (a.time is None or b.time is None or a.time.start == b.time.start)
    )


def _merge_evidence(a: list[Evidence], b: list[Evidence]) -> list[Evidence]:
    seen = _spans(a)
    return a + [e for e in b if e.start is None or (e.start, e.end) not in seen]


def _fill_extras(twin: BaseModel, other: BaseModel, base: type[BaseModel]) -> None:
    """A user's extra fields that one chunk left empty take the other chunk's value."""
    for name in type(twin).model_fields:
        if name not in base.model_fields and not getattr(twin, name):
            setattr(twin, name, getattr(other, name))


def _merge_actors(a: list[Actor], b: list[Actor]) -> list[Actor]:
    return a + [x for x in b if x not in a]


class _Names:
    """Canonical names of actors across all chunks: one chunk may say "Sergey Lavrov" where
    the next says "Lavrov", and both are the same speaker."""

    def __init__(self, parts: list[Items]) -> None:
        self._registry = ActorRegistry(a for part in parts for a in _everyone(part))

    def of(self, actors: Iterable[Actor]) -> set[str]:
        return {self._registry.canonical(a).name.lower() for a in actors}


def _everyone(items: Items) -> list[Actor]:
    return [
        *(a for m in items.meetings for a in m.participants),
        *(s.speaker for s in items.statements),
        *(a for e in items.planned_events for a in e.participants),
    ]


def merge(parts: list[Items]) -> Items:
    """One list per kind with duplicates (the same item seen in two chunks) merged."""
    names = _Names(parts)
    merged = Items()
    for part in parts:
        merged.summaries.extend(part.summaries)
        for m in part.meetings:
            twin = next((x for x in merged.meetings if _same_meeting(x, m, names)), None)
            if twin is None:
                merged.meetings.append(m)
            else:
                twin.evidence = _merge_evidence(twin.evidence, m.evidence)
                twin.topics = list(dict.fromkeys(twin.topics + m.topics))
                twin.participants = _merge_actors(twin.participants, m.participants)
                twin.location = twin.location or m.location
                twin.time = twin.time or m.time
                _fill_extras(twin, m, Meeting)
        for s in part.statements:
            twin_s = next((x for x in merged.statements if _same_statement(x, s, names)), None)
            if twin_s is None:
                merged.statements.append(s)
            else:
                twin_s.evidence = _merge_evidence(twin_s.evidence, s.evidence)
                twin_s.quote = twin_s.quote or s.quote
                twin_s.kind = twin_s.kind or s.kind
                twin_s.cue = twin_s.cue or s.cue
                twin_s.content_evidence = twin_s.content_evidence or s.content_evidence
                twin_s.speaker_mention = twin_s.speaker_mention or s.speaker_mention
                _fill_extras(twin_s, s, Statement)
        for e in part.planned_events:
            twin_e = next((x for x in merged.planned_events if _same_event(x, e)), None)
            if twin_e is None:
                merged.planned_events.append(e)
            else:
                twin_e.evidence = _merge_evidence(twin_e.evidence, e.evidence)
                twin_e.participants = _merge_actors(twin_e.participants, e.participants)
                twin_e.time = twin_e.time or e.time
                twin_e.location = twin_e.location or e.location
                _fill_extras(twin_e, e, PlannedEvent)
    return merged


def canonicalise_actors(items: Items) -> None:
    """Replace every actor by its canonical form; no actor twice in one item."""
    registry = ActorRegistry(_everyone(items))
    for m in items.meetings:
        m.participants = registry.canonical_list(m.participants)
    for s in items.statements:
        s.speaker = registry.canonical(s.speaker)
    for e in items.planned_events:
        e.participants = registry.canonical_list(e.participants)
