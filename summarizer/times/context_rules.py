"""Rules that read the times the text gave before: anaphora ("the same day", "three days
later") and results-news periods ("the year-earlier quarter", "fiscal 2006")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from summarizer.schemas import Granularity
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
    quarter_span,
    shift_month,
    size_granularity,
    sized_span,
    two_digit_year,
    week_span,
    weekend_span,
    year_span,
    yearly,
)
from summarizer.times.table import RULES, first_match, period_rule, resolve_period, rule
from summarizer.times.vocabulary import QUARTER_ORD, UNITS, compile_template

# ---------------------------------------------------------------- rules: anaphora

ANAPHORIC = "refers to a time given elsewhere in the text (anaphoric)"
# What each anaphoric head word refers back to (None: whatever time was given last).
_ANAPHOR_UNIT: dict[str, str | None] = {
    "day": "day", "date": "day", "morning": "day", "afternoon": "day", "evening": "day",
    "night": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year",
    "decade": "decade", "time": None, "period": None, "which": None, "then": None,
}  # fmt: skip
# The longest antecedent (in days) a unit can be taken from: "that month" can follow
# "on Monday" or "in March", not "in 2009".
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 31, "quarter": 92, "year": 366,
              "decade": 3653}  # fmt: skip
_BACKWARD = ("ago", "earlier", "before", "previously", "last", "previous", "prior", "preceding")


@rule(
    r"(?:(?:same|that|very|its|their|his|her|entire|whole|full) )*"
    r"(?P<unit>day|date|morning|afternoon|evening|night|week|month|quarter|year|decade|time|"
    r"period)(?: (?P<shift>(?:a|one) year (?:ago|earlier|before|previously|later|after)|"
    r"(?:last|previous|prior|next|following) year|year (?:before|earlier|later|after)))?|"
    r"(?P<pronoun>which|then)"
)
def _anaphor(m: re.Match[str], ctx: Context) -> TimeSpan:
    """Anaphora of a day or unit: the same day, that week, the same period last year."""
    if ctx.antecedents is None:
        raise Unresolved(ANAPHORIC)
    unit = _ANAPHOR_UNIT[m["unit"] or m["pronoun"]]
    span = antecedent(ctx, unit)
    if span is None:
        if unit is None:
            raise Unresolved(ANAPHORIC + ", and the text gives no time before it")
        # The text names no such time before: news then speaks of its own day, week...
        span = containing(unit, ctx.p)
    if m["shift"]:
        span = shift_span(span, -1 if m["shift"].startswith(_BACKWARD) or
                      m["shift"].endswith(_BACKWARD) else 1, "year")  # fmt: skip
    return span


_FROM_ANTECEDENT_TEMPLATE = (
    r"(?P<n>%NUM%) (?P<unit>%UNIT%)s? (?P<dir>later|earlier|after|before|afterwards?|"
    r"previously|on)|(?P<rel>following|previous|prior|preceding) (?P<unit2>day|week|month|"
    r"quarter|year)|(?P<next>next) day|(?P<unit3>day|week|month|year) (?P<dir3>before|after|"
    r"previous|earlier|later|prior|afterwards?)"
)


@rule(_FROM_ANTECEDENT_TEMPLATE)
def _from_antecedent(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    """Times counted from the last one given: three days later, the year before."""
    if not ctx.antecedents:
        return None  # no text, or no time in it: the deictic rules read it from `published`
    if m["unit3"] == "year" and m["dir3"] == "earlier" and reported_period(ctx, "period"):
        return None  # "year-earlier profit" after a quarter: that quarter (`_year_ago_modifier`)
    if m["n"]:
        no_vague_count(m["n"])
        n, unit = number(m["n"]), UNITS[m["unit"]]
        sign = -1 if m["dir"] in _BACKWARD else 1
        # "two days later" moves the time just given, at its own granularity.
        base = next((a for a in reversed(ctx.antecedents) if span_days(a) <= _UNIT_DAYS[unit]), None)
        if base is None:
            # "two weeks earlier" than "the 1990s": the text gives nothing that precise.
            raise Unresolved(ANAPHORIC + ", and no time before it is precise enough")
        return shift_span(base, sign * n, unit)
    unit = m["unit2"] or m["unit3"] or "day"
    sign = -1 if (m["rel"] or m["dir3"] or "").startswith(_BACKWARD) else 1
    base = antecedent(ctx, unit)
    if base is None:
        raise Unresolved(ANAPHORIC + ", and no time before it is precise enough")
    return containing(unit, shift_span(base, sign, unit).start)


@rule(
    r"(?:%NUM%) (?:%UNIT%)s? (?:later|earlier|sooner|behind|ahead of) (?:than )?"
    r"(?:originally |initially |first |previously )?(?:planned|expected|scheduled|"
    r"anticipated|intended|forecast|announced|schedule)"
)
def _delay(m: re.Match[str], ctx: Context) -> TimeSpan:
    # "arrives on November 11, three days later than planned": the phrase describes the
    # time just given (November 11), not a time of its own.
    if not ctx.antecedents:
        raise Unresolved("describes a delay of a time given elsewhere in the text (anaphoric)")
    return ctx.antecedents[-1]


@rule(
    r"(?:same|that|this|very|its|their|his|her) (?:day|week|month|year|time|period|date)|"
    r"(?:same|that) .*"
)
def _other_anaphor(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    # "this week/month/year" are deictic, resolved by the period rules.
    if m.group(0) in ("this week", "this month", "this year"):
        return None
    raise Unresolved(ANAPHORIC)


@rule(
    r"(?:a |an )?(?:%NUM%|%ORD%|[0-9]+(?:st|nd|rd|th)) (?:consecutive|straight|successive) "
    r"(?P<unit>day|week|month|quarter|year)s?|"
    r"(?:%ORD%|[0-9]+(?:st|nd|rd|th)) (?P<unit2>day|week|month|quarter|year) (?:in a row|running)"
)
def _streak(m: re.Match[str], ctx: Context) -> TimeSpan:
    # "for a third straight day": a streak reported in the news runs up to the news.
    return containing(m["unit"] or m["unit2"], ctx.p)


FROM_ANTECEDENT = compile_template(_FROM_ANTECEDENT_TEMPLATE)


def span_days(span: TimeSpan) -> int:
    return (span.end - span.start).days + 1


def antecedent(ctx: Context, unit: str | None) -> TimeSpan | None:
    """The latest time given before that fits in `unit`, widened to that unit."""
    for span in reversed(ctx.antecedents or ()):
        if unit is None:
            return span
        if span_days(span) <= _UNIT_DAYS[unit]:
            return containing(unit, span.start)
    return None


def containing(unit: str, d: date) -> TimeSpan:
    if unit == "day":
        return day_span(d)
    if unit in ("week", "fortnight"):
        return week_span(d)
    if unit == "month":
        return month_span(d.year, d.month)
    if unit == "quarter":
        return quarter_span(d.year, (d.month - 1) // 3 + 1)
    if unit == "decade":
        return decade_span(d.year - d.year % 10)
    return year_span(d.year)


_CALENDAR_UNITS = ("month", "quarter", "season", "half", "year", "decade")


def shift_span(span: TimeSpan, n: int, unit: str) -> TimeSpan:
    """`span` moved by `n` units, keeping its own size ("that March" a year on is March)."""
    if unit == "quarter":
        n, unit = 3 * n, "month"
    start = add_units(span.start, n, unit)
    if unit in ("month", "year") and span.unit in _CALENDAR_UNITS:
        year, month = shift_month(span.end.year, span.end.month, n * (12 if unit == "year" else 1))
        end = date(year, month, last_day(year, month))
    elif span.unit == "week":
        return week_span(start)
    elif span.unit == "weekend":
        return weekend_span(start)
    else:
        end = add_units(span.end, n, unit)
    return TimeSpan(start, end, span.granularity, span.unit)


# ---------------------------------------------------------------- rules: financial periods

# Words that name a reporting period in results news ("the year-earlier period").
_PERIOD_WORDS = (
    r"(?:fiscal |financial )?(?P<unit>quarter|period|three months|six months|nine months|half)"
)
_PERIOD_MONTHS = {"quarter": 3, "three months": 3, "six months": 6, "half": 6, "nine months": 9,
                  "year": 12, "fiscal year": 12, "financial year": 12, "twelve months": 12,
                  "12 months": 12}  # fmt: skip


def _last_quarter_ended(p: date) -> TimeSpan:
    """The latest calendar quarter that has ended by `p` (what results news reports on)."""
    year, month = shift_month(p.year, p.month, -3)
    return quarter_span(year, (month - 1) // 3 + 1)


def reported_period(ctx: Context, unit: str) -> TimeSpan | None:
    """The period the text is reporting on, else None: its latest quarter for "quarter" and
    "three months", its latest time of about that length for "six/nine months" and "half",
    and for "period" its latest time longer than a month and not a calendar year."""
    months = _PERIOD_MONTHS.get(unit)
    for span in reversed(ctx.antecedents or ()):
        if unit in ("quarter", "three months"):
            if span.unit == "quarter":
                return span
        elif months is not None:
            if abs(span_days(span) - 30.44 * months) <= 4:
                return span
        elif span.unit in ("quarter", "half", "season", "span", "year") and (
            32 <= span_days(span) <= 366
            and not (span.unit == "year" and (span.start.month, span.start.day) == (1, 1))
        ):
            return span
    return None


# "In the comparable period last year": the words that shift a period a year back.
_A_YEAR_BACK = re.compile(
    r"(?P<rest>.+?)(?: (?:a |one )?year (?:ago|earlier|before)| (?:of )?(?:last|previous|prior) "
    r"year)?"
)


@rule(r"(?P<lead>year earlier|year ago|prior year|previous year|year before|last year's|"
       r"previous year's|year earlier's|comparable|corresponding|like) (?P<rest>.+)")  # fmt: skip
def _year_earlier(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    """The year-earlier quarter (period): the one the text reports on, a year back."""
    rest = m["rest"]
    if m["lead"] in ("comparable", "corresponding", "like"):
        # "the comparable period (last year)": results news compares with a year before.
        found = _A_YEAR_BACK.fullmatch(rest)
        rest = found["rest"] if found else rest
        if re.fullmatch(_PERIOD_WORDS, rest) is None:
            return None
    bare = re.fullmatch(_PERIOD_WORDS, rest)
    if bare is None and m["lead"].endswith("year's"):
        # "last year's fourth quarter": of the calendar year before the publication year.
        return resolve_period(f"{rest} {ctx.p.year - 1}", ctx)
    if bare is None:
        # "the year-earlier first quarter": a period of its own, one year back.
        span = resolve_period(rest, ctx)
        return None if span is None or span.unit == "day" else shift_span(span, -1, "year")
    if ctx.antecedents is None:
        raise Unresolved(ANAPHORIC)
    unit = bare["unit"]
    base = reported_period(ctx, unit)
    if base is None:
        if unit not in ("quarter", "three months"):
            raise Unresolved(ANAPHORIC + ", and the text gives no period before it")
        base = _last_quarter_ended(ctx.p)
    return shift_span(base, -1, "year")


@rule(r"year earlier|year ago")
def _year_ago_modifier(m: re.Match[str], ctx: Context) -> TimeSpan:
    """"Year-ago profit": of the period the text reports on, a year back; else, like "a year
    ago", the calendar year before `published`'s."""
    base = reported_period(ctx, "period")
    if base is not None:
        return shift_span(base, -1, "year")
    return year_span(ctx.p.year - 1)


