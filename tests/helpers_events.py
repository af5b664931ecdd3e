"""Shared helpers of the events tests: batch outputs made from the cluster fixtures' gold."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from summarizer.events.evaluate import ClusterSuite, load_clusters
from summarizer.events.model import Mention
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


def mention(
    mention_id: str,
    actors: Iterable[str] = ("roth", "brekke"),
    *,
    kind: str = "meeting",
    start: str | None = "2025-03-10",
    end: str | None = None,
    place: str | None = "castelmar",
    words: str = "fisheries accord",
    inferred: bool = False,
) -> Mention:
    """A mention made by hand, for the blocking and scoring tests."""
    from datetime import date

    from summarizer.events.normalize import content_tokens

    first = date.fromisoformat(start) if start else None
    return Mention(
        mention_id=mention_id, article_id=mention_id.split("#")[0], kind="planned" if kind != "meeting" else "meeting",
        index=0, cluster_kind=kind,  # type: ignore[arg-type]
        description=words, participants=tuple(sorted((a, a.title()) for a in actors)),
        place=place.title() if place else None, place_key=place, time_text=None,
        start=first, end=date.fromisoformat(end) if end else first, time_inferred=inferred,
        status="held", tokens=content_tokens(words), evidence=(), published=first, source="s",
    )
