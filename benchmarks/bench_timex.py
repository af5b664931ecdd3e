"""Benchmark `summarizer.times.normalize` on MEANTIME TIMEX3 dates, beside `dateparser`.

Every TIMEX3 of type DATE whose value is fully specified (YYYY, YYYY-MM, YYYY-MM-DD
with or without a time of day, YYYY-Www, YYYY-Www-WE, YYYY-Qn, YYYY-SP/SU/FA/WI,
YYYY-H1/H2) is taken with the surface text of the tokens it spans and normalised
against the document creation time (DCT). A result is correct when its interval is
exactly the interval the value denotes; a TIMEX3 with a `mod` (START, END, MID...)
counts correct when the result lies inside the value's interval. MEANTIME's schema
has no `mod` attribute, so an expression whose surface carries a TimeML modifier word
(early, late, mid, beginning, start, end, earlier, later...) is scored the same way;
the output says how many items that concerns. Both systems are scored by the same rule.

`dateparser` (RELATIVE_BASE = the DCT) returns one datetime, so it can only be right
where the gold interval is one day (or, for modified expressions, contains that day).

Ours runs three ways, all against the DCT:
- `normalize(text, dct)`: the expression alone;
- `normalize(text, dct, tense)` with the tense MEANTIME gives the events anchored to the
  expression (event attribute time=FUTURE/NON_FUTURE through TLINKs): gold information,
  shown as a reference for what tense alone is worth;
- `normalize_in(document, start, end, dct)` (the headline, and what the pipeline runs):
  the expression where it stands in the article, rebuilt from MEANTIME's tokens, with
  the tense read from its clause and the times the article gave before it. No gold
  annotation is used beyond the DCT.

The rules for reading context were written while looking at this data's misses; there
is no held-out temporal data here, so the per-corpus rows are the only check against
tuning to one kind of story. The newswire rules (financial periods, fiscal years, year
ends, holidays, windows still ahead) were written from invented sentences, not from this
data; a last table counts the MEANTIME items in their surface classes, to show how
little of them MEANTIME exercises.

Only short surface texts of time expressions, values and counts are printed or written.

    .venv/bin/python benchmarks/bench_timex.py
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.times.in_context import normalize_in  # noqa: E402
from summarizer.times.normalization import normalize  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "meantime" / "intra-doc_annotation"
RESULTS = ROOT / "benchmarks" / "results" / "timex.md"
MISSES_SHOWN = 15
HEADLINE = "ours in context (normalize_in)"
TIMING_ROUNDS = 20

_MOD_WORDS = re.compile(
    r"\b(early|earlier|late|later|mid|middle|beginning|start|end|close|dawn)\b", re.IGNORECASE
)
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
# Surface classes of the newswire rules (issue 15), to show how much of MEANTIME they touch.
_NEWSWIRE_CLASSES = {
    "financial periods, fiscal years": re.compile(
        r"quarter|fiscal|\bfy|period|months|year[- ](?:earlier|ago)|\ba year (?:ago|earlier)",
        re.IGNORECASE,
    ),
    "year ends, holidays": re.compile(
        r"year[- ]?end|year's end|christmas|thanksgiving|new year|easter|labor day|"
        r"memorial day|independence day|halloween|black friday",
        re.IGNORECASE,
    ),
}
# A window or deadline: the word before the expression in the article.
_WINDOW = re.compile(r"\b(?:through|until|till|by)\W*$", re.IGNORECASE)

_AT_TIME = {"IS_INCLUDED", "INCLUDES", "SIMULTANEOUS", "BEGINS", "BEGUN_BY", "ENDS", "ENDED_BY",
            "IDENTITY", "DURING"}  # fmt: skip

Interval = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Item:
    doc: str
    text: str
    value: str
    corpus: str
    dct: dt.date
    tense: str | None
    document: str  # the article text rebuilt from its tokens; the expression is at start:end
    start: int
    end: int
    gold: Interval
    category: str
    inside: bool  # scored by containment (a modified expression) rather than equality


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def gold_interval(value: str) -> tuple[Interval, str] | None:
    """The interval a fully specified TIMEX3 DATE value denotes, and its category."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(T.*)?", value):
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return (d, d), "day"
    if m := re.fullmatch(r"(\d{4})-W(\d{2})(-WE)?", value):
        year, week = int(m[1]), int(m[2])
        if m[3]:
            return (
                dt.date.fromisocalendar(year, week, 6),
                dt.date.fromisocalendar(year, week, 7),
            ), "weekend"
        return (
            dt.date.fromisocalendar(year, week, 1),
            dt.date.fromisocalendar(year, week, 7),
        ), "week"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        return (dt.date(year, month, 1), _month_end(year, month)), "month"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, q = int(m[1]), int(m[2])
        return (dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)), "quarter"
    if m := re.fullmatch(r"(\d{4})-H([12])", value):
        year, h = int(m[1]), int(m[2])
        return (dt.date(year, 6 * h - 5, 1), _month_end(year, 6 * h)), "half-year"
    if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value):
        year, first = int(m[1]), _SEASON_START[m[2]]
        last_year, last_month = (year + 1, 2) if first == 12 else (year, first + 2)
        return (dt.date(year, first, 1), _month_end(last_year, last_month)), "season"
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return (dt.date(year, 1, 1), dt.date(year, 12, 31)), "year"
    return None


