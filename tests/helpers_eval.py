"""Shared eval test helpers: a hand-checked example fixture and a synthetic suite of runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.eval.gold import Gold, load_suite_dir, to_prediction
from summarizer.eval.runfile import FixtureResult, Run, RunSettings, rescore
from summarizer.schemas import Article, ArticleSummary

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

S1 = "Foreign ministers Anna Berg of Norland and Piet Vos of Sudland met in Porto on Monday."
S2 = '"We agreed to cooperate on energy," Berg said.'
S3 = "Vos said the talks had been useful."
S4 = "The two ministers will meet again in Lisbon in March 2024."
TEXT = " ".join([S1, S2, S3, S4])


def example_gold() -> dict[str, Any]:
    berg = {
        "name": {"any_of": ["Anna Berg", "Berg"]},
        "role": "foreign minister",
        "affiliation": "Norland",
    }
    vos = {"name": "Piet Vos", "role": "foreign minister", "affiliation": "Sudland"}
    return {
        "title": "Ministers meet",
        "summary": "Two ministers met.",
        "meetings": [
            {
                "participants": [berg, vos],
                "location": {"any_of": ["Porto", "Porto, Portugal"]},
                "time": {
                    "text": "on Monday",
                    "start": "2023-05-15",
                    "end": "2023-05-15",
                    "granularity": "day",
                },
                "format": "in_person",
                "evidence": [{"quote": S1}],
            }
        ],
        "statements": [
            {
                "speaker": {"name": {"any_of": ["Anna Berg", "Berg"]}},
                "content": "Berg said they agreed to cooperate on energy.",
                "quote": "We agreed to cooperate on energy,",
                "evidence": [{"quote": S2}],
            },
            {
                "speaker": {"name": "Piet Vos"},
                "content": "Vos said the talks had been useful.",
                "evidence": [{"quote": S3}],
            },
        ],
        "planned_events": [
            {
                "description": "The two ministers will meet again in Lisbon.",
                "participants": [{"name": "Anna Berg"}, {"name": "Piet Vos"}],
                "location": "Lisbon",
                "time": {
                    "text": "in March 2024",
                    "start": "2024-03-01",
                    "end": "2024-03-31",
                    "granularity": "month",
                },
                "status": "planned",
                "evidence": [{"quote": S4}],
            }
        ],
    }


def write_fixture(folder: Path, fixture_id: str, text: str, gold: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{fixture_id}.txt").write_text(text, encoding="utf-8")
    meta = {"id": fixture_id, "published": "2023-05-15", "source": "test", "tags": ["example"]}
    (folder / f"{fixture_id}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / f"{fixture_id}.gold.json").write_text(json.dumps(gold), encoding="utf-8")


PEOPLE = [
    ("Anna Berg", "Norland"),
    ("Piet Vos", "Sudland"),
    ("Mara Kell", "Ostia"),
    ("Ivo Dahl", "Westmark"),
    ("Lena Roth", "Eastvale"),
    ("Omar Fik", "Brava"),
    ("Sofia Lind", "Corra"),
    ("Jon Mertz", "Delmar"),
]
CITIES = ["Porto", "Lisbon", "Geneva", "Vienna", "Oslo", "Riga", "Tallinn", "Prague"]


def synthetic_fixture(i: int) -> tuple[str, dict[str, object]]:
    (a, a_country), (b, b_country) = PEOPLE[i % 8], PEOPLE[(i * 3 + 1) % 8]
    city, later = CITIES[i % 8], CITIES[(i + 3) % 8]
    s1 = f"{a} of {a_country} and {b} of {b_country} met in {city} on Monday."
    s2 = f'"We will work together on trade number {i}," {a} said.'
    s3 = f"{b} said the meeting in {city} was constructive."
    s4 = f"{a} added that sanctions topic {i} had also been raised."
    s5 = f"The two will meet again in {later} in March 2024."
    text = " ".join([s1, s2, s3, s4, s5])
    gold = {
        "meetings": [
            {
                "participants": [
                    {"name": a, "affiliation": a_country},
                    {"name": b, "affiliation": b_country},
                ],
                "location": city,
                "time": {"text": "on Monday", "start": "2023-05-15", "end": "2023-05-15"},
                "format": "in_person",
                "evidence": [{"quote": s1}],
            }
        ],
        "statements": [
            {
                "speaker": {"name": a},
                "content": f"{a} said they will work together on trade.",
                "quote": f"We will work together on trade number {i},",
                "evidence": [{"quote": s2}],
            },
            {
                "speaker": {"name": b},
                "content": f"{b} called the meeting constructive.",
                "evidence": [{"quote": s3}],
            },
            {
                "speaker": {"name": a},
                "content": f"{a} said sanctions topic {i} was raised.",
                "evidence": [{"quote": s4}],
            },
        ],
        "planned_events": [
            {
                "description": f"{a} and {b} will meet again in {later}.",
                "participants": [{"name": a}, {"name": b}],
                "location": later,
                "time": {"text": "in March 2024", "start": "2024-03-01", "end": "2024-03-31"},
                "evidence": [{"quote": s5}],
            }
        ],
    }
    return text, gold


def synthetic_suite(folder: Path, n: int = 16) -> list[tuple[Article, Gold]]:
    for i in range(n):
        text, gold = synthetic_fixture(i)
        write_fixture(folder, f"syn{i:02d}", text, gold)
    return load_suite_dir(folder)


def degrade(pred: ArticleSummary) -> ArticleSummary:
    """Remove half the items of every list (items 0, 2, 4...: a lone item goes too)."""
    out = pred.model_copy(deep=True)
    out.meetings = out.meetings[1::2]
    out.statements = out.statements[1::2]
    out.planned_events = out.planned_events[1::2]
    return out


def make_run(
    fixtures: list[tuple[Article, Gold]],
    transform: object = None,
    repetitions: int = 1,
) -> Run:
    results = []
    for rep in range(repetitions):
        for article, gold in fixtures:
            pred = to_prediction(gold)
            if transform is not None:
                pred = transform(pred)  # type: ignore[operator]
            results.append(
                FixtureResult(fixture_id=article.id, repetition=rep, prediction=pred, latency_s=1.0)
            )
    settings = RunSettings(suite="synthetic", model="m", backend="replay", repetitions=repetitions)
    return rescore(Run(settings=settings, results=results), fixtures)
