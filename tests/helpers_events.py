"""Shared helpers of the events tests: batch outputs made from the cluster fixtures' gold."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from summarizer.events.evaluate import ClusterSuite, load_clusters
from summarizer.events.store import open_store
from summarizer.results import Outcome
from summarizer.schemas import ArticleSummary

ROOT = Path(__file__).resolve().parents[1]
CLUSTERS = ROOT / "evals" / "clusters"
ARTICLES = str(CLUSTERS / "articles.jsonl")


def suite() -> ClusterSuite:
    return load_clusters(CLUSTERS)


def write_outputs(path: Path, summaries: Iterable[ArticleSummary], *extra_lines: str) -> Path:
    """A batch output with one ok line per summary, then `extra_lines` as written."""
    with path.open("w", encoding="utf-8") as out:
        for summary in summaries:
            out.write(Outcome(id=summary.article_id, ok=True, summary=summary).model_dump_json() + "\n")
        for line in extra_lines:
            out.write(line + "\n")
    return path


def gold_outputs(path: Path, ids: Iterable[str] | None = None) -> Path:
    s = suite()
    wanted = list(s.summaries) if ids is None else list(ids)
    return write_outputs(path, (s.summaries[i] for i in wanted))


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    store = open_store(db, read_only=True)
    try:
        return store.dump()
    finally:
        store.close()
