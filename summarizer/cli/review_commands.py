"""`summarizer eval draft-gold` and `summarizer eval review`: making gold from a model's answer
and correcting it in a local browser page."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError, UsageError


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def add_parsers(
    esub: Any,
    *,
    add_model_options: Callable[[argparse.ArgumentParser], None],
    settings_from: Callable[[argparse.Namespace], Any],
) -> None:
    """The two subcommands under `summarizer eval`."""
    d = esub.add_parser(
        "draft-gold", help="draft gold fixtures from a model's answers, for a person to review"
    )
    d.add_argument("articles", nargs="+", metavar="ARTICLE", help="a .txt, .json or .html article, or -")
    d.add_argument(
        "--out", default=".", metavar="DIR",
        help="fixture folder to write <id>.txt, <id>.meta.json and <id>.gold.json into (default .)",
    )
    d.add_argument(
        "--published", metavar="DATE",
        help="publication date, YYYY-MM-DD, of every article (default: each record's or page's own)",
    )
    d.add_argument(
        "--force", action="store_true",
        help="overwrite fixture files that exist with other content (default: refuse)",
    )
    _add_summary_type(d)
    add_model_options(d)
    d.set_defaults(func=functools.partial(draft_gold, settings_from=settings_from))

    r = esub.add_parser("review", help="review and correct gold in a local browser page (127.0.0.1)")
    r.add_argument("path", metavar="GOLD", help="an <id>.gold.json file, or a folder of fixtures")
    r.add_argument(
        "--port", type=int, default=8765, metavar="N",
        help="port on 127.0.0.1 (default 8765; 0 picks a free one)",
    )
    _add_summary_type(r)
    r.set_defaults(func=review)


def _add_summary_type(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--summary-type", metavar="MODULE:CLASS",
        help="an extended ArticleSummary (a module on PYTHONPATH, then the class) whose gold "
        "has its extra fields (default: the built-in one)",
    )


def draft_gold(
    args: argparse.Namespace,
    *,
    settings_from: Callable[[argparse.Namespace], Any],
    say: Callable[[str], None] = _say,
) -> int:
    """Draft every article; one that fails is reported and the others are still written.
    Exit 2 when any failed for a reason the user can fix, else 1 when any failed, else 0."""
    from summarizer.api import pipeline_for
    from summarizer.errors import InputError
    from summarizer.eval.draft_gold import check_fixture_id, fixture_article, write_draft
    from summarizer.eval.extras import gold_type
    from summarizer.extra_fields import import_summary_type
    from summarizer.pipeline import undated_warning
    from summarizer.reader import read_article

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file: give a folder for the fixtures")
    settings = settings_from(args)
    if args.summary_type:
        settings = settings.with_(summary_type=import_summary_type(args.summary_type))
    gold = gold_type(settings.summary_type)
    codes: set[int] = set()
    drafted_from: dict[str, str] = {}
    for name in args.articles:
        try:
            article = fixture_article(read_article(name, published=args.published))
            check_fixture_id(article.id, name)
            if article.id in drafted_from:
                raise InputError(
                    f"{name}: fixture id {article.id!r} is drafted from {drafted_from[article.id]} "
                    "already: give the articles distinct file names or ids"
                )
            summary = pipeline_for(settings).run(article)
            draft = write_draft(article, summary, out, gold_type=gold, force=args.force)
        except UsageError as exc:  # its message names the file already
            say(f"summarizer: error: {exc}")
            codes.add(2)
            continue
        except SummarizerError as exc:
            say(f"summarizer: model error: {name}: {exc}")
            codes.add(1)
            continue
        drafted_from[article.id] = name
        counts = ", ".join(
            f"{list_name.replace('_', ' ')}: {len(draft.gold.items(list_name))}"
            for list_name in ("meetings", "statements", "planned_events")
        )
        say(f"summarizer: drafted {draft.files[-1]} ({counts})")
        for note in draft.notes:
            say(f"summarizer: note: {draft.fixture_id}: {note}")
        if summary.run.undated_times:
            say(f"summarizer: warning: {name}: {undated_warning(1, summary.run.undated_times)}")
    if drafted_from:
        say(
            f"summarizer: {len(drafted_from)} of {len(args.articles)} drafted; correct them with: "
            f"summarizer eval review {out}"
        )
    return 2 if 2 in codes else 1 if codes else 0


def review(args: argparse.Namespace, *, say: Callable[[str], None] = _say) -> int:
    from summarizer.eval.extras import gold_type
    from summarizer.eval.gold import Gold
    from summarizer.eval.review_server import ReviewServer
    from summarizer.eval.review_session import ReviewSession
    from summarizer.extra_fields import import_summary_type

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port: give 1-65535, or 0 for a free one")
    gold = gold_type(import_summary_type(args.summary_type)) if args.summary_type else Gold
    session = ReviewSession(args.path, gold_type=gold)
    server = ReviewServer(session, port=args.port)
    n = len(session.listing())
    say(
        f"summarizer: reviewing {n} fixture(s) of {args.path} at {server.url} "
        "(127.0.0.1 only; Ctrl-C stops)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    say("summarizer: review stopped")
    return 0
