"""Seeded regressions ("mutants") of a run's predictions, to prove that a gate bites.

Each mutant is what a real bug in one stage would do to every summary: a gate that passes a
mutant could not have caught that bug. The harmless changes (item order, whitespace in free
text) are what must never fail a gate. `tests/test_gate_mutants.py` requires the reference
suite's gate to kill every mutant and pass every harmless change;
`benchmarks/bench_gate.py` reports which metrics killed each one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from summarizer.eval.runfile import Run, rescore
from summarizer.schemas import Actor, ArticleSummary, Evidence, Meeting, PlannedEvent, TimeExpr

__all__ = ["HARMLESS", "MUTANTS", "Mutation", "mutate_run"]

Mutation = Callable[[ArticleSummary], ArticleSummary]
_LISTS = ("meetings", "statements", "planned_events")


def _items(summary: ArticleSummary) -> list[Any]:
    return [*summary.meetings, *summary.statements, *summary.planned_events]


def _copy(summary: ArticleSummary) -> ArticleSummary:
    return summary.model_copy(deep=True)


def half_of_items_removed(summary: ArticleSummary) -> ArticleSummary:
    out = _copy(summary)
    for name in _LISTS:
        items = getattr(out, name)
        setattr(out, name, items[: len(items) // 2])
    return out


def every_item_dropped(summary: ArticleSummary) -> ArticleSummary:
    """What a grounder that finds no quote anywhere does under the default `drop` policy."""
    return summary.model_copy(update={name: [] for name in _LISTS})


def offsets_shifted(summary: ArticleSummary) -> ArticleSummary:
    """A grounder off by a few words: every span starts and ends 25 characters late."""
    out = _copy(summary)

    def shift(evidence: Evidence) -> None:
        if evidence.start is not None and evidence.end is not None:
            evidence.start += 25
            evidence.end += 25

    for item in _items(out):
        for evidence in item.evidence:
            shift(evidence)
    return out


def times_unresolved(summary: ArticleSummary) -> ArticleSummary:
    """Time normalisation switched off: the text stays, no dates."""
    out = _copy(summary)
    timed: list[Meeting | PlannedEvent] = [*out.meetings, *out.planned_events]
    for item in timed:
        if item.time is not None:
            item.time = TimeExpr(text=item.time.text)
    return out


def speakers_first_word(summary: ArticleSummary) -> ArticleSummary:
    out = _copy(summary)
    for statement in out.statements:
        name = statement.speaker.name.split()
        statement.speaker = Actor(**{**statement.speaker.model_dump(), "name": name[0] if name else ""})
    return out


def evidence_removed(summary: ArticleSummary) -> ArticleSummary:
    out = _copy(summary)
    for item in _items(out):
        item.evidence = []
    return out


def topics_emptied(summary: ArticleSummary) -> ArticleSummary:
    out = _copy(summary)
    for meeting in out.meetings:
        meeting.topics = []
    return out


def planned_events_emptied(summary: ArticleSummary) -> ArticleSummary:
    return summary.model_copy(update={"planned_events": []})


def statements_emptied(summary: ArticleSummary) -> ArticleSummary:
    return summary.model_copy(update={"statements": []})


def item_order_reversed(summary: ArticleSummary) -> ArticleSummary:
    out = _copy(summary)
    for name in _LISTS:
        setattr(out, name, list(reversed(getattr(out, name))))
    return out


def free_text_whitespace(summary: ArticleSummary) -> ArticleSummary:
    """Doubled spaces and stray newlines in every free-text field."""
    def spaced(text: str) -> str:
        return "  " + text.replace(" ", "  ") + " \n"

    out = _copy(summary)
    if out.summary:
        out.summary = spaced(out.summary)
    for statement in out.statements:
        statement.content = spaced(statement.content)
    for event in out.planned_events:
        event.description = spaced(event.description)
    for meeting in out.meetings:
        meeting.topics = [spaced(t) for t in meeting.topics]
    return out


MUTANTS: dict[str, Mutation] = {
    "half of the items removed": half_of_items_removed,
    "grounding broken: offsets shifted": offsets_shifted,
    "grounding broken: every item dropped": every_item_dropped,
    "time normalisation disabled": times_unresolved,
    "speakers replaced by their first word": speakers_first_word,
    "evidence removed": evidence_removed,
    "topics emptied": topics_emptied,
    "planned events emptied": planned_events_emptied,
    "statements emptied": statements_emptied,
}
HARMLESS: dict[str, Mutation] = {
    "identical": lambda summary: summary,
    "item order reversed": item_order_reversed,
    "whitespace in free text": free_text_whitespace,
}


def mutate_run(run: Run, mutation: Mutation, fixtures: Any) -> Run:
    """A copy of `run` with `mutation` applied to every prediction, rescored on `fixtures`."""
    results = [
        r.model_copy(update={"prediction": mutation(r.prediction), "scores": None})
        if r.prediction is not None
        else r
        for r in run.results
    ]
    return rescore(run.model_copy(update={"results": results}), fixtures)
