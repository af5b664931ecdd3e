"""Benchmark attributions (statements): who said what, direct and indirect.

Three sets of predictions, scored the same way:

- the embedded default's rules (`local_fields` with the cue patterns of `local_statements`,
  through the Grounder), now and as they were before the cue patterns (git revision
  `--before`, default 138a151; skipped when git or that revision is not there), on
  MEANTIME speech events (`../shared/data/meantime`; skipped when absent) and on the seeds;
- the recorded runs in `evals/` (the embedded baseline and the reference suite's
  `reference-llm` answers), rescored against the seeds' current gold.

Per set: attribution recall (a gold statement is found when a prediction's cue overlaps
its cue; a prediction without a cue counts by its evidence), precision (predictions in the
annotated span that find a gold statement, optional ones included), the exact speaker rate
of the found ones (the gold's name or an alternative, as scoring folds names), recall of
direct and of indirect statements (seeds: gold kinds), content-span overlap P/R/F1 (seeds
gold only: MEANTIME marks no content span), and the scorer's statements F1 with its
speaker, cue and kind fields. MEANTIME's gold lists only speech events with an Arg0
speaker, in the first six sentences; a prediction of an unannotated attribution there
counts against precision.

Only counts and metrics are printed or written, never article text.

    .venv/bin/python benchmarks/bench_attribution.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.eval.comparers import name_grade  # noqa: E402
from summarizer.eval.gold import Gold, GoldStatement, alternatives, load_suite_dir  # noqa: E402
from summarizer.eval.meantime import load_meantime  # noqa: E402
from summarizer.eval.scoring import COR, DEFAULT_CONFIG, score_summary  # noqa: E402
from summarizer.grounding.grounder import Grounder  # noqa: E402
from summarizer.grounding.merge import canonicalise_actors, merge  # noqa: E402
from summarizer.schemas import Article, ArticleSummary, Evidence, Statement  # noqa: E402

MEANTIME = ROOT / ".." / "shared" / "data" / "meantime"
SEEDS = ROOT / "seeds"
RESULTS = ROOT / "benchmarks" / "results" / "attribution.md"
RUNS = (("embedded baseline", ROOT / "evals" / "baseline.json"),
        ("reference-llm", ROOT / "evals" / "reference-baseline.json"))  # fmt: skip

Span = tuple[int, int]
Predict = Callable[[Article], list[Statement]]


def _span(e: Evidence | Any | None) -> Span | None:
    if e is None or e.start is None or e.end is None or e.end <= e.start:
        return None
    return (e.start, e.end)


def _overlap(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _pred_spans(p: Statement) -> list[Span]:
    cue = _span(p.cue)
    if cue is not None:
        return [cue]
    return [s for e in p.evidence if (s := _span(e)) is not None]


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    pred: int = 0
    pred_found: int = 0
    speaker_exact: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [gold, found]
    content_gold: int = 0
    content_gold_hit: int = 0
    content_pred: int = 0
    content_pred_hit: int = 0
    scores: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, gold: Gold, article: Article, preds: list[Statement]) -> None:
        spans = gold.scored_spans
        inside = [
            p for p in preds
            if spans is None or any(_overlap(s, x) for s in _pred_spans(p) for x in spans)
        ]  # fmt: skip
        self.pred += len(inside)
        used: set[int] = set()
        for g in gold.statements:
            g_cue = _span(g.cue)
            match = next(
                (j for j, p in enumerate(inside) if j not in used
                 and any(_overlap(g_cue, s) for s in _pred_spans(p))),
                None,
            )  # fmt: skip
            if match is not None:
                used.add(match)
            if g.optional:
                continue
            self.gold += 1
            kind = g.kind or "unlabelled"
            slot = self.by_kind.setdefault(kind, [0, 0])
            slot[0] += 1
            if match is None:
                continue
            self.found += 1
            slot[1] += 1
            if _exact(g, inside[match]):
                self.speaker_exact += 1
        self.pred_found += len(used)
        g_content = [s for g in gold.statements if (s := _span(g.content_evidence)) is not None]
        if g_content:
            p_content = [s for p in inside if (s := _span(p.content_evidence)) is not None]
            required = [
                s for g in gold.statements
                if not g.optional and (s := _span(g.content_evidence)) is not None
            ]  # fmt: skip
            self.content_gold += len(required)
            self.content_gold_hit += sum(any(_overlap(g, p) for p in p_content) for g in required)
            self.content_pred += len(p_content)
            self.content_pred_hit += sum(any(_overlap(g, p) for g in g_content) for p in p_content)
        summary = ArticleSummary(article_id=article.id, statements=preds)
        self.scores.append(score_summary(summary, gold, article).metrics())


def _exact(g: GoldStatement, p: Statement) -> bool:
    grade, _ = name_grade(alternatives(g.speaker.name), g.speaker.kind, p.speaker.name,
                          DEFAULT_CONFIG.name_fuzzy)  # fmt: skip
    return grade == COR


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _mean(scores: list[dict[str, float]], key: str) -> str:
    values = [s[key] for s in scores if key in s]
    return f"{sum(values) / len(values):.3f}" if values else "n/a"


# --- the embedded rules, now and before ------------------------------------------------------


def _rules(fields: ModuleType) -> Predict:
    def predict(article: Article) -> list[Statement]:
        candidates = fields.find_candidates(article.text, article.published)
        draft = fields.build([c for c in candidates if c.kind == "statement"], "")
        grounder = Grounder(article.text, article.published, "drop")
        items = merge([grounder.items(draft, None)])
        canonicalise_actors(items)
        return items.statements

    return predict


def _old_rules(revision: str) -> ModuleType | None:
    """local_fields as it was at `revision` (it imports only modules that still exist)."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:summarizer/backends/local_fields.py"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location("local_fields_before", handle.name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    os.unlink(handle.name)
    return module


def _run(fixtures: Sequence[tuple[Article, Gold]], predict: Predict) -> Tally:
    tally = Tally()
    t0 = time.perf_counter()
    for article, gold in fixtures:
        tally.add(gold, article, predict(article))
    tally.seconds = time.perf_counter() - t0
    return tally


def _recorded(path: Path, fixtures: Sequence[tuple[Article, Gold]]) -> tuple[Tally, str] | None:
    if not path.is_file():
        return None
    run = json.loads(path.read_text(encoding="utf-8"))
    by_id = {a.id: (a, g) for a, g in fixtures}
    tally = Tally()
    for result in run["results"]:
        if result.get("prediction") is None or result["fixture_id"] not in by_id:
            continue
        article, gold = by_id[result["fixture_id"]]
        summary = ArticleSummary.model_validate(result["prediction"])
        tally.add(gold, article, summary.statements)
    version = str(run.get("settings", {}).get("prompt_version", ""))[:12]
    return tally, version


# --- report ----------------------------------------------------------------------------------

_HEAD = (
    "| corpus | predictions | gold statements | found (recall) | precision | speaker exact (of found) "
    "| direct / indirect / mixed recall | content overlap P / R / F1 | statements F1 "
    "| speaker / cue / kind F1 | time (s) |\n" + "| --- " * 11 + "|"
)


def _row(corpus: str, label: str, t: Tally) -> str:
    recall = _ratio(t.found, t.gold)
    precision = _ratio(t.pred_found, t.pred)
    kinds = " / ".join(
        f"{_ratio(t.by_kind[k][1], t.by_kind[k][0]):.3f}" if k in t.by_kind else "n/a"
        for k in ("direct", "indirect", "mixed")
    )
    if t.content_gold:
        cp, cr = _ratio(t.content_pred_hit, t.content_pred), _ratio(t.content_gold_hit, t.content_gold)
        content = f"{cp:.3f} / {cr:.3f} / {_f1(cp, cr):.3f}"
    else:
        content = "n/a (no gold spans)"
    fields = " / ".join(_mean(t.scores, f"statements.{k}.f1") for k in ("speaker", "cue", "kind"))
    return (
        f"| {corpus} | {label} | {t.gold} | {t.found} ({recall:.3f}) | {precision:.3f} "
        f"| {_ratio(t.speaker_exact, t.found):.3f} | {kinds} | {content} "
        f"| {_mean(t.scores, 'statements.f1')} | {fields} | {t.seconds:.1f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="138a151", help="git revision of the rules before")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    from summarizer.backends import local_fields

    corpora: list[tuple[str, list[tuple[Article, Gold]]]] = [("seeds", load_suite_dir(SEEDS))]
    if MEANTIME.is_dir():
        corpora.insert(0, ("MEANTIME", load_meantime(MEANTIME)))
    else:
        print(f"MEANTIME not found at {MEANTIME}: skipped", file=sys.stderr)
    before = _old_rules(args.before)
    rows: list[str] = []
    for corpus, fixtures in corpora:
        if before is not None:
            rows.append(_row(corpus, f"embedded rules before ({args.before})", _run(fixtures, _rules(before))))
        rows.append(_row(corpus, "embedded rules now", _run(fixtures, _rules(local_fields))))
        if corpus == "seeds":
            for label, path in RUNS:
                recorded = _recorded(path, fixtures)
                if recorded is not None:
                    tally, version = recorded
                    rows.append(_row(corpus, f"{label} (recorded, prompt {version})", tally))
    sizes = ", ".join(f"{name}: {len(f)} articles" for name, f in corpora)
    text = "\n".join(
        [
            "## Attribution: statements, direct and indirect (`benchmarks/bench_attribution.py`)",
            "",
            f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
            "- command: `.venv/bin/python benchmarks/bench_attribution.py`",
            f"- corpora: {sizes}; MEANTIME gold = speech events with an Arg0 speaker in the first "
            "six sentences (cue = trigger, no content spans, no kinds); seeds gold = every statement "
            "with kind, cue, content span and speaker mention (optional ones count for precision only)",
            "- found: a prediction's cue (or, without one, its evidence) overlaps the gold cue, one to "
            "one; statements F1 and the field F1s are the scorer's, mean over articles",
            "",
            _HEAD,
            *rows,
        ]
    )
    print(text)
    if not args.no_write:
        RESULTS.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
