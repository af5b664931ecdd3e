"""Scoring throughput: score 10,000 (prediction, gold) pairs built from the seed fixtures.

Each prediction is the fixture's gold (first alternatives) with seeded random perturbations:
items dropped, duplicated with edits, reordered; names shortened or replaced; dates shifted;
content words dropped; evidence spans trimmed or nulled. Target: under 10 s on this machine,
in one process (no pool), with the garbage collector as the library leaves it.

    .venv/bin/python benchmarks/bench_scoring.py [--pairs 10000] [--seed 0] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.eval.gold import load_suite_dir, to_prediction  # noqa: E402
from summarizer.eval.scoring import score_summary  # noqa: E402
from summarizer.schemas import Actor, ArticleSummary, Evidence, TimeExpr  # noqa: E402

TARGET_S = 10.0
# Earlier measurements, kept for comparison (same command, same machine).
BEFORE = "22.10 s wall, 17.02 s CPU (2.210 ms per pair; load ~3.9)"
FIRST_PASS = "11.92 s wall, 11.83 s CPU (1.192 ms per pair; load 2.67)"


def _shift(t: TimeExpr | None, rng: random.Random) -> TimeExpr | None:
    if t is None or t.start is None or rng.random() < 0.6:
        return t
    days = timedelta(days=rng.choice([-7, -1, 1, 2, 30]))
    end = (t.end or t.start) + days
    return t.model_copy(update={"start": t.start + days, "end": end})


def _actor(a: Actor, rng: random.Random) -> Actor:
    r = rng.random()
    if r < 0.15:
        return a.model_copy(update={"name": a.name.split()[-1]})  # surname only
    if r < 0.2:
        return a.model_copy(update={"name": "Someone Else", "role": None})
    return a


def _text(s: str, rng: random.Random) -> str:
    words = s.split()
    if rng.random() < 0.5 or len(words) < 4:
        return s
    keep = [w for w in words if rng.random() > 0.3]
    return " ".join(keep) or s


def _evidence(evs: list[Evidence], rng: random.Random) -> list[Evidence]:
    out = []
    for e in evs:
        r = rng.random()
        if r < 0.1:
            out.append(Evidence(quote=e.quote[:20] + " (paraphrased)", match="none"))
        elif r < 0.3 and e.start is not None and e.end is not None and e.end - e.start > 10:
            cut = (e.end - e.start) // 2
            out.append(e.model_copy(update={"quote": e.quote[:cut], "end": e.start + cut}))
        else:
            out.append(e)
    return out


def perturb(pred: ArticleSummary, rng: random.Random) -> ArticleSummary:
    def items(lst: list, fix) -> list:  # type: ignore[no-untyped-def,type-arg]
        out = [fix(x) for x in lst if rng.random() > 0.15]
        if out and rng.random() < 0.2:
            out.append(fix(rng.choice(out)))  # a near-duplicate: spurious
        rng.shuffle(out)
        return out

    return pred.model_copy(
        update={
            "meetings": items(
                pred.meetings,
                lambda m: m.model_copy(
                    update={
                        "participants": [_actor(a, rng) for a in m.participants],
                        "time": _shift(m.time, rng),
                        "topics": [_text(t, rng) for t in m.topics],
                        "evidence": _evidence(m.evidence, rng),
                    }
                ),
            ),
            "statements": items(
                pred.statements,
                lambda s: s.model_copy(
                    update={
                        "speaker": _actor(s.speaker, rng),
                        "content": _text(s.content, rng),
                        "evidence": _evidence(s.evidence, rng),
                    }
                ),
            ),
            "planned_events": items(
                pred.planned_events,
                lambda p: p.model_copy(
                    update={
                        "description": _text(p.description, rng),
                        "participants": [_actor(a, rng) for a in p.participants],
                        "time": _shift(p.time, rng),
                        "evidence": _evidence(p.evidence, rng),
                    }
                ),
            ),
        }
    )


def _load(avg: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in avg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--suite", default=str(ROOT / "seeds"))
    args = parser.parse_args()

    fixtures = load_suite_dir(args.suite)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    pairs = []
    for i in range(args.pairs):
        article, gold = fixtures[i % len(fixtures)]
        pairs.append((perturb(to_prediction(gold), rng), gold, article))
    build_s = time.perf_counter() - t0

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    load_before = os.getloadavg()
    full_gc = gc.get_stats()[2]["collections"]
    t0, c0 = time.perf_counter(), time.process_time()
    f1 = [score_summary(p, g, a).overall.f1 for p, g, a in pairs]
    score_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    full_gc = gc.get_stats()[2]["collections"] - full_gc
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    mean_f1 = sum(f1) / len(f1)
    items = sum(len(p.meetings) + len(p.statements) + len(p.planned_events) for p, _, _ in pairs)
    command = "PYTHONHASHSEED=0 .venv/bin/python benchmarks/bench_scoring.py" + (
        f" --pairs {args.pairs}" if args.pairs != 10_000 else ""
    )
    verdict = "PASS" if score_s < TARGET_S else "FAIL"
    lines = [
        "## Scoring throughput",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {date.today().isoformat()}",
        f"- command: `{command}`",
        f"- fixtures: {len(fixtures)} from `{Path(args.suite).name}/`, perturbed with seed "
        f"{args.seed}; {args.pairs} pairs, {items} predicted items in total",
        f"- building the perturbed predictions (not timed below): {build_s:.2f} s",
        f"- **scoring {args.pairs} pairs: {score_s:.2f} s** "
        f"({1000 * score_s / args.pairs:.3f} ms per pair; target < {TARGET_S:.0f} s: {verdict}); "
        f"CPU time {cpu_s:.2f} s (the machine is shared: wall time varies with load)",
        "- one process, no pool, garbage collector left as it is; what made it faster: the "
        "`Speed.` paragraph of `summarizer/eval/scoring.py`",
        f"- full (oldest-generation) garbage collections while scoring: {full_gc}",
        f"- mean overall field F1 of the perturbed predictions: {mean_f1:.3f} "
        "(unchanged by the speed work: every score is bit-identical)",
        f"- before the speed work (scoring.py of commit 1e1bbd6): {BEFORE}",
        f"- after the first pass (scoring.py of commit e3231c4): {FIRST_PASS}",
        f"- load average (1/5/15 min) at the start: {_load(load_before)}; when done: "
        f"{_load(os.getloadavg())}",
        "",
    ]
    print("\n".join(lines))
    if not args.profile and args.pairs == 10_000:
        out = ROOT / "benchmarks" / "results" / "scoring.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
