"""Time the embedded model on the seed article: load, prompt and generation speed, end to end.

    .venv/bin/python benchmarks/bench_model.py [--runs 3]

Writes benchmarks/results/model.md (machine, command, figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_dc0927f4facc235e.txt"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from llama_cpp.llama_grammar import LlamaGrammar

    from summarizer import read_article
    from summarizer.backends import local
    from summarizer.backends._grammar_sampling import generate
    from summarizer.clean import clean
    from summarizer.config import resolve_settings
    from summarizer.pipeline import Pipeline
    from summarizer.prompts import PromptInput
    from summarizer.sentences import sentences

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    path = local.default_model_path()
    t1 = time.perf_counter()
    llm = local.load_model(path, 4096, None)
    t2 = time.perf_counter()

    article = read_article(SEED, published=date(2022, 12, 19))
    text = clean(article.text).text
    lines = [s.text for s in sentences(text)]
    prompt = local.completion_prompt(PromptInput(text, None, article.published), lines)
    schema = local._grounded_schema(len(lines), local._candidate_names(text), local._time_candidates(text))
    prompt_tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True)

    # Prompt processing speed: evaluate the prompt alone.
    prompt_times = []
    for _ in range(args.runs):
        llm.reset()
        start = time.perf_counter()
        llm.eval(prompt_tokens)
        prompt_times.append(time.perf_counter() - start)

    gen = []
    for _ in range(args.runs):
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        start = time.perf_counter()
        out = generate(llm, prompt, grammar, max_tokens=512)
        gen.append((time.perf_counter() - start, out["tokens_out"]))

    unconstrained = []
    for _ in range(args.runs):
        llm.reset()  # no prompt-cache reuse: every run pays the prompt, which is then subtracted
        start = time.perf_counter()
        free = llm.create_completion(prompt, max_tokens=100, temperature=0)
        unconstrained.append((time.perf_counter() - start, free["usage"]["completion_tokens"]))

    settings = resolve_settings()
    pipeline = Pipeline(settings, local.LocalBackend(settings))
    e2e = []
    for _ in range(args.runs):
        start = time.perf_counter()
        summary = pipeline.run(article)
        e2e.append(time.perf_counter() - start)

    # What a user waits for: the README's first command, a fresh process each time (imports,
    # model load, the pipeline, printing).
    cli = []
    command = [sys.executable, "-m", "summarizer.cli", "summarize", str(SEED), "--published", "2022-12-19", "--quiet"]
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    package_bytes = sum(
        f.stat().st_size for f in (ROOT / "summarizer").rglob("*") if f.is_file() and "__pycache__" not in f.parts
    )

    prompt_s = statistics.median(prompt_times)
    gen_s, gen_tokens = sorted(gen)[len(gen) // 2]
    eval_part = prompt_s
    gen_tps = gen_tokens / max(1e-9, gen_s - eval_part)
    free_s, free_tokens = sorted(unconstrained)[len(unconstrained) // 2]
    rows = [
        ("model file", f"{Path(path).name} ({Path(path).stat().st_size / 1e6:.0f} MB)"),
        ("assemble GGUF (first call writes ~/.cache)", f"{t1 - t0:.2f} s"),
        ("load model", f"{t2 - t1:.2f} s"),
        ("prompt tokens", str(len(prompt_tokens))),
        ("prompt processing", f"{len(prompt_tokens) / prompt_s:.0f} tokens/s (median {prompt_s:.2f} s)"),
        ("constrained generation (grammar, top-k fast path)", f"{gen_tps:.1f} tokens/s ({gen_tokens} tokens)"),
        ("unconstrained generation", f"{free_tokens / max(1e-9, free_s - prompt_s):.1f} tokens/s ({free_tokens} tokens)"),
        ("end to end `Pipeline.run` on the seed", f"median {statistics.median(e2e):.1f} s (runs: {', '.join(f'{x:.1f}' for x in e2e)})"),
        ("the README's first command (`summarizer summarize SEED`, fresh process)", f"median {statistics.median(cli):.1f} s (runs: {', '.join(f'{x:.1f}' for x in cli)})"),
        ("the `summarizer` package on disk (code, templates; the model is a separate wheel)", f"{package_bytes / 1e6:.2f} MB"),
        ("items in the summary", f"{len(summary.meetings)} meetings, {len(summary.statements)} statements, {len(summary.planned_events)} planned events"),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    lines_out = [
        "## Embedded model on the seed article",
        "",
        f"- machine: {machine}",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `.venv/bin/python benchmarks/bench_model.py --runs {args.runs}`",
        f"- load average when it started: {load_before:.1f} (1 min)",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
    ]
    report = "\n".join(lines_out)
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "model.md").write_text(report, encoding="utf-8")
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
