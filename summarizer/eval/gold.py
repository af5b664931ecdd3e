"""Gold annotations and fixture loading.

A fixture is three files in one folder: `<id>.txt` (the article text), `<id>.meta.json` (the
other `Article` fields, plus extras such as `tags`) and `<id>.gold.json` (an `ArticleSummary`
without `run`). Gold may be looser than a prediction:

- any string value may be `{"any_of": [...]}`, a list of acceptable alternatives;
- a list item may carry `"optional": true`: a prediction may or may not report it;
- evidence gives only `{"quote": ...}`; offsets are computed here against the article text;
- `scored_fields` / `scored_spans` declare partial gold (only some fields, or only some
  character ranges of the article, were annotated);
- `"review": "draft"` marks a gold file written by `summarizer eval draft-gold` that no person
  has reviewed yet: suites refuse it (`allow_draft=True` reads it, as the review page does).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from summarizer.errors import InputError
from summarizer.grounding.alignment import align
from summarizer.schemas import (
    Actor,
    ActorKind,
    Article,
    ArticleSummary,
    EventStatus,
    Evidence,
    Granularity,
    MatchKind,
    Meeting,
    MeetingFormat,
    PlannedEvent,
    Statement,
    StatementKind,
    TimeExpr,
)

ListName = Literal["meetings", "statements", "planned_events"]
LIST_NAMES: tuple[ListName, ...] = ("meetings", "statements", "planned_events")

# The field keys scoring reports, per list; `scored_fields` must use these names.
FIELD_KEYS: dict[ListName, tuple[str, ...]] = {
    "meetings": (
        "participants",
        "participants.role",
        "participants.affiliation",
        "location",
        "time",
        "topics",
        "format",
        "evidence",
    ),
    "statements": (
        "speaker",
        "speaker.role",
        "speaker.affiliation",
        "content",
        "quote",
        "evidence",
        "kind",
        "cue",
    ),
    "planned_events": (
        "description",
        "participants",
        "participants.role",
        "participants.affiliation",
        "location",
        "time",
        "status",
        "evidence",
    ),
}


class _GoldModel(BaseModel):
    # Typos in hand-written gold must fail loudly rather than be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=False)


class AnyOf(_GoldModel):
    any_of: list[str] = Field(min_length=1)


Alt: TypeAlias = str | AnyOf


def alternatives(value: Alt | None) -> tuple[str, ...]:
    """All acceptable strings for a gold value (empty for None)."""
    if value is None:
        return ()
    if isinstance(value, AnyOf):
        return tuple(value.any_of)
    return (value,)


def first(value: Alt) -> str:
    """The preferred (first) alternative of a gold value."""
    return value.any_of[0] if isinstance(value, AnyOf) else value


def _first_or_none(value: Alt | None) -> str | None:
    return None if value is None else first(value)


class GoldActor(_GoldModel):
    name: Alt
    kind: ActorKind = ActorKind.person
    role: Alt | None = None
    affiliation: Alt | None = None


class GoldEvidence(_GoldModel):
    quote: str = Field(min_length=1)
    # Filled by `load_fixture`; a gold file may give them to pick one of several occurrences.
    start: int | None = None
    end: int | None = None
    match: MatchKind | None = None


class GoldTime(_GoldModel):
    text: Alt
    start: date | None = None
    end: date | None = None
    granularity: Granularity | None = None
    note: str | None = None


class GoldMeeting(_GoldModel):
    participants: list[GoldActor] = Field(default_factory=list)
    location: Alt | None = None
    time: GoldTime | None = None
    topics: list[Alt] = Field(default_factory=list)
    format: MeetingFormat = "unknown"
    evidence: list[GoldEvidence] = Field(default_factory=list)
    optional: bool = False


class GoldStatement(_GoldModel):
    speaker: GoldActor
    content: Alt
    quote: Alt | None = None
    evidence: list[GoldEvidence] = Field(default_factory=list)
    optional: bool = False
    # The attribution's own spans (added with issue 15; absent in older gold): the kind,
    # the reporting verb, what was said, and where the speaker is named or referred to.
    # A short span ("said", "he") is looked up inside the statement's evidence first.
    kind: StatementKind | None = None
    cue: GoldEvidence | None = None
    content_evidence: GoldEvidence | None = None
    speaker_mention: GoldEvidence | None = None


STATEMENT_SPANS: tuple[str, ...] = ("speaker_mention", "cue", "content_evidence")


class GoldPlannedEvent(_GoldModel):
    description: Alt
    participants: list[GoldActor] = Field(default_factory=list)
    location: Alt | None = None
    time: GoldTime | None = None
    status: EventStatus = "planned"
    evidence: list[GoldEvidence] = Field(default_factory=list)
    optional: bool = False


GoldItem: TypeAlias = GoldMeeting | GoldStatement | GoldPlannedEvent


class Gold(_GoldModel):
    """The gold annotation of one article."""

    article_id: str = ""
    title: str | None = None
    summary: str = ""
    meetings: list[GoldMeeting] = Field(default_factory=list)
    statements: list[GoldStatement] = Field(default_factory=list)
    planned_events: list[GoldPlannedEvent] = Field(default_factory=list)
    # Partial gold. None means "everything annotated". With a dict, a list absent from it is
    # not scored at all, and within a list only the named field keys (see FIELD_KEYS) are.
    scored_fields: dict[ListName, list[str]] | None = None
    # Character ranges [start, end) of the article that were annotated; predicted items whose
    # evidence lies wholly outside them are ignored instead of counted as spurious.
    scored_spans: list[tuple[int, int]] | None = None
    # Extra metadata from `<id>.meta.json` that is not an Article field (e.g. tags).
    meta: dict[str, Any] = Field(default_factory=dict)
    # "draft": a model's answer awaiting review (summarizer eval review); absent once reviewed.
    review: Literal["draft"] | None = None

    @field_validator("scored_fields")
    @classmethod
    def _known_fields(
        cls, value: dict[ListName, list[str]] | None
    ) -> dict[ListName, list[str]] | None:
        if value is None:
            return None
        for list_name, keys in value.items():
            unknown = sorted(set(keys) - set(FIELD_KEYS[list_name]))
            if unknown:
                raise ValueError(
                    f"unknown field(s) {unknown} in scored_fields[{list_name!r}]; "
                    f"use some of {list(FIELD_KEYS[list_name])}"
                )
        return value

    @field_validator("scored_spans")
    @classmethod
    def _valid_spans(cls, value: list[tuple[int, int]] | None) -> list[tuple[int, int]] | None:
        if value is not None:
            for start, end in value:
                if not 0 <= start < end:
                    raise ValueError(f"scored span ({start}, {end}) must satisfy 0 <= start < end")
        return value

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags", [])
        return [str(t) for t in tags] if isinstance(tags, list) else []

    def items(self, list_name: ListName) -> Sequence[GoldItem]:
        items: Sequence[GoldItem] = getattr(self, list_name)
        return items

    def is_scored(self, list_name: ListName, field_key: str) -> bool:
        if self.scored_fields is None:
            return True
        return field_key in self.scored_fields.get(list_name, ())

    def list_scored(self, list_name: ListName) -> bool:
        return self.scored_fields is None or list_name in self.scored_fields


# --- gold -> prediction ---------------------------------------------------------------------


def _actor(a: GoldActor) -> Actor:
    return Actor(
        name=first(a.name),
        kind=a.kind,
        role=_first_or_none(a.role),
        affiliation=_first_or_none(a.affiliation),
    )


def _evidence(items: list[GoldEvidence]) -> list[Evidence]:
    return [Evidence(quote=e.quote, start=e.start, end=e.end, match=e.match) for e in items]


def _one(e: GoldEvidence | None) -> Evidence | None:
    return None if e is None else _evidence([e])[0]


def _time(t: GoldTime | None) -> TimeExpr | None:
    if t is None:
        return None
    return TimeExpr(
        text=first(t.text), start=t.start, end=t.end, granularity=t.granularity, note=t.note
    )


def to_prediction(gold: Gold, *, include_optional: bool = True) -> ArticleSummary:
    """The summary a perfect model would return: first alternatives everywhere.

    Scoring this against `gold` must give 1.0 on every metric; the meta-tests rely on it.
    """
    return ArticleSummary(
        article_id=gold.article_id,
        title=gold.title,
        summary=gold.summary,
        meetings=[
            Meeting(
                participants=[_actor(a) for a in m.participants],
                location=_first_or_none(m.location),
                time=_time(m.time),
                topics=[first(t) for t in m.topics],
                format=m.format,
                evidence=_evidence(m.evidence),
            )
            for m in gold.meetings
            if include_optional or not m.optional
        ],
        statements=[
            Statement(
                speaker=_actor(s.speaker),
                content=first(s.content),
                quote=_first_or_none(s.quote),
                evidence=_evidence(s.evidence),
                kind=s.kind,
                cue=_one(s.cue),
                content_evidence=_one(s.content_evidence),
                speaker_mention=_one(s.speaker_mention),
            )
            for s in gold.statements
            if include_optional or not s.optional
        ],
        planned_events=[
            PlannedEvent(
                description=first(p.description),
                participants=[_actor(a) for a in p.participants],
                location=_first_or_none(p.location),
                time=_time(p.time),
                status=p.status,
                evidence=_evidence(p.evidence),
            )
            for p in gold.planned_events
            if include_optional or not p.optional
        ],
    )


# --- loading --------------------------------------------------------------------------------


def locate(quote: str, text: str) -> tuple[int, int, MatchKind] | None:
    """Where `quote` occurs in `text`: verbatim, else the grounding module's tolerant match."""
    pos = text.find(quote)
    if pos >= 0:
        return pos, pos + len(quote), "exact"
    span = align(quote, text)
    return None if span is None else (span.start, span.end, span.match)


