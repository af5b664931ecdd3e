"""`summarizer eval judge RUN.json --suite SUITE`: judge an existing run's free-text fields
afterwards, with the suite's `judge:` settings (flags on top), and print the agreement."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from summarizer.errors import UsageError


def add_parser(esub: Any) -> argparse.ArgumentParser:
    """The `judge` subcommand under `summarizer eval`."""
    j: argparse.ArgumentParser = esub.add_parser(
        "judge", help="score RUN.json's free-text fields with a judge model and report agreement"
    )
    j.add_argument("run", help="a RUN.json written by `eval run`")
    j.add_argument(
        "--suite", required=True, metavar="SUITE",
        help="the suite YAML whose `judge:` section says who judges (flags below override it)",
    )
    j.add_argument("--out", required=True, metavar="RUN.json", help="write the judged run here")
    j.add_argument("--fixtures", metavar="DIR", help="fixture directory (default: the suite's)")
    j.add_argument("--replay", action="store_true", help="answer only from the judge's store (no network)")
    j.add_argument(
        "--judge-backend", dest="backend", choices=["openai", "local"],
        help="the judge's backend (default: the suite's judge.backend, else openai)",
    )
    j.add_argument("--model", metavar="NAME", help="the judge model (openai backend)")
    j.add_argument("--base-url", metavar="URL", help="an OpenAI-compatible endpoint for the judge")
    j.add_argument("--model-path", metavar="GGUF", help="a GGUF file for the local judge")
    j.add_argument("--store", metavar="PATH", help="the judge's response store (SQLite)")
    j.add_argument("--format", choices=["md", "json"], default="md", help="agreement as md or json (default md)")
    j.set_defaults(func=_cmd_judge)
    return j


def judge_lines(run: Any) -> list[str]:
    """What `eval run` says about its judge: failures, then one line of totals."""
    record = run.judge
    if record is None:
        return []
    lines = [f"summarizer: judge: {error}" for error in record.errors]
    lines.append(
        f"judged {len(record.pairs)} pair(s) in {record.requests} request(s) "
        f"({record.replayed} replayed, {record.cached_pairs} pair(s) reused)"
    )
    return lines


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cmd_judge(args: argparse.Namespace) -> int:
    from summarizer.eval.judge_config import JudgeConfig
    from summarizer.eval.runfile import Run
    from summarizer.eval.session import judge_suite_run
    from summarizer.eval.suite import load_fixture_set, load_suite

    suite = load_suite(args.suite)
    overrides = {
        "backend": args.backend, "model": args.model, "base_url": args.base_url,
        "model_path": args.model_path, "store": Path(args.store) if args.store else None,
    }  # fmt: skip
    if suite.judge is None:
        if not (args.model or args.backend):
            raise UsageError(
                f"suite {args.suite} has no `judge:` section: add one (see the README, \"Judge\"), "
                "or name the judge with --model NAME or --judge-backend local"
            )
        suite.judge = JudgeConfig()
    run = Run.load(args.run)
    fixtures = load_fixture_set(args.fixtures, suite.adapter) if args.fixtures else None
    judged = judge_suite_run(
        suite, run, replay=args.replay, fixtures=fixtures, overrides=overrides, say=_say
    )
    judged.save(args.out)
    record = judged.judge
    assert record is not None
    from summarizer.eval.judge_report import judge_markdown

    if args.format == "json":
        print(json.dumps([a.model_dump(mode="json") for a in record.agreement], indent=2))
    else:
        print(judge_markdown(judged))
    *failures, totals = judge_lines(judged)
    for line in failures:
        _say(line)
    _say(f"{totals}; wrote {args.out}")
    if record.requests and len(record.errors) == record.requests:
        _say("summarizer: every judge request failed: see the errors above")
        return 1
    return 0
