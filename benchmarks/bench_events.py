"""Event database build at scale: synthetic mentions at 10k, 100k and 1M.

Synthetic events (two or three invented actors, a place, a day) are each reported by one to
five mentions with noise: a report may drop the place, add or drop an actor, give only an
inferred week instead of the day, or use other words. The actor pool, the places and the
span of days grow with the size, so the density of events per actor and month (what the
blocks hold) stays the same: the point is to show that blocking keeps the work near-linear.

Each size runs in its own process (peak memory is then that size's own): it times the
matching (blocking + scoring), the components and events, and the whole incremental build
into a DuckDB file (mentions loaded in bulk, matches, events and links written), and records
the growth of peak RSS over the process after imports. Quality against the generator's own
gold (B³, MUC) is reported too.

    .venv/bin/python benchmarks/bench_events.py [--sizes 10000,100000,1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.events.build import BuildStats, merge  # noqa: E402
from summarizer.events.cluster import UnionFind, make_event  # noqa: E402
from summarizer.events.matching import find_matches  # noqa: E402
from summarizer.events.metrics import b_cubed, muc  # noqa: E402
from summarizer.events.model import Mention  # noqa: E402
from summarizer.events.normalize import content_tokens  # noqa: E402
from summarizer.events.store import open_store  # noqa: E402

TOPICS = "trade grain pipeline fisheries border ferry energy security customs visas railway ports".split()


def synthetic(n: int, seed: int) -> tuple[list[Mention], dict[str, str]]:
    rng = random.Random(seed)
    actors = [f"actor{i}" for i in range(max(60, n // 15))]
    places = [f"place{i}" for i in range(max(20, n // 60))]
    span = max(60, n // 40)  # days
    day0 = date(2020, 1, 1)
    mentions: list[Mention] = []
    gold: dict[str, str] = {}
    event = 0
    while len(mentions) < n:
        event += 1
        who = rng.sample(actors, rng.choice((2, 2, 3)))
        where = rng.choice(places)
        when = day0 + timedelta(days=rng.randrange(span))
        words = " ".join(rng.sample(TOPICS, 3))
        for r in range(min(rng.choice((1, 1, 2, 3, 3, 4, 5)), n - len(mentions))):
            people = list(who)
            if rng.random() < 0.15:
                people.append(rng.choice(actors))
            if rng.random() < 0.15 and len(people) > 2:
                people.pop(rng.randrange(len(people)))
            inferred = rng.random() < 0.15
            start = when - timedelta(days=6) if inferred else when
            text = words if rng.random() < 0.7 else " ".join(rng.sample(TOPICS, 3))
            place = None if rng.random() < 0.2 else where
            mid = f"a{event}-{r}#M1"
            mentions.append(
                Mention(
                    mention_id=mid, article_id=f"a{event}-{r}", kind="meeting", index=0,
                    cluster_kind="meeting", description=text,
                    participants=tuple(sorted({(p, p.title()) for p in people})),
                    place=place, place_key=place, time_text=None, start=start, end=when,
                    time_inferred=inferred, status="held", tokens=content_tokens(text),
                    evidence=({"quote": "q", "start": 0, "end": 1, "match": "exact"},),
                    published=when + timedelta(days=rng.randrange(3)), source=f"s{r}",
                )
            )
            gold[mid] = f"e{event}"
    return mentions, gold


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(n: int, seed: int) -> dict[str, object]:
    mentions, gold = synthetic(n, seed)
    base = _rss_mb()
    t0 = time.perf_counter()
    matches = find_matches(mentions)
    t1 = time.perf_counter()
    groups = UnionFind()
    for m in mentions:
        groups.add(m.mention_id)
    for x in matches:
        groups.union(x.a, x.b)
    by_id = {m.mention_id: m for m in mentions}
    components = groups.groups(by_id)
    events = [make_event([by_id[i] for i in members]) for members in components.values()]
    t2 = time.perf_counter()
    match_rss = _rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        t3 = time.perf_counter()
        stats = BuildStats()
        with store.transaction():
            merge(store, mentions, lambda ms, new: find_matches(ms, new), stats)
            store.add_mentions(mentions)
        t4 = time.perf_counter()
        store.close()
        size = (Path(tmp) / "bench.duckdb").stat().st_size
    key: dict[str, set[str]] = {}
    for mid, e in gold.items():
        key.setdefault(e, set()).add(mid)
    response = [set(c) for c in components.values()]
    return {
        "mentions": n, "gold_events": len(key), "matches": len(matches), "events": len(events),
        "match_s": t1 - t0, "cluster_s": t2 - t1, "build_s": t4 - t3, "db_mb": size / 2**20,
        "rss_base_mb": base, "rss_growth_match_mb": match_rss - base, "rss_growth_total_mb": _rss_mb() - base,
        "b3_f1": b_cubed(key.values(), response).f1, "muc_f1": muc(key.values(), response).f1,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seed)))
        return
    load = os.getloadavg()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr)
    end_load = os.getloadavg()
    lines = [
        "## Event database build (synthetic mentions)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs shared with four other engineers' "
        f"work, Python {platform.python_version()}, {date.today().isoformat()}; load average at the "
        f"start {load[0]:.2f}, at the end {end_load[0]:.2f} (wall times vary with it)",
        f"- command: `.venv/bin/python benchmarks/bench_events.py --sizes {args.sizes} --seed {args.seed}`",
        "- synthetic meetings, 1-5 noisy reports each (place dropped 20%, an actor added or dropped "
        "15%, only an inferred week 15%, other words 30%); actors, places and days grow with the size",
        "- matching = blocking + scoring (`events.matching.find_matches`, one process); events = "
        "components + one row per event; build = the whole `merge` into a DuckDB file (bulk loads, "
        "matches, events, mention links, follow-ups), matching included",
        "- peak RSS growth: over the process after generating the mentions (each size its own process)",
        "- each size runs once (one seed); the machine is shared, so the runs are kept to one pass and "
        "`nice`d; Ray is not timed here (on 2 cores it only adds scheduling)",
        "",
        "| mentions | matches | events (gold) | matching s | events s | DuckDB build s | DB MB | peak RSS growth MB (matching / all) | B³ F1 | MUC F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['mentions']:,} | {r['matches']:,} | {r['events']:,} ({r['gold_events']:,}) | "
            f"{r['match_s']:.1f} | {r['cluster_s']:.1f} | {r['build_s']:.1f} | {r['db_mb']:.0f} | "
            f"{r['rss_growth_match_mb']:.0f} / {r['rss_growth_total_mb']:.0f} | {r['b3_f1']:.3f} | {r['muc_f1']:.3f} |"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio = float(last["mentions"]) / float(first["mentions"])  # type: ignore[arg-type]
        grow = float(last["build_s"]) / float(first["build_s"])  # type: ignore[arg-type]
        lines += ["", f"- {ratio:.0f}× the mentions took {grow:.1f}× the build time."]
    out = ROOT / "benchmarks" / "results" / "events.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