def _evidence_of(item: BaseModel) -> list[GoldEvidence]:
    """Every evidence of an item: `evidence`, and any extra field of an extended gold type."""
    found: list[GoldEvidence] = []
    for name in type(item).model_fields:
        value = getattr(item, name)
        values = value if isinstance(value, list) else [value]
        found.extend(v for v in values if isinstance(v, GoldEvidence))
    return found


def _on_words(text: str, start: int, end: int) -> bool:
    left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    right = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return left and right


def _ground_span(ev: GoldEvidence, item: GoldStatement, text: str, where: str) -> None:
    """A statement's own span: "said" or "he" occurs all over an article, so it is looked
    for inside the statement's evidence, and must occur there once (or be the article's
    only occurrence); otherwise give its start and end."""
    if ev.start is not None and ev.end is not None:
        if text[ev.start : ev.end] != ev.quote:
            raise InputError(
                f"{where}: {ev.quote[:80]!r} is not at [{ev.start}, {ev.end}) of the article "
                f"(that is {text[ev.start : ev.end][:80]!r}): fix the offsets or drop them."
            )
        ev.match = "exact"
        return
    hits: list[tuple[int, int]] = []
    pos = text.find(ev.quote)
    while pos >= 0:
        if _on_words(text, pos, pos + len(ev.quote)):
            hits.append((pos, pos + len(ev.quote)))
        pos = text.find(ev.quote, pos + 1)
    windows = [(e.start, e.end) for e in item.evidence if e.start is not None and e.end is not None]
    inside = [h for h in hits if any(s <= h[0] and h[1] <= e for s, e in windows)]
    chosen = inside or hits
    if len(chosen) == 1:
        ev.start, ev.end = chosen[0]
        ev.match = "exact"
        return
    if not chosen:
        raise InputError(
            f"{where}: {ev.quote[:80]!r} is not in the article text (as whole words): copy it "
            "verbatim from the .txt file."
        )
    scope = "the statement's evidence" if inside else "the article"
    raise InputError(
        f"{where}: {ev.quote[:80]!r} occurs {len(chosen)} times in {scope}: quote a longer "
        "span, or give its start and end."
    )