def _dct_date(value: str) -> dt.date | None:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}).*", value):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    # One file writes its DCT day first ("03-02-2009"); its own tokens read "February 03, 2009".
    if m := re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", value):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    return None


_NO_SPACE_BEFORE = re.compile(r"[,.;:!?%)\]]+|'s|n't|'")


def _document(root: ET.Element) -> tuple[str, dict[str, tuple[int, int]]]:
    """The article rebuilt from its tokens (sentences apart), and each token's offsets."""
    parts: list[str] = []
    offsets: dict[str, tuple[int, int]] = {}
    length = 0
    previous: ET.Element | None = None
    for token in root.iter("token"):
        word = token.text or ""
        if previous is None:
            sep = ""
        elif token.get("sentence") != previous.get("sentence"):
            sep = "\n\n"
        elif _NO_SPACE_BEFORE.fullmatch(word) or (previous.text or "") in ("(", "["):
            sep = ""
        else:
            sep = " "
        parts.append(sep + word)
        length += len(sep)
        offsets[token.get("t_id", "")] = (length, length + len(word))
        length += len(word)
        previous = token
    return "".join(parts), offsets


def _anchored_tense(
    m_id: str, links: dict[str, set[str]], event_time: dict[str, str]
) -> str | None:
    times = {event_time[e] for e in links.get(m_id, set()) if e in event_time}
    if times == {"FUTURE"}:
        return "future"
    if times == {"NON_FUTURE"}:
        return "past"
    return None


def load(skipped: Counter[str]) -> list[Item]:
    items: list[Item] = []
    for path in sorted(DATA.glob("*/*.xml")):
        root = ET.parse(path).getroot()
        document, offsets = _document(root)
        timexes = list(root.iter("TIMEX3"))
        event_time = {e.get("m_id", ""): e.get("time", "") for e in root.iter("EVENT_MENTION")}
        links: dict[str, set[str]] = defaultdict(set)
        for link in root.iter("TLINK"):
            source, target = link.find("source"), link.find("target")
            # Only events that happen at the expression's time tell its tense (not BEFORE/AFTER).
            if source is None or target is None or link.get("reltype") not in _AT_TIME:
                continue
            a, b = source.get("m_id", ""), target.get("m_id", "")
            links[a].add(b)
            links[b].add(a)
        dct = None
        for timex in timexes:
            if timex.get("functionInDocument") == "CREATION_TIME":
                dct = _dct_date(timex.get("value", ""))
        for timex in timexes:
            if timex.get("type") != "DATE" or timex.get("functionInDocument") == "CREATION_TIME":
                continue
            value = timex.get("value", "")
            gold = gold_interval(value)
            anchors = [offsets[a.get("t_id", "")] for a in timex.findall("token_anchor")]
            start, end = (anchors[0][0], anchors[-1][1]) if anchors else (0, 0)
            text = document[start:end]
            if gold is None:
                skipped["value not fully specified (XX, *_REF, FY, decade, duration)"] += 1
            elif dct is None:
                skipped["document has no creation time"] += 1
            elif not text:
                skipped["empty TIMEX3 (no tokens: an implicit time)"] += 1
            else:
                inside = timex.get("mod") is not None or bool(_MOD_WORDS.search(text))
                m_id = timex.get("m_id", "")
                items.append(
                    Item(
                        path.stem,
                        text,
                        value,
                        path.parent.name.removeprefix("corpus_"),
                        dct,
                        _anchored_tense(m_id, links, event_time),
                        document,
                        start,
                        end,
                        gold[0],
                        gold[1],
                        inside,
                    )
                )
    return items


