"""Evidence-first fields for the embedded base model: items built from the article's own words.

Each item starts from one sentence that reports it (a meeting verb, an attribution cue, a
plan or a postponement) and every field is filled from typed candidates in that sentence
(or the one next to it): times from the time expressions `times.in_context` finds there,
places only from place mentions, participants and speakers only from people,
organisations and countries (`summarizer.candidates`), a statement's speaker from its
attribution cue, a planned event's description from the sentence's words. Nothing can come
from anywhere but the article, so a few-shot example cannot leak into the answer.

`Evidence` lists the candidate sentences; the model (see `local.py`) may then drop the ones
it does not confirm, and `build` assembles the draft from what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from summarizer.backends.local_statements import attributions
from summarizer.candidates import Mention, find_mentions
from summarizer.draft_schema import (
    DraftActor,
    DraftMeeting,
    DraftPlannedEvent,
    DraftStatement,
    DraftSummary,
)
from summarizer.schemas import EventStatus, MeetingFormat, StatementKind
from summarizer.sentences import Sentence, sentences
from summarizer.times.in_context import TimeMention, infer_tense, times_in

__all__ = ["Candidate", "CandidateKind", "build", "find_candidates", "reported_sentences"]

CandidateKind = Literal["meeting", "statement", "planned_event"]

_MEETING = re.compile(
    r"\b(?:met|meets|meet with|meeting with|held talks|hold talks|holds talks|talks with|"
    r"talked|discussed|discuss|conferred|hosted|received|spoke (?:by|on the|over the) "
    r"(?:tele)?phone|(?:tele)?phone (?:call|conversation|talks)|video ?(?:call|conference|"
    r"link)|videoconference|virtual (?:meeting|summit|talks)|summit|meeting|talks)\b",
    re.IGNORECASE,
)
_CALL = re.compile(r"\b(?:(?:tele)?phone|call|called|dialled|dialed)\b", re.IGNORECASE)
_VIDEO = re.compile(r"\b(?:video|videoconference|virtual|online|zoom)\b", re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(?:will|shall|'ll|is to|are to|(?:is|are|was|were) (?:set|due|expected|scheduled|"
    r"slated|planned|supposed) (?:to|for)|plans? to|planning to|intends? to|aims? to|"
    r"upcoming|next (?:week|month|year|round)|later this|agreed to (?:hold|meet|convene|"
    r"visit)|agreed on a date|(?:is|are|was) planned|to be held|invited)\b",
    re.IGNORECASE,
)
_POSTPONED = re.compile(r"\b(?:postponed|delayed|put off|rescheduled|pushed back|deferred)\b", re.I)
_CANCELLED = re.compile(r"\b(?:cancell?ed|called off|scrapped|abandoned)\b", re.IGNORECASE)
_PROPOSED = re.compile(r"\b(?:proposed|suggested|offered to|could|may|might|invited)\b", re.I)
_EVENT_NOUN = (
    r"meeting|meetings|summit|talks|visit|conference|session|forum|election|elections|vote|"
    r"referendum|ceremony|trip|negotiations|round|consultations|signing|dialogue|exercises|"
    r"drills|congress|assembly|mission|tour|celebration|festival|hearing|trial|launch|"
    r"meet|convene|gathering|debate|inauguration|parade|rally|match|games"
)
_EVENT = re.compile(rf"\b(?:{_EVENT_NOUN})\b", re.IGNORECASE)
_EVENT_VERB = re.compile(
    r"\b(?:hold|holding|host|hosting|convene|meet|visit|travel|attend|sign|launch|open|stage|"
    r"take effect|enter into force|come into force)\b",
    re.IGNORECASE,
)
_TOPIC_CUE = re.compile(
    r"\b(?:discuss(?:ed|es|ing)?|talks on|focus(?:ed|ing)? on|covered|addressed|touched upon|"
    r"exchanged views on|reviewed|talked about|agreed on|to discuss)\s+",
    re.IGNORECASE,
)
_TOPIC_STOP = re.compile(
    r"[;:\"“”()]|,\s+(?:the\s+)?(?:[\w-]+\s+){0,4}(?:said|added|told)\b|\s(?:in the|in [A-Z]|ahead of|during|"
    r"before|after|at the|at [A-Z]|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)|according to|as well as|which|who|where|while|amid)\b",
)
_DETERMINERS = re.compile(r"^(?:the|a|an|their|its|his|her|other|also|further)\s+", re.IGNORECASE)
_DESCRIPTION_STOP = re.compile(
    r"[,;:\"“”()]|\s(?:on|in|at|during|by|from|next|later|this|which|who|that|after|before|"
    r"to (?=[a-z]+\b)|and (?=[a-z]+ed\b))\s",
)
_MAX_EVIDENCE = 2
_MIN_ACTORS = 2
# Where a planned event's own words end: the attribution or the next clause.
_DESCRIPTION_END = re.compile(r"\.\s|[;:\"“”()]|,\s+(?:the \w+ |\w+ )?(?:said|added|told|according)\b|,\s+(?:which|who|but|while)\b")
_DESCRIPTION_WORDS = 18
_SUBJECT_WORDS = 8


@dataclass
class Candidate:
    """One item the rules found: its kind, the sentence(s) that report it, and its fields."""

    kind: CandidateKind
    sentence: int  # index into the article's sentences
    evidence: list[str]
    actors: list[DraftActor] = field(default_factory=list)
    location: str | None = None
    time: str | None = None
    topics: list[str] = field(default_factory=list)
    format: MeetingFormat = "unknown"
    content: str = ""
    quote: str | None = None
    speaker_mention: str | None = None
    cue: str | None = None
    content_evidence: str | None = None
    statement_kind: StatementKind | None = None
    description: str = ""
    status: EventStatus = "planned"


@dataclass
class _Sentence:
    index: int
    sent: Sentence
    mentions: list[Mention]
    times: list[TimeMention]


def _actor(m: Mention) -> DraftActor:
    kind = "organization" if m.kind == "organization" else m.kind
    if kind == "place":  # places are never actors
        kind = "country"
    return DraftActor(name=m.name, kind=kind, role=m.role, affiliation=m.affiliation)


def _actors(mentions: list[Mention]) -> list[DraftActor]:
    seen: dict[str, DraftActor] = {}
    for m in mentions:
        if m.kind in ("person", "organization", "country", "group") and m.name not in seen:
            seen[m.name] = _actor(m)
    people = [a for a in seen.values() if a.kind == "person"]
    # Who met is the people when the sentence names any; their countries are context.
    return people or list(seen.values())


_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^-—–\n]{0,25})?\s*(?:--|—|–)\s*")
_OPEN_QUOTES = re.compile(r"[“\"]")


def _unbalanced(text: str) -> bool:
    if "“" in text or "”" in text:
        return text.count("“") > text.count("”")
    return text.count('"') % 2 == 1


def _reported(text: str) -> list[Sentence]:
    """Sentences as the article reports them: a quotation split at its full stops is one
    sentence, a dateline ("OSLA, May 2 --") is no part of the first one, and a line that
    does not end like a sentence (a headline, a menu) is left out."""
    out: list[Sentence] = []
    pending: Sentence | None = None
    for s in sentences(text):
        if pending is not None:
            s = Sentence(text[pending.start : s.end], pending.start, s.end)
            pending = None
        if _unbalanced(s.text) and "\n\n" not in text[s.start : s.end]:
            pending = s
            continue
        dateline = _DATELINE.match(s.text)
        if dateline:
            s = Sentence(s.text[dateline.end() :], s.start + dateline.end(), s.end)
        if s.text.rstrip().endswith((".", "!", "?", "\"", "”", "’", "'")):
            out.append(s)
    if pending is not None:
        out.append(pending)
    return out


def _clipped(t: TimeMention, s: Sentence, text: str) -> TimeMention:
    """A time expression is read within its sentence ("Tuesday." does not run on)."""
    if t.end <= s.end:
        return t
    end = s.end
    while end > t.start and not text[end - 1].isalnum():
        end -= 1
    return TimeMention(t.start, end, t.expr.model_copy(update={"text": text[t.start : end]}))


def reported_sentences(text: str) -> list[str]:
    """The article's sentences as `find_candidates` reads them (quotes whole, no headline)."""
    return [s.text for s in _reported(text)]


