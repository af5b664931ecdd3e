"""A fixture's article in an eval report, with the predicted and the gold evidence marked.

Predicted spans are filled, gold spans underlined, so a span both cite shows both; a
statement's own spans (speaker mention, cue, content) are drawn lighter inside its evidence.
Every mark's hover text names its side and item ("gold statement 2 cue"). Marks are made by
`summarizer.render.highlight_html`, the summary page's highlighter, which escapes all text.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.eval.gold import LIST_NAMES, STATEMENT_SPANS, Gold
from summarizer.render import (
    LISTS,
    Highlight,
    esc,
    highlight_html,
    item_id,
    mark_id,
)
from summarizer.schemas import Article, ArticleSummary

_SHORT = {attr: short for attr, _heading, short in LISTS}
_NOUN = {"meetings": "meeting", "statements": "statement", "planned_events": "planned event"}
_SPAN_NOUN = {"speaker_mention": "speaker", "cue": "cue", "content_evidence": "content"}

LEGEND = (
    '<p class="legend muted"><mark>predicted evidence</mark> '
    '<mark class="gold">gold evidence</mark> '
    '<mark><mark class="gold">cited by both</mark></mark> '
    '<mark class="part">predicted speaker, cue or content</mark> '
    '<mark class="gold part">gold speaker, cue or content</mark>; '
    "hover a highlight for its item.</p>"
)


def _fits(start: int | None, end: int | None, length: int) -> bool:
    return start is not None and end is not None and 0 <= start < end <= length


def _spans(
    item: object, list_name: str
) -> list[tuple[str, int | None, int | None]]:
    """(what, start, end) of each evidence span of an item, then a statement's own spans."""
    evidence = list(getattr(item, "evidence", []))
    out = [
        ("" if len(evidence) == 1 else f" evidence {k + 1}", ev.start, ev.end)
        for k, ev in enumerate(evidence)
    ]
    if list_name == "statements":
        for name in STATEMENT_SPANS:
            ev = getattr(item, name, None)
            if ev is not None:
                out.append((f" {_SPAN_NOUN[name]}", ev.start, ev.end))
    return out


def predicted_highlights(pred: ArticleSummary, text: str, prefix: str) -> list[Highlight]:
    """The prediction's spans; evidence marks keep the ids the item list links to."""
    out: list[Highlight] = []
    for list_name in LIST_NAMES:
        short = _SHORT[list_name]
        for i, item in enumerate(getattr(pred, list_name)):
            n_evidence = len(item.evidence)
            for k, (what, start, end) in enumerate(_spans(item, list_name)):
                if not _fits(start, end, len(text)):
                    continue
                assert start is not None and end is not None
                part = k >= n_evidence
                out.append(
                    Highlight(
                        start=start,
                        end=end,
                        mark_id=f"{prefix}ev-{short}{i + 1}-{what.strip().replace(' ', '')}"
                        if part
                        else mark_id(prefix, short, i, k),
                        target_id=item_id(prefix, short, i),
                        label=f"{short}{i + 1}",
                        kind="part" if part else "",
                        title=f"predicted {_NOUN[list_name]} {i + 1}{what}",
                        tagged=not part,
                    )
                )
    return out


def gold_highlights(gold: Gold, text: str, prefix: str, target: str) -> list[Highlight]:
    """The gold's spans (located when the fixture was loaded); tags link to `target`."""
    out: list[Highlight] = []
    for list_name in LIST_NAMES:
        short = _SHORT[list_name]
        for i, item in enumerate(gold.items(list_name)):
            n_evidence = len(item.evidence)
            for k, (what, start, end) in enumerate(_spans(item, list_name)):
                if not _fits(start, end, len(text)):
                    continue
                assert start is not None and end is not None
                part = k >= n_evidence
                suffix = what.strip().replace(" ", "") if part else str(k + 1)
                out.append(
                    Highlight(
                        start=start,
                        end=end,
                        mark_id=f"{prefix}gold-{short}{i + 1}-{suffix}",
                        target_id=target,
                        label=f"gold {short}{i + 1}",
                        kind="gold part" if part else "gold",
                        title=f"gold {_NOUN[list_name]} {i + 1}{what}",
                        tagged=not part,
                    )
                )
    return out


def article_view(
    article: Article,
    pred: ArticleSummary | None,
    gold: Gold | None,
    prefix: str,
    *,
    gold_target: str,
) -> str:
    """The legend and the article (`id` = prefix + 'article'), both sides' spans marked."""
    spans: list[Highlight] = []
    if pred is not None:
        spans += predicted_highlights(pred, article.text, prefix)
    if gold is not None:
        spans += gold_highlights(gold, article.text, prefix, gold_target)
    return (
        f'{LEGEND}<div class="article" id="{esc(prefix)}article">'
        f"{highlight_html(article.text, spans)}</div>"
    )


def missing_fixture_note(fixture_id: str) -> str:
    return (
        f'<p class="muted">No article or gold for {esc(fixture_id)}: it is not among the '
        "fixtures the report was given (its .txt or .gold.json file is missing or does not "
        "load); the scores shown are the run file's.</p>"
    )


def missing_fixtures(result_ids: Sequence[str], known: Sequence[str]) -> list[str]:
    """Fixture ids of the run that the fixtures given do not hold, in the run's order."""
    have = set(known)
    return list(dict.fromkeys(f for f in result_ids if f not in have))
