"""Scoring an event database against cluster fixtures (`evals/clusters/`).

A fixture folder holds `articles.jsonl` (the batch input) and `gold.json` (a gold summary per
article whose meetings and planned events carry `event`, a gold event id, and the gold
follow-up links). Predicted mentions are aligned to gold mentions of the same article and
kind by evidence overlap (then by position); unaligned ones stay as they are and count
against precision. Follow-ups are scored as (gold planned, gold later, relation) triples,
each predicted event standing for the gold event most of its aligned mentions report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.events.mentions import mention_id
from summarizer.events.metrics import PRF, score_all
from summarizer.events.store import EventStore
from summarizer.results import Outcome
from summarizer.schemas import Article, ArticleSummary
from summarizer.sources import open_source

__all__ = ["ClusterSuite", "evaluate", "load_clusters", "write_gold_outputs"]

_LISTS = (("meetings", "M"), ("planned_events", "P"))


@dataclass(frozen=True)
class ClusterSuite:
    folder: Path
    articles: list[Article]
    summaries: dict[str, ArticleSummary]
    gold_event: dict[str, str]  # gold mention id -> gold event id
    follow_ups: frozenset[tuple[str, str, str]]


def _ground(text: str, quote: str, where: str) -> dict[str, Any]:
    start = text.find(quote)
    if start < 0:
        raise InputError(f"{where}: the evidence {quote[:60]!r} is not in the article: quote it verbatim")
    return {"quote": quote, "start": start, "end": start + len(quote), "match": "exact"}


def load_clusters(folder: Path) -> ClusterSuite:
    """The fixtures of `folder`; InputError naming the file when one is missing or wrong."""
    articles_path, gold_path = folder / "articles.jsonl", folder / "gold.json"
    for path in (articles_path, gold_path):
        if not path.is_file():
            raise InputError(f"{path}: no such file: a cluster fixture folder holds articles.jsonl and gold.json")
    articles = [item.article for item in open_source(str(articles_path)).items if item.article is not None]
    by_id = {a.id: a for a in articles}
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{gold_path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    summaries: dict[str, ArticleSummary] = {}
    gold_event: dict[str, str] = {}
    for article_id, raw in sorted(gold.get("articles", {}).items()):
        article = by_id.get(article_id)
        if article is None:
            raise InputError(f"{gold_path}: {article_id} is not in {articles_path.name}")
        data = dict(raw)
        for attr, short in (*_LISTS, ("statements", "S")):
            items = []
            for i, item in enumerate(data.get(attr, [])):
                item = dict(item)
                event = item.pop("event", None)
                if short != "S":
                    if not event:
                        raise InputError(f"{gold_path}: {article_id} {attr}[{i}] has no `event` id")
                    gold_event[mention_id(article_id, short, i)] = str(event)
                where = f"{gold_path}: {article_id} {attr}[{i}]"
                item["evidence"] = [_ground(article.text, q, where) for q in item.get("evidence", [])]
                items.append(item)
            data[attr] = items
        try:
            summaries[article_id] = ArticleSummary.model_validate(
                {"article_id": article_id, "title": article.title, **data}
            )
        except ValidationError as exc:
            raise InputError(f"{gold_path}: {article_id}: {exc.errors()[0]['msg']}") from None
    follow = frozenset(
        (str(f["planned"]), str(f["later"]), str(f["relation"])) for f in gold.get("follow_ups", [])
    )
    return ClusterSuite(folder, articles, summaries, gold_event, follow)


def write_gold_outputs(suite: ClusterSuite, path: Path) -> None:
    """The gold summaries as a batch output: what a perfect extractor would write."""
    with path.open("w", encoding="utf-8") as out:
        for article_id, summary in suite.summaries.items():
            out.write(Outcome(id=article_id, ok=True, summary=summary).model_dump_json() + "\n")


def _overlap(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    best = 0
    for x in a:
        for y in b:
            if None in (x.get("start"), x.get("end"), y.get("start"), y.get("end")):
                continue
            best = max(best, min(x["end"], y["end"]) - max(x["start"], y["start"]))
    return best


def _align(suite: ClusterSuite, store: EventStore) -> dict[str, str]:
    """Predicted mention id -> gold mention id, one to one."""
    rows = store.con.execute(
        "SELECT mention_id, article_id, kind, idx, evidence FROM mentions WHERE kind <> 'statement' "
        "ORDER BY mention_id"
    ).fetchall()
    aligned: dict[str, str] = {}
    taken: set[str] = set()
    for pid, article_id, kind, idx, evidence in rows:
        summary = suite.summaries.get(article_id)
        if summary is None:
            continue
        attr, short = _LISTS[0] if kind == "meeting" else _LISTS[1]
        ev = json.loads(evidence)
        options = []
        for j, item in enumerate(getattr(summary, attr)):
            gid = mention_id(article_id, short, j)
            if gid in taken:
                continue
            gold_ev = [e.model_dump() for e in item.evidence]
            options.append((-_overlap(ev, gold_ev), abs(j - int(idx)), gid))
        if options:
            best = min(options)
            if best[0] < 0 or len(getattr(summary, attr)) == 1:
                aligned[pid] = best[2]
                taken.add(best[2])
    return aligned


def evaluate(suite: ClusterSuite, store: EventStore) -> dict[str, Any]:
    aligned = _align(suite, store)
    members = store.con.execute(
        "SELECT l.from_id, l.to_id FROM links l JOIN mentions m ON m.mention_id = l.from_id "
        "WHERE l.kind = 'mention' AND m.kind <> 'statement'"
    ).fetchall()
    response: dict[str, set[str]] = {}
    for pid, event in members:
        response.setdefault(event, set()).add(aligned.get(pid, f"spurious:{pid}"))
    key: dict[str, set[str]] = {}
    for gid, event in suite.gold_event.items():
        key.setdefault(event, set()).add(gid)
    scores = score_all(key.values(), response.values())
    label: dict[str, str] = {}
    for event, ms in response.items():
        votes = Counter(suite.gold_event[m] for m in ms if m in suite.gold_event)
        if votes:
            label[event] = min(votes, key=lambda g: (-votes[g], g))
    predicted = {
        (label[a], label[b], kind)
        for kind, a, b in store.con.execute(
            "SELECT kind, from_id, to_id FROM links WHERE kind IN ('fulfils', 'postpones', 'cancels')"
        ).fetchall()
        if a in label and b in label
    }
    hits = len(predicted & suite.follow_ups)
    follow = PRF(hits / len(predicted) if predicted else 0.0, hits / len(suite.follow_ups) if suite.follow_ups else 0.0)
    return {
        "gold_events": len(key),
        "predicted_events": len(response),
        "gold_mentions": len(suite.gold_event),
        "predicted_mentions": len(members),
        "aligned_mentions": len(aligned),
        **scores,
        "follow_ups": {**follow.as_dict(), "gold": sorted(map(list, suite.follow_ups)), "predicted": sorted(map(list, predicted))},
    }
