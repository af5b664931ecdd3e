"""The `summarizer` command. The only module that prints or sets exit codes.

Exit codes: 0 success, 1 model/transport failure (or a failed gate), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from summarizer import __version__
from summarizer.config import debug_enabled
from summarizer.errors import Interrupted, ModelError, SummarizerError, UsageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"summarizer: error: {message} (see `{self.prog} --help`)\n")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--backend", choices=["local", "openai", "replay"], help="which backend to use")
    g.add_argument("--model", help="model name; selects the openai backend")
    g.add_argument("--base-url", help="OpenAI-compatible endpoint; selects the openai backend")
    g.add_argument("--model-path", help="a GGUF file for the local backend")
    g.add_argument("--prompt-format", choices=["auto", "completion", "chat"], help="local backend prompt style")
    g.add_argument("--instructor-mode", choices=["tools", "json", "json_schema", "md_json"])
    g.add_argument("--max-reasks", type=int, help="re-asks on schema-invalid answers (default 2)")
    g.add_argument("--max-attempts", type=int, help="attempts per request on transient errors (default 4)")
    g.add_argument("--timeout", type=float, help="seconds per HTTP request (default 60)")
    g.add_argument("--max-tokens", type=int, help="answer length cap in tokens (default 1024)")
    g.add_argument("--grounding", choices=["drop", "flag", "keep"], help="ungrounded items (default drop)")
    g.add_argument("--store", help="response store (SQLite) to record model responses to")
    g.add_argument("--replay", action="store_true", help="answer only from --store; fail on a miss")


def _settings_from(args: argparse.Namespace) -> Any:
    from summarizer.config import resolve_settings

    explicit = {
        name: getattr(args, name, None)
        for name in (
            "backend", "model", "base_url", "model_path", "prompt_format", "instructor_mode",
            "max_reasks", "max_attempts", "timeout", "max_tokens", "grounding",
        )
    }
    explicit["store_path"] = getattr(args, "store", None)
    if getattr(args, "replay", False):
        explicit["backend"] = "replay"
    return resolve_settings(**explicit)


# -- commands ----------------------------------------------------------------------------


def _cmd_summarize(args: argparse.Namespace) -> int:
    from summarizer.api import pipeline_for
    from summarizer.reader import read_article
    from summarizer.render import to_html, to_json, to_markdown

    settings = _settings_from(args)
    article = read_article(
        args.article,
        published=args.published,
        title=args.title,
        article_id=args.id,
        max_chars=args.max_chars,
    )
    summary = pipeline_for(settings).run(article)
    renderers: dict[str, Callable[[], str]] = {
        "json": lambda: to_json(summary),
        "md": lambda: to_markdown(summary, article),
        "html": lambda: to_html(summary, article),
    }
    _emit(renderers[args.format](), args.out)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from summarizer.draft import draft_json_schema
    from summarizer.schemas import output_json_schema

    schema = draft_json_schema() if args.draft else output_json_schema()
    _emit(json.dumps(schema, indent=2), args.out)
    return EXIT_OK


def _emit(text: str, out: str | None) -> None:
    if out:
        try:
            Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror}: check the path") from None
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _cmd_eval(args: argparse.Namespace) -> int:
    from summarizer import evalcli

    return evalcli.run(args, settings_from=_settings_from, emit=_emit)


def _cmd_batch(args: argparse.Namespace) -> int:
    from summarizer.batch import run_batch_cli

    return run_batch_cli(args, settings=_settings_from(args), out=sys.stderr)


# -- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="summarizer",
        description="Typed, grounded structured summaries of news articles.",
    )
    parser.add_argument("--version", action="version", version=f"summarizer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("summarize", help="summarise one article")
    s.add_argument("article", help="a .txt, .json (Article record) or .html file, or - for stdin")
    s.add_argument("--published", help="publication date, YYYY-MM-DD (resolves 'on Monday')")
    s.add_argument("--title", help="override the title")
    s.add_argument("--id", help="override the article id")
    s.add_argument("--format", choices=["json", "md", "html"], default="json")
    s.add_argument("--out", help="write to this file instead of standard output")
    s.add_argument("--max-chars", type=int, default=2_000_000, help="refuse longer articles")
    _add_model_options(s)
    s.set_defaults(func=_cmd_summarize)

    sc = sub.add_parser("schema", help="print the output JSON Schema")
    sc.add_argument("--draft", action="store_true", help="the schema the model is asked to fill instead")
    sc.add_argument("--out")
    sc.set_defaults(func=_cmd_schema)

    b = sub.add_parser("batch", help="summarise many articles into a JSONL file")
    b.add_argument("input", help="a directory of articles, a JSONL file of Article records, or -")
    b.add_argument("--out", required=True, help="output JSONL, one line per article")
    b.add_argument("--concurrency", type=int, default=4)
    b.add_argument("--rpm", type=float, help="client-side limit on requests per minute")
    b.add_argument("--tpm", type=float, help="client-side limit on tokens per minute")
    b.add_argument("--resume", action="store_true", help="skip ids already in --out")
    b.add_argument(
        "--retry-failed", action="store_true",
        help="--resume that also re-runs failures caused by the article or the model",
    )
    b.add_argument("--cache", help="summary cache (SQLite); default: next to --out")
    b.add_argument("--no-cache", action="store_true", help="do not read or write the summary cache")
    b.add_argument(
        "--engine", choices=["local", "ray", "openai-batch"], default="local",
        help="local (this process), ray (a Ray cluster: RAY_ADDRESS, or a local instance), "
        "openai-batch (the OpenAI Batch API, live calls for what it leaves)",
    )
    b.add_argument("--workers", type=int, default=2, help="ray: pipeline replicas (default 2)")
    b.add_argument("--poll-interval", type=float, default=5.0, help="openai-batch: seconds between polls")
    b.add_argument(
        "--batch-timeout", type=float, default=86_400.0,
        help="openai-batch: stop waiting after this many seconds (resume later with --resume)",
    )
    b.add_argument("--max-chars", type=int, default=2_000_000)
    b.add_argument(
        "--progress", choices=["auto", "bar", "log", "off"], default="auto",
        help="a progress bar on a terminal, periodic log lines otherwise (default auto)",
    )
    b.add_argument("--log-interval", type=float, default=10.0, help="seconds between log lines")
    _add_model_options(b)
    b.set_defaults(func=_cmd_batch)

    e = sub.add_parser("eval", help="run, score, report and compare evaluations")
    esub = e.add_subparsers(dest="eval_command", required=True, parser_class=_Parser)
    er = esub.add_parser("run", help="run a suite and write RUN.json")
    er.add_argument("suite", help="a suite YAML file, or a directory of fixtures")
    er.add_argument("--out", required=True)
    er.add_argument("--repetitions", type=int)
    er.add_argument("--limit", type=int, help="only the first N fixtures")
    _add_model_options(er)
    es = esub.add_parser("score", help="recompute scores of RUN.json from its predictions")
    es.add_argument("run")
    es.add_argument("--out", help="write the rescored run here (default: print a summary only)")
    es.add_argument("--fixtures", help="fixture directory (default: the one the run names)")
    ep = esub.add_parser("report", help="render RUN.json as Markdown or HTML")
    ep.add_argument("run")
    ep.add_argument("--format", choices=["md", "html"], default="md")
    ep.add_argument("--out")
    ep.add_argument("--fixtures", help="fixture directory (default: the one the run names)")
    ec = esub.add_parser("compare", help="compare two runs with confidence intervals")
    ec.add_argument("base")
    ec.add_argument("new")
    ec.add_argument("--fail-on-regression", action="store_true")
    ec.add_argument("--threshold", type=float, default=0.02)
    ec.add_argument("--out")
    e.set_defaults(func=_cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = debug_enabled()
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"summarizer: error: {exc}\n")
        return EXIT_USAGE
    except Interrupted as exc:
        sys.stderr.write(f"summarizer: {exc}\n")
        return 128 + exc.signum
    except ModelError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"summarizer: model error: {exc}\n")
        return EXIT_FAILURE
    except SummarizerError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"summarizer: error: {exc}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        sys.stderr.write("summarizer: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # an unexpected bug: one line, the traceback only on request
        if debug:
            traceback.print_exc()
        sys.stderr.write(
            f"summarizer: internal error: {type(exc).__name__}: {exc} "
            "(set SUMMARIZER_DEBUG=1 for a traceback, and please report it)\n"
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