@rule(r"(?:latest|most recent|recent|just ended|just completed|just finished|latest reported) "
       + _PERIOD_WORDS + r"|(?P<unit2>quarter|period) just (?:ended|completed|finished)")
def _latest_period(m: re.Match[str], ctx: Context) -> TimeSpan:
    """The latest quarter (period): the one the text reports on, else the last one ended."""
    unit = m["unit"] or m["unit2"]
    base = reported_period(ctx, unit) if ctx.antecedents else None
    if base is None and unit not in ("quarter", "three months", "period"):
        raise Unresolved(ANAPHORIC + ", and the text gives no such period before it")
    return base or _last_quarter_ended(ctx.p)


@rule(r"first (?P<n>%NUM%) months(?: (?:of |in )?(?P<rest>.+))?")
def _first_months(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    """The first nine months (of the year): January to September of the year meant."""
    n = number(m["n"])
    if not 1 <= n <= 12:
        raise Unresolved("a year has twelve months")
    if m["rest"]:
        whole = resolve_period(m["rest"], ctx)
        if whole is None or whole.unit != "year":
            return None
        year = whole.start.year
    else:
        # Of the year reported on, else the latest year whose first n months are over.
        year = ctx.p.year if date(ctx.p.year, n, last_day(ctx.p.year, n)) < ctx.p else (
            ctx.p.year - 1)
        for span in reversed(ctx.antecedents or ()):
            if span_days(span) <= 366:
                year = span.end.year
                break
    start, end = date(year, 1, 1), date(year, n, last_day(year, n))
    if n in (3, 6, 12):
        return {3: quarter_span(year, 1), 6: half_span(year, 1), 12: year_span(year)}[n]
    return sized_span(start, end)


@rule(r"(?P<year>%YEAR%) (?:fiscal |financial )?(?P<unit>period|quarter|three months|"
       r"six months|nine months|half)")  # fmt: skip
def _year_period(m: re.Match[str], ctx: Context) -> TimeSpan:
    """"The 2005 period": the period the text reports on, in 2005."""
    if not ctx.antecedents:
        raise Unresolved(ANAPHORIC + ": which period of the year is not given before it")
    base = reported_period(ctx, m["unit"])
    if base is None:
        raise Unresolved(ANAPHORIC + ", and the text gives no period before it")
    return shift_span(base, int(m["year"]) - base.end.year, "year")


@rule(r"(?:(?:its|their|our) )?(?:(?P<ord>%ORD%|final|last) )?(?:fiscal |financial )?"
       r"(?:(?P<ord2>%ORD%|final) )?"
       r"(?P<what>quarter|three months|six months|nine months|half|year|fiscal year|"
       r"financial year|twelve months|12 months|week) (?:that )?(?P<verb>ended|ending|ends|end|"
       r"closed|closing|through|to) (?P<date>.+)")  # fmt: skip
def _period_ended(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    """A reporting period named by its last day: "the fiscal quarter ended Dec. 31"."""
    what = m["what"]
    if (m["ord"] or m["ord2"]) and what not in ("quarter", "half", "week"):
        return None
    # The quarter "ended" on a day already past: look back, whatever the clause's tense.
    tense = "past" if m["verb"] in ("ended", "closed") else ctx.tense
    last = first_match(m["date"], (RULES,), Context(ctx.published, tense, frozenset()))
    if last is None or last.unit != "day":
        return None
    end = last.end
    if what == "week":
        # "the week ended Friday": the seven days up to it (an ISO week if it is a Sunday).
        if end.weekday() == 6:
            return week_span(end)
        return TimeSpan(end - timedelta(days=6), end, Granularity.week, "span")
    months = _PERIOD_MONTHS[what]
    if end.day == last_day(end.year, end.month):
        year, month = shift_month(end.year, end.month, 1 - months)
        start = date(year, month, 1)
    else:
        start = add_units(end, -months, "month") + timedelta(days=1)
    unit = {3: "quarter", 6: "half", 12: "year"}.get(months, "span")
    granularity = {3: Granularity.quarter, 6: Granularity.half_year, 12: Granularity.year}.get(
        months, size_granularity(start, end)
    )
    return TimeSpan(start, end, granularity, unit)


def _fiscal_end(ctx: Context) -> tuple[int, int] | None:
    """The month and day a fiscal year ends, where the text gave a fiscal year before."""
    for span in reversed(ctx.antecedents or ()):
        if span.unit == "year" and (span.start.month, span.start.day) != (1, 1):
            return span.end.month, span.end.day
    return None


def _fiscal_year(year: int, ctx: Context) -> TimeSpan:
    """Fiscal `year`: the twelve months ending in `year` on the fiscal year end the text gave;
    else calendar `year` (a fiscal year is named after the calendar year it ends in)."""
    end = _fiscal_end(ctx)
    if end is None or end == (12, 31):
        return year_span(year)
    month, day = end
    last = date(year, month, min(day, last_day(year, month)))
    first_year, first_month = shift_month(year, month, -11)
    start = date(first_year, first_month, 1) if day >= last_day(year, month) else (
        add_units(last, -12, "month") + timedelta(days=1))
    return TimeSpan(start, last, Granularity.year, "year")


@period_rule(r"(?:fiscal|financial) (?:year )?(?:(?P<year>%YEAR%)|'?(?P<yy>[0-9]{2}))|"
              r"fy ?(?:(?P<year2>%YEAR%)|'?(?P<yy2>[0-9]{2}))|"
              r"(?P<year3>%YEAR%) (?:fiscal|financial) year")  # fmt: skip
def _fiscal_named(m: re.Match[str], ctx: Context) -> TimeSpan:
    year = m["year"] or m["year2"] or m["year3"]
    yy = m["yy"] or m["yy2"]
    return _fiscal_year(int(year) if year else two_digit_year(int(yy), ctx), ctx)


@period_rule(r"(?:(?P<rel>this|current|last|previous|prior|next|coming) )?"
              r"(?:fiscal|financial) year")  # fmt: skip
def _fiscal_relative(m: re.Match[str], ctx: Context) -> TimeSpan:
    p = ctx.p
    current = _fiscal_year(p.year, ctx)
    if current.end < p:
        current = _fiscal_year(p.year + 1, ctx)
    shift = {"last": -1, "previous": -1, "prior": -1, "next": 1, "coming": 1}.get(m["rel"] or "", 0)
    return _fiscal_year(current.end.year + shift, ctx)


@period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal |financial )?quarter (?:of )?"
              r"(?:fiscal|financial|fy) (?:year )?(?P<year>%YEAR%)|"
              r"(?:fiscal|fy) (?P<year2>%YEAR%) (?P<ord2>%ORD%|final|last) quarter")  # fmt: skip
