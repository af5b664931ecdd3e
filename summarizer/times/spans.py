"""Calendar arithmetic for time expressions: the `TimeSpan` a rule resolves to, the
`Context` it resolves in, and the units (days, ISO weeks, months, quarters, seasons...)
that rules build spans from."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from summarizer.schemas import Granularity, TimeExpr
from summarizer.times.vocabulary import NUMBERS, SEASON_FIRST_MONTH


class Unresolved(Exception):
    """Internal: the expression was recognised (or not) but cannot be resolved; carries why."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass(frozen=True)
class TimeSpan:
    start: date
    end: date
    granularity: Granularity
    # The calendar unit the span is (day, week, weekend, month, quarter, season, half, year,
    # decade) or "span"; modifiers ("early", "first half of") split it by this unit.
    unit: str


_AHEAD = frozenset(("through", "until", "till", "by"))


@dataclass(frozen=True)
class Context:
    published: date | None
    tense: str | None
    preps: frozenset[str]
    given: Sequence[TimeExpr] | None = None

    @cached_property
    def antecedents(self) -> tuple[TimeSpan, ...] | None:
        """Times the text gave before the expression, oldest first; None when the caller
        gave no text at all (then anaphora stay unresolved rather than guessed).

        Converted on first use: most expressions are not anaphoric."""
        if self.given is None:
            return None
        return tuple(span for span in map(from_expr, self.given) if span is not None)

    @property
    def p(self) -> date:
        if self.published is None:
            raise Unresolved("relative expression: needs the publication date to resolve")
        return self.published

    def how(self, default: str) -> str:
        """How to choose among occurrences of a bare cyclic expression ("in January")."""
        if self.tense in ("past", "future"):
            return self.tense
        # An untensed window "through Feb. 15" or deadline "by March 1" is still ahead.
        if self.tense is None and self.preps & _AHEAD:
            return "future"
        return default


# ---------------------------------------------------------------- calendar helpers