def correct(result: Interval | None, item: Item) -> bool:
    if result is None:
        return False
    if item.inside:
        return item.gold[0] <= result[0] <= result[1] <= item.gold[1]
    return result == item.gold


def ours(item: Item, with_tense: bool) -> Interval | None:
    expr = normalize(item.text, item.dct, item.tense if with_tense else None)
    return None if expr.start is None or expr.end is None else (expr.start, expr.end)


def ours_in_context(item: Item) -> Interval | None:
    expr = normalize_in(item.document, item.start, item.end, item.dct)
    return None if expr.start is None or expr.end is None else (expr.start, expr.end)


def make_dateparser() -> Callable[[Item], Interval | None]:
    import dateparser  # type: ignore[import-untyped]

    def run(item: Item) -> Interval | None:
        base = dt.datetime.combine(item.dct, dt.time(12, 0))
        parsed = dateparser.parse(item.text, languages=["en"], settings={"RELATIVE_BASE": base})
        return None if parsed is None else (parsed.date(), parsed.date())

    return run


def _context_note(item: Item) -> str | None:
    return normalize_in(item.document, item.start, item.end, item.dct).note


def _describe(result: Interval | None, item: Item) -> str:
    if result is None:
        return "unresolved: " + (_context_note(item) or "")
    start, end = result
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


def _miss_kind(result: Interval | None, item: Item) -> str:
    if result is not None:
        return "resolved to another interval"
    note = _context_note(item) or ""
    if "anaphoric" in note:
        return "left unresolved as anaphoric"
    if "ambiguous" in note:
        return "left unresolved as ambiguous"
    return "no rule"


def _on_surface(pattern: re.Pattern[str]) -> Callable[[Item], bool]:
    return lambda it: bool(pattern.search(it.text))


def _pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f}% ({hits}/{total})" if total else "n/a"


