"""Typed candidates: each name is typed by how the article writes it (invented articles)."""

from __future__ import annotations

from summarizer.candidates import country_of, find_mentions

TEXT = (
    "OSLA, May 2 -- Portuguese Foreign Minister Ana Lis met her Moroccan counterpart Omar Tazi "
    "in the Kestrian capital Osla on Tuesday.\n\n"
    "The Portuguese Foreign Ministry said the talks at the Verrin Palace covered fisheries.\n\n"
    "Lis told reporters the NATO summit would follow. Tazi agreed.\n\n"
    "Later, Morocco's Minister of Trade and Industry, Salim al-Fahri, joined them."
)


def _by_text(text: str) -> dict[str, tuple[str, str, str | None, str | None]]:
    return {text[m.start : m.end]: (m.name, m.kind, m.role, m.affiliation) for m in find_mentions(text)}


def test_a_title_makes_a_person_with_role_and_affiliation() -> None:
    found = _by_text(TEXT)
    assert found["Ana Lis"] == ("Ana Lis", "person", "foreign minister", "Portugal")
    # A counterpart holds the role of the person before, and the nationality given.
    assert found["Omar Tazi"] == ("Omar Tazi", "person", "foreign minister", "Morocco")


def test_a_surname_is_the_person_named_in_full() -> None:
    found = _by_text(TEXT)
    assert found["Lis"][:2] == ("Ana Lis", "person")
    assert found["Tazi"][:2] == ("Omar Tazi", "person")


def test_institutions_countries_places_and_acronyms_are_typed() -> None:
    found = _by_text(TEXT)
    assert found["Portuguese Foreign Ministry"] == ("Portuguese Foreign Ministry", "organization", None, "Portugal")
    assert found["Osla"][1] == "place"
    assert found["Verrin Palace"][1] == "place"
    assert found["NATO"][1] == "organization"
    # The dateline names the place the article puts somewhere.
    assert found["OSLA"][1] == "place"


def test_a_portfolio_title_is_a_role_not_a_name() -> None:
    found = _by_text(TEXT)
    assert found["Salim al-Fahri"] == (
        "Salim al-Fahri", "person", "Minister of Trade and Industry", "Morocco"
    )
    names = {m.name for m in find_mentions(TEXT)}
    assert "Industry" not in names and "Trade" not in names


def test_sentence_openers_and_adjectives_are_not_names() -> None:
    names = {m.name for m in find_mentions(TEXT)}
    assert not names & {"Later", "The", "Portuguese", "Moroccan", "May"}


def test_country_of_reads_names_and_adjectives() -> None:
    assert country_of("Belgian") == "Belgium"
    assert country_of("belgium") == "Belgium"
    assert country_of("Kestrian") is None