def _fiscal_quarter(m: re.Match[str], ctx: Context) -> TimeSpan:
    q = QUARTER_ORD[m["ord"] or m["ord2"]]
    if q > 4:
        raise Unresolved("a year has four quarters")
    fiscal = _fiscal_year(int(m["year"] or m["year2"]), ctx)
    if fiscal.unit == "year" and fiscal.start == date(fiscal.end.year, 1, 1):
        return quarter_span(fiscal.end.year, q)
    start = add_units(fiscal.start, 3 * (q - 1), "month")
    end = add_units(fiscal.start, 3 * q, "month") - timedelta(days=1)
    return TimeSpan(start, end, Granularity.quarter, "quarter")


@period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal|financial) quarter|"
              r"(?:fiscal|financial) (?P<ord2>%ORD%|final|last) quarter")  # fmt: skip
def _fiscal_quarter_bare(m: re.Match[str], ctx: Context) -> TimeSpan | None:
    """"The fiscal first quarter": of the fiscal year the text gave, else a calendar quarter."""
    end = _fiscal_end(ctx)
    q = QUARTER_ORD[m["ord"] or m["ord2"]]
    if q > 4:
        return None
    p = ctx.p
    if end is None or end == (12, 31):
        return yearly(lambda y: quarter_span(y, q), p, ctx.how("nearest"))
    candidates = []
    for year in range(p.year - 2, p.year + 3):
        fiscal = _fiscal_year(year, ctx)
        start = add_units(fiscal.start, 3 * (q - 1), "month")
        candidates.append(TimeSpan(start, add_units(fiscal.start, 3 * q, "month") - timedelta(days=1),
                                Granularity.quarter, "quarter"))  # fmt: skip
    return pick(candidates, p, ctx.how("nearest"))

