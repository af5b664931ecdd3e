"""MEANTIME (NewsReader, English intra-document CAT XML) as a partial-gold eval suite.

Each document becomes an `Article` (text rebuilt from its tokens) and a `Gold` that scores
only what MEANTIME annotates:

- statements: speech events (instance class SPEECH_COGNITIVE, verbs of saying only) with
  their speaker (the Arg0 participant), the trigger as the cue and the Arg0 mention as the
  speaker's mention; only `speaker`, `evidence` and `cue` are scored (MEANTIME marks no
  span of what was said, so statements align as before);
- planned events: event mentions with `time="FUTURE"`, their actor participants (SRL
  links to people, organisations and places) and their time (a TLINK to a TIMEX3);
  only `description`, `participants`, `time` and `evidence` are scored;
- meetings: not annotated, not scored.

MEANTIME annotates events only in the title and the first sentences, so `scored_spans`
covers exactly those: predicted items grounded elsewhere are ignored, not spurious.
The corpus is licensed data: it is read where it lies and never copied into the project.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from summarizer.errors import InputError
from summarizer.eval.gold import (
    AnyOf,
    Gold,
    GoldActor,
    GoldEvidence,
    GoldPlannedEvent,
    GoldStatement,
    GoldTime,
)
from summarizer.schemas import ActorKind, Article, Granularity

ADAPTER_NAME = "meantime"

# Sentence 0 is the title, 1 the dateline (it holds the creation time); events are
# annotated in these and the following four: sentences 0-5 (checked on all 120 documents).
ANNOTATED_SENTENCES = 6

SCORED_FIELDS: dict[str, list[str]] = {
    "statements": ["speaker", "evidence", "cue"],
    "planned_events": ["description", "participants", "time", "evidence"],
}

# SPEECH_COGNITIVE mixes saying with thinking ("expect", "plan", "fear"); statements are
# the saying part. Matched against the lower-cased trigger's first word.
_SPEECH_STEMS = (
    "say", "said", "announc", "report", "stat", "claim", "speech", "speak", "spoke", "declar",
    "cit", "confirm", "tell", "told", "explain", "ask", "describ", "predict", "forecast",
    "add", "quot", "comment", "reveal", "argu", "insist", "suggest", "respon", "recommend",
    "reject", "den", "warn", "noted", "urg", "stress", "request", "call", "post", "promis",
    "propos", "disclos", "admit", "acknowledg", "repl", "testif",
)  # fmt: skip
# Verbs of thinking and intending frame a future event ("is expected to", "plans to");
# the framed event, not the frame, is the planned event.
_COGNITIVE_STEMS = (
    "expect", "plan", "want", "hope", "fear", "worr", "believ", "think", "thought", "intend",
    "intent", "decid", "decision", "consider", "see", "saw", "seen", "know", "knew", "like",
    "love", "prefer", "wish", "aim", "anticipat", "concern", "feel", "felt", "doubt",
    "assum", "estimat", "seek", "sought", "try", "tried", "attempt",
)  # fmt: skip
_ACTOR_KINDS = {
    "PER": ActorKind.person,
    "ORG": ActorKind.organization,
    "LOC": ActorKind.country,
}
_CORE_ROLES = frozenset({"Arg0", "Arg1", "Arg2", "Arg3", "Arg4"})
# TLINK types under which a TIMEX3 gives the time of the event (not before/after it).
_OVERLAP_RELTYPES = frozenset(
    {"IS_INCLUDED", "INCLUDES", "SIMULTANEOUS", "IDENTITY", "DURING", "BEGINS", "ENDS",
     "BEGUN_BY", "ENDED_BY"}
)  # fmt: skip

# Detokenisation (tokens carry no whitespace): what attaches to its left or right neighbour.
_NO_SPACE_BEFORE = frozenset(
    {",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "...", "''", "'", "’", "”",
     "'s", "'re", "'ve", "'ll", "'d", "'m", "n't", "’s"}
)  # fmt: skip
_NO_SPACE_AFTER = frozenset(
    {"(", "[", "{", "$", "US$", "CA$", "AU$", "£", "€", "#", "``", "`", "“", "‘"}
)
_QUOTE_FORMS = {"``": '"', "''": '"'}


@dataclass
class _Markable:
    tag: str
    attrs: dict[str, str]
    tokens: list[int] = field(default_factory=list)  # token ids (t_id), in document order


@dataclass
class _Doc:
    doc_id: str
    url: str | None
    text: str
    # t_id -> (sentence, start, end) in `text`
    tokens: dict[int, tuple[int, int, int]]
    sentences: dict[int, tuple[int, int]]  # sentence -> (start, end) in `text`
    markables: dict[str, _Markable]
    refers_to: dict[str, str]  # mention m_id -> instance m_id
    participants: dict[str, list[tuple[str, str]]]  # event m_id -> [(role, target m_id)]
    tlinks: list[tuple[str, str, str]]  # (source, target, reltype)

    def span(self, m: _Markable) -> tuple[int, int]:
        return self.tokens[m.tokens[0]][1], self.tokens[m.tokens[-1]][2]

    def surface(self, m: _Markable) -> str:
        start, end = self.span(m)
        return self.text[start:end]

    def sentence_of(self, m: _Markable) -> int:
        return self.tokens[m.tokens[0]][0]

    def instance(self, m_id: str) -> _Markable | None:
        target = self.refers_to.get(m_id)
        return None if target is None else self.markables.get(target)


# --- parsing --------------------------------------------------------------------------------


def _detokenize(
    sentences: Sequence[Sequence[str]], breaks: set[int]
) -> tuple[str, list[list[tuple[int, int]]]]:
    """Join token sentences into text; returns the text and each token's (start, end).

    Sentences are separated by a space, or by a blank line before each index in `breaks`.
    """
    parts: list[str] = []
    pos = 0
    offsets: list[list[tuple[int, int]]] = []
    open_double = False
    for s_index, words in enumerate(sentences):
        sent_offsets: list[tuple[int, int]] = []
        glue_next = True  # nothing before the first token of a sentence but the separator
        if s_index:
            sep = "\n\n" if s_index in breaks else " "
            parts.append(sep)
            pos += len(sep)
        for word in words:
            form = _QUOTE_FORMS.get(word, word)
            if word == '"':
                attach_left = open_double
                attach_right = not open_double
                open_double = not open_double
            else:
                attach_left = word in _NO_SPACE_BEFORE
                attach_right = word in _NO_SPACE_AFTER
            if not glue_next and not attach_left:
                parts.append(" ")
                pos += 1
            sent_offsets.append((pos, pos + len(form)))
            parts.append(form)
            pos += len(form)
            glue_next = attach_right
        offsets.append(sent_offsets)
    return "".join(parts), offsets


def _parse(xml: str | bytes, where: str) -> _Doc:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise InputError(f"{where}: not valid XML ({exc}); is it a MEANTIME CAT file?") from None
    if root.tag != "Document":
        raise InputError(f"{where}: root element is <{root.tag}>, expected a CAT <Document>.")
    raw_tokens: list[tuple[int, int, str]] = []
    for tok in root.iter("token"):
        try:
            raw_tokens.append(
                (int(tok.attrib["t_id"]), int(tok.attrib["sentence"]), tok.text or "")
            )
        except (KeyError, ValueError):
            raise InputError(f"{where}: a <token> lacks a numeric t_id or sentence.") from None
    if not raw_tokens:
        raise InputError(f"{where}: the document has no tokens.")
    raw_tokens.sort()
    by_sentence: dict[int, list[tuple[int, str]]] = {}
    for t_id, sentence, word in raw_tokens:
        by_sentence.setdefault(sentence, []).append((t_id, word))
    order = sorted(by_sentence)

    markables: dict[str, _Markable] = {}
    section = root.find("Markables")
    for el in section if section is not None else []:
        m_id = el.attrib.get("m_id")
        if m_id is None:
            continue
        ids = sorted(int(a.attrib["t_id"]) for a in el.iter("token_anchor") if "t_id" in a.attrib)
        markables[m_id] = _Markable(el.tag, dict(el.attrib), ids)

    # The dateline (the sentence holding the creation time) stands apart from the title
    # and the body, as it does on the page.
    dct_sentences = {
        sentence
        for m in markables.values()
        if m.tag == "TIMEX3" and m.attrs.get("functionInDocument") == "CREATION_TIME"
        for t_id, sentence, _ in raw_tokens
        if t_id in m.tokens
    }
    breaks = (
        {1}
        | {i for i, s in enumerate(order) if s in dct_sentences}
        | {i + 1 for i, s in enumerate(order) if s in dct_sentences}
    )
    text, offsets = _detokenize([[w for _, w in by_sentence[s]] for s in order], breaks)
    tokens: dict[int, tuple[int, int, int]] = {}
    sentences: dict[int, tuple[int, int]] = {}
    for s, sent_offsets in zip(order, offsets, strict=True):
        for (t_id, _), (start, end) in zip(by_sentence[s], sent_offsets, strict=True):
            tokens[t_id] = (s, start, end)
        sentences[s] = (sent_offsets[0][0], sent_offsets[-1][1])
    for m in markables.values():
        m.tokens = [t for t in m.tokens if t in tokens]

    refers_to: dict[str, str] = {}
    participants: dict[str, list[tuple[str, str]]] = {}
    tlinks: list[tuple[str, str, str]] = []
    relations = root.find("Relations")
    for rel in relations if relations is not None else []:
        sources = [s.attrib.get("m_id", "") for s in rel.findall("source")]
        target_el = rel.find("target")
        target = target_el.attrib.get("m_id", "") if target_el is not None else ""
        if not target:
            continue
        if rel.tag == "REFERS_TO":
            for source in sources:
                refers_to[source] = target
        elif rel.tag == "HAS_PARTICIPANT":
            for source in sources:
                participants.setdefault(source, []).append((rel.attrib.get("sem_role", ""), target))
        elif rel.tag == "TLINK":
            tlinks.extend((source, target, rel.attrib.get("reltype", "")) for source in sources)
    return _Doc(
        doc_id=root.attrib.get("doc_id") or root.attrib.get("doc_name") or "",
        url=root.attrib.get("url") or None,
        text=text,
        tokens=tokens,
        sentences=sentences,
        markables=markables,
        refers_to=refers_to,
        participants=participants,
        tlinks=tlinks,
    )


# --- values ---------------------------------------------------------------------------------

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def timex_interval(value: str) -> tuple[date, date, Granularity] | None:
    """A TIMEX3 value as (first day, last day, granularity); None when it names no dates."""
    try:
        if m := _DAY.match(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day, Granularity.day
        if m := _MONTH.match(value):
            year, month = int(m[1]), int(m[2])
            return date(year, month, 1), _month_end(year, month), Granularity.month
        if m := _YEAR.match(value):
            year = int(m[1])
            return date(year, 1, 1), date(year, 12, 31), Granularity.year
        if m := _WEEK.match(value):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return monday, monday + timedelta(days=6), Granularity.week
        if m := _QUARTER.match(value):
            year, q = int(m[1]), int(m[2])
            return date(year, 3 * q - 2, 1), _month_end(year, 3 * q), Granularity.quarter
        if m := _HALF.match(value):
            year, h = int(m[1]), int(m[2])
            return date(year, 6 * h - 5, 1), _month_end(year, 6 * h), Granularity.half_year
    except ValueError:
        return None  # e.g. month 13: a malformed value is an unresolved one
    return None


def _alt(values: Iterable[str]) -> str | AnyOf:
    unique: list[str] = []
    seen: set[str] = set()
    for v in values:
        v = " ".join(v.split())
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            unique.append(v)
    if not unique:
        raise ValueError("no value")
    return unique[0] if len(unique) == 1 else AnyOf(any_of=unique)


# --- gold construction ----------------------------------------------------------------------


class _Builder:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.mentions_of: dict[str, list[_Markable]] = {}
        for m_id, target in doc.refers_to.items():
            mention = doc.markables.get(m_id)
            if mention is not None and mention.tokens:
                self.mentions_of.setdefault(target, []).append(mention)

    def evidence(self, m: _Markable) -> GoldEvidence:
        start, end = self.doc.sentences[self.doc.sentence_of(m)]
        return GoldEvidence(quote=self.doc.text[start:end], start=start, end=end, match="exact")

    def actor(self, m_id: str, *, kinds: dict[str, ActorKind] | None = None) -> GoldActor | None:
        """The entity a participant link points at, named by its mention and its other names."""
        mention = self.doc.markables.get(m_id)
        if mention is None or mention.tag != "ENTITY_MENTION" or not mention.tokens:
            return None
        entity = self.doc.instance(m_id)
        ent_type = entity.attrs.get("ent_type", "") if entity is not None else ""
        if kinds is not None and ent_type not in kinds:
            return None
        names: list[str] = []
        pronoun = mention.attrs.get("syntactic_type") == "PRO"
        if not pronoun:
            names.append(self.doc.surface(mention))
        if entity is not None:
            # Other names the article uses for the same entity (a model may pick any).
            others = [
                o
                for o in self.mentions_of.get(entity.attrs.get("m_id", ""), [])
                if o.attrs.get("syntactic_type") in ("NAM", "APP", "NOM") and o is not mention
            ]
            names.extend(self.doc.surface(o) for o in sorted(others, key=lambda o: o.tokens[0]))
            descriptor = entity.attrs.get("TAG_DESCRIPTOR", "")
            if descriptor:
                names.append(descriptor)
        if not names:
            return None
        kind = _ACTOR_KINDS.get(ent_type, ActorKind.group if ent_type else ActorKind.person)
        return GoldActor(name=_alt(names), kind=kind)

    def annotated(self, m: _Markable) -> bool:
        return bool(m.tokens) and self.doc.sentence_of(m) < ANNOTATED_SENTENCES

    def grouped_events(self) -> list[tuple[_Markable | None, list[_Markable]]]:
        """Event mentions grouped by the event instance they refer to, in text order."""
        groups: dict[str, tuple[_Markable | None, list[_Markable]]] = {}
        for m_id, m in self.doc.markables.items():
            if m.tag != "EVENT_MENTION" or not self.annotated(m):
                continue
            inst = self.doc.instance(m_id)
            key = inst.attrs["m_id"] if inst is not None else f"mention:{m_id}"
            groups.setdefault(key, (inst, []))[1].append(m)
        out = [(inst, sorted(ms, key=lambda x: x.tokens[0])) for inst, ms in groups.values()]
        return sorted(out, key=lambda g: g[1][0].tokens[0])

    @staticmethod
    def body_first(mentions: Sequence[_Markable], doc: _Doc) -> _Markable:
        # The title repeats the body; the body sentence is the better evidence.
        body = [m for m in mentions if doc.sentence_of(m) > 0]
        return body[0] if body else mentions[0]

    def statements(self) -> list[GoldStatement]:
        out: list[GoldStatement] = []
        for inst, mentions in self.grouped_events():
            if inst is None or inst.attrs.get("class") != "SPEECH_COGNITIVE":
                continue
            speech = [m for m in mentions if _is_speech(self.doc.surface(m))]
            if not speech:
                continue
            speakers = [
                a
                for m in speech
                for role, target in self.doc.participants.get(m.attrs["m_id"], [])
                if role == "Arg0"
                for a in [self.actor(target)]
                if a is not None
            ]
            if not speakers:
                continue  # "it was announced": no speaker to score
            main = self.body_first(speech, self.doc)
            sentence = self.evidence(main)
            out.append(
                GoldStatement(
                    speaker=_merge_actors(speakers),
                    content=sentence.quote,
                    evidence=[sentence],
                    # The speech event's trigger is the cue; its Arg0 mention in that
                    # sentence is where the speaker is named. MEANTIME marks no span of
                    # what was said (Arg1 links to the head of the reported event), so
                    # `content_evidence` and `kind` stay empty.
                    cue=self.span_evidence(main),
                    speaker_mention=self.arg0_mention(main),
                )
            )
        return out

    def span_evidence(self, m: _Markable) -> GoldEvidence:
        start, end = self.doc.span(m)
        return GoldEvidence(quote=self.doc.text[start:end], start=start, end=end, match="exact")

    def arg0_mention(self, event: _Markable) -> GoldEvidence | None:
        for role, target in self.doc.participants.get(event.attrs["m_id"], []):
            mention = self.doc.markables.get(target)
            if role == "Arg0" and mention is not None and mention.tokens:
                return self.span_evidence(mention)
        return None

    def time_of(self, mentions: Sequence[_Markable]) -> GoldTime | None:
        ids = {m.attrs["m_id"] for m in mentions}
        for source, target, reltype in self.doc.tlinks:
            if reltype not in _OVERLAP_RELTYPES:
                continue
            other = target if source in ids else source if target in ids else None
            timex = self.doc.markables.get(other) if other is not None else None
            if (
                timex is None
                or timex.tag != "TIMEX3"
                or not timex.tokens
                or timex.attrs.get("functionInDocument") == "CREATION_TIME"
                or timex.attrs.get("type") not in ("DATE", "TIME")
            ):
                continue
            resolved = timex_interval(timex.attrs.get("value", ""))
            text = self.doc.surface(timex)
            if resolved is None:
                return GoldTime(text=text)
            start, end, granularity = resolved
            return GoldTime(text=text, start=start, end=end, granularity=granularity)
        return None

    def planned_events(self) -> list[GoldPlannedEvent]:
        out: list[GoldPlannedEvent] = []
        for inst, mentions in self.grouped_events():
            future = [m for m in mentions if m.attrs.get("time") == "FUTURE"]
            if not future or any(m.attrs.get("polarity") == "NEG" for m in future):
                continue
            cls = inst.attrs.get("class", "") if inst is not None else ""
            if cls == "GRAMMATICAL":
                continue  # auxiliaries and light verbs ("be", "make"): not events of their own
            if any(_starts_with(self.doc.surface(m), _COGNITIVE_STEMS) for m in future):
                continue  # "expected", "plans": the framing, not the planned event
            actors: list[GoldActor] = []
            clause_ids: list[int] = []
            main = self.body_first(future, self.doc)
            for m in future:
                for role, target in self.doc.participants.get(m.attrs["m_id"], []):
                    if role not in _CORE_ROLES:
                        continue
                    target_m = self.doc.markables.get(target)
                    if (
                        m is main
                        and target_m is not None
                        and target_m.tokens
                        and self.doc.sentence_of(target_m) == self.doc.sentence_of(m)
                    ):
                        clause_ids.extend(target_m.tokens)
                    actor = self.actor(target, kinds=_ACTOR_KINDS)
                    if actor is not None and not any(_same_actor(actor, known) for known in actors):
                        actors.append(actor)
            sentence = self.evidence(main)
            clause_ids.extend(main.tokens)
            start = self.doc.tokens[min(clause_ids)][1]
            end = self.doc.tokens[max(clause_ids)][2]
            out.append(
                GoldPlannedEvent(
                    description=_alt([self.doc.text[start:end], sentence.quote]),
                    participants=actors,
                    time=self.time_of(future),
                    evidence=[sentence],
                    # Without an actor it is rarely what a reader calls a planned event
                    # ("sales" that a plan should improve): a model may list it or not.
                    optional=not actors,
                )
            )
        return out


def _starts_with(trigger: str, stems: tuple[str, ...]) -> bool:
    words = trigger.casefold().split()
    return bool(words) and words[0].startswith(stems)


def _is_speech(trigger: str) -> bool:
    return _starts_with(trigger, _SPEECH_STEMS)


def _names(actor: GoldActor) -> list[str]:
    return list(actor.name.any_of) if isinstance(actor.name, AnyOf) else [actor.name]


def _same_actor(a: GoldActor, b: GoldActor) -> bool:
    return bool({n.casefold() for n in _names(a)} & {n.casefold() for n in _names(b)})


def _merge_actors(actors: Sequence[GoldActor]) -> GoldActor:
    return GoldActor(name=_alt(n for a in actors for n in _names(a)), kind=actors[0].kind)


# --- public API -----------------------------------------------------------------------------


def convert_document(xml: str | bytes, *, where: str = "MEANTIME document") -> tuple[Article, Gold]:
    """One CAT XML document as (Article, partial Gold)."""
    doc = _parse(xml, where)
    if not doc.doc_id:
        raise InputError(f"{where}: <Document> has no doc_id.")
    published: date | None = None
    for m in doc.markables.values():
        if m.tag == "TIMEX3" and m.attrs.get("functionInDocument") == "CREATION_TIME":
            resolved = timex_interval(m.attrs.get("value", ""))
            if resolved is not None and resolved[2] == Granularity.day:
                published = resolved[0]
                break
    first = min(doc.sentences)
    t_start, t_end = doc.sentences[first]
    title = doc.text[t_start:t_end]
    annotated = [span for s, span in doc.sentences.items() if s < ANNOTATED_SENTENCES]
    article = Article(
        id=doc.doc_id,
        text=doc.text,
        title=title,
        published=published,
        url=doc.url,
        source="MEANTIME (Wikinews)",
        language="en",
    )
    builder = _Builder(doc)
    gold = Gold(
        article_id=doc.doc_id,
        title=title,
        statements=builder.statements(),
        planned_events=builder.planned_events(),
        scored_fields=SCORED_FIELDS,
        scored_spans=[(min(s for s, _ in annotated), max(e for _, e in annotated))],
        meta={"tags": ["meantime"], "adapter": ADAPTER_NAME},
    )
    return article, gold


def corpus_files(folder: str | Path) -> list[Path]:
    """The English intra-document CAT files under a MEANTIME folder (or a folder of them)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            f"MEANTIME data not found at {root}: put the corpus there (its folder holds "
            "intra-doc_annotation/) or point the suite's `fixtures:` at it."
        )
    # The corpus ships each document twice (intra- and cross-document annotation): take
    # one copy, preferring the intra-document annotation.
    for sub in ("intra-doc_annotation", "intra_cross-doc_annotation"):
        if (root / sub).is_dir():
            root = root / sub
            break
    files = sorted(root.rglob("*.xml"), key=lambda p: p.name)
    if not files:
        raise InputError(f"no MEANTIME .xml files under {root}: is this the MEANTIME folder?")
    return files


def load_meantime(folder: str | Path) -> list[tuple[Article, Gold]]:
    """Every MEANTIME document under `folder` as (Article, Gold), sorted by id."""
    out: dict[str, tuple[Article, Gold]] = {}
    for path in corpus_files(folder):
        article, gold = convert_document(path.read_bytes(), where=str(path))
        out.setdefault(article.id, (article, gold))
    return [out[k] for k in sorted(out)]
