"""Tests for summarizer.chunks: budgets, coverage, overlap and offsets."""

from __future__ import annotations

import itertools
import random

import pytest

from summarizer.chunks import Chunk, split
from summarizer.errors import ConfigError
from summarizer.sentences import sentences

_PEOPLE = [
    "Ilse Brandt",
    "Omar Qadri",
    "Dr. Lena Vos",
    "Mr. Aris Kell",
    "Gen. Tomas Rue",
    "Mira Sol",
    "Prof. Anouk Dell",
    "Jonas Ferre",
]
_PLACES = ["Vell", "Port Harran", "Ostrava Nova", "the U.N. compound", "Kessin", "Lake Amor"]
_TOPICS = [
    "fishing quotas",
    "a rail link",
    "grain exports",
    "border crossings",
    "water rights",
    "a power line",
    "customs rules",
    "tariffs on steel",
]
_DAYS = [
    "on Monday",
    "on Jan. 5",
    "last week",
    "on Friday evening",
    "in early March",
    "on Sept. 14",
    "two days ago",
]


def _sentence(rng: random.Random) -> str:
    who, other = rng.sample(_PEOPLE, 2)
    where, what, when = rng.choice(_PLACES), rng.choice(_TOPICS), rng.choice(_DAYS)
    share = f"{rng.randint(1, 99)}.{rng.randint(0, 9)}"
    forms = [
        f"{who} met {other} in {where} {when} to discuss {what}.",
        f'"We will not give up on {what}," {who} told reporters in {where}.',
        f"Officials said talks on {what} would resume {when}, with {other} leading.",
        f"Trade in the region grew {share} percent after the deal on {what}.",
        f"Did {who} agree to the plan? {other} said no decision had been made.",
        f"The two delegations will meet again in {where} to sign an accord on {what}.",
        f"According to {other}, the dispute over {what} had lasted since {when[3:]}!",
    ]
    return rng.choice(forms)


def _article(target_chars: int, seed: int) -> str:
    """Several invented stories, each a headline and paragraphs of generated sentences."""
    rng = random.Random(seed)
    stories: list[str] = []
    length = 0
    while length < target_chars:
        headline = (
            f"Story {len(stories) + 1}: talks on {rng.choice(_TOPICS)} in {rng.choice(_PLACES)}"
        )
        paragraphs = [
            " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(3, 9))
        ]
        story = headline + "\n\n" + "\n\n".join(paragraphs)
        stories.append(story)
        length += len(story) + 2
    return "\n\n".join(stories)


def _words(text: str) -> int:
    return len(text.split())


def _check_chunks(text: str, chunks: list[Chunk], budget: int) -> None:
    parts = sentences(text)
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert _words(c.text) <= budget
    # Every sentence lies whole inside some chunk.
    for s in parts:
        assert any(c.start <= s.start and s.end <= c.end for c in chunks), s.text
    # Consecutive chunks share exactly one sentence: the next starts at the last
    # sentence of the previous one.
    for a, b in itertools.pairwise(chunks):
        inside_a = [s for s in parts if a.start <= s.start and s.end <= a.end]
        assert b.start == inside_a[-1].start
        assert a.start < b.start < a.end < b.end
    assert chunks[0].start == parts[0].start
    assert chunks[-1].end == parts[-1].end


def test_sixty_thousand_characters_of_stories() -> None:
    text = _article(60_000, seed=7)
    assert len(text) >= 60_000
    assert len({line.split(":")[0] for line in text.splitlines() if line.startswith("Story")}) > 5
    budget = 120
    chunks = split(text, budget, _words)
    assert len(chunks) > 60_000 // (budget * 7)  # about 6-7 characters per word
    _check_chunks(text, chunks, budget)


@pytest.mark.parametrize("seed, budget", [(1, 40), (2, 75), (3, 300)])
def test_other_articles_and_budgets(seed: int, budget: int) -> None:
    text = _article(8_000, seed=seed)
    chunks = split(text, budget, _words)
    assert len(chunks) > 1
    _check_chunks(text, chunks, budget)


def test_text_within_budget_is_one_chunk() -> None:
    text = "Ministers met in Vell. They agreed."
    assert split(text, 100, _words) == [Chunk(text, 0, len(text))]


def test_no_overlap_when_asked() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(30))
    chunks = split(text, 16, _words, overlap_sentences=0)
    assert all(a.end < b.start for a, b in itertools.pairwise(chunks))
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")


def test_overlap_never_makes_a_chunk_without_a_new_sentence() -> None:
    # Long sentences next to short ones: the overlapped sentence plus the next one may not
    # fit together; the chunker must then move on rather than repeat one sentence alone.
    rng = random.Random(11)
    text = " ".join(("word " * rng.choice([2, 9])).strip().capitalize() + "." for _ in range(60))
    chunks = split(text, 12, _words)
    ends = [c.end for c in chunks]
    assert ends == sorted(set(ends))
    for a, b in itertools.pairwise(chunks):
        assert b.end > a.end
    assert all(_words(c.text) <= 12 for c in chunks)


def test_a_sentence_longer_than_the_budget_is_cut_between_words() -> None:
    run_on = " ".join(f"item{i}" for i in range(95))  # a list with no full stop
    text = f"Short opening. {run_on}. Short ending."
    chunks = split(text, 20, _words)
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert _words(c.text) <= 20
    joined = " ".join(c.text for c in chunks)
    for i in range(95):
        assert f"item{i}" in joined.split() or f"item{i}." in joined.split()


def test_budget_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="positive token budget"):
        split("Some text.", 0, _words)
