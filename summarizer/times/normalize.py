"""Normalise news time expressions to ISO date intervals, relative to the publication date.

`normalize("on Monday", published=date(2022, 12, 19))` gives a `TimeExpr` whose
`start`/`end` are the first and last day of the interval meant (equal for one day).
No model, no network: a cleaned, lower-cased expression is matched against a
table of rules (`_RULES`, then `_PERIOD_RULES`); the first rule that matches the
whole expression resolves it.

Reading conventions (news English; each is a rule with a unit test):

- A bare weekday ("on Monday") is the latest such day on or before `published`
  (news mostly reports the past), or with `tense="future"` the first on or after it;
  either way the publication day itself counts. "last Monday" is strictly before,
  "next Monday" strictly after `published`.
- A bare month, month-day, quarter, season or half ("in January", "Dec. 19",
  "the fourth quarter", "this summer") is the occurrence containing `published` if any,
  else with `tense="past"` the latest one, with `tense="future"` the next one, and
  without tense the nearest one (ties go to the past), so always within about
  six months of `published`.
- Weeks are ISO weeks (Monday to Sunday); "the first/last week of March" is the ISO
  week holding most of its days in March (as ISO 8601 counts week 1 of a year).
  "This weekend" is the Saturday and Sunday of the week containing `published` (with
  `tense="past"`, the latest weekend that has begun); "(over) the weekend" follows the
  weekday rule (latest begun by default, next with `tense="future"`); "next weekend" is
  the following week's.
- Seasons are northern-hemisphere meteorological seasons; winter YYYY runs from
  December YYYY to February YYYY+1.
- early/mid/late March = days 1-10 / 11-20 / 21-end; the first/second half of a month
  = 1-15 / 16-end; early/mid/late 2023 = Jan-Apr / May-Aug / Sep-Dec; the beginning
  (end) of a year is January (December), of a month the first (last) ten days.
- "two days ago" / "in three days" / "a week ago" is one day (weeks count as 7 days);
  "two months ago" is that calendar month, "in two years" that calendar year.
- "within days", "the next few weeks", "the past year" are intervals that start
  (or end) at `published`; "few" counts 3, an unnumbered plural ("within days")
  reaches up to one of the next larger unit (a week for days, a month for weeks...).
- "last week/month/year/quarter" is the previous calendar unit; "the past week" is
  the seven days up to `published`.
- A numeric date that reads as a valid date both as month/day and day/month
  ("12/11/2022") stays unresolved, with both readings in `note`.
- Anaphoric expressions ("the same day", "that week", "the day", "which", "three days
  later", "the year before") refer to a time given elsewhere in the text. Alone they
  stay unresolved, with a note saying so. Given `antecedents` (the times the text gave
  before, as `timex_context.normalize_in` finds them): day and unit forms take the latest
  antecedent that fits and widen it to their unit ("that week" after "on Tuesday" is
  Tuesday's week); "which", "then", "that time" take the latest of any size; "the same
  period last year" / "a year earlier" shift it by a year keeping its size; "three days
  later" moves the latest antecedent at most a day long by three days; "three days
  later than planned" is the antecedent itself (it describes it). Where no antecedent is
  precise enough, counted shifts stay unresolved; "the day" and unit forms fall back to
  the publication day's unit when the text gives no time before them at all.
- "late in the day" / "the second half of the day" is the day of the latest antecedent,
  else the publication day (the day a news report is about), with or without text.
- A streak ("a third straight day", "the fourth week in a row") ends at `published`.
- Results news: "the year-earlier (year-ago, prior-year, comparable) quarter/period" is the
  period the text reports on (its latest quarter; for "period" its latest time between a
  month and a year long that is not a calendar year; for "six/nine months" its latest time
  of that length) one year back; "a year ago" right after such a period is that period a
  year back, otherwise the calendar year before; "the latest (most recent) quarter" is the
  text's latest quarter, else the last quarter ended by `published`; "the 2005 period" is
  the period reported on, in 2005; "last year's fourth quarter" is of the year before
  `published`'s. Without a period before them, "quarter" forms fall back to the last quarter
  ended and the others stay unresolved.
- A period named by its last day ("the fiscal quarter ended Dec. 31", "the six months
  ending June 30, 2023") runs back its length from that day; "ended" is a day on or before
  `published`. "The first nine months" is January to September of the year the text
  reports on, else of the latest year in which they are over.
- A fiscal year is named after the calendar year it ends in. "Fiscal 2006", "FY2006",
  "this/last/next fiscal year" and "the first quarter of fiscal 2006" follow the fiscal year
  end of the latest fiscal year the text gave ("the fiscal year ended June 30"); without
  one, the calendar year.
- Year-end is December: of the year given, else of `published`'s year, except that in
  January and February an untensed or past year-end ("debt at year-end") is the one just
  gone unless it is a deadline ("by year-end").
- Holidays are those of US newswire, each its day: Thanksgiving (Day) the fourth Thursday of
  November, Labor Day the first Monday of September, Memorial Day the last Monday of May,
  Easter by the Gregorian computus, Christmas (Eve), New Year's Day (Eve)...; bare ones
  follow the month-day rule, "last Christmas" is strictly before `published`.
- Without a tense, a window or deadline ("through Feb. 15", "until March", "by
  mid-February") is the next occurrence, not the nearest. With a future tense, a part of
  the current month that is already over ("will meet in mid-December", said on Dec. 28) is
  next year's.
- "since/from the start of X" is X's first day; "until/through the end of X" its last.
- Without `published`, only absolute expressions resolve (nothing is guessed from
  today's date). Spans that are not one calendar unit get the granularity of the
  smallest unit at least as long (decades: `unknown`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from summarizer.errors import UsageError
from summarizer.schemas import Granularity, TimeExpr

__all__ = ["normalize"]

# Longer strings are sentences or documents, not time expressions: refuse them cheaply.
_MAX_CHARS = 200

_Interval = tuple[date, date]


class _Unresolved(Exception):
    """Internal: the expression was recognised (or not) but cannot be resolved; carries why."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    granularity: Granularity
    # The calendar unit the span is (day, week, weekend, month, quarter, season, half, year,
    # decade) or "span"; modifiers ("early", "first half of") split it by this unit.
    unit: str


_AHEAD = frozenset(("through", "until", "till", "by"))


@dataclass(frozen=True)
class _Ctx:
    published: date | None
    tense: str | None
    preps: frozenset[str]
    given: Sequence[TimeExpr] | None = None

    @cached_property
    def antecedents(self) -> tuple[_Span, ...] | None:
        """Times the text gave before the expression, oldest first; None when the caller
        gave no text at all (then anaphora stay unresolved rather than guessed).

        Converted on first use: most expressions are not anaphoric."""
        if self.given is None:
            return None
        return tuple(span for span in map(_from_expr, self.given) if span is not None)

    @property
    def p(self) -> date:
        if self.published is None:
            raise _Unresolved("relative expression: needs the publication date to resolve")
        return self.published

    def how(self, default: str) -> str:
        """How to choose among occurrences of a bare cyclic expression ("in January")."""
        if self.tense in ("past", "future"):
            return self.tense
        # An untensed window "through Feb. 15" or deadline "by March 1" is still ahead.
        if self.tense is None and self.preps & _AHEAD:
            return "future"
        return default


