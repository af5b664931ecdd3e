"""Attributions from cue patterns, for the embedded base model: who said what, and where.

Every reporting cue in a sentence ("said", "told reporters", "according to", "argued",
"denied", "wrote", "adding that") with a speaker it can name is one statement, so
indirect speech is found as well as quotations. For each the rules give the article's
spans: the speaker's mention (a name, a description such as "the ministry", or a pronoun),
the cue, and what was said (the quotation, or the reported clause before or after the
cue), and so the kind (direct, indirect or mixed). A quotation that continues in the next
sentence with no cue of its own ('"..." he said. "..."') belongs to the statement before.

Speakers: a name next to the cue is that person or body; "he"/"she" is the last person the
article named before the cue, "it" the last organisation quoted, "the ministry" the last
organisation whose name ends so; a participle cue ("adding that") keeps the speaker of the
cue before it in the sentence. Every word list is generic English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.candidates import Mention
from summarizer.draft_schema import DraftActor
from summarizer.schemas import StatementKind
from summarizer.sentences import Sentence

__all__ = ["Attribution", "attributions"]

_SAY = (
    r"said|says|say|told|tells|added|adds|stated|states|noted|notes|warned|warns|announced|"
    r"announces|stressed|stresses|emphasi[sz]ed|underlined|urged|urges|insisted|claimed|"
    r"claims|confirmed|confirms|denied|denies|declared|wrote|writes|argued|argues|explained|"
    r"pledged|vowed|promised|acknowledged|admitted|asserted|remarked|commented|tweeted|posted|"
    r"reported|reiterated|highlighted|pointed out|called for|welcomed|condemned|criticised|"
    r"criticized|praised|accused|rejected|dismissed|countered|replied|responded|predicted|"
    r"estimated|suggested|cautioned|conceded|recalled|revealed"
)
_SAY_RE = re.compile(rf"\b(?:{_SAY})\b")
# "..., adding that": a second statement by the speaker of the cue before it.
_PARTICIPLE = re.compile(
    r",?\s*\b(?:adding|saying|noting|insisting|warning|arguing|stressing|explaining|"
    r"claiming|asserting|denying|urging|calling for)\b(?:\s+that\b)?"
)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
# "told reporters": the listener is part of the cue phrase.
_TOLD_WHOM = re.compile(
    r"\s+(?:reporters|journalists|the press|the media|parliament|lawmakers|a news conference|"
    r"a press conference|the [A-Z][\w-]+(?: [A-Z][\w-]+)?)\b"
)
_PRONOUN_BEFORE = re.compile(
    r"(?:^|[,;:”\"]\s*|\band\s+)(he|she|it|they)\s+(?:also\s+|later\s+|further\s+)?$", re.IGNORECASE
)
# "Burkina Faso's health ministry said", "A State Department official said".
_NP_BEFORE = re.compile(
    r"(?:^|[,;:”\"]\s*)((?:(?:the|a|an)\s+)?(?:[A-Z][\w'’-]*\s+){0,5}(?:[a-z-]+\s+){0,3}"
    r"([a-z]+))\s+(?:also\s+|later\s+|further\s+|has\s+|have\s+)?$"
)
_PERSON_HEADS = frozenset(
    "official officials consultant analyst analysts diplomat diplomats source sources expert "
    "experts spokesperson spokesman spokeswoman minister adviser advisor observers critics "
    "residents witnesses activists lawmakers agencies governments leaders".split()
)
# "the ministry said", "the statement further said", "a Lisbon-based consultant said".
_DESCRIPTION_BEFORE = re.compile(
    r"\b((?:the|a|an)\s+(?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:also\s+|later\s+|further\s+)?$", re.IGNORECASE
)
_DESCRIPTION_AFTER = re.compile(r"^\s*((?:the|a|an)\s+(?:[\w-]+\s+){0,3}?[\w-]+)\b", re.IGNORECASE)
_RELATIVE_TAIL = re.compile(
    r"(?:,\s*|\s+)(?:who|which|speaking|attending|quoted|familiar|based)\b[^“”\"]{0,120}?,?\s*$"
)
_ORG_WORDS = frozenset(
    "presidency society network operator alliance union federation institute firm airline "
    "carrier manufacturer maker bank "
    "ministry office department agency embassy council committee party government "
    "administration commission court police service delegation mission company secretariat "
    "organisation organization association authority board".split()
)
_DESCRIBED_HEADS = frozenset(
    "official officials consultant analyst analysts diplomat diplomats source sources expert "
    "experts spokesperson spokesman spokeswoman".split()
)
_BARE_GROUPS = frozenset(
    "officials analysts diplomats sources experts observers critics".split()
)
_QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]")
_OPEN = "\"“"
_CLOSE = "\"”"
_MARKS = "\"“”"
# What may sit between a reported clause's cue and its first word: "in a statement that".
_LEAD_IN = re.compile(r"^\s*(?:[^\"“”,.;:\s]+\s+){0,6}?that\s+")
_MIN_QUOTE_WORDS = 4
# Cue words that are more often nouns ("member states", "his notes").
_AMBIGUOUS = frozenset(("states", "notes", "claims", "reports", "posts"))
_SPEAKER_END = re.compile(r"\s*(?:[,.;:!?)(]|$|\n|who\b|of\b|at\b|in\b|on\b|\w+ing\b)")
_NAME_BEFORE = re.compile(
    r"(?:^|[,;:”\"]\s*)(?:[a-z][\w-]*\s+){0,2}((?:[A-Z][\w'’&.-]*\s+){1,4}?)(?:has\s+|have\s+|had\s+)?$"
)
# Capitalised words that open a sentence without naming anyone.
_NOT_NAMES = frozenset(
    "the a an it he she they we i this that these those there on in at by after before when "
    "while but and or also however meanwhile yesterday today".split()
)
_ORG_TAIL = re.compile(r"\b(?:Inc|Corp|Ltd|Co|Group|Bank|Airlines?|Motors|Party)\b")
# "A diplomat from one of the member states, who ..., said": a speaker described, not named.
_LEADING_DESCRIPTION = re.compile(
    r"^\s*(?:an?|the)\s+((?:[\w-]+\s+){0,3}?(officials?|diplomats?|sources?|spokes(?:man|woman|"
    r"person)|analysts?|experts?|advisers?|advisors?|negotiators?|observers?)"
    r"(?:\s+(?:from|of|at|with|in|close to|familiar with)\s+[^,“”\"]{1,60}?)?)\s*,?\s*$",
    re.IGNORECASE,
)
# "said on Sunday", "told reporters after the talks": no clause of what was said follows.
_CIRCUMSTANCE = re.compile(
    r"(?:on|in|at|after|before|during|to|from|by|when|while|late|early|last|this|but|and|"
    r"as|with|without|without|through|via|of|for)\b",
    re.IGNORECASE,
)
_MENTION_LEAD = re.compile(r"(?:\b(?:the|a|an|de|van|von|der|den|al|el|da|di|du|la|le)\s+)+$")


@dataclass
class Attribution:
    """One statement the cues found; spans are absolute offsets into the article."""

    sentence: int
    evidence: list[str]
    speaker: DraftActor
    mention: tuple[int, int]
    cue: tuple[int, int]
    content: tuple[int, int] | None
    kind: StatementKind | None
    quote: str | None = None
    sentences: list[int] = field(default_factory=list)


class _Speakers:
    """Who said what so far: resolves "it added" and "the ministry said" to a named speaker."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.mentions = mentions
        self.last: dict[str, Mention] = {}

    def seen(self, m: Mention) -> None:
        self.last["organization" if m.kind in ("organization", "country") else m.kind] = m
        self.last["any"] = m

    def pronoun(self, word: str, before: int) -> Mention | None:
        word = word.lower()
        if word in ("he", "she"):
            # The last person the article named before the pronoun.
            named = [m for m in self.mentions if m.kind == "person" and m.end <= before]
            return named[-1] if named else self.last.get("person")
        if word == "it":
            return self.last.get("organization")
        return self.last.get("any")

    def description(self, phrase: str, before: int) -> Mention | None:
        words = phrase.lower().split()
        head = words[-1] if words else ""
        if head in ("statement", "communique", "readout", "note", "report"):
            return self.last.get("organization")
        # "the ministry": the last organisation whose name ends in that head noun.
        for m in reversed([m for m in self.mentions if m.end <= before]):
            if m.kind == "organization" and m.name.lower().split()[-1:] == [head]:
                return m
        for m in reversed([m for m in self.mentions if m.end <= before]):
            if m.kind == "person" and m.role and m.role.split()[-1:] == [head]:
                return m
        if head in _ORG_WORDS and len(words) <= 2:
            # "the agency said": the organisation last quoted.
            return self.last.get("organization")
        return None