def main() -> int:
    if not DATA.is_dir():
        print(f"MEANTIME not found at {DATA.resolve()}: nothing to benchmark", file=sys.stderr)
        return 1
    skipped: Counter[str] = Counter()
    items = load(skipped)
    dateparser_run = make_dateparser()

    systems: dict[str, Callable[[Item], Interval | None]] = {
        "ours (no tense)": lambda it: ours(it, False),
        "ours (tense of anchored events)": lambda it: ours(it, True),
        "ours in context (normalize_in)": ours_in_context,
        "dateparser": dateparser_run,
    }
    results = {name: [run(it) for it in items] for name, run in systems.items()}
    scores = {name: [correct(r, it) for r, it in zip(res, items, strict=True)]
              for name, res in results.items()}  # fmt: skip

    started = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for it in items:
            normalize(it.text, it.dct)
    ours_us = (time.perf_counter() - started) / (TIMING_ROUNDS * len(items)) * 1e6
    started = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for it in items:
            ours_in_context(it)
    # Includes finding the earlier times: once per document, cached for its other expressions.
    context_us = (time.perf_counter() - started) / (TIMING_ROUNDS * len(items)) * 1e6
    started = time.perf_counter()
    for it in items:
        dateparser_run(it)
    dateparser_us = (time.perf_counter() - started) / len(items) * 1e6

    categories = sorted(Counter(it.category for it in items).items(), key=lambda kv: -kv[1])
    names = list(systems)
    lines = [
        "## Time normalisation (`summarizer.times`: `normalize`, `normalize_in`) on MEANTIME",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, 1-minute load average "
        f"{os.getloadavg()[0]:.1f} after the timed runs (timings grow with it)",
        f"- date: {dt.date.today().isoformat()}",
        "- command: `.venv/bin/python benchmarks/bench_timex.py`",
        "- data: MEANTIME English intra-document annotation, "
        f"{len({it.doc for it in items})} documents; "
        f"{len(items)} TIMEX3 DATE expressions with a fully specified value, normalised against "
        "the document creation time",
        f"- skipped: {', '.join(f'{n} {why}' for why, n in skipped.most_common())}",
        f"- scored by containment (expression carries a modifier word; MEANTIME has no `mod`): "
        f"{sum(it.inside for it in items)} items, same rule for every system",
        "",
        "Accuracy = correct / all items; resolved = items given dates; "
        "precision = correct / resolved.",
        "",
        "| system | accuracy | resolved | precision | µs per call |",
        "|---|---|---|---|---|",
    ]
    for name, cost in zip(
        names,
        (f"{ours_us:.0f}", "(same)", f"{context_us:.0f}", f"{dateparser_us:.0f}"),
        strict=True,
    ):
        hits = sum(scores[name])
        resolved = sum(r is not None for r in results[name])
        lines.append(
            f"| {name} | {_pct(hits, len(items))} | {_pct(resolved, len(items))} "
            f"| {_pct(hits, resolved)} | {cost} |"
        )
    lines += [
        "",
        "`dateparser` returns one day, so it can only be right on one-day gold values "
        "(or one day inside a modified expression); per gold granularity:",
        "",
        "| gold granularity | n | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for category, n in categories:
        cells = []
        for name in names:
            hits = sum(
                s for s, it in zip(scores[name], items, strict=True) if it.category == category
            )
            cells.append(_pct(hits, n))
        lines.append(f"| {category} | {n} | " + " | ".join(cells) + " |")
    corpora = sorted({it.corpus for it in items})
    lines += [
        "",
        "Per MEANTIME corpus (a check against rules tuned to one kind of story):",
        "",
        "| corpus | n | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for corpus in corpora:
        n = sum(it.corpus == corpus for it in items)
        cells = [
            _pct(
                sum(s for s, it in zip(scores[name], items, strict=True) if it.corpus == corpus), n
            )
            for name in names
        ]
        lines.append(f"| {corpus} | {n} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "MEANTIME items in the surface classes of the newswire rules (financial periods, "
        "year ends and holidays, windows; weekday and clause-tense rules have no surface "
        "class): few, so MEANTIME alone says little about those rules",
        "",
        "| class | n | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    classes = {label: _on_surface(pattern) for label, pattern in _NEWSWIRE_CLASSES.items()}
    classes["windows (through, until, by)"] = lambda it: bool(
        _WINDOW.search(it.document[max(0, it.start - 12) : it.start])
    )
    for label, member in classes.items():
        members = [k for k, it in enumerate(items) if member(it)]
        cells = [_pct(sum(scores[name][k] for k in members), len(members)) for name in names]
        lines.append(f"| {label} | {len(members)} | " + " | ".join(cells) + " |")
    ours_acc = sum(scores[HEADLINE]) / len(items)
    lead = ours_acc - sum(scores["dateparser"]) / len(items)
    verdict = "met" if ours_acc >= 0.90 and lead >= 0.15 else "missed"
    lines += [
        "",
        f"Target (at least 90%, and at least 15 points ahead of dateparser): **{verdict}**: "
        f"{HEADLINE} {100 * ours_acc:.1f}%, {100 * lead:.1f} points ahead.",
    ]
    misses = [
        (it, r)
        for it, r, s in zip(items, results[HEADLINE], scores[HEADLINE], strict=True)
        if not s
    ]
    kinds = Counter(_miss_kind(r, it) for it, r in misses)
    lines += [
        "",
        f"Misses of {HEADLINE} by kind: "
        + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()),
        "",
        f"First {min(MISSES_SHOWN, len(misses))} of {len(misses)} misses of {HEADLINE}: "
        "surface text, gold value, DCT, our result",
        "",
        "| surface | gold value | DCT | ours |",
        "|---|---|---|---|",
    ]
    for it, r in misses[:MISSES_SHOWN]:
        lines.append(f"| {it.text} | {it.value} | {it.dct.isoformat()} | {_describe(r, it)} |")
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
