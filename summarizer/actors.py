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
_HONORIFICS = frozenset("mr mrs ms dr prof president minister sen gen sir".split())


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


def _description_score(description: str, actor: Actor) -> tuple[int, int]:
    """(words of the description the actor accounts for, words in the description)."""
    words = set(_tokens(description)) - {"the", "a", "an", "his", "her", "their", "its", "s"}
    known = set(_tokens(" ".join(x for x in (actor.role, actor.affiliation, actor.name) if x)))
    # Nationality adjectives: "Russian" describes an actor affiliated with "Russia".
    known |= {k + "n" for k in known} | {k + "ian" for k in known} | {k.rstrip("a") + "an" for k in known}
    return len(words & known), len(words)


class ActorRegistry:
    """Collects the actors of one article and maps every mention to its canonical form."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._canonical: list[Actor] = []
        self._members: list[list[Actor]] = []
        named = [a for a in actors if not is_descriptive(a.name)]
        described = [a for a in actors if is_descriptive(a.name)]
        # Longest names first, so short forms join the full name rather than found a group.
        for actor in sorted(named, key=lambda a: -len(_name_tokens(a.name))):
            self._join(actor)
        for actor in described:
            scores = [_description_score(actor.name, c) for c in self._canonical]
            best = max((hit for hit, _ in scores), default=0)
            winners = [i for i, (hit, _) in enumerate(scores) if hit == best]
            size = scores[0][1] if scores else 0
            # Only an unambiguous description joins a named actor.
            if len(winners) == 1 and best >= max(1, size - 1):
                self._members[winners[0]].append(actor)
                self._canonical[winners[0]] = self._merged(winners[0])
            else:
                self._join(actor)

    def _join(self, actor: Actor) -> None:
        tokens = _name_tokens(actor.name)
        for i, canonical in enumerate(self._canonical):
            if _same_named(tokens, _name_tokens(canonical.name)):
                self._members[i].append(actor)
                self._canonical[i] = self._merged(i)
                return
        self._canonical.append(actor)
        self._members.append([actor])

    def _merged(self, index: int) -> Actor:
        members = self._members[index]
        names = [m for m in members if not is_descriptive(m.name)] or members
        fullest = max(names, key=lambda m: (len(_name_tokens(m.name)), len(m.name)))

        def first(field: str) -> str | None:
            values = [getattr(m, field) for m in members if getattr(m, field)]
            return max(values, key=len) if values else None

        kinds = [m.kind for m in members if m.kind != ActorKind.person]
        kind = fullest.kind if fullest.kind != ActorKind.person or not kinds else kinds[0]
        return Actor(name=fullest.name, kind=kind, role=first("role"), affiliation=first("affiliation"))

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
