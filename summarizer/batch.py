"""The batch runner's public names, and what the command line needs around an engine.

The parts live below, one job each: `engines.core` (the per-article `Engine`),
`engines.local` (`run_batch`, the in-process run with its JSONL sink), `engines.prepare`
(input, resume and cache, shared by every engine), `engines.options` (`BatchOptions`) and
`progress` (`BatchStats`, progress lines). This module maps the command line's arguments
to options and runs a batch until a signal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from summarizer.engines.core import Engine, run_many
from summarizer.engines.local import run_batch
from summarizer.engines.options import BatchOptions
from summarizer.engines.prepare import resume_notes
from summarizer.progress import BatchStats, final_line, progress_line
from summarizer.reader import DEFAULT_MAX_CHARS, parse_published

__all__ = [
    "BatchOptions",
    "BatchStats",
    "Engine",
    "final_line",
    "options_from_args",
    "progress_line",
    "resume_notes",
    "run_batch",
    "run_many",
    "run_until_signal",
]


def options_from_args(args: argparse.Namespace) -> BatchOptions:
    out = Path(args.out)
    cache: Path | None = None
    if not getattr(args, "no_cache", False):
        given = getattr(args, "cache", None)
        cache = Path(given) if given else Path(str(out) + ".cache.sqlite")
    return BatchOptions(
        input=args.input,
        out=out,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        resume=bool(args.resume or getattr(args, "retry_failed", False)),
        cache_path=cache,
        max_chars=getattr(args, "max_chars", DEFAULT_MAX_CHARS),
        progress=getattr(args, "progress", "auto") or "auto",
        log_interval=getattr(args, "log_interval", 10.0) or 10.0,
        engine=getattr(args, "engine", "local") or "local",
        workers=getattr(args, "workers", 2),
        poll_interval=getattr(args, "poll_interval", 5.0),
        batch_timeout=getattr(args, "batch_timeout", 86_400.0),
        published=parse_published(getattr(args, "published", None)),
        retry_failed=bool(getattr(args, "retry_failed", False)),
    )


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run_until_signal(work: Coroutine[Any, Any, Any]) -> int | None:
    """Run `work` on a new event loop; the first SIGINT, SIGTERM or SIGHUP cancels it and is
    returned (None when it finished). Later signals are ignored while it winds down and
    after, so repeated Ctrl-C cannot raise KeyboardInterrupt inside its tasks or its exit."""
    received: list[int] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(signum: int) -> None:
            if not received:
                received.append(signum)
                task.cancel()

        installed = []
        for signum in _STOP_SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError):  # not the main thread
                loop.add_signal_handler(signum, stop, signum)
                installed.append(signum)
        try:
            await work
        except asyncio.CancelledError:
            if not received:
                raise
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
                if received:  # the process is on its way out: a second Ctrl-C must not
                    signal.signal(signum, signal.SIG_IGN)  # cut its summary short

    asyncio.run(main())
    return received[0] if received else None