def _split_sentences(text: str, published: date | None) -> list[_Sentence]:
    mentions = find_mentions(text)
    times = times_in(text, published)
    out = []
    for i, s in enumerate(_reported(text)):
        out.append(
            _Sentence(
                i,
                s,
                [m for m in mentions if s.start <= m.start and m.end <= s.end],
                [_clipped(t, s, text) for t in times if s.start <= t.start < s.end],
            )
        )
    return out


def _time(s: _Sentence, text: str, *, future: bool | None) -> str | None:
    # A meeting happens on a day: prefer a day or week over "by 2030" in the same sentence.
    times = s.times
    if future is False:
        times = sorted(times, key=lambda t: t.expr.granularity not in ("day", "week"))
    for t in times:
        if t.expr.start is None and t.expr.granularity is None:
            continue
        tense = infer_tense(text, t.start, t.end)
        if future is False and tense == "future":
            continue
        if future is True and tense == "past" and not _FUTURE.search(s.sent.text):
            continue
        return text[t.start : t.end]
    return None


def _location(s: _Sentence) -> str | None:
    places = [m for m in s.mentions if m.kind == "place"]
    return places[0].name if places else None


def _topics(sentence: str) -> list[str]:
    found: list[str] = []
    for cue in _TOPIC_CUE.finditer(sentence):
        rest = sentence[cue.end() :]
        stop = _TOPIC_STOP.search(rest)
        rest = rest[: stop.start()] if stop else rest
        for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", rest.rstrip(". ")):
            phrase = _DETERMINERS.sub("", part.strip())
            if 1 <= len(phrase.split()) <= 8 and phrase not in found:
                found.append(phrase)
    return found[:6]


