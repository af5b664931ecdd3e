"""Canonical actors within one article.

"Lavrov", "the Russian minister" and "Sergey Lavrov" become one actor carrying
the fullest name the article gives, with role and affiliation filled from
whichever mention has them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from summarizer.schemas import Actor, ActorKind

_TOKEN = re.compile(r"[\w'’-]+")
_DESCRIPTIVE_LEAD = ("the ", "a ", "an ", "his ", "her ", "their ", "its ")
_HONORIFICS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "president", "minister", "sen", "gen", "sir"]
)
_DESCRIPTIVE_WORDS = frozenset(["the", "a", "an", "his", "her", "their", "its", "s"])
# Head nouns that name an institution rather than a person.
_INSTITUTIONS = frozenset(
    [
        "ministry", "government", "office", "department", "agency", "embassy", "council",
        "committee", "party", "army", "military", "administration", "cabinet", "parliament",
        "kremlin", "commission", "court", "police", "service", "services", "delegation",
        "mission", "union", "bank", "company", "secretariat", "presidency",
    ]
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _tokens(text: str) -> list[str]:
    return [t.strip("'’-") for t in _TOKEN.findall(_fold(text)) if t.strip("'’-")]


def _name_tokens(name: str) -> list[str]:
    return [t for t in _tokens(name) if t not in _HONORIFICS and t not in ("the", "of", "s")]


def is_descriptive(name: str) -> bool:
    """'the Russian minister' describes an actor rather than naming one."""
    stripped = name.strip()
    return stripped.lower().startswith(_DESCRIPTIVE_LEAD) or stripped == stripped.lower()


def _same_named(short: list[str], full: list[str]) -> bool:
    """'Lavrov' names 'Sergey Lavrov': every token of the shorter name is in the longer one,
    in order, and the surname (last token) agrees."""
    if not short or not full or len(short) > len(full):
        return False
    if short[-1] != full[-1] and not (len(short) == 1 and short[0] == full[0]):
        return False
    position = 0
    for token in short:
        try:
            position = full.index(token, position) + 1
        except ValueError:
            return False
    return True


def _known_words(actor: Actor) -> set[str]:
    known = set(_tokens(" ".join(x for x in (actor.role, actor.affiliation, actor.name) if x)))
    # Nationality adjectives: "Russian" describes an actor affiliated with "Russia".
    return known | {k + "n" for k in known} | {k + "ian" for k in known} | {
        k.rstrip("a") + "an" for k in known
    }


def _description_words(description: str) -> list[str]:
    return [w for w in _tokens(description) if w not in _DESCRIPTIVE_WORDS]


def _description_score(description: str, actor: Actor) -> int:
    """Words of the description the actor accounts for. An institution the actor does not
    account for rules it out: "the Belarusian Foreign Ministry" is not the Belarusian
    foreign minister, though two of its three words fit him."""
    words = _description_words(description)
    if not words:
        return 0
    known = _known_words(actor)
    if words[-1] in _INSTITUTIONS and words[-1] not in known:
        return 0
    return len(set(words) & known)


def _compatible(a: Actor, b: Actor) -> bool:
    # `person` is the default kind, so a person may be an actor whose kind was not given;
    # two different explicit kinds (a country and its ministry) are different actors.
    return a.kind == b.kind or ActorKind.person in (a.kind, b.kind)


class ActorRegistry:
    """Collects the actors of one article and maps every mention to its canonical form."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        actors = list(actors)
        self._canonical: list[Actor] = []
        self._members: list[list[Actor]] = []
        named = [a for a in actors if not is_descriptive(a.name)]
        described = [a for a in actors if is_descriptive(a.name)]
        # Longest names first, so short forms join the full name rather than found a group.
        for actor in sorted(named, key=lambda a: -len(_name_tokens(a.name))):
            self._join(actor)
        named_groups = len(self._canonical)
        for actor in described:
            size = len(set(_description_words(actor.name)))
            scores = [
                _description_score(actor.name, c) if _compatible(actor, c) else 0
                for c in self._canonical[:named_groups]
            ]
            best = max(scores, default=0)
            winners = [i for i, hit in enumerate(scores) if hit == best]
            # Only an unambiguous description joins a named actor.
            if len(winners) == 1 and best >= max(1, size - 1):
                self._add(winners[0], actor)
            else:
                self._join_description(actor)

    def _join(self, actor: Actor) -> None:
        tokens = _name_tokens(actor.name)
        matches = [
            i
            for i, canonical in enumerate(self._canonical)
            if _compatible(actor, canonical) and _same_named(tokens, _name_tokens(canonical.name))
        ]
        # "Sergey" next to "Sergey Lavrov" and "Sergey Aleinik" names neither for sure.
        if len(matches) == 1:
            self._add(matches[0], actor)
            return
        self._canonical.append(actor)
        self._members.append([actor])

    def _join_description(self, actor: Actor) -> None:
        """A description no named actor accounts for groups only with the same description."""
        key = _description_words(actor.name)
        for i, members in enumerate(self._members):
            if all(is_descriptive(m.name) for m in members) and any(
                _description_words(m.name) == key and _compatible(actor, m) for m in members
            ):
                self._add(i, actor)
                return
        self._canonical.append(actor)
        self._members.append([actor])

    def _add(self, index: int, actor: Actor) -> None:
        self._members[index].append(actor)
        self._canonical[index] = self._merged(index)

    def _merged(self, index: int) -> Actor:
        members = self._members[index]
        names = [m for m in members if not is_descriptive(m.name)] or members
        fullest = max(names, key=lambda m: (len(_name_tokens(m.name)), len(m.name)))

        def longest(field: str) -> str | None:
            values = [getattr(m, field) for m in members if getattr(m, field)]
            return max(values, key=len) if values else None

        kinds = [m.kind for m in members if m.kind != ActorKind.person]
        kind = fullest.kind if fullest.kind != ActorKind.person or not kinds else kinds[0]
        return Actor(
            name=fullest.name, kind=kind, role=longest("role"), affiliation=longest("affiliation")
        )

    def canonical(self, actor: Actor) -> Actor:
        for i, members in enumerate(self._members):
            if any(m is actor or m == actor for m in members):
                return self._canonical[i]
        return actor

    def canonical_list(self, actors: Iterable[Actor]) -> list[Actor]:
        """Canonical actors, each once, in first-mention order."""
        seen: list[Actor] = []
        for actor in actors:
            resolved = self.canonical(actor)
            if resolved not in seen:
                seen.append(resolved)
        return seen
