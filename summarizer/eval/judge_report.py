"""The judge's section of a run's report: agreement with the token score per field, and the
pairs on which the two disagree most (Markdown and HTML; the run file is the JSON)."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.eval.judge_agreement import Agreement
from summarizer.eval.judge_record import JudgedPair, JudgeRecord
from summarizer.eval.runfile import Run
from summarizer.render import esc, md_escape, md_table

__all__ = ["agreement_rows", "judge_html", "judge_markdown"]

_HEADERS = ("field", "n", "judge mean", "token mean", "Spearman", "Pearson", "mean abs diff")
_WORST = 5


def _r(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def agreement_rows(rows: Sequence[Agreement]) -> list[list[str]]:
    return [
        [
            a.field, str(a.n), f"{a.judge_mean:.3f}", f"{a.token_mean:.3f}", _r(a.spearman),
            _r(a.pearson), f"{a.mean_abs_diff:.3f}",
        ]
        for a in rows
    ]


def _about(record: JudgeRecord) -> str:
    gate = (
        "the gate also watches judge.<field>"
        if record.gate
        else "the gate uses the token scores only"
    )
    failed = f"; {len(record.errors)} request(s) failed, {record.unjudged} pair(s) unjudged" if record.errors else ""
    return (
        f"Judged by {record.model} ({record.backend}), rubric {record.rubric_version}: "
        f"{len(record.pairs)} pair(s) in {record.requests} request(s), {record.replayed} "
        f"replayed from the store{failed}; scores 1-5 mapped to 0..1; {gate}."
    )


def _worst(record: JudgeRecord) -> list[JudgedPair]:
    return sorted(record.pairs, key=lambda p: (-abs(p.judge - p.token), p.fixture_id, p.field))[:_WORST]


def judge_markdown(run: Run) -> str:
    """The judge's section ("" when no judge ran)."""
    record = run.judge
    if record is None:
        return ""
    parts = [
        "## Judge",
        md_escape(_about(record)),
        md_table(_HEADERS, agreement_rows(record.agreement)),
    ]
    worst = _worst(record)
    if worst:
        parts.append("Largest disagreements:")
        parts.append(
            md_table(
                ("fixture", "field", "judge", "token", "gold", "predicted", "reason"),
                [
                    [
                        md_escape(p.fixture_id), p.field, f"{p.judge:.2f}", f"{p.token:.2f}",
                        md_escape(" | ".join(p.gold)), md_escape(p.pred), md_escape(p.reason),
                    ]
                    for p in worst
                ],
            )
        )
    return "\n\n".join(parts)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], num_from: int) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if num_from <= i else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def judge_html(run: Run) -> str:
    """The judge's section as HTML, every text escaped ("" when no judge ran)."""
    record = run.judge
    if record is None:
        return ""
    parts = [
        '<h2 id="judge">Judge</h2>',
        f"<p>{esc(_about(record))}</p>",
        _table(_HEADERS, agreement_rows(record.agreement), num_from=1),
    ]
    worst = _worst(record)
    if worst:
        parts.append("<h3>Largest disagreements</h3>")
        rows = [
            [p.fixture_id, p.field, " | ".join(p.gold), p.pred, p.reason, f"{p.judge:.2f}", f"{p.token:.2f}"]
            for p in worst
        ]
        parts.append(
            _table(("fixture", "field", "gold", "predicted", "reason", "judge", "token"), rows, 5)
        )
    return "\n".join(parts)
