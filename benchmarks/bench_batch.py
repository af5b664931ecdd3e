"""Batch runner benchmarks: throughput, our CPU per article, peak memory.

    .venv/bin/python benchmarks/bench_batch.py [--quick] [--only throughput,cpu,memory]

(1) Throughput (`--articles`, default 1,280): the fake OpenAI server runs as a
    separate process and answers every request with a valid summary after 500 ms.
    At --concurrency 32 the ideal is 64 articles/s. The headline compares the whole
    `summarizer batch` command as a subprocess (interpreter start-up, imports, run,
    exit: what a user waits for) with a plain `asyncio.gather` loop over
    `instructor.from_openai(AsyncOpenAI)` with a semaphore of 32 doing the same
    requests in this process (warmed up, its imports not counted). In each round
    (`--rounds`, default 3) the two run back to back on the same server, their
    order alternating, so a change in the shared machine's load hits both; then
    `run_batch` (the engine behind the CLI, in this process) runs for reference.
    Client CPU per article: the CLI's from its rusage (user + sys, start-up
    included), the others' from this process's process_time; the server's CPU per
    request is read from /proc, as it shares the machine's cores.
(2) CPU per article outside the model: an instant server process, one article at
    a time, `time.process_time()` around each article's whole path in this
    process (read the JSONL line, clean, render, HTTP client, validate, ground,
    normalise, serialise, write). The server's CPU is in another process and not
    counted; the client side of the HTTP call is counted, so this is an upper bound.
    A breakdown separates the backend call (render + instructor + openai/httpx +
    validation) from the rest.
(3) Peak memory (ru_maxrss of the batch process, from wait4) on a 100,000-article
    JSONL input of invented articles: the CLI as a subprocess with the summary
    cache prefilled (every article a cache hit: read, hash, look up, validate,
    write); plus runs through the instant server (no cache) on growing inputs to
    show that memory does not grow with the input.

Writes benchmarks/results/batch.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import platform
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer.batch import BatchOptions, Engine, run_batch  # noqa: E402
from summarizer.config import Settings, resolve_settings  # noqa: E402
from summarizer.outfile import JsonlSink  # noqa: E402
from summarizer.pipeline import Pipeline, build_backend  # noqa: E402
from summarizer.schemas import Article, ArticleSummary  # noqa: E402
from summarizer.sources import iter_jsonl  # noqa: E402
from summarizer.stores.summaries import SummaryCache  # noqa: E402
from summarizer.testing.samples import DRAFT, MEET, PLAN, QUOTE  # noqa: E402

KEY = "sk-bench-not-a-real-key"

_CITIES = ["Tallinn", "Warsaw", "Helsinki", "Oslo", "Prague", "Vienna", "Lisbon", "Dublin"]
_TOPICS = ["grid links", "gas storage", "border crossings", "fisheries", "rail freight", "ports"]
_FILLER = [
    "Officials from {city} said the talks on {topic} had been long and detailed.",
    "A spokesperson in {city} declined to comment on the {topic} negotiations.",
    "Analysts expect the {topic} plan to cost several hundred million euros.",
    "Delegations from {city} arrived late because of a storm over the Baltic Sea.",
    "The ministry published a short note on {topic} after the session ended.",
    "Opposition members in {city} asked for a debate on {topic} next week.",
]


def invented_article(i: int, chars: int) -> str:
    """A fictional news story of about `chars` characters that holds every quote of DRAFT."""
    rng = random.Random(i)
    parts = [MEET, QUOTE]
    while sum(len(p) + 1 for p in parts) < chars - len(PLAN) - 40:
        template = rng.choice(_FILLER)
        parts.append(template.format(city=rng.choice(_CITIES), topic=rng.choice(_TOPICS)))
    parts.append(PLAN)
    parts.append(f"Officials counted {i} delegates at the venue.")
    return " ".join(parts)


def write_input(path: Path, n: int, chars: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            record = {"id": f"a{i}", "text": invented_article(i, chars), "published": "2024-03-04"}
            handle.write(json.dumps(record) + "\n")


class ServerProcess:
    """`python -m summarizer.testing.server` in its own process (its own GIL)."""

    def __init__(self, workdir: Path, delay_ms: float) -> None:
        answer = workdir / "answer.json"
        answer.write_text(json.dumps(DRAFT), encoding="utf-8")
        self.command = [
            sys.executable, "-m", "summarizer.testing.server", "--port", "0",
            "--delay-ms", str(delay_ms), "--answer", str(answer),
        ]
        self.proc = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        self.counters: dict[str, int] = {}

    def stop(self) -> dict[str, int]:
        self.proc.send_signal(signal.SIGTERM)
        _out, err = self.proc.communicate(timeout=30)
        lines = err.strip().splitlines()
        self.counters = json.loads(lines[-1]) if lines else {}
        return self.counters


def settings_for(base_url: str) -> Settings:
    return resolve_settings(
        env={}, backend="openai", base_url=base_url, model="test-model", api_key=KEY
    )


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


# -- (1) throughput ----------------------------------------------------------------------------


async def _instructor_baseline(base_url: str, articles: list[Article], concurrency: int) -> float:
    import instructor
    import openai

    from summarizer.draft_schema import DraftSummary
    from summarizer.prompts import PromptInput, render_messages

    raw = openai.AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=60)
    client = instructor.from_openai(raw)
    gate = asyncio.Semaphore(concurrency)

    async def one(article: Article) -> Any:
        async with gate:
            messages = render_messages(PromptInput(article.text, article.title, article.published))
            return await client.chat.completions.create(
                model="test-model",
                messages=messages,  # type: ignore[arg-type]
                response_model=DraftSummary,
                max_retries=2,
                temperature=0.0,
                max_tokens=1024,
            )

    started = time.perf_counter()
    results = await asyncio.gather(*(one(a) for a in articles), return_exceptions=True)
    elapsed = time.perf_counter() - started
    await raw.close()
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise RuntimeError(f"baseline had {len(failures)} failures: {failures[0]!r}")
    return elapsed


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_throughput(
    workdir: Path, n: int, concurrency: int, delay_ms: float, rounds: int
) -> dict[str, Any]:
    source = workdir / "throughput.jsonl"
    write_input(source, n, 5000)
    articles = [item.article for item in iter_jsonl(source.open("rb")) if item.article]
    ideal = concurrency / (delay_ms / 1000.0)
    result: dict[str, Any] = {"n": n, "concurrency": concurrency, "delay_ms": delay_ms}
    result["ideal"] = ideal
    result["rounds"] = []

    server = ServerProcess(workdir, delay_ms)
    try:
        # Warm-up (not measured): first requests compile templates and schemas, open
        # connections and fill caches, in this process and in the server's.
        warm = workdir / "warmup.jsonl"
        write_input(warm, 2 * concurrency, 5000)
        warm_options = BatchOptions(
            input=str(warm), out=workdir / "warmup.out.jsonl", concurrency=concurrency,
            cache_path=None, progress="off",
        )
        asyncio.run(run_batch(warm_options, settings_for(server.base_url), out=_Null()))  # type: ignore[arg-type]
        warm_articles = [i.article for i in iter_jsonl(warm.open("rb")) if i.article]
        asyncio.run(_instructor_baseline(server.base_url, warm_articles, concurrency))
        out = workdir / "throughput.out.jsonl"
        options = BatchOptions(
            input=str(source), out=out, concurrency=concurrency, cache_path=None, progress="off"
        )
        # The CLI as a subprocess, in every round beside the plain loop: the whole command,
        # start-up included, as a user waits for it. Its start-up alone is measured on an
        # empty input in the same round, to read the figures, not to subtract.
        cli_out = workdir / "throughput.cli.jsonl"
        empty = workdir / "empty.jsonl"
        empty.write_bytes(b"")

        def cli_for(path: Path, out_path: Path) -> list[str]:
            return [
                sys.executable, "-m", "summarizer.cli", "batch", str(path), "--out",
                str(out_path), "--base-url", server.base_url, "--model", "test-model",
                "--concurrency", str(concurrency), "--no-cache", "--progress", "off",
            ]

        cli_command = cli_for(source, cli_out)
        env = dict(os.environ, OPENAI_API_KEY=KEY)
        # One start before the rounds (not measured), so that the first round's CLI does not
        # read the interpreter and the libraries from a cold page cache.
        code, *_rest = _run_measured(cli_for(empty, workdir / "empty.out.jsonl"), env)
        assert code == 0

        def run_loop(row: dict[str, Any]) -> None:
            cpu = time.process_time()
            row["baseline_s"] = asyncio.run(
                _instructor_baseline(server.base_url, articles, concurrency)
            )
            row["baseline_cpu_ms"] = (time.process_time() - cpu) / n * 1000
            row["baseline_rate"] = n / row["baseline_s"]

        def run_cli(row: dict[str, Any]) -> None:
            # The whole command a user waits for: interpreter, imports, run, exit.
            code, row["cli_s"], _rss, err, cpu_s = _run_measured(cli_command, env)
            assert code == 0, err
            row["cli_rate"] = n / row["cli_s"]
            row["cli_cpu_ms"] = cpu_s / n * 1000
            row["cli_total_cpu_s"] = cpu_s

        for index in range(rounds):
            row: dict[str, Any] = {"load_1min": os.getloadavg()[0]}
            # The two compared arms run back to back, their order alternating per round, so
            # that a change in the shared machine's load does not favour one of them.
            first_loop = index % 2 == 0
            row["order"] = "loop, CLI" if first_loop else "CLI, loop"
            for arm in (run_loop, run_cli) if first_loop else (run_cli, run_loop):
                arm(row)
            row["cli_ratio_with_startup"] = row["cli_rate"] / row["baseline_rate"]
            # The CLI's start-up alone (the same command on an empty input), for reading
            # the figures; the headline ratio above includes it.
            code, row["cli_startup_s"], _rss, err, start_cpu_s = _run_measured(
                cli_for(empty, workdir / "empty.out.jsonl"), env
            )
            assert code == 0, err
            row["cli_startup_cpu_s"] = start_cpu_s
            row["cli_run_rate"] = n / max(1e-9, row["cli_s"] - row["cli_startup_s"])
            row["cli_run_cpu_ms"] = max(0.0, row["cli_total_cpu_s"] - start_cpu_s) / n * 1000
            row["cli_ratio"] = row["cli_run_rate"] / row["baseline_rate"]

            # The in-process engine last, outside the compared pair.
            server_cpu = _cpu_seconds(server.proc.pid)
            started, cpu = time.perf_counter(), time.process_time()
            stats = asyncio.run(run_batch(options, settings_for(server.base_url), out=_Null()))  # type: ignore[arg-type]
            row["ours_s"] = time.perf_counter() - started
            row["ours_cpu_ms"] = (time.process_time() - cpu) / n * 1000
            after = _cpu_seconds(server.proc.pid)
            if server_cpu is not None and after is not None:
                row["server_cpu_ms"] = (after - server_cpu) / n * 1000
            assert stats.ok == n, f"{stats.failed} failed"
            row["ours_rate"] = n / row["ours_s"]
            row["ratio"] = row["ours_rate"] / row["baseline_rate"]
            row["load_1min_end"] = os.getloadavg()[0]
            result["rounds"].append(row)
            print(json.dumps(row), flush=True)
        for name in (
            "ours_rate", "baseline_rate", "ratio", "ours_cpu_ms", "baseline_cpu_ms",
            "cli_rate", "cli_cpu_ms", "cli_run_rate", "cli_run_cpu_ms", "cli_ratio",
            "cli_ratio_with_startup", "cli_startup_s", "cli_startup_cpu_s",
        ):
            result[name] = statistics.median(r[name] for r in result["rounds"])
        served = [r["server_cpu_ms"] for r in result["rounds"] if "server_cpu_ms" in r]
        result["server_cpu_ms"] = statistics.median(served) if served else None

        result["cli_command"] = shlex.join(
            ["summarizer", *cli_command[3:]]).replace(server.base_url, "$URL")
    finally:
        result["server"] = server.stop()
    return result


# -- (2) CPU per article -------------------------------------------------------------------------


def bench_cpu(workdir: Path, n: int, chars: int) -> dict[str, Any]:
    return _bench_cpu(workdir, n, chars)


def _bench_cpu(workdir: Path, n: int, chars: int) -> dict[str, Any]:
    source = workdir / "cpu.jsonl"
    write_input(source, n, chars)
    server = ServerProcess(workdir, 0)
    try:
        settings = settings_for(server.base_url)
        pipeline = Pipeline(settings, build_backend(settings))
        engine = Engine(pipeline, concurrency=1)
        backend = pipeline.backend
        inner = backend.aextract
        in_backend: list[float] = []

        async def timed_aextract(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return await inner(*args, **kwargs)
            finally:
                in_backend.append(time.process_time() - t0)

        backend.aextract = timed_aextract  # type: ignore[method-assign]
        sink = JsonlSink(workdir / "cpu.out.jsonl", append=False)
        totals: list[float] = []

        async def run() -> None:
            with source.open("rb") as handle:
                while True:
                    t0 = time.process_time()
                    # read + parse one record, exactly as the batch source does
                    items = list(iter_jsonl(io.BytesIO(handle.readline())))
                    if not items:
                        break
                    outcome = await engine._one(items[0], None)
                    sink.write(outcome.model_dump_json().encode("utf-8") + b"\n")
                    totals.append(time.process_time() - t0)
                    assert outcome.ok, outcome.error

        asyncio.run(run())
        sink.close()
    finally:
        server.stop()
    render_ms, validate_ms = _render_and_validate(source)
    warm_total, warm_backend = totals[20:], in_backend[20:]  # first calls compile and warm up
    outside = [t - b for t, b in zip(warm_total, warm_backend, strict=True)]
    ms = 1000.0
    return {
        "n": len(warm_total),
        "chars": chars,
        "median_total_ms": statistics.median(warm_total) * ms,
        "p90_total_ms": _quantile(warm_total, 0.9) * ms,
        "median_backend_ms": statistics.median(warm_backend) * ms,
        "median_outside_ms": statistics.median(outside) * ms,
        "median_render_ms": render_ms,
        "median_validate_ms": validate_ms,
    }


def _render_and_validate(source: Path) -> tuple[float, float]:
    """Median ms of the two stages of ours inside the backend call: rendering the prompt and
    validating the answer (schema + the quotes-in-article check), measured alone."""
    from summarizer.draft_schema import DraftSummary, QuoteCheck, checking_quotes
    from summarizer.grounding.alignment import align
    from summarizer.prompts import PromptInput, render_messages

    answer = json.dumps(DRAFT)
    render: list[float] = []
    validate: list[float] = []
    with source.open("rb") as handle:
        articles = [i.article for i in iter_jsonl(handle) if i.article is not None]
    for article in articles[:200]:
        t0 = time.process_time()
        render_messages(PromptInput(article.text, article.title, article.published))
        t1 = time.process_time()
        def grounded(quote: str, text: str = article.text) -> bool:
            return align(quote, text) is not None

        check = QuoteCheck(grounded, 1)
        with checking_quotes(check):
            DraftSummary.model_validate_json(answer)
        t2 = time.process_time()
        render.append(t1 - t0)
        validate.append(t2 - t1)
    return statistics.median(render) * 1000, statistics.median(validate) * 1000


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- (3) memory ------------------------------------------------------------------------------


def _run_measured(
    command: list[str], env: dict[str, str]
) -> tuple[int, float, int, str, float]:
    """Run `command`; return exit code, wall seconds, peak RSS (KiB) of that process, its
    stderr, and its CPU seconds (user + system)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, time.perf_counter() - started, int(usage.ru_maxrss), err, cpu


