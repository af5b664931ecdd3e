"""Progress of a batch run: its counters (`BatchStats`), its log lines and its progress bar."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, Protocol, get_args

from summarizer.results import Outcome

ProgressMode = Literal["auto", "bar", "log", "off"]
PROGRESS_MODES: tuple[str, ...] = get_args(ProgressMode)

__all__ = [
    "PROGRESS_MODES",
    "BatchStats",
    "ProgressMode",
    "Reporter",
    "final_line",
    "progress_line",
    "reporter_for",
]


@dataclass
class BatchStats:
    total: int | None = None
    skipped: int = 0  # already in OUT (resume)
    written: int = 0
    ok: int = 0
    failed: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    rate_limited: int = 0
    cache_errors: int = 0
    undated_articles: int = 0  # ok articles with times that a publication date would resolve
    undated_times: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, outcome: Outcome) -> None:
        self.written += 1
        if not outcome.ok or outcome.summary is None:
            self.failed += 1
            return
        self.ok += 1
        run = outcome.summary.run
        if run.undated_times:
            self.undated_articles += 1
            self.undated_times += run.undated_times
        if run.cache_hit:
            self.cache_hits += 1
        else:
            self.tokens_in += run.tokens_in
            self.tokens_out += run.tokens_out

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return self.written / elapsed if elapsed > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(0, self.total - self.skipped - self.written) / self.rate


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def progress_line(stats: BatchStats) -> str:
    done = stats.written + stats.skipped
    of = f"/{stats.total}" if stats.total is not None else ""
    return (
        f"summarizer batch: {done}{of} done ({stats.ok} ok, {stats.failed} failed, "
        f"{stats.cache_hits} cached), {stats.rate:.1f}/s, eta {_clock(stats.eta_s)}, "
        f"tokens {stats.tokens_in + stats.tokens_out:,}"
    )


def final_line(stats: BatchStats, out: Path) -> str:
    extra = f", {stats.skipped} already in {out.name}" if stats.skipped else ""
    limited = f", {stats.rate_limited} rate-limit pauses" if stats.rate_limited else ""
    return (
        f"summarizer batch: {stats.ok} ok, {stats.failed} failed, {stats.cache_hits} cache hits"
        f"{extra}, tokens {stats.tokens_in:,} in / {stats.tokens_out:,} out{limited}, "
        f"{stats.elapsed:.1f} s wall ({stats.rate:.1f} articles/s) -> {out}"
    )


class Reporter(Protocol):
    def update(self, stats: BatchStats) -> None: ...
    def tick(self, stats: BatchStats) -> None: ...
    def stop(self, stats: BatchStats) -> None: ...


class _Quiet:
    def update(self, stats: BatchStats) -> None:
        pass

    def tick(self, stats: BatchStats) -> None:
        pass

    def stop(self, stats: BatchStats) -> None:
        pass


class _LogLines(_Quiet):
    """Plain progress lines every few seconds, for logs and pipes."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def tick(self, stats: BatchStats) -> None:
        self.out.write(progress_line(stats) + "\n")
        self.out.flush()


class _RichBar(_Quiet):
    def __init__(self, out: IO[str], total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[cached]} cached"),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("eta {task.fields[eta]}"),
            TextColumn("{task.fields[tokens]} tok"),
            console=Console(file=out),
            refresh_per_second=4,
        )
        self._task = self._progress.add_task(
            "batch", total=total, failed=0, cached=0, rate="0.0", eta="?", tokens="0"
        )
        self._progress.start()

    def update(self, stats: BatchStats) -> None:
        self._progress.update(
            self._task,
            completed=stats.written + stats.skipped,
            failed=stats.failed,
            cached=stats.cache_hits,
            rate=f"{stats.rate:.1f}",
            eta=_clock(stats.eta_s),
            tokens=f"{stats.tokens_in + stats.tokens_out:,}",
        )

    def stop(self, stats: BatchStats) -> None:
        self.update(stats)
        self._progress.stop()


def reporter_for(mode: str, out: IO[str], total: int | None) -> Reporter:
    if mode == "auto":
        mode = "bar" if _isatty(out) else "log"
    if mode == "bar":
        return _RichBar(out, total)
    if mode == "log":
        return _LogLines(out)
    return _Quiet()


def _isatty(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