def _actor(m: Mention) -> DraftActor:
    kind = "country" if m.kind == "place" else m.kind  # places are never speakers
    return DraftActor(name=m.name, kind=kind, role=m.role, affiliation=m.affiliation)


def _named(m: Mention, speakers: _Speakers) -> DraftActor:
    speakers.seen(m)
    return _actor(m)


def _as_written(phrase: str, head: str) -> DraftActor | None:
    """A speaker the article describes rather than names, kept in its own words."""
    words = phrase.split()
    if words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    if not words:
        return None
    name = " ".join(words)
    if head in _ORG_WORDS and name != head:
        return DraftActor(name=name, kind="organization")
    if head in _PERSON_HEADS:
        return DraftActor(name=name, kind="group" if head.endswith("s") else "person")
    return None


_Found = tuple[DraftActor, tuple[int, int]]


class _Sentence:
    def __init__(self, index: int, sent: Sentence, mentions: list[Mention]) -> None:
        self.index = index
        self.sent = sent
        self.mentions = mentions
        body = sent.text
        self.quoted = [(q.start(), q.end()) for q in _QUOTED.finditer(body)]

    def in_quote(self, start: int) -> bool:
        return any(a < start < b for a, b in self.quoted)


def _word_at(body: str, start: int) -> str:
    word = re.match(r"\w+", body[start:])
    return word.group(0) if word else ""


