"""`events build --engine ray`: the merge step's matching as a Ray Data pipeline.

    mentions ─ flat_map(block keys) ─ groupby(key) ─ map_groups(score the pairs the block owns) ─ matches

The same functions as the local engine (`blocking.block_keys`, `blocking.pairs_in_block`,
`scoring.match`), so the matches, and therefore the database, are the same. Reading, the
components and the writing stay on the driver: they are linear and need the whole picture.
`ray.init()` connects to RAY_ADDRESS, or starts a local instance (no dashboard, usage stats
off) that is shut down afterwards.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from summarizer.engines.ray_engine import import_ray
from summarizer.events.blocking import block_keys, pairs_in_block
from summarizer.events.model import Match, Mention
from summarizer.events.normalize import content_tokens
from summarizer.events.scoring import match

__all__ = ["RayMatcher", "decode", "encode"]


def encode(m: Mention) -> str:
    """A mention as JSON text: what travels between Ray tasks (evidence left behind)."""
    return json.dumps([
        m.mention_id, m.article_id, m.kind, m.index, m.cluster_kind, m.description,
        list(map(list, m.participants)), m.place, m.place_key, m.time_text,
        m.start.isoformat() if m.start else None, m.end.isoformat() if m.end else None,
        m.time_inferred, m.status, m.published.isoformat() if m.published else None, m.source,
    ])


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def decode(text: str) -> Mention:
    v = json.loads(text)
    day = _day
    return Mention(
        mention_id=v[0], article_id=v[1], kind=v[2], index=v[3], cluster_kind=v[4],
        description=v[5], participants=tuple((k, n) for k, n in v[6]), place=v[7],
        place_key=v[8], time_text=v[9], start=day(v[10]), end=day(v[11]),
        time_inferred=v[12], status=v[13], tokens=content_tokens(v[5] or ""), evidence=(),
        published=day(v[14]), source=v[15],
    )


def _keys(row: dict[str, Any]) -> list[dict[str, Any]]:
    m = decode(row["m"])
    return [{"key": k, "m": row["m"], "new": row["new"]} for k in block_keys(m)]


def _score_group(group: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    out: dict[str, list[Any]] = {"a": [], "b": [], "score": [], "reason": []}
    if len(group["key"]) > 1 and any(group["new"]):
        key = str(group["key"][0])
        members = [decode(str(t)) for t in group["m"]]
        new = {m.mention_id for m, flag in zip(members, group["new"], strict=True) if flag}
        for a, b in pairs_in_block(key, members, new):
            found = match(a, b)
            if found is not None:
                out["a"].append(found.a)
                out["b"].append(found.b)
                out["score"].append(found.score)
                out["reason"].append(json.dumps(found.reason))
    return {
        "a": np.array(out["a"], dtype=object),
        "b": np.array(out["b"], dtype=object),
        "score": np.array(out["score"], dtype=float),
        "reason": np.array(out["reason"], dtype=object),
    }


class RayMatcher:
    """A `Matcher` for `build`: matches found by Ray Data tasks."""

    def __init__(self, init_kwargs: dict[str, Any] | None = None) -> None:
        self.init_kwargs = init_kwargs or {}

    def __call__(self, mentions: Sequence[Mention], new: set[str]) -> list[Match]:
        if not new:
            return []
        ray = import_ray()
        started = False
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
            if not os.environ.get("RAY_ADDRESS"):
                kwargs["include_dashboard"] = False
            ray.init(**{**kwargs, **self.init_kwargs})
            started = True
        try:
            ray.data.DataContext.get_current().enable_progress_bars = False
            rows = [{"m": encode(m), "new": m.mention_id in new} for m in mentions]
            dataset = (
                ray.data.from_items(rows)
                .flat_map(_keys)
                .groupby("key")
                .map_groups(_score_group, batch_format="numpy")
            )
            found = [
                Match(str(a), str(b), float(s), json.loads(str(r)))
                for batch in dataset.iter_batches(batch_size=None, batch_format="numpy")
                for a, b, s, r in zip(batch["a"], batch["b"], batch["score"], batch["reason"], strict=True)
            ]
        finally:
            if started:
                ray.shutdown()
        return sorted(found, key=lambda m: (m.a, m.b))
