"""The options of one batch run, whichever engine runs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from summarizer.engines import EngineName
from summarizer.errors import UsageError
from summarizer.progress import ProgressMode
from summarizer.reader import DEFAULT_MAX_CHARS

__all__ = ["BatchOptions"]


@dataclass
class BatchOptions:
    input: str
    out: Path
    concurrency: int = 4
    rpm: float | None = None
    tpm: float | None = None
    resume: bool = False
    cache_path: Path | None = None  # None: no cache
    max_chars: int = DEFAULT_MAX_CHARS
    progress: ProgressMode = "auto"
    log_interval: float = 10.0
    engine: EngineName = "local"  # summarizer.engines
    workers: int = 2  # ray: pipeline replicas (actors)
    poll_interval: float = 5.0  # openai-batch: seconds between polls
    batch_timeout: float = 86_400.0  # openai-batch: give up waiting (the batch keeps running)
    published: date | None = None  # the date of articles that give none
    retry_failed: bool = False  # resume: re-run every failure line, not only endpoint ones

    def check(self) -> None:
        if self.concurrency < 1:
            raise UsageError(f"--concurrency {self.concurrency}: give at least 1")
        for name, value in (("--rpm", self.rpm), ("--tpm", self.tpm)):
            if value is not None and value <= 0:
                raise UsageError(f"{name} {value:g}: give a positive limit, or leave it out")
        if str(self.out) == "-":
            raise UsageError("--out -: batch output must be a file (--resume appends to it)")
        if self.out.is_dir():
            raise UsageError(f"--out {self.out} is a directory: give a .jsonl file path")
        if self.input != "-" and Path(self.input).resolve() == self.out.resolve():
            raise UsageError("--out is the input file: write the output somewhere else")
        if self.log_interval <= 0:
            raise UsageError("--log-interval must be positive")