# ---------------------------------------------------------------- vocabulary

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
    "4th": 4, "fifth": 5, "5th": 5,
}  # fmt: skip
_SEASONS = {"spring": 0, "summer": 1, "autumn": 2, "fall": 2, "winter": 3}
_SEASON_FIRST_MONTH = (3, 6, 9, 12)
_UNITS = {"day": "day", "week": "week", "fortnight": "fortnight", "month": "month",
          "year": "year"}  # fmt: skip
# An unnumbered plural ("within days") reaches up to one of the next larger unit.
_VAGUE_PLURAL = {"day": "week", "week": "month", "fortnight": "month", "month": "year",
                 "year": "decade"}  # fmt: skip
_PART_OF_DAY = r"(?: (?:morning|afternoon|evening|night|midday|noon))?"

# Words that may precede an expression without changing what it denotes here.
_LEADING = frozenset(
    ("on", "in", "by", "during", "around", "since", "at", "until", "till", "before", "after",
     "from", "of", "for", "over", "about", "as", "through", "throughout", "circa", "approximately")
)  # fmt: skip


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_VOCAB = {
    "%MONTH%": _alt(_MONTHS),
    "%WD%": _alt(_WEEKDAYS),
    "%NUM%": _alt(_NUMBERS) + "|[0-9]{1,3}",
    "%ORD%": _alt(_ORDINALS),
    "%SEASON%": _alt(_SEASONS),
    "%UNIT%": _alt(_UNITS),
    "%YEAR%": "[12][0-9]{3}",
    "%DAY%": "[0-9]{1,2}(?:st|nd|rd|th)?",
    "%YREF%": "[12][0-9]{3}|(?:this|current|last|previous|next) year|year",
    "%PART%": _PART_OF_DAY,
}


def _compile(template: str) -> re.Pattern[str]:
    for key, pattern in _VOCAB.items():
        template = template.replace(key, f"(?:{pattern})")
    return re.compile(template)


_Handler = Callable[[re.Match[str], _Ctx], "_Span | None"]
_RULES: list[tuple[re.Pattern[str], _Handler]] = []
_PERIOD_RULES: list[tuple[re.Pattern[str], _Handler]] = []


def _rule(
    template: str, table: list[tuple[re.Pattern[str], _Handler]] = _RULES
) -> Callable[[_Handler], _Handler]:
    """Register a handler for expressions that fully match `template` (first match wins)."""

    def register(handler: _Handler) -> _Handler:
        table.append((_compile(template), handler))
        return handler

    return register


def _period_rule(template: str) -> Callable[[_Handler], _Handler]:
    return _rule(template, _PERIOD_RULES)


# ---------------------------------------------------------------- calendar helpers


