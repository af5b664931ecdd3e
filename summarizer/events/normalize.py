"""Canonical keys for actors, places and descriptions, the same in every article.

A key depends on the mention alone, never on the rest of the corpus: that is what lets an
incremental build agree with a build from scratch. People are keyed by surname
("Sergey Lavrov", "Sergei Lavrov", "Lavrov" and "Foreign Minister Lavrov" all become
`lavrov`): two namesakes in the same week and block then look alike, which the place, time
and description scores have to separate. Organisations, countries and groups are keyed by
their whole folded name without articles.
"""

from __future__ import annotations

import re
import unicodedata

from summarizer.schemas import Actor, ActorKind

__all__ = ["actor_key", "content_tokens", "fold", "place_key"]

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TITLES = frozenset(
    "mr mrs ms dr prof sir president vice prime minister foreign defence defense secretary "
    "general gen chancellor king queen prince premier ambassador senator sen mayor governor "
    "chairman chairwoman chair deputy head envoy spokesman spokeswoman spokesperson".split()
)
_STOP = frozenset(
    "the a an of and or in on at to for with by from as its his her their this that these "
    "those is was were be been will would said says new s".split()
)


def fold(text: str) -> str:
    """Lower case without accents: "Łódź" and "Lodz" fold alike only where NFKD allows."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def actor_key(actor: Actor) -> str | None:
    """The canonical key of an actor, or None when its name holds no word."""
    words = [w for w in _tokens(actor.name) if w not in ("the", "of")]
    if not words:
        return None
    if actor.kind == ActorKind.person:
        named = [w for w in words if w not in _TITLES]
        # A possessive ("Lavrov's") names the same person.
        surname = (named or words)[-1]
        return surname[:-2] if surname.endswith(("'s", "’s")) else surname
    return " ".join(words)


def place_key(place: str | None) -> str | None:
    """"in Minsk, Belarus" and "Minsk" become `minsk`: the first part, without a leading
    preposition or article."""
    if not place:
        return None
    head = place.split(",")[0]
    words = [w for w in _tokens(head) if w not in ("in", "at", "the", "near", "city", "of")]
    return " ".join(words) or None


def content_tokens(text: str) -> frozenset[str]:
    """The content words of a description or topic list, for a Jaccard score."""
    return frozenset(w for w in _tokens(text) if w not in _STOP and len(w) > 2)
