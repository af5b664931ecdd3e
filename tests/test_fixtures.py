"""The gold fixtures in seeds/ are the ground truth of the eval harness: check them hard.

A fixture is `seeds/<id>.txt` (the article as a site serves it), `seeds/<id>.meta.json`
(the Article fields except text, plus `tags`) and `seeds/<id>.gold.json` (an
ArticleSummary without `run`, where any string may be `{"any_of": [...]}` and any
meeting, statement or planned event may carry `"optional": true`).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from summarizer.schemas import ArticleSummary

_REPO = Path(__file__).resolve().parents[1]
SEEDS = _REPO / "seeds"
SEED_ID = "000_dc0927f4facc235e"
SHARED_SEED = _REPO / ".." / "shared" / "seeds" / f"{SEED_ID}.txt"

_LIST_FIELDS = ("meetings", "statements", "planned_events")
_META_KEYS = {"id", "title", "published", "source", "url", "language", "tags"}
_MIN_CHARS, _MAX_CHARS, _LONG_CHARS = 1500, 5000, 20000

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

# Each tag a fixture may claim, with the time expression (in some gold `time.text` of that
# fixture) that earns it: a tag is only as good as the gold behind it.
TIME_TAG_PATTERNS: dict[str, str] = {
    "time_explicit_date": rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b",
    "time_abbrev_date": r"\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. \d{1,2}\b",
    "time_weekday": r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    "time_today": r"\btoday\b",
    "time_yesterday": r"\byesterday\b",
    "time_tomorrow": r"\btomorrow\b",
    "time_this_week": r"\bthis week\b",
    "time_last_week": r"\blast week\b",
    "time_next_week": r"\bnext week\b",
    "time_this_month": r"\bthis month\b",
    "time_last_month": r"\blast month\b",
    "time_next_month": r"\bnext month\b",
    "time_this_year": r"\bthis year\b",
    "time_last_year": r"\blast year\b",
    "time_next_year": r"\bnext year\b",
    "time_later_this_month": r"\blater this month\b",
    "time_early_month": rf"\bearly (?:{_MONTHS})\b",
    "time_mid_month": rf"\bmid-(?:{_MONTHS})\b",
    "time_late_month": rf"\blate (?:{_MONTHS})\b",
    "time_first_half_month": rf"\bfirst half of (?:{_MONTHS})\b",
    "time_second_half_month": rf"\bsecond half of (?:{_MONTHS})\b",
    "time_end_of_year": r"\bend of the year\b",
    "time_quarter": r"\bquarter\b",
    "time_season": r"\b(?:spring|summer|autumn|fall|winter)\b",
    "time_in_n_weeks": r"\bin (?:two|three|four|\d+) weeks\b",
    "time_within_days": r"\bwithin days\b",
    "time_month_year": rf"^(?:in )?(?:{_MONTHS}) \d{{4}}$",
    "time_year": r"^(?:in |by )?\d{4}$",
}

REQUIRED_TAGS = {
    "seed",
    "bilateral_meeting",
    "multilateral_summit",
    "phone_call",
    "video_call",
    "no_meeting",
    "multiple_meetings",
    "direct_statement",
    "indirect_statement",
    "organization_statement",
    "anonymous_source",
    "denial",
    "postponed_event",
    "cancelled_event",
    "boilerplate",
    "foreign_language",
    "long_article",
    *TIME_TAG_PATTERNS,
}


# --- any_of / optional resolution ----------------------------------------------------------


def _is_any_of(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"any_of"}


def _alternatives(value: object) -> list[str]:
    """Every acceptable string for a gold value (one for a plain string, none for null)."""
    if value is None:
        return []
    if _is_any_of(value):
        assert isinstance(value, dict)
        return list(value["any_of"])
    assert isinstance(value, str), f"expected a string or any_of, got {value!r}"
    return [value]


def _first(value: object) -> object:
    return value["any_of"][0] if _is_any_of(value) else value  # type: ignore[index]


def _resolve(node: Any, *, list_item: bool = False) -> Any:
    """Gold as a plain ArticleSummary dict: any_of -> first alternative, `optional` dropped."""
    if _is_any_of(node):
        return _first(node)
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "optional":
                assert list_item, "`optional` belongs on a meeting, statement or planned event"
                assert value is True, "`optional` is either true or absent"
                continue
            out[key] = _resolve(value, list_item=key in _LIST_FIELDS)
        return out
    if isinstance(node, list):
        return [_resolve(item, list_item=list_item) for item in node]
    return node


def _walk_any_of(node: Any) -> list[Any]:
    if _is_any_of(node):
        return [node]
    if isinstance(node, dict):
        return [found for value in node.values() for found in _walk_any_of(value)]
    if isinstance(node, list):
        return [found for value in node for found in _walk_any_of(value)]
    return []


# --- loading ---------------------------------------------------------------------------------


def _fixture_ids() -> list[str]:
    return sorted(p.name.removesuffix(".gold.json") for p in SEEDS.glob("*.gold.json"))


FIXTURE_IDS = _fixture_ids()


def _text(fid: str) -> str:
    return (SEEDS / f"{fid}.txt").read_bytes().decode("utf-8")


def _meta(fid: str) -> dict[str, Any]:
    return json.loads((SEEDS / f"{fid}.meta.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _gold(fid: str) -> dict[str, Any]:
    return json.loads((SEEDS / f"{fid}.gold.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _items(gold: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(field, item) for field in _LIST_FIELDS for item in gold.get(field, [])]


def _times(gold: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item["time"]
        for field in ("meetings", "planned_events")
        for item in gold.get(field, [])
        if item.get("time")
    ]


# --- per-fixture checks ----------------------------------------------------------------------


def test_there_are_enough_fixtures() -> None:
    assert len(FIXTURE_IDS) >= 15, f"only {len(FIXTURE_IDS)} fixtures in {SEEDS}"
    assert SEED_ID in FIXTURE_IDS
    orphans = {p.name.split(".")[0] for p in SEEDS.glob("*.txt")} - set(FIXTURE_IDS)
    assert not orphans, f"articles without a gold file: {orphans}"


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_meta_and_text_exist_and_agree(fid: str) -> None:
    text = _text(fid)  # raises if missing or not UTF-8
    meta = _meta(fid)
    gold = _gold(fid)
    assert set(meta) == _META_KEYS, f"{fid}.meta.json keys: {sorted(meta)}"
    assert meta["id"] == fid == gold["article_id"]
    assert meta["title"] == gold["title"] and meta["title"]
    assert text.startswith(meta["title"]), "the title is the article's first line"
    date.fromisoformat(meta["published"])
    assert meta["language"] == "en"
    assert meta["url"] is None
    assert meta["tags"] and all(isinstance(t, str) for t in meta["tags"])
    assert len(set(meta["tags"])) == len(meta["tags"]), "duplicate tags"
    if fid != SEED_ID and "long_article" not in meta["tags"]:
        assert _MIN_CHARS <= len(text) <= _MAX_CHARS, f"{fid}: {len(text)} chars"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if s]


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_gold_validates_as_article_summary(fid: str) -> None:
    gold = _gold(fid)
    assert "run" not in gold, "gold carries no run metadata"
    summary = ArticleSummary.model_validate(_resolve(gold))
    assert 1 <= len(_sentences(summary.summary)) <= 3, f"summary: {summary.summary!r}"
    for statement in summary.statements:
        assert len(_sentences(statement.content)) == 1, f"content: {statement.content!r}"


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_any_of_lists_are_well_formed(fid: str) -> None:
    for node in _walk_any_of(_gold(fid)):
        alts = node["any_of"]
        assert isinstance(alts, list) and alts, f"empty any_of in {fid}"
        assert all(isinstance(a, str) and a.strip() for a in alts), alts
        assert len(set(alts)) == len(alts), f"repeated alternative in {alts}"


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_every_item_is_grounded_verbatim(fid: str) -> None:
    text = _text(fid)
    for field, item in _items(_gold(fid)):
        quotes = [ev["quote"] for ev in item["evidence"]]
        assert quotes, f"{fid} {field}: an item without evidence"
        for ev in item["evidence"]:
            assert set(ev) == {"quote"}, "evidence gives only the quote; offsets are computed"
        for quote in quotes:
            assert isinstance(quote, str) and quote.strip() == quote and quote
            # Offsets are computed from the first occurrence, so a quote must be unambiguous.
            assert text.count(quote) == 1, f"{fid} {field}: found {text.count(quote)}x: {quote!r}"
        if field == "statements" and item.get("quote") is not None:
            alts = _alternatives(item["quote"])
            for alt in alts:
                assert alt in text, f"{fid}: statement quote not verbatim: {alt!r}"
            assert any(alt in q for alt in alts for q in quotes), (
                f"{fid}: no evidence span contains the direct quote {alts[0]!r}"
            )


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_time_text_is_written_in_the_article(fid: str) -> None:
    text = _text(fid)
    for time in _times(_gold(fid)):
        first = _first(time["text"])
        assert isinstance(first, str) and first in text, f"{fid}: time text {first!r} not in text"


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_SHAPES: dict[str, Callable[[date, date], bool]] = {
    "day": lambda s, e: s == e,
    "week": lambda s, e: s.weekday() == 0 and e - s == timedelta(days=6),
    "part-of-month": lambda s, e: (
        (s.year, s.month) == (e.year, e.month) and (s.day, e) != (1, _month_end(e))
    ),
    "month": lambda s, e: s.day == 1 and e == _month_end(s),
    "quarter": lambda s, e: s.day == 1 and s.month % 3 == 1 and e == _month_end(_add_months(s, 2)),
    "season": lambda s, e: s.day == 1 and s.month % 3 == 0 and e == _month_end(_add_months(s, 2)),
    "half-year": lambda s, e: (
        s.day == 1 and s.month in (1, 7) and e == _month_end(_add_months(s, 5))
    ),
    "year": lambda s, e: (s.month, s.day, e.month, e.day, s.year) == (1, 1, 12, 31, e.year),
}


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_time_intervals_are_ordered_and_fit_their_granularity(fid: str) -> None:
    for time in _times(_gold(fid)):
        start, end, gran = time.get("start"), time.get("end"), time.get("granularity")
        assert (start is None) == (end is None), f"{fid}: half-open interval {time}"
        if start is None or end is None:
            continue
        s, e = date.fromisoformat(start), date.fromisoformat(end)
        assert s <= e, f"{fid}: start after end in {time}"
        # A vague span ("within days") is not a calendar unit; its note must say why.
        if gran in _SHAPES and not time.get("note"):
            assert _SHAPES[gran](s, e), f"{fid}: {s}..{e} is not a {gran} interval ({time})"


# --- tags: coverage, and each claimed tag backed by the gold ---------------------------------


def _speakers(gold: dict[str, Any]) -> list[dict[str, Any]]:
    return [s["speaker"] for s in gold.get("statements", [])]


def _required(gold: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [item for item in gold.get(field, []) if not item.get("optional")]


_TAG_CHECKS: dict[str, Callable[[str, str, dict[str, Any]], bool]] = {
    "seed": lambda fid, text, gold: fid == SEED_ID,
    "bilateral_meeting": lambda fid, text, gold: any(
        len(m["participants"]) == 2 and m["format"] == "in_person"
        for m in _required(gold, "meetings")
    ),
    "multilateral_summit": lambda fid, text, gold: any(
        len(m["participants"]) >= 3 for m in _required(gold, "meetings")
    ),
    "phone_call": lambda fid, text, gold: any(
        m["format"] == "call" for m in _required(gold, "meetings")
    ),
    "video_call": lambda fid, text, gold: any(
        m["format"] == "video" for m in _required(gold, "meetings")
    ),
    "no_meeting": lambda fid, text, gold: not gold.get("meetings"),
    "multiple_meetings": lambda fid, text, gold: len(_required(gold, "meetings")) >= 2,
    "direct_statement": lambda fid, text, gold: any(
        s.get("quote") for s in _required(gold, "statements")
    ),
    "indirect_statement": lambda fid, text, gold: any(
        s.get("quote") is None for s in _required(gold, "statements")
    ),
    "organization_statement": lambda fid, text, gold: any(
        s["kind"] == "organization" for s in _speakers(gold)
    ),
    "anonymous_source": lambda fid, text, gold: (
        bool(re.search(r"not to be named|anonymity|not authori[sz]ed", text))
        and any(
            re.search(r"official|source|diplomat", alt)
            for s in _speakers(gold)
            for alt in _alternatives(s["name"])
        )
    ),
    "denial": lambda fid, text, gold: any(
        re.search(r"\b(?:den(?:y|ies|ied)|rejected)\b", s["content"])
        for s in _required(gold, "statements")
    ),
    "postponed_event": lambda fid, text, gold: any(
        e["status"] == "postponed" for e in gold.get("planned_events", [])
    ),
    "cancelled_event": lambda fid, text, gold: any(
        e["status"] == "cancelled" for e in gold.get("planned_events", [])
    ),
    "boilerplate": lambda fid, text, gold: bool(
        re.search(r"cookie|newsletter|Read More|Share (?:this|on)|Subscribe", text, re.I)
    ),
    # The original words and their translation are both acceptable direct quotes.
    "foreign_language": lambda fid, text, gold: any(
        len(_alternatives(s.get("quote"))) >= 2 for s in _required(gold, "statements")
    ),
    "long_article": lambda fid, text, gold: len(text) > _LONG_CHARS,
}


def _time_tag_check(pattern: str) -> Callable[[str, str, dict[str, Any]], bool]:
    def check(fid: str, text: str, gold: dict[str, Any]) -> bool:
        # Only items every annotator would list count: an optional item backs no tag.
        required = {field: _required(gold, field) for field in ("meetings", "planned_events")}
        return any(
            re.search(pattern, alt) for t in _times(required) for alt in _alternatives(t["text"])
        )

    return check


_TAG_CHECKS.update({tag: _time_tag_check(p) for tag, p in TIME_TAG_PATTERNS.items()})


def test_tags_cover_every_required_case() -> None:
    covered = {tag for fid in FIXTURE_IDS for tag in _meta(fid)["tags"]}
    assert covered >= REQUIRED_TAGS, f"not covered: {sorted(REQUIRED_TAGS - covered)}"


@pytest.mark.parametrize("fid", FIXTURE_IDS)
def test_each_claimed_tag_is_backed_by_the_gold(fid: str) -> None:
    text, gold = _text(fid), _gold(fid)
    for tag in _meta(fid)["tags"]:
        assert tag in _TAG_CHECKS, f"{fid}: unknown tag {tag!r} (add it and its check here)"
        assert _TAG_CHECKS[tag](fid, text, gold), f"{fid}: tag {tag!r} not backed by the gold"


def test_there_is_a_long_article() -> None:
    assert any(len(_text(fid)) > _LONG_CHARS for fid in FIXTURE_IDS)


def test_seed_article_is_the_shared_seed_byte_for_byte() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is absent (not in this workplace)")
    assert (SEEDS / f"{SEED_ID}.txt").read_bytes() == SHARED_SEED.read_bytes()


def test_resolver_takes_first_alternative_and_drops_optional() -> None:
    gold = {
        "article_id": "x",
        "statements": [{"optional": True, "speaker": {"name": {"any_of": ["A", "B"]}}}],
    }
    assert _resolve(gold) == {"article_id": "x", "statements": [{"speaker": {"name": "A"}}]}
    with pytest.raises(AssertionError):
        _resolve({"article_id": "x", "title": {"optional": True}})