def _speaker_before(
    s: _Sentence, text: str, speakers: _Speakers, cue_start: int
) -> _Found | None:
    """"X said", "X, who asked not to be named, said", "he said", "the ministry said"."""
    body, base = s.sent.text, s.sent.start
    head = _RELATIVE_TAIL.sub("", body[:cue_start]).rstrip(" ,") + " "
    if _word_at(body, cue_start) in _AMBIGUOUS and head.rstrip() != body[:cue_start].rstrip(" ,"):
        return None  # "among riparian states": a noun at the end of a clause
    absolute = base + len(head) - 1
    before = [m for m in s.mentions if m.end <= absolute and absolute - m.end <= 40]
    if before:
        m = before[-1]
        gap = text[m.end : absolute]
        if re.fullmatch(r"\)?,?\s*(?:,[^,]{0,60},)?\s*(?:also |later |further |has |had )?", gap):
            return _named(m, speakers), (m.start - base, m.end - base)
    pronoun = _PRONOUN_BEFORE.search(head)
    if pronoun and (m2 := speakers.pronoun(pronoun.group(1), base + pronoun.start(1))) is not None:
        return _named(m2, speakers), (pronoun.start(1), pronoun.end(1))
    described = _DESCRIPTION_BEFORE.search(head)
    if described:
        resolved = speakers.description(described.group(1), absolute)
        if resolved is not None:
            return _named(resolved, speakers), (described.start(1), described.end(1))
    leading = _LEADING_DESCRIPTION.match(head)
    if leading and leading.end() >= len(head.rstrip()):
        kind = "group" if leading.group(2).lower().endswith("s") else "person"
        return DraftActor(name=leading.group(1).strip(), kind=kind), (leading.start(1), leading.end(1))
    np_before = _NP_BEFORE.search(head)
    if np_before:
        as_written = _as_written(np_before.group(1), np_before.group(2))
        if as_written is not None:
            return as_written, (np_before.start(1), np_before.end(1))
    # "Boeing has announced", "United States airframer Boeing said": a name the mention
    # finder did not type, right before the cue, at the start of the sentence or a clause.
    bare_name = _NAME_BEFORE.search(head)
    if bare_name and bare_name.group(1).split()[0].lower() not in _NOT_NAMES:
        name = bare_name.group(1).strip()
        start = bare_name.start(1)
        kind = "person" if 2 <= len(name.split()) <= 3 and not _ORG_TAIL.search(name) else "organization"
        return DraftActor(name=name, kind=kind), (start, start + len(name))
    return None