def day_span(d: date) -> TimeSpan:
    return TimeSpan(d, d, Granularity.day, "day")


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_month(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + k
    return index // 12, index % 12 + 1


def month_span(year: int, month: int) -> TimeSpan:
    return TimeSpan(
        date(year, month, 1), date(year, month, last_day(year, month)), Granularity.month, "month"
    )


def year_span(year: int) -> TimeSpan:
    return TimeSpan(date(year, 1, 1), date(year, 12, 31), Granularity.year, "year")


def quarter_span(year: int, q: int) -> TimeSpan:
    first = month_span(year, 3 * q - 2)
    last = month_span(year, 3 * q)
    return TimeSpan(first.start, last.end, Granularity.quarter, "quarter")


def half_span(year: int, h: int) -> TimeSpan:
    start = date(year, 1, 1) if h == 1 else date(year, 7, 1)
    end = date(year, 6, 30) if h == 1 else date(year, 12, 31)
    return TimeSpan(start, end, Granularity.half_year, "half")


def season_span(year: int, s: int) -> TimeSpan:
    first = SEASON_FIRST_MONTH[s]
    end_year, end_month = shift_month(year, first, 2)
    return TimeSpan(
        date(year, first, 1),
        date(end_year, end_month, last_day(end_year, end_month)),
        Granularity.season,
        "season",
    )


def week_span(d: date) -> TimeSpan:
    monday = d - timedelta(days=d.weekday())
    return TimeSpan(monday, monday + timedelta(days=6), Granularity.week, "week")


def weekend_span(d: date) -> TimeSpan:
    monday = d - timedelta(days=d.weekday())
    return TimeSpan(
        monday + timedelta(days=5), monday + timedelta(days=6), Granularity.week, "weekend"
    )


def decade_span(first_year: int) -> TimeSpan:
    return TimeSpan(
        date(first_year, 1, 1), date(first_year + 9, 12, 31), Granularity.unknown, "decade"
    )


def size_granularity(start: date, end: date) -> Granularity:
    """The smallest calendar unit at least as long as the span."""
    days = (end - start).days + 1
    for limit, granularity in (
        (1, Granularity.day),
        # One day of slack: "within two weeks" runs from p to p + 14 days, 15 days in all.
        (8, Granularity.week),
        (32, Granularity.month),
        (93, Granularity.quarter),
        (185, Granularity.half_year),
        (367, Granularity.year),
    ):
        if days <= limit:
            return granularity
    return Granularity.unknown


def sized_span(start: date, end: date) -> TimeSpan:
    return TimeSpan(start, end, size_granularity(start, end), "span")


def add_units(d: date, n: int, unit: str) -> date:
    """`d` moved by `n` units (months and years clamp the day: Jan 31 + 1 month = Feb 28)."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    if unit == "fortnight":
        return d + timedelta(weeks=2 * n)
    months = {"month": 1, "year": 12, "decade": 120}[unit] * n
    year, month = shift_month(d.year, d.month, months)
    return date(year, month, min(d.day, last_day(year, month)))


def pick(candidates: Iterable[TimeSpan], p: date, how: str) -> TimeSpan:
    """Choose one occurrence of a cyclic expression.

    how: "last" (strictly before p), "next" (strictly after p), or for bare expressions
    "past" / "future" / "nearest" (the one containing p always wins).
    """
    ordered = sorted(candidates, key=lambda s: s.start)
    before = [s for s in ordered if s.end < p]
    after = [s for s in ordered if s.start > p]
    inside = [s for s in ordered if s.start <= p <= s.end]
    if how not in ("last", "next") and inside:
        return inside[0]
    if how in ("last", "past") or (how == "nearest" and not after):
        pool = before[-1:]
    elif how in ("next", "future") or not before:
        pool = after[:1]
    else:  # nearest; ties go to the past
        pool = [after[0] if after[0].start - p < p - before[-1].end else before[-1]]
    if not pool:  # only at the ends of the calendar (years 1 and 9999)
        raise Unresolved("not a valid calendar date")
    return pool[0]


def yearly(make: Callable[[int], TimeSpan], p: date, how: str) -> TimeSpan:
    """Pick among yearly occurrences; `make` may raise ValueError (Feb 29 in other years)."""
    candidates = []
    for year in range(p.year - 5, p.year + 6):
        try:
            candidates.append(make(year))
        except ValueError:
            continue
    return pick(candidates, p, how)


def pick_mode(word: str | None) -> str:
    """Map "last/next/this..." to a `pick` mode (None = bare)."""
    if word in ("last", "previous", "this past", "past"):
        return "last"
    if word in ("next", "coming", "this coming", "following"):
        return "next"
    return "bare"


def year_ref(ref: str, ctx: Context) -> int:
    if ref[0].isdigit():
        return int(ref)
    if ref.startswith(("last", "previous")):
        return ctx.p.year - 1
    if ref.startswith("next"):
        return ctx.p.year + 1
    return ctx.p.year


def number(word: str) -> int:
    return NUMBERS[word] if word in NUMBERS else int(word)


def two_digit_year(yy: int, ctx: Context) -> int:
    """The year ending in `yy` nearest to the publication year (ties go to the past)."""
    base = ctx.p.year - ctx.p.year % 100 + yy
    return min((base - 100, base, base + 100), key=lambda y: (abs(y - ctx.p.year), y))



def from_expr(expr: TimeExpr) -> TimeSpan | None:
    if expr.start is None or expr.end is None or expr.granularity is None:
        return None
    days = (expr.end - expr.start).days + 1
    unit = {
        (Granularity.day, 1): "day",
        (Granularity.week, 7): "week",
        (Granularity.week, 2): "weekend",
    }.get((expr.granularity, days))
    if unit is None:
        unit = {
            Granularity.month: "month",
            Granularity.quarter: "quarter",
            Granularity.season: "season",
            Granularity.half_year: "half",
            Granularity.year: "year",
        }.get(expr.granularity, "span")
    return TimeSpan(expr.start, expr.end, expr.granularity, unit)



def no_vague_count(word: str) -> None:
    if word in ("a few", "few"):
        raise Unresolved("vague count ('a few'): no single date")