def bench_memory(workdir: Path, n: int, chars: int, served: list[int]) -> dict[str, Any]:
    env = dict(os.environ, OPENAI_API_KEY=KEY)
    result: dict[str, Any] = {"n": n, "chars": chars, "served": []}
    server = ServerProcess(workdir, 0)
    try:
        base = [
            sys.executable, "-m", "summarizer.cli", "batch", "INPUT", "--out", "OUT",
            "--base-url", server.base_url, "--model", "test-model",
            "--concurrency", "64", "--progress", "off",
        ]
        # Through the server, no cache: does memory grow with the input?
        for size in served:
            source = workdir / f"mem-served-{size}.jsonl"
            write_input(source, size, chars)
            command = [*base, "--no-cache"]
            command[4], command[6] = str(source), str(workdir / f"mem-served-{size}.out.jsonl")
            code, wall, rss, err, _cpu = _run_measured(command, env)
            assert code == 0, err
            result["served"].append({"n": size, "wall_s": wall, "rss_mb": rss / 1024})

        # 100,000 articles with the cache prefilled: every article is a cache hit.
        source = workdir / "mem-100k.jsonl"
        write_input(source, n, chars)
        out = workdir / "mem-100k.out.jsonl"
        cache_path = workdir / "mem-100k.cache.sqlite"
        started = time.perf_counter()
        served_out = workdir / f"mem-served-{served[0]}.out.jsonl"
        with served_out.open("rb") as handle:
            template = json.loads(handle.readline())["summary"]
        _prefill(cache_path, source, settings_for(server.base_url), template)
        result["prefill_s"] = time.perf_counter() - started
        command = [*base, "--cache", str(cache_path)]
        command[4], command[6] = str(source), str(out)
        code, wall, rss, err, _cpu = _run_measured(command, env)
        assert code == 0, err
        result["hits_wall_s"] = wall
        result["hits_rss_mb"] = rss / 1024
        result["hits_final"] = err.strip().splitlines()[-1]
        result["input_mb"] = source.stat().st_size / 2**20
        result["output_mb"] = out.stat().st_size / 2**20
        with out.open("rb") as handle:
            result["lines"] = sum(1 for _ in handle)
    finally:
        result["server"] = server.stop()
    return result