def _speaker_after(
    s: _Sentence, text: str, speakers: _Speakers, cue_start: int, cue_end: int, according: bool
) -> _Found | None:
    """"said X", "according to X", "said a senior official"; "officials said" (bare)."""
    body, base = s.sent.text, s.sent.start
    after = [m for m in s.mentions if m.start >= base + cue_end]
    if (
        after
        and text[base + cue_end : after[0].start].strip(" ,") in ("", "the", "a")
        # "said X." or "said X, who ...", not "said X had objected" (X is what was said).
        and (according or _SPEAKER_END.match(text, after[0].end))
        and _word_at(body, cue_start) not in _AMBIGUOUS
    ):
        m = after[0]
        return _named(m, speakers), (m.start - base, m.end - base)
    described = _DESCRIPTION_AFTER.match(body[cue_end:])
    if described:
        phrase = described.group(1)
        span = (cue_end + described.start(1), cue_end + described.end(1))
        resolved = speakers.description(phrase, base + cue_start)
        if resolved is not None:
            return _named(resolved, speakers), span
        words = phrase.split()
        if words[-1].lower() in _DESCRIBED_HEADS:
            kind = "group" if words[-1].endswith("s") else "person"
            return DraftActor(name=" ".join(words[1:]), kind=kind), span
    bare = re.search(r"(?:^|\s)([A-Z]?[a-z]+)\s+$", body[:cue_start])
    if not according and bare and bare.group(1).lower() in _BARE_GROUPS:
        return DraftActor(name=bare.group(1), kind="group"), (bare.start(1), bare.end(1))
    return None