def _format(evidence: str) -> MeetingFormat:
    if _VIDEO.search(evidence):
        return "video"
    if _CALL.search(evidence):
        return "call"
    return "in_person"


# -- statements -------------------------------------------------------------------------------


def _statements(text: str, sents: list[_Sentence]) -> list[Candidate]:
    """One candidate per attribution cue with a speaker (see `local_statements`)."""
    mentions = find_mentions(text)
    found = attributions(text, [s.sent for s in sents], mentions)
    out: list[Candidate] = []
    for a in found:
        content_text = text[a.content[0] : a.content[1]] if a.content else ""
        body = a.evidence[0]
        if a.kind == "direct" and content_text and body.lstrip("“\"").startswith(content_text[:20]):
            # A quotation first, then "X said": say it the reported way.
            content = f"{a.speaker.name} said {content_text.rstrip('.,')}."
        else:
            content = body
        out.append(
            Candidate(
                "statement",
                a.sentence,
                list(a.evidence),
                actors=[a.speaker],
                content=content,
                quote=a.quote,
                speaker_mention=text[a.mention[0] : a.mention[1]],
                cue=text[a.cue[0] : a.cue[1]],
                content_evidence=content_text or None,
                statement_kind=a.kind,
            )
        )
    return out


# -- planned events ---------------------------------------------------------------------------


def _description(body: str) -> str:
    event = _EVENT.search(body)
    verb = _EVENT_VERB.search(body)
    anchor = event if event is not None else verb
    if anchor is None:
        return ""
    start = anchor.start()
    # Take the modifiers just before the noun: "a joint meeting", "the annual summit".
    head = body[:start].split()
    if len(head) <= _SUBJECT_WORDS:
        # A short subject is part of what is planned: "Ana Lis will visit Osla".
        subject = list(head)
        if subject and subject[0].lower().rstrip(",") in ("separately", "meanwhile", "also"):
            subject = subject[1:]
        rest = body[start:]
        end = _DESCRIPTION_END.search(rest, pos=len(anchor.group(0)))
        rest = rest[: end.start()] if end else rest
        words = (subject + rest.rstrip(". ").split())[:_DESCRIPTION_WORDS]
        return " ".join(words).strip(" ,.\"“”")
    lead: list[str] = []
    for word in reversed(head[-3:]):
        if word.lower() in ("a", "an", "the", "will", "to", "hold", "holding", "for", "of",
                            "be", "is", "are", "was", "on", "date", "host", "later"):
            break
        if word.endswith((",", ".")):
            break
        lead.insert(0, word)
    tail = body[start:]
    stop = _DESCRIPTION_END.search(tail, pos=len(anchor.group(0)))
    tail = tail[: stop.start()] if stop else tail
    words = (lead + tail.rstrip(". ").split())[:_DESCRIPTION_WORDS]
    return " ".join(words).strip(" ,.\"“”")


