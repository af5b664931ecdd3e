"""`summarizer events build | show | eval`: the event database from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.errors import UsageError

EXIT_OK = 0
_SHOWN_PROBLEMS = 5


def add_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The `events` subcommand and its own subcommands, added to `sub`."""
    ev: argparse.ArgumentParser = sub.add_parser("events", help="a DuckDB database of events across articles")
    esub = ev.add_subparsers(dest="events_command", required=True, parser_class=parser_class)
    b = esub.add_parser("build", help="add batch outputs to the event database")
    b.add_argument("outputs", nargs="+", metavar="OUT.jsonl", help="batch outputs (`summarizer batch --out`)")
    b.add_argument("--db", required=True, metavar="DB.duckdb", help="the database (created when absent)")
    b.add_argument(
        "--articles", action="append", metavar="INPUT",
        help="the batch's input (a JSONL of Article records or a folder): dates, sources, urls "
        "and texts; repeatable (default: none, so times without a date stay unresolved)",
    )
    b.add_argument("--parquet", metavar="DIR", help="also write every table as DIR/<table>.parquet")
    b.add_argument(
        "--engine", choices=["local", "ray"], default="local",
        help="local (this process) or ray (a Ray Data pipeline: RAY_ADDRESS, or a local instance); "
        "the database is the same (default local)",
    )
    s = esub.add_parser("show", help="print one event with its articles and evidence")
    s.add_argument("event_id", metavar="EVENT_ID", help="an event id (`SELECT event_id FROM events`)")
    s.add_argument("--db", required=True, metavar="DB.duckdb", help="a database written by `events build`")
    s.add_argument("--format", choices=["text", "html", "json"], default="text", help="text, html or json (default text)")
    s.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
    e = esub.add_parser("eval", help="score the merge step on cluster fixtures (B³, MUC, CEAF-e, CoNLL, BLANC)")
    e.add_argument("fixtures", metavar="DIR", help="a folder with articles.jsonl and gold.json (e.g. evals/clusters)")
    e.add_argument(
        "--predictions", metavar="OUT.jsonl",
        help="a batch output over DIR/articles.jsonl (default: the gold summaries, which scores "
        "the merge step alone)",
    )
    e.add_argument("--db", metavar="DB.duckdb", help="keep the database built here (default: a temporary one)")
    e.add_argument("--engine", choices=["local", "ray"], default="local", help="as for build (default local)")
    e.add_argument("--format", choices=["md", "json"], default="md", help="md or json (default md)")
    e.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
    return ev


def run(args: argparse.Namespace, *, emit: Callable[[str, str | None], None]) -> int:
    handlers = {"build": _build, "show": _show, "eval": _eval}
    return handlers[args.events_command](args, emit)


def _matcher(engine: str) -> Any:
    if engine == "ray":
        from summarizer.events.ray_pipeline import RayMatcher

        return RayMatcher()
    return None


def _build(args: argparse.Namespace, emit: Callable[[str, str | None], None]) -> int:
    from summarizer.events.build import build
    from summarizer.events.export import export_parquet
    from summarizer.events.store import open_store

    db = Path(args.db)
    stats = build(
        [Path(p) for p in args.outputs], db, articles=args.articles or [], matcher=_matcher(args.engine)
    )
    for problem in stats.problems[:_SHOWN_PROBLEMS]:
        where = f" ({problem.article_id})" if problem.article_id else ""
        sys.stderr.write(f"summarizer events: skipped {problem.file} line {problem.line}{where}: {problem.message}\n")
    if len(stats.problems) > _SHOWN_PROBLEMS:
        sys.stderr.write(
            f"summarizer events: {len(stats.problems) - _SHOWN_PROBLEMS} more skipped records: "
            "see the `problems` table\n"
        )
    if args.parquet:
        store = open_store(db, read_only=True)
        try:
            export_parquet(store, Path(args.parquet))
        finally:
            store.close()
    sys.stderr.write(
        f"summarizer events: {stats.articles} articles added ({stats.skipped} already in the "
        f"database), {stats.mentions} mentions, {stats.matches} matches, {stats.events_written} "
        f"events written, {stats.events_total} in all, {stats.follow_ups} follow-up links, "
        f"{len(stats.problems)} records skipped -> {db}\n"
    )
    return EXIT_OK


def _show(args: argparse.Namespace, emit: Callable[[str, str | None], None]) -> int:
    from summarizer.events.page import event_page
    from summarizer.events.show import event_text, load_event
    from summarizer.events.store import open_store

    store = open_store(Path(args.db), read_only=True)
    try:
        view = load_event(store, args.event_id)
    finally:
        store.close()
    if args.format == "html":
        emit(event_page(view), args.out)
    elif args.format == "json":
        data = {"event": view.event, "reports": [r.__dict__ for r in view.reports], "follow_ups": view.follow_ups}
        emit(json.dumps(data, indent=2, default=str, ensure_ascii=False), args.out)
    else:
        emit(event_text(view), args.out)
    return EXIT_OK


def _eval(args: argparse.Namespace, emit: Callable[[str, str | None], None]) -> int:
    from summarizer.events.build import build
    from summarizer.events.evaluate import evaluate, load_clusters, write_gold_outputs
    from summarizer.events.store import open_store

    folder = Path(args.fixtures)
    suite = load_clusters(folder)
    with tempfile.TemporaryDirectory(prefix="events-eval-") as tmp:
        if args.predictions:
            outputs = Path(args.predictions)
        else:
            outputs = Path(tmp) / "gold.jsonl"
            write_gold_outputs(suite, outputs)
        db = Path(args.db) if args.db else Path(tmp) / "events.duckdb"
        if args.db and db.exists():
            raise UsageError(f"{db} exists: eval builds a fresh database; give a new --db path")
        build([outputs], db, articles=[str(folder / "articles.jsonl")], matcher=_matcher(args.engine))
        store = open_store(db, read_only=True)
        try:
            result = evaluate(suite, store)
        finally:
            store.close()
    result["mode"] = "end to end" if args.predictions else "gold summaries"
    emit(json.dumps(result, indent=2) if args.format == "json" else _markdown(result), args.out)
    return EXIT_OK


def _markdown(r: dict[str, Any]) -> str:
    rows = [
        f"| {name} | {r[key]['precision']:.3f} | {r[key]['recall']:.3f} | {r[key]['f1']:.3f} |"
        for name, key in (("MUC", "muc"), ("B³", "b3"), ("CEAF-e", "ceaf_e"), ("BLANC", "blanc"), ("follow-up links", "follow_ups"))
    ]
    return "\n".join([
        f"Event clustering ({r['mode']}): {r['predicted_events']} events for {r['gold_events']} gold; "
        f"{r['aligned_mentions']} of {r['predicted_mentions']} mentions aligned to {r['gold_mentions']} gold",
        "",
        "| metric | precision | recall | F1 |",
        "|---|---|---|---|",
        *rows,
        "",
        f"CoNLL F1 (mean of MUC, B³, CEAF-e): {r['conll_f1']:.3f}",
    ])