def _cues(s: _Sentence) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every cue outside quotation marks, in order; kind is "say",
    "according" or "participle"."""
    body = s.sent.text
    found: list[tuple[int, int, str]] = []
    for m in _SAY_RE.finditer(body):
        end = m.end()
        if m.group(0) in _AMBIGUOUS and not re.match(r"\s*(?:that\b|:|[\"“])", body[end:]):
            continue  # "the member states", unless it reports: "states that ..."
        if m.group(0) in ("told", "tells") and (whom := _TOLD_WHOM.match(body, end)):
            end = whom.end()
        found.append((m.start(), end, "say"))
    found += [(m.start(), m.end(), "according") for m in _ACCORDING.finditer(body)]
    for m in _PARTICIPLE.finditer(body):
        word = re.search(r"[a-z]+(?: for)?", body[m.start() : m.end()])
        if word is not None:
            start = m.start() + word.start()
            found.append((start, start + len(word.group(0)), "participle"))
    return sorted(c for c in found if not s.in_quote(c[0]))


def _trim(body: str, a: int, b: int) -> tuple[int, int, bool] | None:
    """The span without edge punctuation; a whole quotation without its marks (and True)."""
    while a < b and body[a] in " ,:;\n—–-":
        a += 1
    while a < b and body[b - 1] in " ,;:.\n—–-":
        b -= 1
    quoted = False
    if b - a >= 2 and body[a] in _OPEN and body[b - 1] in _CLOSE and not any(
        ch in _MARKS for ch in body[a + 1 : b - 1]
    ):
        a, b, quoted = a + 1, b - 1, True
        while a < b and body[b - 1] in " ,;:.":
            b -= 1
    if len(body[a:b].split()) < 2:
        return None
    return a, b, quoted


def _content(
    body: str, lo: int, hi: int, region: tuple[int, int], *, after: bool
) -> tuple[tuple[int, int] | None, StatementKind | None]:
    """What was said around an attribution at [lo, hi) within `region`: a quotation just
    before it ('"...," X said'), else the clause after it (past "that") unless that is only
    a circumstance ("said on Sunday"), else the clause before it ('..., X said')."""
    start, end = region
    before = _MENTION_LEAD.sub("", body[start:lo])
    rest = body[hi:end]
    lead = _LEAD_IN.match(rest)
    after_start = hi + (lead.end() if lead else 0)
    following = body[after_start:end].strip(" ,:")
    closing = max(before.rfind(ch) for ch in _CLOSE) if not after else -1
    span: tuple[int, int, bool] | None = None
    if closing > 0 and any(ch in _OPEN for ch in before[:closing]):
        span = _trim(body, start, start + closing + 1)
    elif after or (len(following.split()) >= 3 and not _CIRCUMSTANCE.match(following)):
        span = _trim(body, after_start, end)
    elif not after and (comma := before.rstrip().rfind(",")) > 0:
        span = _trim(body, start, start + comma)
    if span is None:
        return None, None
    a, b, quoted = span
    if quoted:
        return (a, b), "direct"
    return (a, b), "mixed" if any(ch in _MARKS for ch in body[a:b]) else "indirect"


def _in_sentence(s: _Sentence, text: str, speakers: _Speakers) -> list[Attribution]:
    body, base = s.sent.text, s.sent.start
    cues = _cues(s)
    found: list[tuple[DraftActor, tuple[int, int], tuple[int, int]]] = []
    for start, end, cue_kind in cues:
        speaker: _Found | None = None
        if cue_kind == "participle":
            if found:
                speaker = (found[-1][0], found[-1][1])
        else:
            if cue_kind == "say":
                speaker = _speaker_before(s, text, speakers, start)
            according = cue_kind == "according"
            speaker = speaker or _speaker_after(s, text, speakers, start, end, according)
        if speaker is not None and (
            cue_kind == "participle" or all(speaker[1] != f[1] for f in found)
        ):
            found.append((speaker[0], speaker[1], (start, end)))
    out: list[Attribution] = []
    for i, (actor, mention, cue) in enumerate(found):
        own = [cue] if mention == (found[i - 1][1] if i else None) else [cue, mention]
        lo, hi = min(a for a, _ in own), max(b for _, b in own)
        region_start = max(found[i - 1][2][1], found[i - 1][1][1]) if i else 0
        region_end = min(found[i + 1][2][0], found[i + 1][1][0]) if i + 1 < len(found) else len(body)
        if i + 1 < len(found) and found[i + 1][1] == mention:
            region_end = found[i + 1][2][0]
        follows = i > 0 and found[i - 1][1] == mention
        content, kind = _content(body, lo, hi, (region_start, max(region_end, hi)), after=follows)
        quote = None
        if content is not None:
            quotes = [q.group(1) for q in _QUOTED.finditer(body[content[0] : content[1]])]
            if kind == "direct":
                quote = body[content[0] : content[1]]
            elif quotes:
                quote = max(quotes, key=len).strip().rstrip(",.")
        if quote is not None and len(quote.split()) < _MIN_QUOTE_WORDS:
            quote = None
        out.append(
            Attribution(
                sentence=s.index,
                evidence=[body],
                speaker=actor,
                mention=(base + mention[0], base + mention[1]),
                cue=(base + cue[0], base + cue[1]),
                content=None if content is None else (base + content[0], base + content[1]),
                kind=kind,
                quote=quote,
                sentences=[s.index],
            )
        )
    return out


def _continues(s: _Sentence) -> tuple[int, int] | None:
    """A sentence that is one quotation and nothing else: where its words are."""
    body = s.sent.text.strip()
    if not body or body[0] not in _OPEN or len(s.quoted) != 1:
        return None
    a, b = s.quoted[0]
    lead = len(s.sent.text) - len(s.sent.text.lstrip())
    if a != lead or s.sent.text[b:].strip(" .!?") != "":
        return None
    return s.sent.start + a + 1, s.sent.start + b - 1


def attributions(
    text: str, sents: Sequence[Sentence], mentions: Sequence[Mention]
) -> list[Attribution]:
    """Every attribution in the article's sentences, in order."""
    speakers = _Speakers(mentions)
    out: list[Attribution] = []
    for index, sent in enumerate(sents):
        s = _Sentence(index, sent, [m for m in mentions if sent.start <= m.start and m.end <= sent.end])
        found = _in_sentence(s, text, speakers)
        if found:
            out.extend(found)
            continue
        words = _continues(s)
        last = out[-1] if out else None
        if words is None or last is None or last.sentences[-1] != index - 1 or last.kind == "indirect":
            continue
        # '"...," he said. "...."': the quotation goes on; one statement.
        last.evidence.append(sent.text)
        last.sentences.append(index)
        start = last.content[0] if last.content else words[0]
        end = words[1]
        while end > start and text[end - 1] in " ,.":
            end -= 1
        last.content = (start, end)
    return out
