"""The words of news time expressions, and the `%NAME%` placeholders rule templates use."""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
    "4th": 4, "fifth": 5, "5th": 5,
}  # fmt: skip
SEASONS = {"spring": 0, "summer": 1, "autumn": 2, "fall": 2, "winter": 3}
SEASON_FIRST_MONTH = (3, 6, 9, 12)
UNITS = {"day": "day", "week": "week", "fortnight": "fortnight", "month": "month",
          "year": "year"}  # fmt: skip
# An unnumbered plural ("within days") reaches up to one of the next larger unit.
VAGUE_PLURAL = {"day": "week", "week": "month", "fortnight": "month", "month": "year",
                 "year": "decade"}  # fmt: skip
_PART_OF_DAY = r"(?: (?:morning|afternoon|evening|night|midday|noon))?"

# Words that may precede an expression without changing what it denotes here.
LEADING = frozenset(
    ("on", "in", "by", "during", "around", "since", "at", "until", "till", "before", "after",
     "from", "of", "for", "over", "about", "as", "through", "throughout", "circa", "approximately")
)  # fmt: skip


def alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_VOCAB = {
    "%MONTH%": alternatives(MONTHS),
    "%WD%": alternatives(WEEKDAYS),
    "%NUM%": alternatives(NUMBERS) + "|[0-9]{1,3}",
    "%ORD%": alternatives(ORDINALS),
    "%SEASON%": alternatives(SEASONS),
    "%UNIT%": alternatives(UNITS),
    "%YEAR%": "[12][0-9]{3}",
    "%DAY%": "[0-9]{1,2}(?:st|nd|rd|th)?",
    "%YREF%": "[12][0-9]{3}|(?:this|current|last|previous|next) year|year",
    "%PART%": _PART_OF_DAY,
}


def compile_template(template: str) -> re.Pattern[str]:
    for key, pattern in _VOCAB.items():
        template = template.replace(key, f"(?:{pattern})")
    return re.compile(template)


QUARTER_ORD = {**ORDINALS, "final": 4, "last": 4}
