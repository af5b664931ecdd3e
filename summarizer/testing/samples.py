"""One invented article and the model answer that fits it, for tests and benchmarks.

Every evidence quote of `DRAFT` is verbatim in `sample_text(i)` for any `i`, and each `i`
gives a different article (its own cache entry).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MEET = "Foreign ministers Anna Berg and Tomas Lind met in Vilnius on Monday to discuss energy."
QUOTE = '"We agreed to build a new interconnector," Berg said after the talks.'
PLAN = "The two ministers plan to meet again in March in Riga."

DRAFT: dict[str, Any] = {
    "summary": "Two foreign ministers met in Vilnius and plan to meet again in Riga.",
    "meetings": [
        {
            "participants": [{"name": "Anna Berg"}, {"name": "Tomas Lind"}],
            "location": "Vilnius",
            "time": "on Monday",
            "topics": ["energy"],
            "format": "in_person",
            "evidence": ["Foreign ministers Anna Berg and Tomas Lind met in Vilnius on Monday"],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Anna Berg", "role": "foreign minister"},
            "content": "Berg said they agreed to build an interconnector.",
            "quote": "We agreed to build a new interconnector,",
            "evidence": [QUOTE],
        }
    ],
    "planned_events": [
        {
            "description": "another ministers' meeting",
            "location": "Riga",
            "time": "in March",
            "status": "planned",
            "evidence": [PLAN],
        }
    ],
}


def sample_text(i: int) -> str:
    return f"{MEET} {QUOTE} {PLAN} Officials counted {i} delegates at the venue."


def write_sample_jsonl(path: Path, n: int, extra: tuple[str, ...] = ()) -> list[str]:
    """`n` article records (ids a0..), then the `extra` raw lines; returns the ids."""
    ids = [f"a{i}" for i in range(n)]
    with path.open("w", encoding="utf-8") as handle:
        for i, article_id in enumerate(ids):
            record = {"id": article_id, "text": sample_text(i), "published": "2024-03-04"}
            handle.write(json.dumps(record) + "\n")
        for line in extra:
            handle.write(line + "\n")
    return ids