def _ground_evidence(gold: Gold, text: str, where: str) -> None:
    for list_name in LIST_NAMES:
        for i, item in enumerate(gold.items(list_name)):
            spans: list[tuple[str, GoldEvidence]] = []
            if isinstance(item, GoldStatement):
                spans = [(n, e) for n in STATEMENT_SPANS if (e := getattr(item, n)) is not None]
            for ev in _evidence_of(item):
                if any(ev is e for _, e in spans):
                    continue
                if (
                    ev.start is not None
                    and ev.end is not None
                    and text[ev.start : ev.end] == ev.quote
                ):
                    ev.match = "exact"
                    continue
                occurrences = text.count(ev.quote) if ev.quote else 0
                if occurrences > 1:
                    raise InputError(
                        f"{where}: evidence quote of {list_name}[{i}] occurs {occurrences} times "
                        f"in the article: {ev.quote[:80]!r}. Quote a longer span that occurs once "
                        "(or give its start and end)."
                    )
                found = locate(ev.quote, text)
                if found is None:
                    raise InputError(
                        f"{where}: evidence quote of {list_name}[{i}] is not in the article "
                        f"text: {ev.quote[:80]!r}. Copy the quote verbatim from the .txt file."
                    )
                ev.start, ev.end, ev.match = found
            for name, ev in spans:
                assert isinstance(item, GoldStatement)
                _ground_span(ev, item, text, f"{where}: {list_name}[{i}].{name}")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc}); fix the file.") from exc


