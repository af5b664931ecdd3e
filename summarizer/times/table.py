"""The two tables of time-expression rules, and matching an expression against them.

The rule modules fill `RULES` and `PERIOD_RULES` as they are imported, each in its own
order: `context_rules` first (`calendar_rules` imports it), then `calendar_rules`;
`normalization` imports them. Within a table the first rule whose template matches the
whole expression, and whose handler does not return None, resolves it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from summarizer.times.spans import Context, TimeSpan
from summarizer.times.vocabulary import compile_template

Handler = Callable[[re.Match[str], Context], "TimeSpan | None"]
RULES: list[tuple[re.Pattern[str], Handler]] = []
PERIOD_RULES: list[tuple[re.Pattern[str], Handler]] = []


def rule(
    template: str, table: list[tuple[re.Pattern[str], Handler]] = RULES
) -> Callable[[Handler], Handler]:
    """Register a handler for expressions that fully match `template` (first match wins)."""

    def register(handler: Handler) -> Handler:
        table.append((compile_template(template), handler))
        return handler

    return register


def period_rule(template: str) -> Callable[[Handler], Handler]:
    return rule(template, PERIOD_RULES)


def first_match(
    s: str, tables: Iterable[list[tuple[re.Pattern[str], Handler]]], ctx: Context
) -> TimeSpan | None:
    for table in tables:
        for pattern, handler in table:
            match = pattern.fullmatch(s)
            if match:
                span = handler(match, ctx)
                if span is not None:
                    return span
    return None


def resolve_period(s: str, ctx: Context) -> TimeSpan | None:
    """Resolve what a modifier applies to ("early <March 2023>"), or None if no rule matches.

    Calendar periods come first so that "year" means the current year here, although
    the bare word alone is anaphoric; then any other expression ("early <Monday>").
    """
    return first_match(s, (PERIOD_RULES, RULES), ctx)