def _day(d: date) -> _Span:
    return _Span(d, d, Granularity.day, "day")


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _shift_month(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + k
    return index // 12, index % 12 + 1


def _month(year: int, month: int) -> _Span:
    return _Span(
        date(year, month, 1), date(year, month, _last_day(year, month)), Granularity.month, "month"
    )


def _year(year: int) -> _Span:
    return _Span(date(year, 1, 1), date(year, 12, 31), Granularity.year, "year")


def _quarter(year: int, q: int) -> _Span:
    first = _month(year, 3 * q - 2)
    last = _month(year, 3 * q)
    return _Span(first.start, last.end, Granularity.quarter, "quarter")


def _half(year: int, h: int) -> _Span:
    start = date(year, 1, 1) if h == 1 else date(year, 7, 1)
    end = date(year, 6, 30) if h == 1 else date(year, 12, 31)
    return _Span(start, end, Granularity.half_year, "half")


def _season(year: int, s: int) -> _Span:
    first = _SEASON_FIRST_MONTH[s]
    end_year, end_month = _shift_month(year, first, 2)
    return _Span(
        date(year, first, 1),
        date(end_year, end_month, _last_day(end_year, end_month)),
        Granularity.season,
        "season",
    )


def _week(d: date) -> _Span:
    monday = d - timedelta(days=d.weekday())
    return _Span(monday, monday + timedelta(days=6), Granularity.week, "week")


def _weekend(d: date) -> _Span:
    monday = d - timedelta(days=d.weekday())
    return _Span(
        monday + timedelta(days=5), monday + timedelta(days=6), Granularity.week, "weekend"
    )


def _decade(first_year: int) -> _Span:
    return _Span(
        date(first_year, 1, 1), date(first_year + 9, 12, 31), Granularity.unknown, "decade"
    )


def _size_granularity(start: date, end: date) -> Granularity:
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


def _span(start: date, end: date) -> _Span:
    return _Span(start, end, _size_granularity(start, end), "span")


def _add(d: date, n: int, unit: str) -> date:
    """`d` moved by `n` units (months and years clamp the day: Jan 31 + 1 month = Feb 28)."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    if unit == "fortnight":
        return d + timedelta(weeks=2 * n)
    months = {"month": 1, "year": 12, "decade": 120}[unit] * n
    year, month = _shift_month(d.year, d.month, months)
    return date(year, month, min(d.day, _last_day(year, month)))


def _pick(candidates: Iterable[_Span], p: date, how: str) -> _Span:
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
        raise _Unresolved("not a valid calendar date")
    return pool[0]


def _yearly(make: Callable[[int], _Span], p: date, how: str) -> _Span:
    """Pick among yearly occurrences; `make` may raise ValueError (Feb 29 in other years)."""
    candidates = []
    for year in range(p.year - 5, p.year + 6):
        try:
            candidates.append(make(year))
        except ValueError:
            continue
    return _pick(candidates, p, how)


def _rel(word: str | None) -> str:
    """Map "last/next/this..." to a `_pick` mode (None = bare)."""
    if word in ("last", "previous", "this past", "past"):
        return "last"
    if word in ("next", "coming", "this coming", "following"):
        return "next"
    return "bare"


def _year_ref(ref: str, ctx: _Ctx) -> int:
    if ref[0].isdigit():
        return int(ref)
    if ref.startswith(("last", "previous")):
        return ctx.p.year - 1
    if ref.startswith("next"):
        return ctx.p.year + 1
    return ctx.p.year


def _number(word: str) -> int:
    return _NUMBERS[word] if word in _NUMBERS else int(word)


def _two_digit_year(yy: int, ctx: _Ctx) -> int:
    """The year ending in `yy` nearest to the publication year (ties go to the past)."""
    base = ctx.p.year - ctx.p.year % 100 + yy
    return min((base - 100, base, base + 100), key=lambda y: (abs(y - ctx.p.year), y))


# ---------------------------------------------------------------- text cleaning


def _clean(text: str) -> tuple[str, frozenset[str]]:
    """Lower-case, unify punctuation, drop articles and leading prepositions (returned)."""
    s = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r"[\u2010-\u2015]", "-", s)
    s = re.sub(r"(?<=[a-z])\.", " ", s)  # "Dec." -> "dec"
    s = re.sub(r"(?<=[a-z])-(?=[a-z0-9'])", " ", s)  # "mid-March", "third-quarter"
    s = re.sub(r"(?<=[0-9])-(?=[a-z])", " ", s)  # "2023-style" suffixes, "3-day"
    s = s.replace(",", " ")
    s = s.strip(' \t\r\n.;:!?"()[]{}')
    words = [w for w in s.split() if w != "the"]
    preps: set[str] = set()
    while words and words[0] in _LEADING:
        preps.add(words.pop(0))
    return " ".join(words), frozenset(preps)


# ---------------------------------------------------------------- public entry point


def normalize(
    text: str,
    published: date | None,
    tense: str | None = None,
    *,
    antecedents: Sequence[TimeExpr] | None = None,
) -> TimeExpr:
    """Resolve a time expression to an ISO date interval relative to `published`.

    `tense` ("past", "future", "present" or None) is the tense of the clause the
    expression belongs to; it only decides between past and future occurrences of
    bare cyclic expressions ("on Monday", "in January"). Never raises on odd text:
    what cannot be resolved comes back with null dates and a `note` saying why.

    `antecedents` are the times the text mentions before the expression, oldest
    first (unresolved ones are ignored). With them, anaphora resolve: "the same day",
    "that week", "the same period a year earlier", "three days later". An empty list
    means the text was read and gave none, so "the day" is the publication day; None
    (the default) means there is no text, and anaphora stay unresolved.
    `summarizer.times.in_context.normalize_in` finds both tense and antecedents in an
    article.
    """
    if tense is not None:
        tense = tense.strip().lower()
        if tense not in ("past", "future", "present"):
            raise UsageError(
                f"tense must be 'past', 'future', 'present' or None, not {tense!r}; "
                "pass None when the tense is unknown"
            )
    given = text.strip()
    if not given:
        return TimeExpr(text=given, note="empty expression")
    if len(given) > _MAX_CHARS:
        return TimeExpr(
            text=given, note=f"longer than {_MAX_CHARS} characters: not a time expression"
        )
    cleaned, preps = _clean(given)
    ctx = _Ctx(published, tense, preps, antecedents)
    try:
        span = _resolve(cleaned, ctx)
    except _Unresolved as unresolved:
        return TimeExpr(text=given, note=unresolved.note)
    except (ValueError, OverflowError):
        # Out-of-range calendar arithmetic (year 1 or 9999, "February 30").
        return TimeExpr(text=given, note="not a valid calendar date")
    return TimeExpr(text=given, start=span.start, end=span.end, granularity=span.granularity)


def _from_expr(expr: TimeExpr) -> _Span | None:
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
    return _Span(expr.start, expr.end, expr.granularity, unit)


def _resolve(s: str, ctx: _Ctx) -> _Span:
    if not s:
        raise _Unresolved("no time expression left after removing prepositions and articles")
    span = _first_match(s, (_RULES, _PERIOD_RULES), ctx)
    if span is None and s.endswith("'s") and len(s) > 2:
        # A possessive names the same time: "Friday's vote", "Jan. 20's deadline".
        span = _first_match(s[:-2], (_RULES, _PERIOD_RULES), ctx)
    if span is None:
        if _FROM_ANTECEDENT.fullmatch(s):
            raise _Unresolved(_ANAPHORIC)
        raise _Unresolved("no rule matches this expression")
    return span


def _first_match(
    s: str, tables: Iterable[list[tuple[re.Pattern[str], _Handler]]], ctx: _Ctx
) -> _Span | None:
    for table in tables:
        for pattern, handler in table:
            match = pattern.fullmatch(s)
            if match:
                span = handler(match, ctx)
                if span is not None:
                    return span
    return None


def _period(s: str, ctx: _Ctx) -> _Span | None:
    """Resolve what a modifier applies to ("early <March 2023>"), or None if no rule matches.

    Calendar periods come first so that "year" means the current year here, although
    the bare word alone is anaphoric; then any other expression ("early <Monday>").
    """
    return _first_match(s, (_PERIOD_RULES, _RULES), ctx)


# ---------------------------------------------------------------- rules: anaphora

_ANAPHORIC = "refers to a time given elsewhere in the text (anaphoric)"
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


@_rule(
    r"(?:(?:same|that|very|its|their|his|her|entire|whole|full) )*"
    r"(?P<unit>day|date|morning|afternoon|evening|night|week|month|quarter|year|decade|time|"
    r"period)(?: (?P<shift>(?:a|one) year (?:ago|earlier|before|previously|later|after)|"
    r"(?:last|previous|prior|next|following) year|year (?:before|earlier|later|after)))?|"
    r"(?P<pronoun>which|then)"
)
def _anaphor(m: re.Match[str], ctx: _Ctx) -> _Span:
    """Anaphora of a day or unit: the same day, that week, the same period last year."""
    if ctx.antecedents is None:
        raise _Unresolved(_ANAPHORIC)
    unit = _ANAPHOR_UNIT[m["unit"] or m["pronoun"]]
    span = _antecedent(ctx, unit)
    if span is None:
        if unit is None:
            raise _Unresolved(_ANAPHORIC + ", and the text gives no time before it")
        # The text names no such time before: news then speaks of its own day, week...
        span = _containing(unit, ctx.p)
    if m["shift"]:
        span = _shift(span, -1 if m["shift"].startswith(_BACKWARD) or
                      m["shift"].endswith(_BACKWARD) else 1, "year")  # fmt: skip
    return span


_FROM_ANTECEDENT_TEMPLATE = (
    r"(?P<n>%NUM%) (?P<unit>%UNIT%)s? (?P<dir>later|earlier|after|before|afterwards?|"
    r"previously|on)|(?P<rel>following|previous|prior|preceding) (?P<unit2>day|week|month|"
    r"quarter|year)|(?P<next>next) day|(?P<unit3>day|week|month|year) (?P<dir3>before|after|"
    r"previous|earlier|later|prior|afterwards?)"
)


@_rule(_FROM_ANTECEDENT_TEMPLATE)
def _from_antecedent(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """Times counted from the last one given: three days later, the year before."""
    if not ctx.antecedents:
        return None  # no text, or no time in it: the deictic rules read it from `published`
    if m["unit3"] == "year" and m["dir3"] == "earlier" and _reported_period(ctx, "period"):
        return None  # "year-earlier profit" after a quarter: that quarter (`_year_ago_modifier`)
    if m["n"]:
        _no_vague_count(m["n"])
        n, unit = _number(m["n"]), _UNITS[m["unit"]]
        sign = -1 if m["dir"] in _BACKWARD else 1
        # "two days later" moves the time just given, at its own granularity.
        base = next((a for a in reversed(ctx.antecedents) if _days(a) <= _UNIT_DAYS[unit]), None)
        if base is None:
            # "two weeks earlier" than "the 1990s": the text gives nothing that precise.
            raise _Unresolved(_ANAPHORIC + ", and no time before it is precise enough")
        return _shift(base, sign * n, unit)
    unit = m["unit2"] or m["unit3"] or "day"
    sign = -1 if (m["rel"] or m["dir3"] or "").startswith(_BACKWARD) else 1
    base = _antecedent(ctx, unit)
    if base is None:
        raise _Unresolved(_ANAPHORIC + ", and no time before it is precise enough")
    return _containing(unit, _shift(base, sign, unit).start)


@_rule(
    r"(?:%NUM%) (?:%UNIT%)s? (?:later|earlier|sooner|behind|ahead of) (?:than )?"
    r"(?:originally |initially |first |previously )?(?:planned|expected|scheduled|"
    r"anticipated|intended|forecast|announced|schedule)"
)
def _delay(m: re.Match[str], ctx: _Ctx) -> _Span:
    # "arrives on November 11, three days later than planned": the phrase describes the
    # time just given (November 11), not a time of its own.
    if not ctx.antecedents:
        raise _Unresolved("describes a delay of a time given elsewhere in the text (anaphoric)")
    return ctx.antecedents[-1]


@_rule(
    r"(?:same|that|this|very|its|their|his|her) (?:day|week|month|year|time|period|date)|"
    r"(?:same|that) .*"
)
def _other_anaphor(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    # "this week/month/year" are deictic, resolved by the period rules.
    if m.group(0) in ("this week", "this month", "this year"):
        return None
    raise _Unresolved(_ANAPHORIC)


@_rule(
    r"(?:a |an )?(?:%NUM%|%ORD%|[0-9]+(?:st|nd|rd|th)) (?:consecutive|straight|successive) "
    r"(?P<unit>day|week|month|quarter|year)s?|"
    r"(?:%ORD%|[0-9]+(?:st|nd|rd|th)) (?P<unit2>day|week|month|quarter|year) (?:in a row|running)"
)
def _streak(m: re.Match[str], ctx: _Ctx) -> _Span:
    # "for a third straight day": a streak reported in the news runs up to the news.
    return _containing(m["unit"] or m["unit2"], ctx.p)


_FROM_ANTECEDENT = _compile(_FROM_ANTECEDENT_TEMPLATE)


def _days(span: _Span) -> int:
    return (span.end - span.start).days + 1


def _antecedent(ctx: _Ctx, unit: str | None) -> _Span | None:
    """The latest time given before that fits in `unit`, widened to that unit."""
    for span in reversed(ctx.antecedents or ()):
        if unit is None:
            return span
        if _days(span) <= _UNIT_DAYS[unit]:
            return _containing(unit, span.start)
    return None


def _containing(unit: str, d: date) -> _Span:
    if unit == "day":
        return _day(d)
    if unit in ("week", "fortnight"):
        return _week(d)
    if unit == "month":
        return _month(d.year, d.month)
    if unit == "quarter":
        return _quarter(d.year, (d.month - 1) // 3 + 1)
    if unit == "decade":
        return _decade(d.year - d.year % 10)
    return _year(d.year)


_CALENDAR_UNITS = ("month", "quarter", "season", "half", "year", "decade")


def _shift(span: _Span, n: int, unit: str) -> _Span:
    """`span` moved by `n` units, keeping its own size ("that March" a year on is March)."""
    if unit == "quarter":
        n, unit = 3 * n, "month"
    start = _add(span.start, n, unit)
    if unit in ("month", "year") and span.unit in _CALENDAR_UNITS:
        year, month = _shift_month(span.end.year, span.end.month, n * (12 if unit == "year" else 1))
        end = date(year, month, _last_day(year, month))
    elif span.unit == "week":
        return _week(start)
    elif span.unit == "weekend":
        return _weekend(start)
    else:
        end = _add(span.end, n, unit)
    return _Span(start, end, span.granularity, span.unit)


# ---------------------------------------------------------------- rules: financial periods

# Words that name a reporting period in results news ("the year-earlier period").
_PERIOD_WORDS = (
    r"(?:fiscal |financial )?(?P<unit>quarter|period|three months|six months|nine months|half)"
)
_PERIOD_MONTHS = {"quarter": 3, "three months": 3, "six months": 6, "half": 6, "nine months": 9,
                  "year": 12, "fiscal year": 12, "financial year": 12, "twelve months": 12,
                  "12 months": 12}  # fmt: skip


def _last_quarter_ended(p: date) -> _Span:
    """The latest calendar quarter that has ended by `p` (what results news reports on)."""
    year, month = _shift_month(p.year, p.month, -3)
    return _quarter(year, (month - 1) // 3 + 1)


def _reported_period(ctx: _Ctx, unit: str) -> _Span | None:
    """The period the text is reporting on, else None: its latest quarter for "quarter" and
    "three months", its latest time of about that length for "six/nine months" and "half",
    and for "period" its latest time longer than a month and not a calendar year."""
    months = _PERIOD_MONTHS.get(unit)
    for span in reversed(ctx.antecedents or ()):
        if unit in ("quarter", "three months"):
            if span.unit == "quarter":
                return span
        elif months is not None:
            if abs(_days(span) - 30.44 * months) <= 4:
                return span
        elif span.unit in ("quarter", "half", "season", "span", "year") and (
            32 <= _days(span) <= 366
            and not (span.unit == "year" and (span.start.month, span.start.day) == (1, 1))
        ):
            return span
    return None


# "In the comparable period last year": the words that shift a period a year back.
_A_YEAR_BACK = re.compile(
    r"(?P<rest>.+?)(?: (?:a |one )?year (?:ago|earlier|before)| (?:of )?(?:last|previous|prior) "
    r"year)?"
)


@_rule(r"(?P<lead>year earlier|year ago|prior year|previous year|year before|last year's|"
       r"previous year's|year earlier's|comparable|corresponding|like) (?P<rest>.+)")  # fmt: skip
def _year_earlier(m: re.Match[str], ctx: _Ctx) -> _Span | None:
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
        return _period(f"{rest} {ctx.p.year - 1}", ctx)
    if bare is None:
        # "the year-earlier first quarter": a period of its own, one year back.
        span = _period(rest, ctx)
        return None if span is None or span.unit == "day" else _shift(span, -1, "year")
    if ctx.antecedents is None:
        raise _Unresolved(_ANAPHORIC)
    unit = bare["unit"]
    base = _reported_period(ctx, unit)
    if base is None:
        if unit not in ("quarter", "three months"):
            raise _Unresolved(_ANAPHORIC + ", and the text gives no period before it")
        base = _last_quarter_ended(ctx.p)
    return _shift(base, -1, "year")


@_rule(r"year earlier|year ago")
def _year_ago_modifier(m: re.Match[str], ctx: _Ctx) -> _Span:
    """"Year-ago profit": of the period the text reports on, a year back; else, like "a year
    ago", the calendar year before `published`'s."""
    base = _reported_period(ctx, "period")
    if base is not None:
        return _shift(base, -1, "year")
    return _year(ctx.p.year - 1)


@_rule(r"(?:latest|most recent|recent|just ended|just completed|just finished|latest reported) "
       + _PERIOD_WORDS + r"|(?P<unit2>quarter|period) just (?:ended|completed|finished)")
def _latest_period(m: re.Match[str], ctx: _Ctx) -> _Span:
    """The latest quarter (period): the one the text reports on, else the last one ended."""
    unit = m["unit"] or m["unit2"]
    base = _reported_period(ctx, unit) if ctx.antecedents else None
    if base is None and unit not in ("quarter", "three months", "period"):
        raise _Unresolved(_ANAPHORIC + ", and the text gives no such period before it")
    return base or _last_quarter_ended(ctx.p)


@_rule(r"first (?P<n>%NUM%) months(?: (?:of |in )?(?P<rest>.+))?")
def _first_months(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """The first nine months (of the year): January to September of the year meant."""
    n = _number(m["n"])
    if not 1 <= n <= 12:
        raise _Unresolved("a year has twelve months")
    if m["rest"]:
        whole = _period(m["rest"], ctx)
        if whole is None or whole.unit != "year":
            return None
        year = whole.start.year
    else:
        # Of the year reported on, else the latest year whose first n months are over.
        year = ctx.p.year if date(ctx.p.year, n, _last_day(ctx.p.year, n)) < ctx.p else (
            ctx.p.year - 1)
        for span in reversed(ctx.antecedents or ()):
            if _days(span) <= 366:
                year = span.end.year
                break
    start, end = date(year, 1, 1), date(year, n, _last_day(year, n))
    if n in (3, 6, 12):
        return {3: _quarter(year, 1), 6: _half(year, 1), 12: _year(year)}[n]
    return _span(start, end)


@_rule(r"(?P<year>%YEAR%) (?:fiscal |financial )?(?P<unit>period|quarter|three months|"
       r"six months|nine months|half)")  # fmt: skip
def _year_period(m: re.Match[str], ctx: _Ctx) -> _Span:
    """"The 2005 period": the period the text reports on, in 2005."""
    if not ctx.antecedents:
        raise _Unresolved(_ANAPHORIC + ": which period of the year is not given before it")
    base = _reported_period(ctx, m["unit"])
    if base is None:
        raise _Unresolved(_ANAPHORIC + ", and the text gives no period before it")
    return _shift(base, int(m["year"]) - base.end.year, "year")


@_rule(r"(?:(?:its|their|our) )?(?:(?P<ord>%ORD%|final|last) )?(?:fiscal |financial )?"
       r"(?:(?P<ord2>%ORD%|final) )?"
       r"(?P<what>quarter|three months|six months|nine months|half|year|fiscal year|"
       r"financial year|twelve months|12 months|week) (?:that )?(?P<verb>ended|ending|ends|end|"
       r"closed|closing|through|to) (?P<date>.+)")  # fmt: skip
def _period_ended(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """A reporting period named by its last day: "the fiscal quarter ended Dec. 31"."""
    what = m["what"]
    if (m["ord"] or m["ord2"]) and what not in ("quarter", "half", "week"):
        return None
    # The quarter "ended" on a day already past: look back, whatever the clause's tense.
    tense = "past" if m["verb"] in ("ended", "closed") else ctx.tense
    last = _first_match(m["date"], (_RULES,), _Ctx(ctx.published, tense, frozenset()))
    if last is None or last.unit != "day":
        return None
    end = last.end
    if what == "week":
        # "the week ended Friday": the seven days up to it (an ISO week if it is a Sunday).
        if end.weekday() == 6:
            return _week(end)
        return _Span(end - timedelta(days=6), end, Granularity.week, "span")
    months = _PERIOD_MONTHS[what]
    if end.day == _last_day(end.year, end.month):
        year, month = _shift_month(end.year, end.month, 1 - months)
        start = date(year, month, 1)
    else:
        start = _add(end, -months, "month") + timedelta(days=1)
    unit = {3: "quarter", 6: "half", 12: "year"}.get(months, "span")
    granularity = {3: Granularity.quarter, 6: Granularity.half_year, 12: Granularity.year}.get(
        months, _size_granularity(start, end)
    )
    return _Span(start, end, granularity, unit)


def _fiscal_end(ctx: _Ctx) -> tuple[int, int] | None:
    """The month and day a fiscal year ends, where the text gave a fiscal year before."""
    for span in reversed(ctx.antecedents or ()):
        if span.unit == "year" and (span.start.month, span.start.day) != (1, 1):
            return span.end.month, span.end.day
    return None


def _fiscal_year(year: int, ctx: _Ctx) -> _Span:
    """Fiscal `year`: the twelve months ending in `year` on the fiscal year end the text gave;
    else calendar `year` (a fiscal year is named after the calendar year it ends in)."""
    end = _fiscal_end(ctx)
    if end is None or end == (12, 31):
        return _year(year)
    month, day = end
    last = date(year, month, min(day, _last_day(year, month)))
    first_year, first_month = _shift_month(year, month, -11)
    start = date(first_year, first_month, 1) if day >= _last_day(year, month) else (
        _add(last, -12, "month") + timedelta(days=1))
    return _Span(start, last, Granularity.year, "year")


@_period_rule(r"(?:fiscal|financial) (?:year )?(?:(?P<year>%YEAR%)|'?(?P<yy>[0-9]{2}))|"
              r"fy ?(?:(?P<year2>%YEAR%)|'?(?P<yy2>[0-9]{2}))|"
              r"(?P<year3>%YEAR%) (?:fiscal|financial) year")  # fmt: skip
def _fiscal_named(m: re.Match[str], ctx: _Ctx) -> _Span:
    year = m["year"] or m["year2"] or m["year3"]
    yy = m["yy"] or m["yy2"]
    return _fiscal_year(int(year) if year else _two_digit_year(int(yy), ctx), ctx)


@_period_rule(r"(?:(?P<rel>this|current|last|previous|prior|next|coming) )?"
              r"(?:fiscal|financial) year")  # fmt: skip
def _fiscal_relative(m: re.Match[str], ctx: _Ctx) -> _Span:
    p = ctx.p
    current = _fiscal_year(p.year, ctx)
    if current.end < p:
        current = _fiscal_year(p.year + 1, ctx)
    shift = {"last": -1, "previous": -1, "prior": -1, "next": 1, "coming": 1}.get(m["rel"] or "", 0)
    return _fiscal_year(current.end.year + shift, ctx)


@_period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal |financial )?quarter (?:of )?"
              r"(?:fiscal|financial|fy) (?:year )?(?P<year>%YEAR%)|"
              r"(?:fiscal|fy) (?P<year2>%YEAR%) (?P<ord2>%ORD%|final|last) quarter")  # fmt: skip
def _fiscal_quarter(m: re.Match[str], ctx: _Ctx) -> _Span:
    q = _QUARTER_ORD[m["ord"] or m["ord2"]]
    if q > 4:
        raise _Unresolved("a year has four quarters")
    fiscal = _fiscal_year(int(m["year"] or m["year2"]), ctx)
    if fiscal.unit == "year" and fiscal.start == date(fiscal.end.year, 1, 1):
        return _quarter(fiscal.end.year, q)
    start = _add(fiscal.start, 3 * (q - 1), "month")
    end = _add(fiscal.start, 3 * q, "month") - timedelta(days=1)
    return _Span(start, end, Granularity.quarter, "quarter")


@_period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal|financial) quarter|"
              r"(?:fiscal|financial) (?P<ord2>%ORD%|final|last) quarter")  # fmt: skip
