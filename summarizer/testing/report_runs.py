"""Invented fixtures and a scored run over them, at any size, for report tests and benchmarks.

Each article is generated text (names, places and topics drawn from small invented lists,
never copied from a real article) of about 3,000-5,000 characters, with a handful of
meetings, statements and planned events whose gold evidence is located by the real gold
loader (`parse_gold`). The run's predictions are the gold with seeded mistakes (items
dropped, speakers shortened, spans shifted, spurious statements, now and then a failure),
scored by the real scorer (`rescore`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from summarizer.eval.gold import Gold, parse_gold, to_prediction
from summarizer.eval.runfile import ErrorInfo, FixtureResult, Run, RunSettings, rescore
from summarizer.schemas import Actor, Article, ArticleSummary, Evidence, Statement

__all__ = ["synthetic_fixture", "synthetic_fixtures", "synthetic_run"]

_FIRST = ["Anna", "Piet", "Mara", "Ivo", "Lena", "Omar", "Sofia", "Jon", "Tarek", "Ines", "Karel", "Noor"]
_LAST = ["Berg", "Vos", "Kell", "Dahl", "Roth", "Fik", "Lind", "Mertz", "Saar", "Okon", "Brandl", "Vesti"]
_COUNTRIES = ["Norland", "Sudland", "Ostia", "Westmark", "Eastvale", "Brava", "Corra", "Delmar"]
_CITIES = ["Porto", "Geneva", "Vienna", "Oslo", "Riga", "Tallinn", "Prague", "Valletta", "Turku"]
_ROLES = ["foreign minister", "defence minister", "prime minister", "trade envoy", "president"]
_TOPICS = [
    "energy", "grain exports", "border crossings", "fishing rights", "rail links", "sanctions",
    "visa rules", "water sharing", "cyber security", "a customs union", "power lines",
]
_FILLER = [
    "Officials in {city} described the mood as {mood}, and the talks ran late into the evening.",
    "Analysts said the question of {topic} had dominated the agenda for {n} weeks.",
    "The {country} delegation arrived with {n} advisers and a draft paper on {topic}.",
    "Local newspapers in {city} ran the story on their front pages under {mood} headlines.",
    "Trade between the two countries grew by {n} percent last year, figures showed.",
    "Critics at home argued that the government had moved too slowly on {topic}.",
    "Security around the venue in {city} was tight, with {n} streets closed to traffic.",
    "Earlier rounds of negotiations on {topic} had ended without a joint statement.",
]
_MOODS = ["calm", "tense", "cordial", "businesslike", "frosty", "upbeat"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


class _Writer:
    """Builds an article sentence by sentence; `add` returns the sentence's offset."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, sentence: str, *, paragraph: bool = False) -> int:
        sep = "" if not self.parts else ("\n\n" if paragraph else " ")
        self.parts.append(sep + sentence)
        self.length += len(sep)
        start = self.length
        self.length += len(sentence)
        return start

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _person(rng: random.Random) -> tuple[str, str, str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return f"{first} {last}", last, rng.choice(_ROLES), rng.choice(_COUNTRIES)


def _filler(writer: _Writer, rng: random.Random, count: int) -> None:
    for _ in range(count):
        template = rng.choice(_FILLER)
        writer.add(
            template.format(
                city=rng.choice(_CITIES), mood=rng.choice(_MOODS), topic=rng.choice(_TOPICS),
                country=rng.choice(_COUNTRIES), n=rng.randint(2, 90),
            ),
            paragraph=rng.random() < 0.3,
        )


def synthetic_fixture(i: int, rng: random.Random) -> tuple[Article, Gold]:
    """Fixture `i`: an article of ~3-5k characters and its located gold."""
    published = date(2024, 1, 1) + timedelta(days=i % 300)
    target = rng.randint(3000, 5000)
    w = _Writer()
    gold: dict[str, Any] = {"summary": "", "meetings": [], "statements": [], "planned_events": []}
    people = [_person(rng) for _ in range(4)]
    while len({p[1] for p in people}) < len(people):  # surnames tell speakers apart
        people = [_person(rng) for _ in range(4)]
    w.add(f"Talks round {i} opens in {rng.choice(_CITIES)}", paragraph=False)
    for m in range(rng.randint(1, 2)):
        (a, _la, role_a, ca), (b, _lb, _rb, cb) = people[m], people[m + 1]
        city, day = rng.choice(_CITIES), rng.choice(_WEEKDAYS)
        topics = rng.sample(_TOPICS, 2)
        sentence = (
            f"{a}, the {role_a} of {ca}, met {b} of {cb} in {city} on {day} (meeting {i}-{m}) "
            f"to discuss {topics[0]} and {topics[1]}."
        )
        w.add(sentence, paragraph=True)
        gold["meetings"].append({
            "participants": [
                {"name": a, "role": role_a, "affiliation": ca},
                {"name": b, "affiliation": cb},
            ],
            "location": city,
            "time": {"text": f"on {day}", "start": published.isoformat(), "end": published.isoformat()},
            "topics": topics,
            "format": "in_person",
            "evidence": [{"quote": sentence}],
        })
        _filler(w, rng, rng.randint(3, 6))
    for s in range(rng.randint(2, 4)):
        full, last, _role, _c = people[s % len(people)]
        topic = rng.choice(_TOPICS)
        if rng.random() < 0.5:
            words = f"We will keep talking about {topic} until there is a deal, point {i}-{s}"
            sentence = f'"{words}," {last} said after the session.'
            spans = {"cue": "said", "content_evidence": words, "speaker_mention": last}
            kind = "direct"
        else:
            clause = f"the offer on {topic} (item {i}-{s}) was not yet good enough"
            sentence = f"{full} told reporters that {clause}."
            spans = {"cue": "told reporters", "content_evidence": clause, "speaker_mention": full}
            kind = "indirect"
        w.add(sentence, paragraph=rng.random() < 0.5)
        gold["statements"].append({
            "speaker": {"name": full},
            "content": f"{full} spoke about {topic}.",
            "quote": spans["content_evidence"] if kind == "direct" else None,
            "kind": kind,
            "evidence": [{"quote": sentence}],
            **{name: {"quote": quote} for name, quote in spans.items()},
        })
        _filler(w, rng, rng.randint(2, 5))
    city = rng.choice(_CITIES)
    plan = f"The ministers plan to meet again in {city} in March {published.year + 1} for round {i + 1}."
    w.add(plan, paragraph=True)
    gold["planned_events"].append({
        "description": f"Another round of talks in {city}.",
        "participants": [{"name": people[0][0]}, {"name": people[1][0]}],
        "location": city,
        "time": {"text": f"in March {published.year + 1}",
                 "start": f"{published.year + 1}-03-01", "end": f"{published.year + 1}-03-31"},
        "status": "planned",
        "evidence": [{"quote": plan}],
    })
    while w.length < target:
        _filler(w, rng, 1)
    gold["summary"] = f"{people[0][0]} and {people[1][0]} met; talks continue."
    fixture_id = f"gen{i:05d}"
    article = Article(id=fixture_id, text=w.text, title=f"Talks round {i}", published=published)
    parsed = parse_gold(gold, article.text, fixture_id=fixture_id, where=f"generated fixture {i}")
    return article, parsed


def synthetic_fixtures(n: int, seed: int = 0) -> list[tuple[Article, Gold]]:
    rng = random.Random(seed)
    return [synthetic_fixture(i, rng) for i in range(n)]


def _shifted(ev: Evidence, text: str, by: int) -> Evidence:
    start = max(0, min(len(text) - 1, (ev.start or 0) + by))
    end = max(start + 1, min(len(text), (ev.end or 0) + by))
    return Evidence(quote=text[start:end], start=start, end=end, match="fuzzy")


def _mistakes(pred: ArticleSummary, text: str, rng: random.Random) -> ArticleSummary:
    out = pred.model_copy(deep=True)
    if out.statements and rng.random() < 0.3:
        out.statements.pop(rng.randrange(len(out.statements)))
    for st in out.statements:
        if rng.random() < 0.2:
            st.speaker = Actor(name=st.speaker.name.split()[-1])
        if st.evidence and rng.random() < 0.3:
            st.evidence = [_shifted(st.evidence[0], text, rng.randint(-30, 30))]
    if rng.random() < 0.25:
        start = rng.randrange(0, max(1, len(text) - 120))
        ev = Evidence(quote=text[start : start + 100], start=start, end=start + 100, match="exact")
        out.statements.append(
            Statement(speaker=Actor(name="Someone Else"), content="Something was said.", evidence=[ev])
        )
    if out.planned_events and rng.random() < 0.2:
        out.planned_events = []
    return out


def synthetic_run(fixtures: list[tuple[Article, Gold]], seed: int = 0) -> Run:
    """A scored run over `fixtures`: the gold with seeded mistakes, one failure in a hundred."""
    rng = random.Random(seed)
    results = []
    for article, gold in fixtures:
        latency = round(rng.uniform(0.4, 6.0), 3)
        if rng.random() < 0.01:
            results.append(FixtureResult(
                fixture_id=article.id, error=ErrorInfo(type="TransportError", message="timed out"),
                latency_s=latency,
            ))
            continue
        results.append(FixtureResult(
            fixture_id=article.id,
            prediction=_mistakes(to_prediction(gold), article.text, rng),
            latency_s=latency,
            tokens_in=len(article.text) // 4 + 400,
            tokens_out=rng.randint(150, 700),
        ))
    settings = RunSettings(
        suite="generated", model="synthetic-model", backend="replay",
        parameters={"suite_name": f"generated ({len(fixtures)} fixtures)"},
    )
    return rescore(Run(settings=settings, results=results), fixtures)