def _prefill(cache_path: Path, source: Path, settings: Settings, template: Any) -> None:
    """What a first run would have stored: one summary per article (a copy of a summary the
    pipeline made, written here directly rather than by 100,000 model calls)."""
    from summarizer.stores.responses import ResponseStore

    cache = SummaryCache(cache_path, settings)
    store = ResponseStore(cache_path, table="summaries")
    conn = store._conn()
    ArticleSummary.model_validate(template)
    rows = []
    with source.open("rb") as handle:
        for item in iter_jsonl(handle):
            assert item.article is not None
            rows.append((cache.key(item.article), json.dumps(template), 0.0))
            if len(rows) >= 5000:
                conn.executemany("INSERT OR REPLACE INTO summaries VALUES (?, ?, ?)", rows)
                rows.clear()
    conn.executemany("INSERT OR REPLACE INTO summaries VALUES (?, ?, ?)", rows)
    store.close()
    cache.close()


# -- report ----------------------------------------------------------------------------------


_LOAD_AT_START = os.getloadavg()[0]


def _machine() -> list[str]:
    return [
        f"- machine: `{platform.machine()}`, {os.cpu_count()} CPUs "
        f"(shared with other work; 1-minute load average at start {_LOAD_AT_START:.1f}, "
        f"at the end {os.getloadavg()[0]:.1f})",
        f"- python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- date: {dt.datetime.now().isoformat(timespec='minutes')}",
    ]


