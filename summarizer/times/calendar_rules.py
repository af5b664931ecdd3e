"""Rules on the calendar alone: year ends and holidays, days, explicit dates, weekdays,
counted offsets, parts of periods, and the period rules (years, months, quarters...)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from summarizer.schemas import Granularity
from summarizer.times.context_rules import antecedent, reported_period, shift_span
from summarizer.times.spans import (
    Context,
    TimeSpan,
    Unresolved,
    add_units,
    day_span,
    decade_span,
    half_span,
    last_day,
    month_span,
    no_vague_count,
    number,
    pick,
    pick_mode,
    quarter_span,
    season_span,
    shift_month,
    size_granularity,
    sized_span,
    two_digit_year,
    week_span,
    weekend_span,
    year_ref,
    year_span,
    yearly,
)
from summarizer.times.table import period_rule, resolve_period, rule
from summarizer.times.vocabulary import (
    MONTHS,
    ORDINALS,
    QUARTER_ORD,
    SEASONS,
    UNITS,
    VAGUE_PLURAL,
    WEEKDAYS,
    alternatives,
    compile_template,
)

# ---------------------------------------------------------------- rules: year ends, holidays


@rule(r"(?:(?P<year>%YEAR%) )?(?:year end|yearend|year's end)(?: (?P<year2>%YEAR%))?")
def _year_end(m: re.Match[str], ctx: Context) -> TimeSpan:
    """Year-end is December: of the year given, else of the current year, except that early
    in a year a past or untensed year-end ("debt at year-end") is the one just gone."""
    if m["year"] or m["year2"]:
        return month_span(int(m["year"] or m["year2"]), 12)
    p = ctx.p
    looking_ahead = ctx.tense == "future" or (
        ctx.tense is None and ctx.preps & {"by", "until", "till", "through", "before"}
    )
    if p.month <= 2 and not looking_ahead:
        return month_span(p.year - 1, 12)
    return month_span(p.year, 12)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (from 1; -1 is the last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, last_day(year, month))
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


# US newswire holidays (Thanksgiving is the fourth Thursday of November).
_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "new year's day": lambda y: date(y, 1, 1),
    "new year's": lambda y: date(y, 1, 1),
    "new year's eve": lambda y: date(y, 12, 31),
    "martin luther king day": lambda y: _nth_weekday(y, 1, 0, 3),
    "martin luther king jr day": lambda y: _nth_weekday(y, 1, 0, 3),
    "presidents day": lambda y: _nth_weekday(y, 2, 0, 3),
    "presidents' day": lambda y: _nth_weekday(y, 2, 0, 3),
    "valentine's day": lambda y: date(y, 2, 14),
    "st patrick's day": lambda y: date(y, 3, 17),
    "good friday": lambda y: _easter(y) - timedelta(days=2),
    "easter": _easter,
    "easter sunday": _easter,
    "easter monday": lambda y: _easter(y) + timedelta(days=1),
    "mother's day": lambda y: _nth_weekday(y, 5, 6, 2),
    "memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    "father's day": lambda y: _nth_weekday(y, 6, 6, 3),
    "independence day": lambda y: date(y, 7, 4),
    "fourth of july": lambda y: date(y, 7, 4),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "columbus day": lambda y: _nth_weekday(y, 10, 0, 2),
    "halloween": lambda y: date(y, 10, 31),
    "veterans day": lambda y: date(y, 11, 11),
    "veterans' day": lambda y: date(y, 11, 11),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "thanksgiving day": lambda y: _nth_weekday(y, 11, 3, 4),
    "black friday": lambda y: _nth_weekday(y, 11, 3, 4) + timedelta(days=1),
    "cyber monday": lambda y: _nth_weekday(y, 11, 3, 4) + timedelta(days=4),
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas": lambda y: date(y, 12, 25),
    "christmas day": lambda y: date(y, 12, 25),
    "xmas": lambda y: date(y, 12, 25),
    "boxing day": lambda y: date(y, 12, 26),
}


@rule(r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<name>"
       + alternatives(_HOLIDAYS) + r")(?: (?:of )?(?P<yref>%YREF%))?|(?P<year>%YEAR%) (?P<name2>"
       + alternatives(_HOLIDAYS) + ")")  # fmt: skip
def _holiday(m: re.Match[str], ctx: Context) -> TimeSpan:
    day_of = _HOLIDAYS[m["name"] or m["name2"]]
    if m["year"]:
        return day_span(day_of(int(m["year"])))
    if m["yref"]:
        return day_span(day_of(year_ref(m["yref"], ctx)))
    rel = pick_mode(m["rel"])
    if m["rel"] == "this":
        rel = "bare"
    return yearly(lambda y: day_span(day_of(y)), ctx.p, ctx.how("nearest") if rel == "bare" else rel)


# ---------------------------------------------------------------- rules: days


@rule(
    r"(?:today|tonight|now|right now|(?:earlier|later) today|today %PART%|"
    r"this (?:morning|afternoon|evening|night|midday|noon))(?:'s)?"
)
def _today(m: re.Match[str], ctx: Context) -> TimeSpan:
    return day_span(ctx.p)


@rule(r"yesterday(?:'s)?%PART%|last night|day before yesterday")
def _yesterday(m: re.Match[str], ctx: Context) -> TimeSpan:
    return day_span(ctx.p - timedelta(days=2 if m.group(0).startswith("day") else 1))


@rule(r"tomorrow(?:'s)?%PART%|day after tomorrow")
def _tomorrow(m: re.Match[str], ctx: Context) -> TimeSpan:
    return day_span(ctx.p + timedelta(days=2 if m.group(0).startswith("day") else 1))


# ---------------------------------------------------------------- rules: explicit dates


def _explicit(year: int | None, month: int, day: int, ctx: Context, weekday: str | None) -> TimeSpan:
    if not 1 <= day <= 31:
        raise Unresolved("not a valid calendar date")
    if year is None:
        if day > last_day(2000, month):  # 2000 is a leap year: Feb 29 passes
            raise Unresolved("not a valid calendar date")
        if ctx.published is None:
            raise Unresolved("no year given: needs the publication date to choose one")
        span = yearly(lambda y: day_span(date(y, month, day)), ctx.p, ctx.how("nearest"))
    else:
        try:
            span = day_span(date(year, month, day))
        except ValueError:
            raise Unresolved("not a valid calendar date") from None
    if weekday is not None and WEEKDAYS[weekday] != span.start.weekday():
        raise Unresolved(
            f"the weekday does not match the date ({span.start.isoformat()} is a "
            f"{calendar.day_name[span.start.weekday()]})"
        )
    return span


@rule(r"(?:(?P<wd>%WD%) )?(?P<day>%DAY%) (?:of )?(?P<month>%MONTH%)(?: (?P<year>%YEAR%))?")
def _day_month(m: re.Match[str], ctx: Context) -> TimeSpan:
    year = int(m["year"]) if m["year"] else None
    day = int(re.sub(r"\D", "", m["day"]))
    return _explicit(year, MONTHS[m["month"]], day, ctx, m["wd"])


@rule(r"(?:(?P<wd>%WD%) )?(?P<month>%MONTH%) (?P<day>%DAY%)(?: (?P<year>%YEAR%))?")
def _month_day(m: re.Match[str], ctx: Context) -> TimeSpan:
    year = int(m["year"]) if m["year"] else None
    day = int(re.sub(r"\D", "", m["day"]))
    return _explicit(year, MONTHS[m["month"]], day, ctx, m["wd"])


@rule(r"(?P<year>%YEAR%)(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})")
def _iso(m: re.Match[str], ctx: Context) -> TimeSpan:
    return _explicit(int(m["year"]), int(m["month"]), int(m["day"]), ctx, None)


@rule(r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})")
def _numeric(m: re.Match[str], ctx: Context) -> TimeSpan:
    a, b = int(m["a"]), int(m["b"])
    if len(m["year"]) == 2 and ctx.published is None:
        raise Unresolved("two-digit year: needs the publication date to choose the century")
    year = int(m["year"]) if len(m["year"]) == 4 else two_digit_year(int(m["year"]), ctx)
    readings = {}
    for label, month, day in (("month/day", a, b), ("day/month", b, a)):
        try:
            readings[label] = date(year, month, day)
        except ValueError:
            continue
    distinct = set(readings.values())
    if not distinct:
        raise Unresolved("not a valid calendar date in either month/day or day/month order")
    if len(distinct) > 1:
        # The text may already have named one of the two days ("Sunday ... 7/8/07").
        named = [d for d in distinct if any(a.start == d == a.end for a in ctx.antecedents or ())]
        if len(named) == 1:
            return day_span(named[0])
        us, eu = readings["month/day"], readings["day/month"]
        raise Unresolved(
            f"ambiguous numeric date: {us.isoformat()} if month/day (US), "
            f"{eu.isoformat()} if day/month"
        )
    return day_span(distinct.pop())


@rule(r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)")
def _day_of_month(m: re.Match[str], ctx: Context) -> TimeSpan:
    day = int(m["day"])
    if not 1 <= day <= 31:
        raise Unresolved("not a valid day of the month")
    p = ctx.p
    candidates = []
    for k in range(-13, 14):
        year, month = shift_month(p.year, p.month, k)
        if day <= last_day(year, month):
            candidates.append(day_span(date(year, month, day)))
    return pick(candidates, p, ctx.how("nearest"))


# ---------------------------------------------------------------- rules: weekdays, weekends


def _weekday_span(wd: int, rel: str, ctx: Context) -> TimeSpan:
    p = ctx.p
    candidates = [
        day_span(p + timedelta(days=k))
        for k in range(-14, 15)
        if (p + timedelta(days=k)).weekday() == wd
    ]
    return pick(candidates, p, ctx.how("past") if rel == "bare" else rel)


@rule(r"(?:(?P<rel>this coming|this past|coming|this|last|next|past) )?(?P<wd>%WD%)%PART%")
def _weekday(m: re.Match[str], ctx: Context) -> TimeSpan:
    return _weekday_span(WEEKDAYS[m["wd"]], pick_mode(m["rel"]), ctx)


@rule(r"(?P<wd>%WD%)%PART% (?:of )?(?P<rel>this|last|next|previous) week")
def _weekday_of_week(m: re.Match[str], ctx: Context) -> TimeSpan:
    shift = {"last": -1, "previous": -1, "next": 1}.get(m["rel"], 0)
    week = week_span(ctx.p + timedelta(weeks=shift))
    return day_span(week.start + timedelta(days=WEEKDAYS[m["wd"]]))


@rule(r"(?:(?P<rel>this coming|this past|coming|this|last|next|past) )?weekend")
def _weekend_rule(m: re.Match[str], ctx: Context) -> TimeSpan:
    p = ctx.p
    rel = pick_mode(m["rel"])
    if m["rel"] == "this":
        # "this weekend": the one of the current week, unless told the clause is past.
        if ctx.tense == "past" and p.weekday() < 5:
            return weekend_span(p - timedelta(weeks=1))
        return weekend_span(p)
    if rel == "next":
        return weekend_span(p + timedelta(weeks=1))  # "this weekend" is the current week's
    candidates = [weekend_span(p + timedelta(weeks=k)) for k in range(-2, 3)]
    # A bare "the weekend" follows the weekday rule: the latest one begun by `p` by default.
    return pick(candidates, p, ctx.how("past") if rel == "bare" else rel)


# ---------------------------------------------------------------- rules: counted offsets


@rule(r"(?P<n>%NUM%) (?P<unit>%UNIT%)s? (?:ago|earlier|before now)")
def _ago(m: re.Match[str], ctx: Context) -> TimeSpan:
    no_vague_count(m["n"])
    if m["unit"] == "year" and number(m["n"]) == 1:
        # "profit in the third quarter rose from a year ago": that quarter, a year back.
        base = reported_period(ctx, "period")
        if base is not None and base is (ctx.antecedents or ())[-1]:
            return shift_span(base, -1, "year")
    return _offset(-number(m["n"]), m["unit"], ctx)



@rule(r"(?P<n>%NUM%) (?P<unit>%UNIT%)(?:s|'s|s')?(?: (?P<tail>time|from now|from today|hence))?")
def _in(m: re.Match[str], ctx: Context) -> TimeSpan:
    if m["tail"] in (None, "time") and "in" not in ctx.preps:
        raise Unresolved("a duration, not a date (say 'in two weeks' or 'two weeks ago')")
    no_vague_count(m["n"])
    return _offset(number(m["n"]), m["unit"], ctx)


def _offset(n: int, unit: str, ctx: Context) -> TimeSpan:
    moved = add_units(ctx.p, n, UNITS[unit])
    if unit == "month":
        return month_span(moved.year, moved.month)
    if unit == "year":
        return year_span(moved.year)
    return day_span(moved)


@rule(r"within (?:next |coming )?(?:(?P<n>%NUM%) )?(?P<unit>%UNIT%)(?:s|'s)?(?: time)?")
def _within(m: re.Match[str], ctx: Context) -> TimeSpan:
    p = ctx.p
    if m["n"] is None:
        return sized_span(p, add_units(p, 1, VAGUE_PLURAL[m["unit"]]))
    return sized_span(p, add_units(p, number(m["n"]), UNITS[m["unit"]]))


@rule(r"(?P<rel>next|coming|past|last|recent|previous)(?: (?P<n>%NUM%|several))? "
       r"(?P<unit>%UNIT%)(?P<plural>s)?")  # fmt: skip
def _trailing(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    rel, unit = m["rel"], m["unit"]
    if m["n"] is None and m["plural"] is None and rel in ("next", "last", "previous"):
        return None  # "next week", "last year": calendar units, see the period rules
    p = ctx.p
    if m["n"] in (None, "several"):
        end = add_units(p, 1, VAGUE_PLURAL[unit]) if m["plural"] else add_units(p, 1, UNITS[unit])
        forward = end
        backward = p - (end - p)
    else:
        forward = add_units(p, number(m["n"]), UNITS[unit])
        backward = add_units(p, -number(m["n"]), UNITS[unit])
    if rel in ("next", "coming"):
        return sized_span(p, forward)
    return sized_span(backward, p)


# ---------------------------------------------------------------- rules: parts of periods

# Sub-unit index ranges (inclusive; negative from the end) of each modifier, per unit.
_PARTS: dict[str, dict[str, tuple[int, int]]] = {
    "year": {"early": (0, 3), "mid": (4, 7), "late": (8, 11), "beginning": (0, 0), "end": (11, 11)},
    "half": {"early": (0, 1), "mid": (2, 3), "late": (4, 5), "beginning": (0, 0), "end": (5, 5)},
    "quarter": {"early": (0, 0), "mid": (1, 1), "late": (2, 2), "beginning": (0, 0), "end": (2, 2)},
    "month": {"early": (0, 9), "mid": (10, 19), "late": (20, -1), "beginning": (0, 9),
              "end": (20, -1)},
    "week": {"early": (0, 2), "mid": (2, 3), "late": (3, 4), "beginning": (0, 0), "end": (4, 6)},
    "decade": {"early": (0, 3), "mid": (4, 6), "late": (7, 9), "beginning": (0, 0), "end": (9, 9)},
}  # fmt: skip
_PARTS["season"] = _PARTS["quarter"]
_MODIFIERS = {"early": "early", "mid": "mid", "middle": "mid", "late": "late",
              "beginning": "beginning", "start": "beginning", "end": "end",
              "close": "end"}  # fmt: skip


def _subunits(span: TimeSpan) -> list[TimeSpan]:
    """The span cut into its next smaller calendar unit (days, months or years)."""
    if span.unit in ("month", "week", "weekend", "day", "span"):
        n = (span.end - span.start).days + 1
        return [day_span(span.start + timedelta(days=k)) for k in range(n)]
    if span.unit == "decade":
        return [year_span(span.start.year + k) for k in range(10)]
    months = []
    year, month = span.start.year, span.start.month
    while date(year, month, 1) <= span.end:
        months.append(month_span(year, month))
        year, month = shift_month(year, month, 1)
    return months


def _join(parts: list[TimeSpan], whole: TimeSpan) -> TimeSpan:
    if len(parts) == 1:
        return parts[0]
    start, end = parts[0].start, parts[-1].end
    if whole.unit == "month":
        return TimeSpan(start, end, Granularity.part_of_month, "span")
    return sized_span(start, end)


def _period_or_fail(s: str, ctx: Context) -> TimeSpan:
    span = resolve_period(s, ctx)
    if span is None:
        raise Unresolved(f"not a calendar period: {s!r}")
    return span


@rule(r"(?P<mod>early|mid|middle|late|beginning|start|end|close) (?:(?:of|in) )?(?P<rest>.+)")
def _part(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    whole = resolve_period(m["rest"], ctx)
    if whole is None:
        return None
    if whole.unit == "day":
        return whole  # "late in the day", "early Monday": still that day
    table = _PARTS.get(whole.unit)
    if table is None:
        raise Unresolved(f"cannot take the {m['mod']} of this period")
    mod = _MODIFIERS[m["mod"]]
    # "since the start of the year" counts from a day, not from a month-long beginning.
    if mod == "beginning" and ctx.preps & {"since", "from"}:
        return day_span(whole.start)
    if mod == "end" and ctx.preps & {"until", "till", "through"}:
        return day_span(whole.end)
    part = _take(table[mod], whole)
    if (
        ctx.how("nearest") == "future"
        and ctx.published is not None
        and part.end < ctx.published
        and _BARE_MONTH.fullmatch(m["rest"])
    ):
        # "will resume in mid-December", said on December 28: next December's.
        return _take(table[mod], month_span(whole.start.year + 1, whole.start.month))
    return part


_BARE_MONTH = compile_template(r"%MONTH%")


def _take(bounds: tuple[int, int], whole: TimeSpan) -> TimeSpan:
    first, last = bounds
    subs = _subunits(whole)
    last_index = len(subs) - 1 if last == -1 else last
    return _join(subs[first : last_index + 1], whole)


@rule(r"(?P<rel>earlier|later) (?:(?:in|on) )?(?P<rest>.+)")
def _earlier_later(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    whole = resolve_period(m["rest"], ctx)
    if whole is None:
        return None
    if whole.unit == "day":
        return whole
    p = ctx.published
    if p is not None and whole.start <= p <= whole.end:
        start, end = (whole.start, p) if m["rel"] == "earlier" else (p, whole.end)
        granularity = (
            Granularity.part_of_month
            if whole.unit == "month"
            else Granularity.week
            if whole.unit == "week"
            else size_granularity(start, end)
        )
        return TimeSpan(start, end, granularity, "span")
    # A period that does not contain the publication day: "later next month" = late next month.
    mod = "early" if m["rel"] == "earlier" else "late"
    table = _PARTS.get(whole.unit)
    if table is None:
        raise Unresolved(f"cannot take the {mod} part of this period")
    first, last = table[mod]
    subs = _subunits(whole)
    return _join(subs[first : (len(subs) - 1 if last == -1 else last) + 1], whole)


@rule(r"(?P<ord>first|1st|second|2nd|latter|last) half(?: (?:of )?(?P<rest>.+))?")
def _half_of(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    h = 1 if m["ord"] in ("first", "1st") else 2
    if m["rest"] is None:
        return yearly(lambda y: half_span(y, h), ctx.p, ctx.how("nearest"))
    whole = resolve_period(m["rest"], ctx)
    if whole is None:
        return None
    if whole.unit == "day":
        return whole  # "the second half of the day": still that day
    if whole.unit == "year" and (whole.start.month, whole.start.day) == (1, 1):
        return half_span(whole.start.year, h)
    subs = _subunits(whole)
    if whole.unit == "month":
        cut = 15
        parts = subs[:cut] if h == 1 else subs[cut:]
        return TimeSpan(parts[0].start, parts[-1].end, Granularity.part_of_month, "span")
    middle = (len(subs) + 1) // 2
    return _join(subs[:middle] if h == 1 else subs[middle:], whole)


@rule(r"(?P<ord>%ORD%|last|final) week (?:of |in )?(?P<rest>.+)")
def _week_of_month(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    whole = resolve_period(m["rest"], ctx)
    if whole is None or whole.unit != "month":
        return None
    # ISO weeks, each counted in the month that holds most of its days (as ISO 8601
    # counts week 1 of a year): the first week holds the 4th, the last the 4th-to-last day.
    if m["ord"] in ("last", "final"):
        return week_span(whole.end - timedelta(days=3))
    week = week_span(whole.start + timedelta(days=3, weeks=ORDINALS[m["ord"]] - 1))
    if week.start + timedelta(days=3) > whole.end:
        raise Unresolved("the month has no such week")
    return week


# ---------------------------------------------------------------- period rules


@period_rule(r"(?:year )?(?P<year>%YEAR%)")
def _year_rule(m: re.Match[str], ctx: Context) -> TimeSpan:
    return year_span(int(m["year"]))


@period_rule(r"(?P<year>%YEAR%)-(?P<month>[0-9]{2})")
def _iso_month(m: re.Match[str], ctx: Context) -> TimeSpan:
    return month_span(int(m["year"]), int(m["month"]))


@period_rule(r"'(?P<yy>[0-9]{2})")
def _short_year(m: re.Match[str], ctx: Context) -> TimeSpan:
    return year_span(two_digit_year(int(m["yy"]), ctx))


@period_rule(r"(?P<rel>this|current|last|previous|next|coming|following) (?P<unit>week|month|"
              r"year|quarter|decade)|(?P<bare>week|month|year|quarter|decade)")  # fmt: skip
def _relative_unit(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    if m["rel"] == "following":
        raise Unresolved("relative to a time given elsewhere in the text (anaphoric)")
    p = ctx.p
    unit = m["unit"] or m["bare"]
    shift = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(m["rel"] or "this", 0)
    if unit == "week":
        return week_span(p + timedelta(weeks=shift))
    if unit == "month":
        return month_span(*shift_month(p.year, p.month, shift))
    if unit == "year":
        return year_span(p.year + shift)
    if unit == "decade":
        return decade_span(p.year - p.year % 10 + 10 * shift)
    year, month = shift_month(p.year, p.month, 3 * shift)
    return quarter_span(year, (month - 1) // 3 + 1)


@period_rule(r"(?P<month>%MONTH%) (?:of )?(?P<yref>%YREF%)")
def _month_year(m: re.Match[str], ctx: Context) -> TimeSpan:
    return month_span(year_ref(m["yref"], ctx), MONTHS[m["month"]])


@period_rule(r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<month>%MONTH%)")
def _bare_month(m: re.Match[str], ctx: Context) -> TimeSpan:
    month = MONTHS[m["month"]]
    rel = pick_mode(m["rel"])
    return yearly(lambda y: month_span(y, month), ctx.p, ctx.how("nearest") if rel == "bare" else rel)


@period_rule(r"(?P<season>%SEASON%) (?:of )?(?P<yref>%YREF%)(?:[-/](?P<next>[0-9]{2}|[0-9]{4}))?|"
              r"(?P<year>%YEAR%) (?P<season2>%SEASON%)")  # fmt: skip
def _season_year(m: re.Match[str], ctx: Context) -> TimeSpan:
    if m["season2"]:
        return season_span(int(m["year"]), SEASONS[m["season2"]])
    return season_span(year_ref(m["yref"], ctx), SEASONS[m["season"]])


@period_rule(
    r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<season>%SEASON%)"
)
def _bare_season(m: re.Match[str], ctx: Context) -> TimeSpan:
    s = SEASONS[m["season"]]
    rel = pick_mode(m["rel"])
    return yearly(lambda y: season_span(y, s), ctx.p, ctx.how("nearest") if rel == "bare" else rel)




@period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal |financial )?quarter"
              r"(?: (?:of |in )?(?P<yref>%YREF%))?|"
              r"(?P<year>%YEAR%) (?P<ord2>%ORD%|final) quarter|"
              r"q(?P<q>[1-4])(?: (?P<yref2>%YREF%))?|(?P<year2>%YEAR%) q(?P<q2>[1-4])|"
              r"(?P<q3>[1-4])q (?P<year3>%YEAR%)")  # fmt: skip
def _quarter_rule(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    if m["ord"]:
        q = QUARTER_ORD[m["ord"]]
        if q > 4:
            return None
        if m["yref"]:
            return quarter_span(year_ref(m["yref"], ctx), q)
        if m["ord"] == "last":
            return None  # "last quarter": the previous quarter, a relative unit
        return yearly(lambda y: quarter_span(y, q), ctx.p, ctx.how("nearest"))
    if m["ord2"]:
        return (
            quarter_span(int(m["year"]), QUARTER_ORD[m["ord2"]])
            if QUARTER_ORD[m["ord2"]] <= 4
            else None
        )
    if m["q"]:
        q = int(m["q"])
        if m["yref2"]:
            return quarter_span(year_ref(m["yref2"], ctx), q)
        return yearly(lambda y: quarter_span(y, q), ctx.p, ctx.how("nearest"))
    if m["q2"]:
        return quarter_span(int(m["year2"]), int(m["q2"]))
    return quarter_span(int(m["year3"]), int(m["q3"]))


@period_rule(r"h(?P<h>[12])(?: (?P<yref>%YREF%))?|(?P<year>%YEAR%) h(?P<h2>[12])")
def _half_rule(m: re.Match[str], ctx: Context) -> TimeSpan:
    if m["h2"]:
        return half_span(int(m["year"]), int(m["h2"]))
    h = int(m["h"])
    if m["yref"]:
        return half_span(year_ref(m["yref"], ctx), h)
    return yearly(lambda y: half_span(y, h), ctx.p, ctx.how("nearest"))


@period_rule(r"(?P<century>[12][0-9])(?P<d>[0-9])0'?s|'?(?P<d2>[0-9])0'?s")
def _decade_rule(m: re.Match[str], ctx: Context) -> TimeSpan:
    if m["century"]:
        return decade_span(int(m["century"]) * 100 + int(m["d"]) * 10)
    # "the 90s": the latest such decade that has begun by the publication year.
    p = ctx.p
    first = p.year - p.year % 100 + int(m["d2"]) * 10
    return decade_span(first if first <= p.year else first - 100)


@period_rule(r"day")
def _bare_day(m: re.Match[str], ctx: Context) -> TimeSpan:
    # Reached only after a modifier ("late in the day"): the bare word alone is anaphoric.
    # Without the text, the day of a news report is the day it is published.
    return antecedent(ctx, "day") or day_span(ctx.p)
