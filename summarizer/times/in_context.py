"""Normalise a time expression where it stands in an article, using the text around it.

`normalize` sees only the expression. `normalize_in(article, start, end, published)`
reads `article[start:end]` in place and adds what the article says around it:

- the tense of its clause ("the trial is set to begin on Wednesday": the coming
  Wednesday; "the Shuffle was introduced in January": the past January),
- the times the article gave before it, so that anaphora resolve ("the same day",
  "that week", "the same period a year earlier", "three days later"),
- a preposition just before the span that changes what it denotes ("since the start
  of the year" counts from January 1).

Where the clause shows no tense, the reading looks ahead when the clause schedules
something ("the offer expires July 28", "the deadline is Feb. 28", "the sale runs through
Feb. 15") or is a clause of time ("when markets open Tuesday": the coming Tuesday). Past
plans are future from the publication day ("was due to fly out on Friday": the coming
Friday). In results news (results, earnings, profit, sales... in the sentence), a quarter in a
future clause is the nearest one: "will report fourth-quarter results", said in January, is
the quarter just ended, not next year's.

No model: the tense comes from auxiliaries and verb forms in the clause, and the earlier
times from the same rules as `normalize`, applied in document order (`times_in`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import overload

from summarizer.errors import UsageError
from summarizer.schemas import TimeExpr
from summarizer.sentences import Sentence, sentences
from summarizer.times.normalization import normalize

__all__ = ["TimeMention", "infer_tense", "normalize_in", "times_in"]


@dataclass(frozen=True)
class TimeMention:
    """A resolved time expression found in a text; `expr.text == text[start:end]`."""

    start: int
    end: int
    expr: TimeExpr


# ---------------------------------------------------------------- tense

_FUTURE = re.compile(
    r"(?:\b(?:will|shall|wo n['’]t|won['’]t|going to|to be|"
    r"(?:is|are|was|were|be|been|being) (?:set|due|expected|scheduled|slated|poised|likely|"
    r"planned|supposed|about|to)\b|"
    # A modal not followed by "have" looks forward: "may be signed on September 12".
    r"(?:may|might|could|should|must|would|can)\b(?! have\b)|"
    # Present intentions only: "agreed to" and "planned to" report a past decision.
    r"(?:plans?|planning|intends?|aims?|hopes?|wants?|seeks?|expects?) to|"
    r"upcoming)\b|['’]ll\b)"
    # The verb it governs is part of it: "will be held" is not a past "held".
    r"(?: not)?(?: be| have been)?(?: [a-z]+)?",
    re.IGNORECASE,
)
# Lower-case only: "United", "Red" in names are not verbs.
_PAST = re.compile(
    r"\b(?:was|were|had|did|been|[a-z][a-z]+ed|said|told|rose|fell|grew|saw|took|came|went|"
    r"made|began|won(?!['’]t)|lost|held|met|paid|sold|bought|led|left|became|gave|got|hit|kept|"
    r"brought|thought|found|spent|sent|built|fought|stood|ran|wrote|spoke|broke|chose|"
    r"drove|flew|shook|struck|sank|swung|slid|shut|quit)\b"
)
# Where a clause ends inside a sentence: punctuation, or a word that opens a new clause.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]\u2014\u2013]| --? |\b(?:that|which|who|whom|whose|when|where|while|because|"
    r"although|though|whereas|unless)\b",
    re.IGNORECASE,
)
# -ed words that are not past-tense verbs in news.
_NOT_PAST = frozenset(("need", "speed", "proceed", "indeed", "feed", "seed", "bed", "red",
                       "hundred", "based", "related", "limited", "according"))  # fmt: skip


def infer_tense(text: str, start: int, end: int) -> str | None:
    """The tense of the clause holding text[start:end]: "future", "past" or None.

    None means present, or no sign of either.

    The verb form nearest the expression in its clause decides ("announced Friday that
    it will": past; "is set to begin on Wednesday": future). A clause that opens the
    sentence without a verb ("On Sunday, ...") takes the tense of the clause after it.
    """
    return _tense(text, _sentence_at(_sentences(text), start), start, end)


def _tense_for(text: str, start: int, end: int) -> str | None:
    sentence = _sentence_at(_sentences(text), start)
    tense = _reading_tense(text, sentence, start, end)
    return _phrase_tense(tense, text[start:end], text, sentence)


def _clause(
    text: str, sentence: Sentence, start: int, end: int
) -> tuple[re.Match[str] | None, re.Match[str] | None]:
    """The clause breaks just before and just after text[start:end] in its sentence."""
    cut = None
    for match in _CLAUSE_BREAK.finditer(text, sentence.start, start):
        cut = match
    return cut, _CLAUSE_BREAK.search(text, end, sentence.end)


def _tense(text: str, sentence: Sentence | None, start: int, end: int) -> str | None:
    if sentence is None:
        return None
    cut, nxt = _clause(text, sentence, start, end)
    clause_start = cut.end() if cut else sentence.start
    clause_end = nxt.start() if nxt else sentence.end
    found = _nearest_marker(text, clause_start, clause_end, start, end)
    if found is None and cut is None and nxt is not None:
        after = _CLAUSE_BREAK.search(text, nxt.end(), sentence.end)
        found = _nearest_marker(
            text, nxt.end(), after.start() if after else sentence.end, start, end
        )
    return found


# Present-tense words that set a date ahead: "the offer expires July 28", "the deadline is".
_SCHEDULE = re.compile(
    r"\b(?:deadline|due|expires|expiry|expiration|matures|maturity|redeemable|redemption|"
    r"payable|runs|lasts|ends|begins|starts|opens|closes|resumes|reopens|takes effect|"
    r"effective)\b",
    re.IGNORECASE,
)
# A clause of time in the present refers ahead: "when markets open Tuesday".
_TIME_CLAUSE = frozenset(("when", "once", "until", "till", "before", "after"))
# Words of results news: a quarter reported on is the one just ended, whatever the tense.
_RESULTS = re.compile(
    r"\b(?:results|earnings|profits?|loss|losses|revenues?|sales|income|dividends?|"
    r"per share|report|reports|reported|reporting)\b",
    re.IGNORECASE,
)
_QUARTERLY = re.compile(r"quarter|\bq[1-4]\b", re.IGNORECASE)


def _reading_tense(text: str, sentence: Sentence | None, start: int, end: int) -> str | None:
    """The tense to read the expression with: the clause's, or "future" for an untensed
    clause that schedules ("the offer expires July 28") or is a clause of time
    ("when markets open Tuesday")."""
    tense = _tense(text, sentence, start, end)
    if tense is not None or sentence is None or _SINCE.search(text, max(0, start - 12), start):
        return tense  # "since March" counts from a time already past
    cut, nxt = _clause(text, sentence, start, end)
    lo = cut.end() if cut else sentence.start
    hi = nxt.start() if nxt else sentence.end
    opener = _WORD_AFTER.match(text, lo)
    if (cut is not None and cut.group(0).lower() in _TIME_CLAUSE) or (
        opener is not None and opener.group(1).lower() in _TIME_CLAUSE
    ):
        return "future"
    if _SCHEDULE.search(text, lo, hi):
        return "future"
    return None


_WORD_AFTER = re.compile(r"\W*(\w+)")
_SINCE = re.compile(r"\bsince\W*$", re.IGNORECASE)


def _phrase_tense(
    tense: str | None, phrase: str, text: str, sentence: Sentence | None
) -> str | None:
    """A quarter in results news ("will report fourth-quarter results", a few weeks after
    it ended) is read as the nearest one, not as next year's."""
    if (
        tense == "future"
        and sentence is not None
        and _QUARTERLY.search(phrase)
        and _RESULTS.search(text, sentence.start, sentence.end)
    ):
        return None
    return tense


def _nearest_marker(text: str, lo: int, hi: int, start: int, end: int) -> str | None:
    """The tense of the verb nearest before the expression, else nearest after it.

    Before first: the verb governing a time adverbial precedes it in English ("met in
    Lisbon on Tuesday and agreed to..." is past for Tuesday).
    """
    best: tuple[bool, int, str] | None = None
    future: list[tuple[int, int]] = []
    for pattern, tense in ((_FUTURE, "future"), (_PAST, "past")):
        for match in pattern.finditer(text, lo, hi):
            if tense == "future":
                future.append(match.span())
            elif match.group(0) in _NOT_PAST or any(a <= match.start() < b for a, b in future):
                continue
            after = match.end() > start
            distance = match.start() - end if after else start - match.end()
            if best is None or (after, distance) < best[:2]:
                best = (after, distance, tense)
    return None if best is None else best[2]


# ---------------------------------------------------------------- times in a text

# Words that can begin a time expression; anything else is skipped cheaply.
_STARTERS = frozenset(
    """yesterday today tonight tomorrow last this next past coming early mid middle late end
    beginning start first second third fourth final earlier later previous following prior
    within spring summer autumn fall winter a an one two three four five six seven eight nine
    ten eleven twelve few couple several q1 q2 q3 q4 h1 h2 same that entire whole very its
    their latest most recent just fiscal financial fy thanksgiving christmas xmas new
    independence labor memorial halloween valentine's boxing easter good martin presidents
    presidents' columbus veterans veterans' black cyber mother's father's st""".split()
)
# Words that start an expression only in these forms ("year-end", not "the year").
_COMPOUND_STARTERS = frozenset(
    ("year-end", "yearend", "year's", "year-earlier", "year-ago", "year-before", "prior-year",
     "year-earlier's", "year-ago's")
)
# "The quarter ended Dec. 31": a period named by its last day.
_PERIOD_STARTERS = frozenset(("quarter", "year", "half", "week"))
_PERIOD_VERBS = frozenset(("ended", "ending", "ends", "closed", "closing", "through"))
_TIME_WORDS = frozenset(
    """day week weekend fortnight month year quarter decade today tonight tomorrow yesterday
    now time period date morning afternoon evening night spring summer autumn fall winter q1 q2
    q3 q4 h1 h2 january jan february feb march mar april apr may june jun july jul august aug
    september sept sep october oct november nov december dec monday mon tuesday tues tue
    wednesday wed thursday thurs thur thu friday fri saturday sat sunday sun thanksgiving
    christmas xmas halloween easter eve""".split()
)
_ANTECEDENTS = 16
_CAPITALISED_NAMES = (
    "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
)
_CAPITALISED = re.compile(_CAPITALISED_NAMES + r"[a-z]*\.?")
_DATE_COMMA = re.compile(r"(?:[0-9]{1,2}(?:st|nd|rd|th)?|" + _CAPITALISED_NAMES + r"[a-z]*\.?),")
_AFTER_COMMA = re.compile(r"(?:[12][0-9]{3}|" + _CAPITALISED_NAMES + r")\b")
_BARE_NUMBER = re.compile(r"[0-9]{4}")
_YEAR_LEADS = frozenset(
    """in since by until till of from to for before after during through throughout early late
    mid end start beginning year fiscal between and or around circa spring summer autumn fall
    winter""".split()
)
_TOKEN = re.compile(r"\S+")
_MAX_WORDS = 7
_WORD_EDGES = "\"'“”‘’()[],.;:!?"
_DANGLING = frozenset(("after", "before", "on"))


def times_in(text: str, published: date | None) -> list[TimeMention]:
    """Every time expression `normalize` resolves in `text`, in order, longest first.

    Each is resolved with the tense of its clause and the times found before it, so
    "the same day" after "on Tuesday" is that Tuesday.
    """
    return list(_times_in(text, published))


@lru_cache(maxsize=16)
def _times_in(text: str, published: date | None) -> tuple[TimeMention, ...]:
    found: list[TimeMention] = []
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    sents = _sentences(text)
    i = 0
    while i < len(tokens):
        following = text[tokens[i + 1][0] : tokens[i + 1][1]] if i + 1 < len(tokens) else ""
        if not _may_start(text[tokens[i][0] : tokens[i][1]], following):
            i += 1
            continue
        mention = _longest_at(text, tokens, i, published, sents, found)
        if mention is None:
            i += 1
            continue
        found.append(mention)
        while i < len(tokens) and tokens[i][0] < mention.end:
            i += 1
    return tuple(found)


def _may_start(token: str, following: str = "") -> bool:
    word = token.strip(_WORD_EDGES)
    if not word:
        return False
    if word.lower() in _COMPOUND_STARTERS:
        return True
    word = word.removesuffix("'s").removesuffix("’s")  # "Friday's vote"
    if word[:1].isdigit() or _CAPITALISED.fullmatch(word):
        return True
    lower = word.lower()
    if lower in _PERIOD_STARTERS:
        return following.strip(_WORD_EDGES).lower() in _PERIOD_VERBS
    return lower.split("-")[0] in _STARTERS


def _longest_at(
    text: str,
    tokens: list[tuple[int, int]],
    i: int,
    published: date | None,
    sents: tuple[Sentence, ...],
    found: list[TimeMention],
) -> TimeMention | None:
    # The words an expression can span: up to the end of a clause.
    last = i
    while last + 1 < len(tokens) and last - i + 1 < _MAX_WORDS:
        word = text[tokens[last][0] : tokens[last][1]]
        following = text[tokens[last + 1][0] : tokens[last + 1][1]]
        # "March 3, 2021" and "Monday, March 3" go on past their comma.
        if word.endswith(",") and _DATE_COMMA.fullmatch(word) and _AFTER_COMMA.match(following):
            last += 1
            continue
        if word[-1] in ",;:!?)" or (word.endswith(".") and not _CAPITALISED.fullmatch(word)):
            break
        last += 1
    # Every expression holds a time word ("day", "March", "2009", "tomorrow"...).
    first_time_word = next(
        (j for j in range(i, last + 1) if _is_time_word(text[tokens[j][0] : tokens[j][1]])), None
    )
    if first_time_word is None:
        return None
    # Anaphora reach back a few times at most; a bound keeps long articles linear.
    antecedents = [m.expr for m in found[-_ANTECEDENTS:]]
    start = tokens[i][0] + _lead(text[tokens[i][0] : tokens[i][1]])
    # One tense for all the windows: they share the clause.
    sentence = _sentence_at(sents, start)
    clause_tense = _reading_tense(text, sentence, start, tokens[first_time_word][1])
    for j in range(last, first_time_word - 1, -1):
        end = tokens[j][1]
        while end > start and (text[end - 1] in _WORD_EDGES or text[end - 1].isspace()):
            end -= 1
        if end <= start:
            continue
        # "late in the day after falling": "after" introduces what follows, it does not
        # move the day. It ends an expression only at the end of its clause.
        word = text[tokens[j][0] : end].lower()
        if word in _DANGLING and j + 1 < len(tokens) and end == tokens[j][1]:
            continue
        if j == i and _BARE_NUMBER.fullmatch(text[start:end]) and not _a_year(text, tokens, i):
            return None
        tense = _phrase_tense(clause_tense, text[start:end], text, sentence)
        expr = normalize(text[start:end], published, tense, antecedents=antecedents)
        if expr.start is not None:
            return TimeMention(start, end, expr)
    return None


def _a_year(text: str, tokens: list[tuple[int, int]], i: int) -> bool:
    """Whether a lone four-digit number reads as a year ("in 2009", "2009.") rather than a
    count ("about 2000 workers")."""
    word = text[tokens[i][0] : tokens[i][1]].strip(_WORD_EDGES)
    if not 1800 <= int(word) <= 2199:
        return False
    before = text[tokens[i - 1][0] : tokens[i - 1][1]].strip(_WORD_EDGES).lower() if i else ""
    if before in _YEAR_LEADS:
        return True
    after = text[tokens[i + 1][0] : tokens[i + 1][1]] if i + 1 < len(tokens) else ""
    raw = text[tokens[i][0] : tokens[i][1]]
    # "2000 workers": a count; "2009, when", "in 2009." or a title's last word: a year.
    return not (raw[-1].isalnum() and after[:1].islower())


def _is_time_word(token: str) -> bool:
    word = token.strip(_WORD_EDGES).lower()
    # Any part of a compound: "mid-July", "third-quarter", "year-end".
    return bool(word) and (
        word[0].isdigit() or any(part.rstrip("s'") in _TIME_WORDS for part in word.split("-"))
    )


def _lead(token: str) -> int:
    return len(token) - len(token.lstrip(_WORD_EDGES))


@lru_cache(maxsize=16)
def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(sentences(text))


def _sentence_at(sents: tuple[Sentence, ...], offset: int) -> Sentence | None:
    for sentence in sents:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None


# ---------------------------------------------------------------- in place


class _TimesBefore(Sequence[TimeExpr]):
    """The times `text` gives before `offset`, found only if a rule asks for them.

    Most expressions ("on Monday", "in March") are not anaphoric, and finding every time
    in an article costs about 1 ms per 1,000 characters.
    """

    def __init__(self, text: str, published: date | None, offset: int) -> None:
        self._text, self._published, self._offset = text, published, offset

    @cached_property
    def _times(self) -> tuple[TimeExpr, ...]:
        mentions = _times_in(self._text, self._published)
        return tuple(m.expr for m in mentions if m.end <= self._offset)

    @overload
    def __getitem__(self, index: int) -> TimeExpr: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[TimeExpr]: ...
    def __getitem__(self, index: int | slice) -> TimeExpr | Sequence[TimeExpr]:
        return self._times[index]

    def __len__(self) -> int:
        return len(self._times)


# Prepositions outside the span that change what it denotes (see `calendar_rules._part`; an untensed
# "through/until/by <date>" is still ahead).
_PREPOSITIONS = frozenset(("since", "from", "until", "till", "through", "by"))
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_CONTINUATION = re.compile(
    r",? (?:of |in )?(?:[12][0-9]{3}|(?:this|last|next|the following|the previous) year)\b|"
    r" in a row\b| running\b"
)


def normalize_in(
    text: str,
    start: int,
    end: int,
    published: date | None,
    tense: str | None = None,
) -> TimeExpr:
    """Normalise `text[start:end]` with what `text` says around it.

    `tense` overrides the tense read from the clause (the pipeline passes "future" for
    planned events). The result's `text` is the span as written.
    """
    if not 0 <= start <= end <= len(text):
        raise UsageError(
            f"span {start}..{end} is outside the text (0..{len(text)}); "
            "pass offsets into the same text"
        )
    phrase = text[start:end].strip()
    if tense is None:
        tense = _tense_for(text, start, end)
    antecedents = _TimesBefore(text, published, start)
    before = _WORD_BEFORE.search(text[max(0, start - 20) : start])
    prep = before.group(1).lower() if before else ""
    lead = f"{prep} " if prep in _PREPOSITIONS else ""
    # The year or streak may follow the span the caller marked: "October" of next year.
    # Only when it reads as one expression with it ("Friday, in 2009 terms" does not).
    more = _CONTINUATION.match(text, end)
    expr = None
    if more:
        expr = normalize(lead + text[start : more.end()].strip(), published, tense,
                         antecedents=antecedents)  # fmt: skip
    if expr is None or expr.start is None:
        expr = normalize(lead + phrase, published, tense, antecedents=antecedents)
    return expr.model_copy(update={"text": phrase})
