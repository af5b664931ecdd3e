"""Normalise news time expressions to ISO date intervals, relative to the publication date.

`normalize("on Monday", published=date(2022, 12, 19))` gives a `TimeExpr` whose
`start`/`end` are the first and last day of the interval meant (equal for one day).
No model, no network: a cleaned, lower-cased expression is matched against a
table of rules (`table.RULES`, then `table.PERIOD_RULES`); the first rule that matches the
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
  before, as `in_context.normalize_in` finds them): day and unit forms take the latest
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

import re
from collections.abc import Sequence
from datetime import date

# Importing the rule modules fills the rule tables; calendar_rules imports context_rules,
# so context rules always come first (the tables' order is their import order).
import summarizer.times.calendar_rules  # noqa: F401
from summarizer.errors import UsageError
from summarizer.schemas import TimeExpr
from summarizer.times.context_rules import ANAPHORIC, FROM_ANTECEDENT
from summarizer.times.spans import Context, TimeSpan, Unresolved
from summarizer.times.table import PERIOD_RULES, RULES, first_match
from summarizer.times.vocabulary import LEADING

__all__ = ["normalize"]


# Longer strings are sentences or documents, not time expressions: refuse them cheaply.
_MAX_CHARS = 200


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
    while words and words[0] in LEADING:
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
    ctx = Context(published, tense, preps, antecedents)
    try:
        span = _resolve(cleaned, ctx)
    except Unresolved as unresolved:
        return TimeExpr(text=given, note=unresolved.note)
    except (ValueError, OverflowError):
        # Out-of-range calendar arithmetic (year 1 or 9999, "February 30").
        return TimeExpr(text=given, note="not a valid calendar date")
    return TimeExpr(text=given, start=span.start, end=span.end, granularity=span.granularity)



def _resolve(s: str, ctx: Context) -> TimeSpan:
    if not s:
        raise Unresolved("no time expression left after removing prepositions and articles")
    span = first_match(s, (RULES, PERIOD_RULES), ctx)
    if span is None and s.endswith("'s") and len(s) > 2:
        # A possessive names the same time: "Friday's vote", "Jan. 20's deadline".
        span = first_match(s[:-2], (RULES, PERIOD_RULES), ctx)
    if span is None:
        if FROM_ANTECEDENT.fullmatch(s):
            raise Unresolved(ANAPHORIC)
        raise Unresolved("no rule matches this expression")
    return span