_WILL = re.compile(r"\b(?:will|plans? to|intends? to|is to|are to)\b(?! (?:be|have)\b)")


def _clause(body: str) -> str:
    """Something will happen, with no event noun: the clause says what."""
    end = _DESCRIPTION_END.search(body)
    words = (body[: end.start()] if end else body).rstrip(". ").split()
    return " ".join(words[:_DESCRIPTION_WORDS]).strip(" ,.\"“”")


def _status(body: str) -> EventStatus:
    if _CANCELLED.search(body):
        return "cancelled"
    if _POSTPONED.search(body):
        return "postponed"
    if _PROPOSED.search(body) and not re.search(r"\b(?:will|scheduled|set to)\b", body):
        return "proposed"
    if re.search(r"\b(?:scheduled|set to|will be held|due to)\b", body):
        return "scheduled"
    return "planned"


def _planned(s: _Sentence, text: str) -> Candidate | None:
    body = s.sent.text
    changed = _POSTPONED.search(body) or _CANCELLED.search(body)
    if not (_FUTURE.search(body) or changed):
        return None
    if not (_EVENT.search(body) or _EVENT_VERB.search(body) or _WILL.search(body)):
        return None
    description = _description(body) or _clause(body)
    if not description:
        return None
    return Candidate(
        "planned_event",
        s.index,
        [body],
        actors=[_actor(m) for m in s.mentions if m.kind in ("person", "organization", "country")][:4],
        location=_location(s),
        time=_time(s, text, future=None),
        description=description,
        status=_status(body),
    )


def _head(description: str) -> str:
    found = _EVENT.findall(description)
    return found[0].lower() if found else ""


def _refers_back(body: str, new: Candidate, planned: list[Candidate]) -> bool:
    """'The conference was expected to ...' after a conference was planned: the same event."""
    head = _head(new.description)
    if head and re.search(rf"\b(?:the|this|that|its)\s+(?:\w+\s+)?{head}\b", body, re.IGNORECASE):
        return any(_head(p.description) == head for p in planned)
    # A postponement with no event of its own ("the talks were called off") is the last one's.
    return not _EVENT.search(body) and new.status in ("postponed", "cancelled")


def _absorb(target: Candidate, other: Candidate) -> None:
    for quote in other.evidence:
        if quote not in target.evidence and len(target.evidence) < _MAX_EVIDENCE:
            target.evidence.append(quote)
    target.time = target.time or other.time
    target.location = target.location or other.location
    if other.status in ("postponed", "cancelled"):
        target.status = other.status


def _follow_up(s: _Sentence) -> bool:
    """'It is planned for May.': a sentence that only adds a time to the item before it."""
    return bool(re.match(r"^[“\"]?(?:It|This|The (?:meeting|event|visit|session|summit|talks))\b",
                         s.sent.text)) and bool(s.times)  # fmt: skip


# -- meetings ---------------------------------------------------------------------------------


def _meeting(s: _Sentence, text: str, following: _Sentence | None) -> Candidate | None:
    body = s.sent.text
    if not _MEETING.search(body) or _FUTURE.search(body) or _POSTPONED.search(body):
        return None
    tense = infer_tense(text, s.sent.start, s.sent.end)
    if tense == "future":
        return None
    actors = _actors(s.mentions)
    if not any(a.kind == "person" for a in actors):
        actors = _groups(body) + actors
    evidence = [body]
    if len([a for a in actors if a.kind == "person"]) < 2 and following is not None:
        # "The two ministers met on Monday. ... Ana Lis and Piet Aren addressed ...": who met
        # is named in the next sentence.
        more = [a for a in _actors(following.mentions) if a.kind == "person"]
        if len(more) >= 2:
            actors = more
            evidence.append(following.sent.text)
    return Candidate(
        "meeting",
        s.index,
        evidence,
        actors=actors,
        location=_location(s),
        time=_time(s, text, future=False),
        topics=_topics(body),
        format=_format(body),
    )


