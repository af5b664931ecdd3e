"""Tests for summarizer.actors: one canonical actor per real actor in an article."""

from __future__ import annotations

from summarizer.actors import ActorRegistry, is_descriptive
from summarizer.schemas import Actor, ActorKind


def _a(name: str, **fields: object) -> Actor:
    return Actor.model_validate({"name": name, **fields})


def test_short_name_description_and_full_name_become_one_actor() -> None:
    mentions = [
        _a("Lavrov"),
        _a("the Russian minister", role="foreign minister"),
        _a("Sergey Lavrov", affiliation="Russia"),
    ]
    registry = ActorRegistry(mentions)
    expected = Actor(
        name="Sergey Lavrov", kind=ActorKind.person, role="foreign minister", affiliation="Russia"
    )
    assert [registry.canonical(m) for m in mentions] == [expected] * 3
    assert registry.canonical_list(mentions) == [expected]


def test_fullest_name_wins_whatever_the_order() -> None:
    mentions = [_a("Mr. Lavrov"), _a("Sergey Viktorovich Lavrov"), _a("Sergey Lavrov")]
    registry = ActorRegistry(mentions)
    assert {registry.canonical(m).name for m in mentions} == {"Sergey Viktorovich Lavrov"}


def test_names_differing_in_case_and_accents_join() -> None:
    mentions = [_a("José Ramos-Horta"), _a("Jose Ramos-Horta", role="president")]
    registry = ActorRegistry(mentions)
    assert registry.canonical(mentions[0]) == registry.canonical(mentions[1])
    assert registry.canonical(mentions[0]).role == "president"


def test_two_people_stay_apart_and_descriptions_find_the_right_one() -> None:
    lavrov = _a("Sergey Lavrov", role="foreign minister", affiliation="Russia")
    aleinik = _a("Sergey Aleinik", role="foreign minister", affiliation="Belarus")
    belarusian = _a("the Belarusian minister")
    registry = ActorRegistry([lavrov, aleinik, belarusian, _a("Aleinik")])
    assert registry.canonical(lavrov) == lavrov
    assert registry.canonical(aleinik) == aleinik
    assert registry.canonical(belarusian) == aleinik
    assert registry.canonical(_a("Aleinik")) == aleinik


def test_ambiguous_descriptions_stay_separate() -> None:
    lavrov = _a("Sergey Lavrov", role="foreign minister", affiliation="Russia")
    aleinik = _a("Sergey Aleinik", role="foreign minister", affiliation="Belarus")
    putin = _a("Vladimir Putin", role="president", affiliation="Russia")
    vague = [_a("the foreign minister"), _a("the Russian official")]
    registry = ActorRegistry([lavrov, aleinik, putin, *vague])
    for description in vague:
        assert registry.canonical(description) == description
    # The same vague description twice is still one actor.
    again = ActorRegistry([lavrov, aleinik, _a("the foreign minister"), _a("the foreign minister")])
    assert len(again.canonical_list([_a("the foreign minister"), _a("the foreign minister")])) == 1


def test_a_first_name_shared_by_two_people_names_neither() -> None:
    mentions = [_a("Sergey Lavrov"), _a("Sergey Aleinik"), _a("Sergey")]
    registry = ActorRegistry(mentions)
    assert registry.canonical(mentions[2]).name == "Sergey"
    assert len(registry.canonical_list(mentions)) == 3


def test_an_institution_is_not_the_person_who_heads_it() -> None:
    aleinik = _a("Sergey Aleinik", role="foreign minister", affiliation="Belarus")
    ministry = _a("the Belarusian Foreign Ministry", kind="organization")
    named_ministry = _a("Belarusian Foreign Ministry", kind="organization")
    registry = ActorRegistry([aleinik, ministry, named_ministry])
    assert registry.canonical(ministry).name == "Belarusian Foreign Ministry"
    assert registry.canonical(ministry).kind is ActorKind.organization
    assert registry.canonical(aleinik) == aleinik
    # Even when the model forgot to say the ministry is an organisation.
    unkind = ActorRegistry([aleinik, _a("the Belarusian Foreign Ministry")])
    assert unkind.canonical(_a("the Belarusian Foreign Ministry")).name != "Sergey Aleinik"


def test_a_country_and_its_ministry_stay_apart() -> None:
    country = _a("Belarus", kind="country")
    ministry = _a("Belarus Foreign Ministry", kind="organization")
    registry = ActorRegistry([country, ministry])
    assert registry.canonical(country) == country
    assert registry.canonical(ministry) == ministry


def test_kind_comes_from_a_mention_that_states_one() -> None:
    mentions = [
        _a("NATO"),
        _a("the NATO alliance", kind="organization"),
        _a("North Atlantic Treaty Organization NATO", kind="organization"),
    ]
    registry = ActorRegistry(mentions)
    assert registry.canonical(mentions[0]).kind is ActorKind.organization


def test_canonical_list_lists_each_actor_once_in_first_mention_order() -> None:
    mentions = [
        _a("Aleinik"),
        _a("Lavrov"),
        _a("Sergey Aleinik"),
        _a("Sergey Lavrov"),
        _a("Lavrov"),
    ]
    registry = ActorRegistry(mentions)
    assert [a.name for a in registry.canonical_list(mentions)] == [
        "Sergey Aleinik",
        "Sergey Lavrov",
    ]


def test_unknown_actor_maps_to_itself() -> None:
    registry = ActorRegistry([_a("Sergey Lavrov")])
    stranger = _a("Omar Qadri")
    assert registry.canonical(stranger) is stranger


def test_is_descriptive() -> None:
    assert is_descriptive("the Russian minister")
    assert is_descriptive("a spokesperson")
    assert is_descriptive("officials")
    assert not is_descriptive("Sergey Lavrov")
    assert not is_descriptive("Theodore Roosevelt")  # "the" must be a word of its own