def report(results: dict[str, Any], command: str) -> str:
    lines = ["## Batch runner (`summarizer batch`)", "", *_machine(), f"- command: `{command}`", ""]
    if "throughput" in results:
        t = results["throughput"]
        lines += [
            f"### Throughput: {t['n']} articles of ~5,000 characters, --concurrency "
            f"{t['concurrency']}, fake server process answering after {t['delay_ms']:.0f} ms",
            "",
            f"Ideal: {t['ideal']:.0f} articles/s. Each runner measured after a warm-up of "
            f"{2 * t['concurrency']} articles (not counted). Client CPU = this process's "
            "process_time (or the CLI's user+sys) per article; the server's CPU is in its "
            "own process.",
            "",
            f"**`summarizer batch` (the whole command, start-up included) / plain instructor "
            f"loop: {t['cli_ratio_with_startup']:.2f}** (median of the {len(t['rounds'])} "
            "rounds' ratios; each round ran the two back to back on the same server, their order "
            "alternating).",
            "",
            "| runner | articles/s (median) | ratio to ideal | client CPU ms/article |",
            "|---|---|---|---|",
            f"| `summarizer batch` subprocess, start-up included | {t['cli_rate']:.1f} | "
            f"{t['cli_rate'] / t['ideal']:.0%} | {t['cli_cpu_ms']:.1f} (child rusage) |",
            f"| `asyncio.gather` + instructor, semaphore {t['concurrency']} | "
            f"{t['baseline_rate']:.1f} | {t['baseline_rate'] / t['ideal']:.0%} | "
            f"{t['baseline_cpu_ms']:.1f} |",
            f"| (reading aid) `summarizer batch`, its start-up ({t['cli_startup_s']:.2f} s, "
            f"{t['cli_startup_cpu_s']:.2f} s CPU) taken out | {t['cli_run_rate']:.1f} | "
            f"{t['cli_run_rate'] / t['ideal']:.0%} | {t['cli_run_cpu_ms']:.1f} |",
            f"| `run_batch` in this process (engine, cache off), after the pair | "
            f"{t['ours_rate']:.1f} | {t['ours_rate'] / t['ideal']:.0%} | {t['ours_cpu_ms']:.1f} |",
            "",
            f"Start-up taken out, CLI / loop {t['cli_ratio']:.2f}; `run_batch` / loop "
            f"{t['ratio']:.2f}. Server CPU per request (its own process, same 2 cores): "
            + (f"{t['server_cpu_ms']:.1f} ms." if t["server_cpu_ms"] is not None else "n/a."),
            "",
            "| round | order | 1-min load start / end | CLI articles/s (whole command) | loop "
            "articles/s | **CLI / loop** | CLI CPU ms (whole / start-up out) | loop CPU ms "
            "| CLI start-up s | run_batch articles/s |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *(
                f"| {i} | {r['order']} | {r['load_1min']:.2f} / {r['load_1min_end']:.2f} | "
                f"{r['cli_rate']:.1f} | {r['baseline_rate']:.1f} | "
                f"**{r['cli_ratio_with_startup']:.2f}** | {r['cli_cpu_ms']:.1f} / "
                f"{r['cli_run_cpu_ms']:.1f} | {r['baseline_cpu_ms']:.1f} | "
                f"{r['cli_startup_s']:.2f} | {r['ours_rate']:.1f} |"
                for i, r in enumerate(t["rounds"], 1)
            ),
            "",
            f"CLI command: `{t['cli_command']}`. Server counters: `{json.dumps(t['server'])}`.",
            "",
        ]
    if "cpu" in results:
        c = results["cpu"]
        lines += [
            f"### CPU per article ({c['chars']:,}-character articles, {c['n']} measured after "
            "20 warm-up articles, instant server in another process, one at a time)",
            "",
            "| what (time.process_time) | median ms |",
            "|---|---|",
            f"| whole article in our process (read, clean, render, HTTP client, validate, "
            f"ground, normalise, serialise, write) | {c['median_total_ms']:.2f} "
            f"(p90 {c['p90_total_ms']:.2f}) |",
            f"| of which the backend call (render + instructor + openai/httpx + validation) "
            f"| {c['median_backend_ms']:.2f} |",
            f"| of which everything else (read, clean, chunk, ground, normalise, serialise, "
            f"write) | {c['median_outside_ms']:.2f} |",
            f"| inside the backend call: rendering the prompt (measured alone) | "
            f"{c['median_render_ms']:.2f} |",
            f"| inside the backend call: validating the answer, quote check included "
            f"(measured alone) | {c['median_validate_ms']:.2f} |",
            f"| **our stages** = everything else + render + validate | "
            f"**{c['median_outside_ms'] + c['median_render_ms'] + c['median_validate_ms']:.2f}** |",
            "",
        ]
    if "memory" in results:
        m = results["memory"]
        lines += [
            "### Peak memory (ru_maxrss of the batch process)",
            "",
            "| run | articles | wall s | peak RSS MB |",
            "|---|---|---|---|",
        ]
        for row in m["served"]:
            lines.append(
                f"| through the instant server, no cache, --concurrency 64 | {row['n']:,} | "
                f"{row['wall_s']:.1f} | {row['rss_mb']:.0f} |"
            )
        lines += [
            f"| cache prefilled (every article a hit), --concurrency 64 | {m['n']:,} | "
            f"{m['hits_wall_s']:.1f} | {m['hits_rss_mb']:.0f} |",
            "",
            f"Input {m['input_mb']:.0f} MB ({m['chars']:,}-character articles), output "
            f"{m['output_mb']:.0f} MB, {m['lines']:,} lines. Cache prefill took "
            f"{m['prefill_s']:.0f} s (summaries written directly, not by a model). "
            f"Final line: `{m['hits_final']}`",
            "",
        ]
    return "\n".join(lines)