_ARTICLE_FIELDS = frozenset(Article.model_fields) - {"text"}


def load_fixture(
    directory: str | Path, fixture_id: str, *, gold_type: type[Gold] = Gold,
    allow_draft: bool = False,
) -> tuple[Article, Gold]:
    """Load one fixture as (Article, Gold) with gold evidence offsets filled in.

    Meta keys that are not Article fields (such as `tags`) are kept in `Gold.meta`.
    `gold_type` is the gold model (see summarizer.eval.extras for extended summaries).
    """
    folder = Path(directory)
    text_path = folder / f"{fixture_id}.txt"
    gold_path = folder / f"{fixture_id}.gold.json"
    meta_path = folder / f"{fixture_id}.meta.json"
    for needed in (text_path, gold_path):
        if not needed.is_file():
            raise InputError(
                f"fixture {fixture_id!r}: {needed} is missing; a fixture needs "
                f"<id>.txt and <id>.gold.json (and optionally <id>.meta.json)."
            )
    text = text_path.read_text(encoding="utf-8")
    meta: dict[str, Any] = _read_json(meta_path) if meta_path.is_file() else {}
    if not isinstance(meta, dict):
        raise InputError(f"{meta_path}: expected a JSON object of Article fields.")
    meta_id = meta.get("id")
    if meta_id not in (None, "", fixture_id):
        raise InputError(
            f"{meta_path}: id {meta_id!r} differs from the file name {fixture_id!r}; "
            "make them equal."
        )
    if meta_path.is_file() and "published" not in meta:
        raise InputError(
            f"{meta_path}: no `published` date: add it (YYYY-MM-DD; null if the date is truly "
            "unknown), or every relative time in the gold is scored against nothing."
        )
    article_fields = {k: v for k, v in meta.items() if k in _ARTICLE_FIELDS}
    extras = {k: v for k, v in meta.items() if k not in _ARTICLE_FIELDS}
    try:
        article = Article(**{**article_fields, "id": fixture_id, "text": text})
    except ValidationError as exc:
        raise InputError(f"{meta_path}: invalid article metadata: {exc}") from exc
    gold = parse_gold(
        _read_json(gold_path), text, fixture_id=fixture_id, where=str(gold_path),
        meta=extras, gold_type=gold_type, allow_draft=allow_draft,
    )
    return article, gold


