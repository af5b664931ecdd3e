"""`summarizer batch`: one writer per output, then the chosen engine, then the summary lines
and the exit code.

In the CLI, above `batch` and `engines/`: this module picks an engine, so that nothing below
imports back up, and it alone (with the rest of the CLI) writes the run's report."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import IO

from summarizer.batch import (
    BatchStats,
    final_line,
    options_from_args,
    run_batch,
    run_until_signal,
)
from summarizer.config import Settings
from summarizer.errors import Interrupted
from summarizer.outfile import check_not_output, claim_output
from summarizer.pipeline import undated_warning

__all__ = ["run_batch_cli"]


def run_batch_cli(
    args: argparse.Namespace, *, settings: Settings, out: IO[str], stdin: IO[bytes] | None = None
) -> int:
    """`summarizer batch`: 0 when every article succeeded, 1 when any failed (its line says why).

    One writer per OUT (an OS lock held for the whole run). SIGINT, SIGTERM and SIGHUP end a
    local run the same way: in-flight articles abandoned, the summary line written, then
    `Interrupted`."""
    options = options_from_args(args)
    options.check()
    for path, what in ((options.cache_path, "--cache"), (settings.store_path, "--store")):
        if path:
            check_not_output(Path(path), what, options.out, options.input)
    with claim_output(options.out, options.input, stdin):
        if options.engine == "ray":
            from summarizer.engines.ray_engine import run_ray

            stats = run_ray(options, settings, out=out, stdin=stdin)
        elif options.engine == "openai-batch":
            from summarizer.engines.openai_batch import run_openai_batch

            stats, _report = asyncio.run(
                run_openai_batch(options, settings, out=out, stdin=stdin)
            )
        else:
            stats = BatchStats()
            work = run_batch(options, settings, out=out, stdin=stdin, stats=stats)
            signum = run_until_signal(work)
            if signum is not None:
                out.write(final_line(stats, options.out) + "\n")
                out.flush()
                name = signal.Signals(signum).name
                raise Interrupted(
                    f"interrupted by {name}: {stats.written} line(s) written to "
                    f"{options.out}; run the same command with --resume to finish",
                    signum=signum,
                )
    out.write(final_line(stats, options.out) + "\n")
    if stats.undated_times:
        warning = undated_warning(stats.undated_articles, stats.undated_times)
        out.write(f"summarizer batch: warning: {warning}\n")
    if stats.cache_errors:
        out.write(
            f"summarizer batch: the cache failed {stats.cache_errors} time(s) and was skipped: "
            f"check {options.cache_path}\n"
        )
    out.flush()
    return 1 if stats.failed else 0