COMMENTARY = "### Reading these figures"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", default="throughput,cpu,memory")
    parser.add_argument("--keep", help="work in this directory and keep the files")
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="throughput rounds (the loop and the CLI, order alternating; then run_batch)",
    )
    parser.add_argument("--articles", type=int, default=1280, help="throughput: articles per arm")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    command = "python benchmarks/bench_batch.py" + "".join(
        f" {a}" for a in sys.argv[1:]
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        workdir = Path(args.keep) if args.keep else Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        if "throughput" in wanted:
            n = 160 if args.quick else args.articles
            results["throughput"] = bench_throughput(workdir, n, 32, 500, max(1, args.rounds))
            print(json.dumps(results["throughput"], indent=1), flush=True)
        if "cpu" in wanted:
            results["cpu"] = bench_cpu(workdir, 120 if args.quick else 420, 5000)
            print(json.dumps(results["cpu"], indent=1), flush=True)
        if "memory" in wanted:
            n = 5_000 if args.quick else 100_000
            served = [500, 2_000] if args.quick else [1_000, 5_000]
            results["memory"] = bench_memory(workdir, n, 2000, served)
            print(json.dumps(results["memory"], indent=1), flush=True)
    text = report(results, command)
    target = REPO / "benchmarks" / "results" / "batch.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    # The hand-written reading of the figures (it names the run it was written for) is
    # kept, not regenerated: a new run should be read again before it is updated.
    previous = target.read_text(encoding="utf-8") if target.exists() else ""
    commentary = previous.find(COMMENTARY)
    if commentary >= 0:
        text += "\n\n" + previous[commentary:].rstrip("\n")
    target.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