def parse_gold(
    raw: Any,
    text: str,
    *,
    fixture_id: str,
    where: str,
    meta: dict[str, Any] | None = None,
    gold_type: type[Gold] = Gold,
    allow_draft: bool = False,
) -> Gold:
    """Validate one gold file's JSON against the gold model and ground its evidence in `text`:
    every check a fixture passes. `where` names the file in messages."""
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a JSON object (an ArticleSummary without run).")
    raw = {k: v for k, v in raw.items() if k != "run"}
    if raw.get("article_id") not in (None, "", fixture_id):
        raise InputError(
            f"{where}: article_id {raw['article_id']!r} differs from the file name "
            f"{fixture_id!r}; make them equal or drop article_id."
        )
    raw["article_id"] = fixture_id
    try:
        gold = gold_type.model_validate({**raw, "meta": meta or {}})
    except ValidationError as exc:
        raise InputError(f"{where}: not valid gold: {exc}") from exc
    if gold.review == "draft" and not allow_draft:
        raise InputError(
            f"{where}: a draft nobody has reviewed (\"review\": \"draft\"): review it with "
            f"`summarizer eval review {where}` and save it as reviewed"
        )
    _ground_evidence(gold, text, where)
    return gold


def load_suite_dir(
    directory: str | Path, *, gold_type: type[Gold] = Gold
) -> list[tuple[Article, Gold]]:
    """Every fixture (`*.gold.json`) in a folder, sorted by id."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"suite folder {folder} does not exist; pass a folder of fixtures.")
    ids = sorted(p.name.removesuffix(".gold.json") for p in folder.glob("*.gold.json"))
    _check_no_strays(folder, set(ids))
    return [load_fixture(folder, fixture_id, gold_type=gold_type) for fixture_id in ids]


def load_loadable(
    directory: str | Path, *, gold_type: type[Gold] = Gold
) -> tuple[list[tuple[Article, Gold]], list[str]]:
    """The fixtures of a folder that load, and why each other one does not (for a report,
    which shows a fixture it cannot load without its article rather than not at all)."""
    folder = Path(directory)
    names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    ids = sorted(
        {n.removesuffix(".gold.json") for n in names if n.endswith(".gold.json")}
        | {n.removesuffix(".txt") for n in names if n.endswith(".txt")}
    )
    loaded: list[tuple[Article, Gold]] = []
    problems: list[str] = []
    for fixture_id in ids:
        try:
            loaded.append(load_fixture(folder, fixture_id, gold_type=gold_type))
        except InputError as exc:
            problems.append(str(exc))
    return loaded, problems


def _check_no_strays(folder: Path, ids: set[str]) -> None:
    """A fixture whose gold is missing or misnamed would drop out silently: refuse instead."""
    for path in sorted(folder.iterdir()):
        name = path.name
        if not path.is_file() or name.startswith(".") or name.endswith(".gold.json"):
            continue
        for suffix in (".txt", ".meta.json"):
            if name.endswith(suffix) and name.removesuffix(suffix) not in ids:
                fixture_id = name.removesuffix(suffix)
                raise InputError(
                    f"{path}: no {fixture_id}.gold.json beside it, so fixture {fixture_id!r} "
                    "would be skipped: add its gold file (or fix its name), or move the file out "
                    "of the fixture folder."
                )
        if name.endswith(".json") and not name.endswith(".meta.json"):
            raise InputError(
                f"{path}: not a fixture file: name gold <id>.gold.json and metadata "
                "<id>.meta.json, or move the file out of the fixture folder."
            )