def _fiscal_quarter_bare(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """"The fiscal first quarter": of the fiscal year the text gave, else a calendar quarter."""
    end = _fiscal_end(ctx)
    q = _QUARTER_ORD[m["ord"] or m["ord2"]]
    if q > 4:
        return None
    p = ctx.p
    if end is None or end == (12, 31):
        return _yearly(lambda y: _quarter(y, q), p, ctx.how("nearest"))
    candidates = []
    for year in range(p.year - 2, p.year + 3):
        fiscal = _fiscal_year(year, ctx)
        start = _add(fiscal.start, 3 * (q - 1), "month")
        candidates.append(_Span(start, _add(fiscal.start, 3 * q, "month") - timedelta(days=1),
                                Granularity.quarter, "quarter"))  # fmt: skip
    return _pick(candidates, p, ctx.how("nearest"))


# ---------------------------------------------------------------- rules: year ends, holidays


@_rule(r"(?:(?P<year>%YEAR%) )?(?:year end|yearend|year's end)(?: (?P<year2>%YEAR%))?")
def _year_end(m: re.Match[str], ctx: _Ctx) -> _Span:
    """Year-end is December: of the year given, else of the current year, except that early
    in a year a past or untensed year-end ("debt at year-end") is the one just gone."""
    if m["year"] or m["year2"]:
        return _month(int(m["year"] or m["year2"]), 12)
    p = ctx.p
    looking_ahead = ctx.tense == "future" or (
        ctx.tense is None and ctx.preps & {"by", "until", "till", "through", "before"}
    )
    if p.month <= 2 and not looking_ahead:
        return _month(p.year - 1, 12)
    return _month(p.year, 12)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (from 1; -1 is the last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, _last_day(year, month))
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


@_rule(r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<name>"
       + _alt(_HOLIDAYS) + r")(?: (?:of )?(?P<yref>%YREF%))?|(?P<year>%YEAR%) (?P<name2>"
       + _alt(_HOLIDAYS) + ")")  # fmt: skip
def _holiday(m: re.Match[str], ctx: _Ctx) -> _Span:
    day_of = _HOLIDAYS[m["name"] or m["name2"]]
    if m["year"]:
        return _day(day_of(int(m["year"])))
    if m["yref"]:
        return _day(day_of(_year_ref(m["yref"], ctx)))
    rel = _rel(m["rel"])
    if m["rel"] == "this":
        rel = "bare"
    return _yearly(lambda y: _day(day_of(y)), ctx.p, ctx.how("nearest") if rel == "bare" else rel)


# ---------------------------------------------------------------- rules: days


@_rule(
    r"(?:today|tonight|now|right now|(?:earlier|later) today|today %PART%|"
    r"this (?:morning|afternoon|evening|night|midday|noon))(?:'s)?"
)
def _today(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _day(ctx.p)


@_rule(r"yesterday(?:'s)?%PART%|last night|day before yesterday")
def _yesterday(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _day(ctx.p - timedelta(days=2 if m.group(0).startswith("day") else 1))


@_rule(r"tomorrow(?:'s)?%PART%|day after tomorrow")
def _tomorrow(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _day(ctx.p + timedelta(days=2 if m.group(0).startswith("day") else 1))


# ---------------------------------------------------------------- rules: explicit dates


def _explicit(year: int | None, month: int, day: int, ctx: _Ctx, weekday: str | None) -> _Span:
    if not 1 <= day <= 31:
        raise _Unresolved("not a valid calendar date")
    if year is None:
        if day > _last_day(2000, month):  # 2000 is a leap year: Feb 29 passes
            raise _Unresolved("not a valid calendar date")
        if ctx.published is None:
            raise _Unresolved("no year given: needs the publication date to choose one")
        span = _yearly(lambda y: _day(date(y, month, day)), ctx.p, ctx.how("nearest"))
    else:
        try:
            span = _day(date(year, month, day))
        except ValueError:
            raise _Unresolved("not a valid calendar date") from None
    if weekday is not None and _WEEKDAYS[weekday] != span.start.weekday():
        raise _Unresolved(
            f"the weekday does not match the date ({span.start.isoformat()} is a "
            f"{calendar.day_name[span.start.weekday()]})"
        )
    return span


@_rule(r"(?:(?P<wd>%WD%) )?(?P<day>%DAY%) (?:of )?(?P<month>%MONTH%)(?: (?P<year>%YEAR%))?")
def _day_month(m: re.Match[str], ctx: _Ctx) -> _Span:
    year = int(m["year"]) if m["year"] else None
    day = int(re.sub(r"\D", "", m["day"]))
    return _explicit(year, _MONTHS[m["month"]], day, ctx, m["wd"])


@_rule(r"(?:(?P<wd>%WD%) )?(?P<month>%MONTH%) (?P<day>%DAY%)(?: (?P<year>%YEAR%))?")
def _month_day(m: re.Match[str], ctx: _Ctx) -> _Span:
    year = int(m["year"]) if m["year"] else None
    day = int(re.sub(r"\D", "", m["day"]))
    return _explicit(year, _MONTHS[m["month"]], day, ctx, m["wd"])


@_rule(r"(?P<year>%YEAR%)(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})")
def _iso(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _explicit(int(m["year"]), int(m["month"]), int(m["day"]), ctx, None)


@_rule(r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})")
def _numeric(m: re.Match[str], ctx: _Ctx) -> _Span:
    a, b = int(m["a"]), int(m["b"])
    if len(m["year"]) == 2 and ctx.published is None:
        raise _Unresolved("two-digit year: needs the publication date to choose the century")
    year = int(m["year"]) if len(m["year"]) == 4 else _two_digit_year(int(m["year"]), ctx)
    readings = {}
    for label, month, day in (("month/day", a, b), ("day/month", b, a)):
        try:
            readings[label] = date(year, month, day)
        except ValueError:
            continue
    distinct = set(readings.values())
    if not distinct:
        raise _Unresolved("not a valid calendar date in either month/day or day/month order")
    if len(distinct) > 1:
        # The text may already have named one of the two days ("Sunday ... 7/8/07").
        named = [d for d in distinct if any(a.start == d == a.end for a in ctx.antecedents or ())]
        if len(named) == 1:
            return _day(named[0])
        us, eu = readings["month/day"], readings["day/month"]
        raise _Unresolved(
            f"ambiguous numeric date: {us.isoformat()} if month/day (US), "
            f"{eu.isoformat()} if day/month"
        )
    return _day(distinct.pop())


@_rule(r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)")
def _day_of_month(m: re.Match[str], ctx: _Ctx) -> _Span:
    day = int(m["day"])
    if not 1 <= day <= 31:
        raise _Unresolved("not a valid day of the month")
    p = ctx.p
    candidates = []
    for k in range(-13, 14):
        year, month = _shift_month(p.year, p.month, k)
        if day <= _last_day(year, month):
            candidates.append(_day(date(year, month, day)))
    return _pick(candidates, p, ctx.how("nearest"))


# ---------------------------------------------------------------- rules: weekdays, weekends


def _weekday_span(wd: int, rel: str, ctx: _Ctx) -> _Span:
    p = ctx.p
    candidates = [
        _day(p + timedelta(days=k))
        for k in range(-14, 15)
        if (p + timedelta(days=k)).weekday() == wd
    ]
    return _pick(candidates, p, ctx.how("past") if rel == "bare" else rel)


@_rule(r"(?:(?P<rel>this coming|this past|coming|this|last|next|past) )?(?P<wd>%WD%)%PART%")
def _weekday(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _weekday_span(_WEEKDAYS[m["wd"]], _rel(m["rel"]), ctx)


@_rule(r"(?P<wd>%WD%)%PART% (?:of )?(?P<rel>this|last|next|previous) week")
def _weekday_of_week(m: re.Match[str], ctx: _Ctx) -> _Span:
    shift = {"last": -1, "previous": -1, "next": 1}.get(m["rel"], 0)
    week = _week(ctx.p + timedelta(weeks=shift))
    return _day(week.start + timedelta(days=_WEEKDAYS[m["wd"]]))


@_rule(r"(?:(?P<rel>this coming|this past|coming|this|last|next|past) )?weekend")
def _weekend_rule(m: re.Match[str], ctx: _Ctx) -> _Span:
    p = ctx.p
    rel = _rel(m["rel"])
    if m["rel"] == "this":
        # "this weekend": the one of the current week, unless told the clause is past.
        if ctx.tense == "past" and p.weekday() < 5:
            return _weekend(p - timedelta(weeks=1))
        return _weekend(p)
    if rel == "next":
        return _weekend(p + timedelta(weeks=1))  # "this weekend" is the current week's
    candidates = [_weekend(p + timedelta(weeks=k)) for k in range(-2, 3)]
    # A bare "the weekend" follows the weekday rule: the latest one begun by `p` by default.
    return _pick(candidates, p, ctx.how("past") if rel == "bare" else rel)


# ---------------------------------------------------------------- rules: counted offsets


@_rule(r"(?P<n>%NUM%) (?P<unit>%UNIT%)s? (?:ago|earlier|before now)")
def _ago(m: re.Match[str], ctx: _Ctx) -> _Span:
    _no_vague_count(m["n"])
    if m["unit"] == "year" and _number(m["n"]) == 1:
        # "profit in the third quarter rose from a year ago": that quarter, a year back.
        base = _reported_period(ctx, "period")
        if base is not None and base is (ctx.antecedents or ())[-1]:
            return _shift(base, -1, "year")
    return _offset(-_number(m["n"]), m["unit"], ctx)


def _no_vague_count(word: str) -> None:
    if word in ("a few", "few"):
        raise _Unresolved("vague count ('a few'): no single date")


@_rule(r"(?P<n>%NUM%) (?P<unit>%UNIT%)(?:s|'s|s')?(?: (?P<tail>time|from now|from today|hence))?")
def _in(m: re.Match[str], ctx: _Ctx) -> _Span:
    if m["tail"] in (None, "time") and "in" not in ctx.preps:
        raise _Unresolved("a duration, not a date (say 'in two weeks' or 'two weeks ago')")
    _no_vague_count(m["n"])
    return _offset(_number(m["n"]), m["unit"], ctx)


def _offset(n: int, unit: str, ctx: _Ctx) -> _Span:
    moved = _add(ctx.p, n, _UNITS[unit])
    if unit == "month":
        return _month(moved.year, moved.month)
    if unit == "year":
        return _year(moved.year)
    return _day(moved)


@_rule(r"within (?:next |coming )?(?:(?P<n>%NUM%) )?(?P<unit>%UNIT%)(?:s|'s)?(?: time)?")
def _within(m: re.Match[str], ctx: _Ctx) -> _Span:
    p = ctx.p
    if m["n"] is None:
        return _span(p, _add(p, 1, _VAGUE_PLURAL[m["unit"]]))
    return _span(p, _add(p, _number(m["n"]), _UNITS[m["unit"]]))


@_rule(r"(?P<rel>next|coming|past|last|recent|previous)(?: (?P<n>%NUM%|several))? "
       r"(?P<unit>%UNIT%)(?P<plural>s)?")  # fmt: skip
def _trailing(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    rel, unit = m["rel"], m["unit"]
    if m["n"] is None and m["plural"] is None and rel in ("next", "last", "previous"):
        return None  # "next week", "last year": calendar units, see the period rules
    p = ctx.p
    if m["n"] in (None, "several"):
        end = _add(p, 1, _VAGUE_PLURAL[unit]) if m["plural"] else _add(p, 1, _UNITS[unit])
        forward = end
        backward = p - (end - p)
    else:
        forward = _add(p, _number(m["n"]), _UNITS[unit])
        backward = _add(p, -_number(m["n"]), _UNITS[unit])
    if rel in ("next", "coming"):
        return _span(p, forward)
    return _span(backward, p)


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


def _subunits(span: _Span) -> list[_Span]:
    """The span cut into its next smaller calendar unit (days, months or years)."""
    if span.unit in ("month", "week", "weekend", "day", "span"):
        n = (span.end - span.start).days + 1
        return [_day(span.start + timedelta(days=k)) for k in range(n)]
    if span.unit == "decade":
        return [_year(span.start.year + k) for k in range(10)]
    months = []
    year, month = span.start.year, span.start.month
    while date(year, month, 1) <= span.end:
        months.append(_month(year, month))
        year, month = _shift_month(year, month, 1)
    return months


def _join(parts: list[_Span], whole: _Span) -> _Span:
    if len(parts) == 1:
        return parts[0]
    start, end = parts[0].start, parts[-1].end
    if whole.unit == "month":
        return _Span(start, end, Granularity.part_of_month, "span")
    return _span(start, end)


def _period_or_fail(s: str, ctx: _Ctx) -> _Span:
    span = _period(s, ctx)
    if span is None:
        raise _Unresolved(f"not a calendar period: {s!r}")
    return span


@_rule(r"(?P<mod>early|mid|middle|late|beginning|start|end|close) (?:(?:of|in) )?(?P<rest>.+)")
def _part(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    whole = _period(m["rest"], ctx)
    if whole is None:
        return None
    if whole.unit == "day":
        return whole  # "late in the day", "early Monday": still that day
    table = _PARTS.get(whole.unit)
    if table is None:
        raise _Unresolved(f"cannot take the {m['mod']} of this period")
    mod = _MODIFIERS[m["mod"]]
    # "since the start of the year" counts from a day, not from a month-long beginning.
    if mod == "beginning" and ctx.preps & {"since", "from"}:
        return _day(whole.start)
    if mod == "end" and ctx.preps & {"until", "till", "through"}:
        return _day(whole.end)
    part = _take(table[mod], whole)
    if (
        ctx.how("nearest") == "future"
        and ctx.published is not None
        and part.end < ctx.published
        and _BARE_MONTH.fullmatch(m["rest"])
    ):
        # "will resume in mid-December", said on December 28: next December's.
        return _take(table[mod], _month(whole.start.year + 1, whole.start.month))
    return part


_BARE_MONTH = _compile(r"%MONTH%")


def _take(bounds: tuple[int, int], whole: _Span) -> _Span:
    first, last = bounds
    subs = _subunits(whole)
    last_index = len(subs) - 1 if last == -1 else last
    return _join(subs[first : last_index + 1], whole)


@_rule(r"(?P<rel>earlier|later) (?:(?:in|on) )?(?P<rest>.+)")
def _earlier_later(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    whole = _period(m["rest"], ctx)
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
            else _size_granularity(start, end)
        )
        return _Span(start, end, granularity, "span")
    # A period that does not contain the publication day: "later next month" = late next month.
    mod = "early" if m["rel"] == "earlier" else "late"
    table = _PARTS.get(whole.unit)
    if table is None:
        raise _Unresolved(f"cannot take the {mod} part of this period")
    first, last = table[mod]
    subs = _subunits(whole)
    return _join(subs[first : (len(subs) - 1 if last == -1 else last) + 1], whole)


@_rule(r"(?P<ord>first|1st|second|2nd|latter|last) half(?: (?:of )?(?P<rest>.+))?")
def _half_of(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    h = 1 if m["ord"] in ("first", "1st") else 2
    if m["rest"] is None:
        return _yearly(lambda y: _half(y, h), ctx.p, ctx.how("nearest"))
    whole = _period(m["rest"], ctx)
    if whole is None:
        return None
    if whole.unit == "day":
        return whole  # "the second half of the day": still that day
    if whole.unit == "year" and (whole.start.month, whole.start.day) == (1, 1):
        return _half(whole.start.year, h)
    subs = _subunits(whole)
    if whole.unit == "month":
        cut = 15
        parts = subs[:cut] if h == 1 else subs[cut:]
        return _Span(parts[0].start, parts[-1].end, Granularity.part_of_month, "span")
    middle = (len(subs) + 1) // 2
    return _join(subs[:middle] if h == 1 else subs[middle:], whole)


@_rule(r"(?P<ord>%ORD%|last|final) week (?:of |in )?(?P<rest>.+)")
def _week_of_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    whole = _period(m["rest"], ctx)
    if whole is None or whole.unit != "month":
        return None
    # ISO weeks, each counted in the month that holds most of its days (as ISO 8601
    # counts week 1 of a year): the first week holds the 4th, the last the 4th-to-last day.
    if m["ord"] in ("last", "final"):
        return _week(whole.end - timedelta(days=3))
    week = _week(whole.start + timedelta(days=3, weeks=_ORDINALS[m["ord"]] - 1))
    if week.start + timedelta(days=3) > whole.end:
        raise _Unresolved("the month has no such week")
    return week


# ---------------------------------------------------------------- period rules


@_period_rule(r"(?:year )?(?P<year>%YEAR%)")
def _year_rule(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _year(int(m["year"]))


@_period_rule(r"(?P<year>%YEAR%)-(?P<month>[0-9]{2})")
def _iso_month(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _month(int(m["year"]), int(m["month"]))


@_period_rule(r"'(?P<yy>[0-9]{2})")
def _short_year(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _year(_two_digit_year(int(m["yy"]), ctx))


@_period_rule(r"(?P<rel>this|current|last|previous|next|coming|following) (?P<unit>week|month|"
              r"year|quarter|decade)|(?P<bare>week|month|year|quarter|decade)")  # fmt: skip
def _relative_unit(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    if m["rel"] == "following":
        raise _Unresolved("relative to a time given elsewhere in the text (anaphoric)")
    p = ctx.p
    unit = m["unit"] or m["bare"]
    shift = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(m["rel"] or "this", 0)
    if unit == "week":
        return _week(p + timedelta(weeks=shift))
    if unit == "month":
        return _month(*_shift_month(p.year, p.month, shift))
    if unit == "year":
        return _year(p.year + shift)
    if unit == "decade":
        return _decade(p.year - p.year % 10 + 10 * shift)
    year, month = _shift_month(p.year, p.month, 3 * shift)
    return _quarter(year, (month - 1) // 3 + 1)


@_period_rule(r"(?P<month>%MONTH%) (?:of )?(?P<yref>%YREF%)")
def _month_year(m: re.Match[str], ctx: _Ctx) -> _Span:
    return _month(_year_ref(m["yref"], ctx), _MONTHS[m["month"]])


@_period_rule(r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<month>%MONTH%)")
def _bare_month(m: re.Match[str], ctx: _Ctx) -> _Span:
    month = _MONTHS[m["month"]]
    rel = _rel(m["rel"])
    return _yearly(lambda y: _month(y, month), ctx.p, ctx.how("nearest") if rel == "bare" else rel)


@_period_rule(r"(?P<season>%SEASON%) (?:of )?(?P<yref>%YREF%)(?:[-/](?P<next>[0-9]{2}|[0-9]{4}))?|"
              r"(?P<year>%YEAR%) (?P<season2>%SEASON%)")  # fmt: skip
def _season_year(m: re.Match[str], ctx: _Ctx) -> _Span:
    if m["season2"]:
        return _season(int(m["year"]), _SEASONS[m["season2"]])
    return _season(_year_ref(m["yref"], ctx), _SEASONS[m["season"]])


@_period_rule(
    r"(?:(?P<rel>this past|this coming|this|last|next|coming|past) )?(?P<season>%SEASON%)"
)
def _bare_season(m: re.Match[str], ctx: _Ctx) -> _Span:
    s = _SEASONS[m["season"]]
    rel = _rel(m["rel"])
    return _yearly(lambda y: _season(y, s), ctx.p, ctx.how("nearest") if rel == "bare" else rel)


_QUARTER_ORD = {**_ORDINALS, "final": 4, "last": 4}


@_period_rule(r"(?P<ord>%ORD%|final|last) (?:fiscal |financial )?quarter"
              r"(?: (?:of |in )?(?P<yref>%YREF%))?|"
              r"(?P<year>%YEAR%) (?P<ord2>%ORD%|final) quarter|"
              r"q(?P<q>[1-4])(?: (?P<yref2>%YREF%))?|(?P<year2>%YEAR%) q(?P<q2>[1-4])|"
              r"(?P<q3>[1-4])q (?P<year3>%YEAR%)")  # fmt: skip
def _quarter_rule(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    if m["ord"]:
        q = _QUARTER_ORD[m["ord"]]
        if q > 4:
            return None
        if m["yref"]:
            return _quarter(_year_ref(m["yref"], ctx), q)
        if m["ord"] == "last":
            return None  # "last quarter": the previous quarter, a relative unit
        return _yearly(lambda y: _quarter(y, q), ctx.p, ctx.how("nearest"))
    if m["ord2"]:
        return (
            _quarter(int(m["year"]), _QUARTER_ORD[m["ord2"]])
            if _QUARTER_ORD[m["ord2"]] <= 4
            else None
        )
    if m["q"]:
        q = int(m["q"])
        if m["yref2"]:
            return _quarter(_year_ref(m["yref2"], ctx), q)
        return _yearly(lambda y: _quarter(y, q), ctx.p, ctx.how("nearest"))
    if m["q2"]:
        return _quarter(int(m["year2"]), int(m["q2"]))
    return _quarter(int(m["year3"]), int(m["q3"]))


@_period_rule(r"h(?P<h>[12])(?: (?P<yref>%YREF%))?|(?P<year>%YEAR%) h(?P<h2>[12])")
def _half_rule(m: re.Match[str], ctx: _Ctx) -> _Span:
    if m["h2"]:
        return _half(int(m["year"]), int(m["h2"]))
    h = int(m["h"])
    if m["yref"]:
        return _half(_year_ref(m["yref"], ctx), h)
    return _yearly(lambda y: _half(y, h), ctx.p, ctx.how("nearest"))


@_period_rule(r"(?P<century>[12][0-9])(?P<d>[0-9])0'?s|'?(?P<d2>[0-9])0'?s")
def _decade_rule(m: re.Match[str], ctx: _Ctx) -> _Span:
    if m["century"]:
        return _decade(int(m["century"]) * 100 + int(m["d"]) * 10)
    # "the 90s": the latest such decade that has begun by the publication year.
    p = ctx.p
    first = p.year - p.year % 100 + int(m["d2"]) * 10
    return _decade(first if first <= p.year else first - 100)


@_period_rule(r"day")
def _bare_day(m: re.Match[str], ctx: _Ctx) -> _Span:
    # Reached only after a modifier ("late in the day"): the bare word alone is anaphoric.
    # Without the text, the day of a news report is the day it is published.
    return _antecedent(ctx, "day") or _day(ctx.p)
