"""Canonical keys: the same actor or place gives the same key in any article."""

from __future__ import annotations

from summarizer.events.normalize import actor_key, content_tokens, place_key
from summarizer.schemas import Actor, ActorKind


def test_people_are_keyed_by_surname_whatever_the_title_or_accents() -> None:
    names = ["Sergey Lavrov", "Lavrov", "Foreign Minister Lavrov", "Lavrov's", "Sergéy LAVROV"]
    assert {actor_key(Actor(name=n)) for n in names} == {"lavrov"}


def test_organisations_keep_their_whole_name() -> None:
    ministry = Actor(name="the Belarusian Foreign Ministry", kind=ActorKind.organization)
    assert actor_key(ministry) == "belarusian foreign ministry"
    assert actor_key(Actor(name="Belarus", kind=ActorKind.country)) == "belarus"
    assert actor_key(Actor(name="—")) is None


def test_places_lose_prepositions_and_what_follows_a_comma() -> None:
    assert {place_key(p) for p in ("Minsk", "in Minsk, Belarus", "the city of Minsk")} == {"minsk"}
    assert place_key(None) is None and place_key("in the") is None


def test_content_tokens_skip_short_and_stop_words() -> None:
    assert content_tokens("The talks on a new gas pipeline") == frozenset({"talks", "gas", "pipeline"})
