"""What every engine does before its first article: open the input, repair and scan OUT for
`--resume`, open the summary cache. One place, so resume and the cache behave the same
whatever runs the articles."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from summarizer.config import Settings
from summarizer.engines.options import BatchOptions
from summarizer.errors import StoreError, UsageError
from summarizer.outfile import (
    Existing,
    scan_existing,
)
from summarizer.sources import Source, open_source
from summarizer.stores.summaries import SummaryCache

__all__ = ["Prepared", "open_cache", "prepare_run", "resume_notes"]


def open_cache(path: Path | None, settings: Settings) -> SummaryCache | None:
    """The summary cache at `path` (None: no cache), or a usage error that names the fix."""
    if path is None:
        return None
    try:
        return SummaryCache(path, settings)
    except StoreError:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise UsageError(
            f"cannot open the summary cache {path} ({exc}): give another --cache PATH, "
            "or --no-cache"
        ) from None


def resume_notes(existing: Existing, out: Path) -> list[str]:
    """What a resume's scan of OUT changed, as lines for the run's log."""
    notes = []
    if existing.repaired:
        parts = [
            f"{count} {what}"
            for count, what in (
                (existing.dropped_lines + int(existing.repaired_tail), "incomplete or invalid"),
                (existing.duplicates, "duplicate"),
            )
            if count
        ]
        notes.append(f"summarizer batch: repaired {out}: removed {' and '.join(parts)} line(s)")
    if existing.retrying:
        notes.append(
            f"summarizer batch: retrying {existing.retrying} failed article(s) from {out.name}"
        )
    return notes


@dataclass
class Prepared:
    """A run's input, what OUT already holds, and its summary cache (the caller closes it)."""

    source: Source
    existing: Existing
    cache: SummaryCache | None


def prepare_run(
    options: BatchOptions,
    settings: Settings,
    *,
    out: IO[str],
    stdin: IO[bytes] | None = None,
    cache: bool = True,
) -> Prepared:
    """Opens the input, scans (and repairs) OUT when resuming, writing what it changed to
    `out`, and opens the summary cache unless `cache` is false."""
    source = open_source(
        options.input, max_chars=options.max_chars, stdin=stdin, published=options.published
    )
    options.out.parent.mkdir(parents=True, exist_ok=True)
    existing = (
        scan_existing(options.out, retry_failed=options.retry_failed)
        if options.resume
        else Existing()
    )
    for note in resume_notes(existing, options.out):
        out.write(note + "\n")
    return Prepared(source, existing, open_cache(options.cache_path, settings) if cache else None)
