"""Gold as a file: the JSON a fixture's `<id>.gold.json` holds, and writing it safely.

`gold_json` walks the gold model generically (whatever fields its items have), so a field
added to the gold types is written without a change here. Evidence is written as `quote`,
`start` and `end` (the loader re-checks the offsets and computes `match`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.errors import OutputError
from summarizer.eval.gold import Gold, GoldEvidence

# Top-level keys left out when unset: they mean "everything annotated" and "reviewed".
_OMIT_WHEN_NONE = ("scored_fields", "scored_spans", "review")


def _plain(value: Any) -> Any:
    if isinstance(value, GoldEvidence):
        return {"quote": value.quote, "start": value.start, "end": value.end}
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def gold_json(gold: Gold) -> dict[str, Any]:
    """The gold file's content: every field of the model, `meta` (the meta file's) left out."""
    out: dict[str, Any] = {}
    for name in type(gold).model_fields:
        value = getattr(gold, name)
        if name == "meta" or (name in _OMIT_WHEN_NONE and value is None):
            continue
        out[name] = _plain(value)
    return out


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def digest(data: bytes) -> str:
    """The version of a file's content, to notice edits made elsewhere since it was read."""
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader sees the old file or the new one, never half."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise OutputError(f"cannot write {path}: {exc.strerror}: check the folder") from None