_GROUP = re.compile(
    r"\b((?:[A-Z]?[a-z'’-]+\s+){0,3}(?:ministers|officials|leaders|delegates|delegations|"
    r"heads of state(?: and government)?|representatives|envoys|diplomats|negotiators)"
    r"(?:\s+(?:of|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:countries|states|nations|"
    r"ministries|members|[A-Z][\w-]+))?)"
)
_GROUP_SKIP = frozenset(("the", "two", "both", "a", "an", "all", "other", "their", "its"))


def _groups(body: str) -> list[DraftActor]:
    """'Senior officials from the member states': who met, when the article names no one."""
    found = []
    for m in _GROUP.finditer(body):
        words = m.group(1).split()
        while words and words[0].lower() in _GROUP_SKIP:
            words = words[1:]
        if len(words) >= 2:
            found.append(DraftActor(name=" ".join(words), kind="group"))
    return found[:2]


def _same_people(a: Candidate, b: Candidate) -> bool:
    """b adds nothing new about who met, and nothing contradicts a's time or place."""
    names_a = {x.name for x in a.actors if x.kind == "person"}
    names_b = {x.name for x in b.actors if x.kind == "person"}
    if a.time and b.time and a.time != b.time:
        return False
    return not names_b or names_b <= names_a


def _merge_meetings(found: list[Candidate]) -> list[Candidate]:
    merged: list[Candidate] = []
    for c in found:
        target = next((m for m in merged if _same_people(m, c)), None)
        if target is None:
            # One actor alone does not make a meeting; it may add to one already found.
            if len(c.actors) >= _MIN_ACTORS:
                merged.append(c)
            continue
        for quote in c.evidence:
            if quote not in target.evidence and len(target.evidence) < _MAX_EVIDENCE:
                target.evidence.append(quote)
        known = {a.name for a in target.actors}
        target.actors += [a for a in c.actors if a.name not in known and a.kind == "person"]
        target.location = target.location or c.location
        target.time = target.time or c.time
        target.topics += [t for t in c.topics if t not in target.topics]
        if target.format == "in_person":
            target.format = c.format
    return merged


# -- the whole article ------------------------------------------------------------------------


def find_candidates(text: str, published: date | None) -> list[Candidate]:
    """Every meeting, statement and planned event the rules find, in article order."""
    sents = _split_sentences(text, published)
    meetings: list[Candidate] = []
    statements = _statements(text, sents)
    planned: list[Candidate] = []
    for i, s in enumerate(sents):
        following = sents[i + 1] if i + 1 < len(sents) else None
        if (m := _meeting(s, text, following)) is not None:
            meetings.append(m)
        p = _planned(s, text)
        if p is not None and planned and _refers_back(s.sent.text, p, planned):
            _absorb(planned[-1], p)
        elif p is not None:
            planned.append(p)
        elif planned and planned[-1].sentence == i - 1 and _follow_up(s):
            last = planned[-1]
            last.time = last.time or _time(s, text, future=None)
            last.evidence.append(s.sent.text)
            last.sentence = i
    return [*_merge_meetings(meetings), *statements, *planned]


def build(candidates: list[Candidate], summary: str) -> DraftSummary:
    """The draft from the candidates kept."""
    return DraftSummary(
        summary=summary,
        meetings=[
            DraftMeeting(
                participants=c.actors,
                location=c.location,
                time=c.time,
                topics=c.topics,
                format=c.format,
                evidence=c.evidence,
            )
            for c in candidates
            if c.kind == "meeting"
        ],
        statements=[
            DraftStatement(
                speaker=c.actors[0],
                speaker_mention=c.speaker_mention,
                cue=c.cue,
                kind=c.statement_kind,
                content_evidence=c.content_evidence,
                content=c.content,
                quote=c.quote,
                evidence=c.evidence,
            )
            for c in candidates
            if c.kind == "statement" and c.actors
        ],
        planned_events=[
            DraftPlannedEvent(
                description=c.description,
                participants=c.actors,
                location=c.location,
                time=c.time,
                status=c.status,
                evidence=c.evidence,
            )
            for c in candidates
            if c.kind == "planned_event"
        ],
    )
