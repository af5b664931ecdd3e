"""The `summarizer` command: its parser and dispatch. Only the `cli` package prints or sets exit codes.

Exit codes: 0 success, 1 model/transport failure (or a failed gate), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from summarizer.config import (
    BACKENDS,
    DEFAULT_OPENAI_MODEL,
    INSTRUCTOR_MODES,
    POLICIES,
    PROMPT_FORMATS,
    Settings,
    debug_enabled,
)
from summarizer.engines import ENGINES
from summarizer.errors import Interrupted, ModelError, SummarizerError, UsageError
from summarizer.progress import PROGRESS_MODES
from summarizer.version import __version__

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"summarizer: error: {message} (see `{self.prog} --help`)\n")


_DEFAULTS = Settings()


def _add_model_options(p: argparse.ArgumentParser) -> None:
    # Defaults stay None here, so that the environment can fill what a flag does not give;
    # the help states the default that applies when neither does (taken from Settings).
    d = _DEFAULTS
    g = p.add_argument_group("model")
    g.add_argument(
        "--backend", choices=BACKENDS,
        help=f"which backend answers (default {d.backend}; --model/--base-url select openai)",
    )
    g.add_argument(
        "--model", metavar="NAME",
        help=f"model name; selects the openai backend (default {DEFAULT_OPENAI_MODEL} there)",
    )
    g.add_argument("--base-url", metavar="URL", help="OpenAI-compatible endpoint; selects the openai backend")
    g.add_argument("--model-path", metavar="GGUF", help="a GGUF file for the local backend (default: the packaged model)")
    g.add_argument(
        "--prompt-format", choices=PROMPT_FORMATS,
        help=f"local backend prompt style (default {d.prompt_format}: chat when the GGUF has a chat template)",
    )
    g.add_argument(
        "--instructor-mode", choices=INSTRUCTOR_MODES,
        help=f"how instructor asks an OpenAI-compatible server for JSON (default {d.instructor_mode})",
    )
    g.add_argument("--max-reasks", type=int, metavar="N", help=f"re-asks on schema-invalid answers (default {d.max_reasks})")
    g.add_argument(
        "--max-attempts", type=int, metavar="N",
        help=f"attempts per request on transient errors (default {d.max_attempts})",
    )
    g.add_argument("--timeout", type=float, metavar="SECONDS", help=f"seconds per HTTP request (default {d.timeout:g})")
    g.add_argument(
        "--max-tokens", type=int, metavar="N",
        help=f"answer length cap in tokens (default {d.max_tokens}; a suite's settings may set "
        "their own: evals/seeds.yaml uses 512)",
    )
    g.add_argument(
        "--grounding", choices=POLICIES,
        help=f"what happens to items whose evidence is not in the article (default {d.grounding})",
    )
    g.add_argument("--store", metavar="PATH", help="response store (SQLite) to record model responses to")
    g.add_argument("--replay", action="store_true", help="answer only from --store; fail on a miss")
    g.add_argument(
        "--quiet", action="store_true",
        help="no note on stderr when the embedded smoke-level model runs (or SUMMARIZER_QUIET=1)",
    )
    g.add_argument(
        "--prompts", metavar="DIR",
        help="a folder of your own templates and examples/*.json; files it lacks come from the package",
    )


def _add_gate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--metrics", metavar="M,...",
        help="comma-separated metrics to gate (default: the suite's `gate:`, else "
        "overall.f1,items.f1,grounding_rate,schema_valid)",
    )
    p.add_argument(
        "--threshold", type=float, metavar="X",
        help="allowed drop for every gated metric (default: the suite's rules, else 0.02)",
    )
    p.add_argument(
        "--exclude-flaky", action="store_true",
        help="leave out fixtures whose repetitions disagree",
    )


def _settings_from(args: argparse.Namespace) -> Any:
    from summarizer.config import resolve_settings

    explicit = {
        name: getattr(args, name, None)
        for name in (
            "backend", "model", "base_url", "model_path", "prompt_format", "instructor_mode",
            "max_reasks", "max_attempts", "timeout", "max_tokens", "grounding", "prompts",
        )
    }
    explicit["quiet"] = True if getattr(args, "quiet", False) else None
    explicit["store_path"] = getattr(args, "store", None)
    if getattr(args, "replay", False):
        explicit["backend"] = "replay"
    settings = resolve_settings(**explicit)
    _show_embedded_note(not settings.quiet)
    return settings


class _NoteHandler(logging.Handler):
    """The embedded model's note as one stderr line (to the stderr of the moment)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"summarizer: note: {record.getMessage()}\n")


def _show_embedded_note(show: bool) -> None:
    """The library logs when the packaged smoke-level model starts; the CLI says it once."""
    logger = logging.getLogger("summarizer.embedded")
    for handler in [h for h in logger.handlers if isinstance(h, _NoteHandler)]:
        logger.removeHandler(handler)
    if show:
        logger.addHandler(_NoteHandler())


# -- commands ----------------------------------------------------------------------------


def _cmd_summarize(args: argparse.Namespace) -> int:
    from summarizer.api import pipeline_for
    from summarizer.pipeline import undated_warning
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
    if summary.run.undated_times:
        sys.stderr.write(f"summarizer: warning: {undated_warning(1, summary.run.undated_times)}\n")
    renderers: dict[str, Callable[[], str]] = {
        "json": lambda: to_json(summary),
        "md": lambda: to_markdown(summary, article),
        "html": lambda: to_html(summary, article),
    }
    _emit(renderers[args.format](), args.out)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from summarizer.draft_schema import draft_json_schema
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
    from summarizer.cli.eval_commands import run as run_eval

    return run_eval(args, emit=_emit)


def _cmd_events(args: argparse.Namespace) -> int:
    from summarizer.cli.events_commands import run as run_events

    return run_events(args, emit=_emit)


def _settle_heap() -> None:
    """Tune the garbage collector for a long run, once its imports are done.

    The imports (openai's types above all) leave some 130,000 long-lived objects that every
    full collection would walk again; frozen (without a collection first, which would cost
    more start-up than the little garbage it frees), they are skipped. A higher first threshold
    lets the many short-lived objects of each article (requests, answers, validation) die
    young without a collection each 700 allocations. Together about 1 ms of CPU per article
    at --concurrency 32 (benchmarks/RESULTS.md, batch throughput)."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _cmd_batch(args: argparse.Namespace) -> int:
    from summarizer.cli.batch_commands import run_batch_cli

    if args.own_process:
        _settle_heap()
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
    s.add_argument(
        "--published", metavar="DATE",
        help="publication date, YYYY-MM-DD (resolves 'on Monday'; default: the record's or the "
        "page's own date)",
    )
    s.add_argument("--title", metavar="T", help="override the title")
    s.add_argument("--id", metavar="ID", help="override the article id (default: the file name)")
    s.add_argument(
        "--format", choices=["json", "md", "html"], default="json",
        help="json (the ArticleSummary), md (Markdown) or html (a page with highlighted evidence); "
        "default json",
    )
    s.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
    s.add_argument(
        "--max-chars", type=int, default=2_000_000, metavar="N",
        help="refuse longer articles (default 2000000)",
    )
    _add_model_options(s)
    s.set_defaults(func=_cmd_summarize)

    sc = sub.add_parser("schema", help="print the output JSON Schema")
    sc.add_argument("--draft", action="store_true", help="the schema the model is asked to fill instead")
    sc.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
    sc.set_defaults(func=_cmd_schema)

    b = sub.add_parser("batch", help="summarise many articles into a JSONL file")
    b.add_argument("input", help="a directory of articles, a JSONL file of Article records, or -")
    b.add_argument("--out", required=True, metavar="OUT.jsonl", help="output JSONL, one line per article")
    b.add_argument(
        "--published", metavar="DATE",
        help="publication date, YYYY-MM-DD, of articles that give none (resolves 'on Monday')",
    )
    b.add_argument(
        "--concurrency", type=int, default=4, metavar="N",
        help="articles in flight at once (default 4)",
    )
    b.add_argument("--rpm", type=float, metavar="N", help="client-side limit on requests per minute (default: none)")
    b.add_argument("--tpm", type=float, metavar="N", help="client-side limit on tokens per minute (default: none)")
    b.add_argument("--resume", action="store_true", help="skip ids already done in --out (default: start afresh)")
    b.add_argument(
        "--retry-failed", action="store_true",
        help="--resume that also re-runs failures caused by the article or the model",
    )
    b.add_argument("--cache", metavar="PATH", help="summary cache (SQLite); default: OUT.jsonl.cache.sqlite")
    b.add_argument("--no-cache", action="store_true", help="do not read or write the summary cache")
    b.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="local (this process), ray (a Ray cluster: RAY_ADDRESS, or a local instance), "
        "openai-batch (the OpenAI Batch API, live calls for what it leaves); default local",
    )
    b.add_argument("--workers", type=int, default=2, metavar="N", help="ray: pipeline replicas (default 2)")
    b.add_argument(
        "--poll-interval", type=float, default=5.0, metavar="SECONDS",
        help="openai-batch: seconds between polls (default 5)",
    )
    b.add_argument(
        "--batch-timeout", type=float, default=86_400.0, metavar="SECONDS",
        help="openai-batch: stop waiting after this many seconds (default 86400; resume later "
        "with --resume)",
    )
    b.add_argument(
        "--max-chars", type=int, default=2_000_000, metavar="N",
        help="longer articles become failure lines (default 2000000)",
    )
    b.add_argument(
        "--progress", choices=PROGRESS_MODES, default="auto",
        help="a progress bar on a terminal, periodic log lines otherwise (default auto)",
    )
    b.add_argument(
        "--log-interval", type=float, default=10.0, metavar="SECONDS",
        help="seconds between log lines (default 10)",
    )
    _add_model_options(b)
    b.set_defaults(func=_cmd_batch)

    e = sub.add_parser("eval", help="run, score, report and compare evaluations")
    esub = e.add_subparsers(dest="eval_command", required=True, parser_class=_Parser)
    er = esub.add_parser("run", help="run a suite and write RUN.json")
    er.add_argument("suite", help="a suite YAML file, or a directory of fixtures")
    er.add_argument(
        "--out", required=True, metavar="RUN.json",
        help="the run file: settings, predictions and scores of every fixture",
    )
    er.add_argument(
        "--repetitions", type=int, metavar="N",
        help="runs of each fixture (default: the suite's, else 1)",
    )
    er.add_argument("--limit", type=int, metavar="N", help="only the first N fixtures (default: all)")
    _add_model_options(er)
    es = esub.add_parser("score", help="recompute scores of RUN.json from its predictions")
    es.add_argument("run", help="a RUN.json written by `eval run`")
    es.add_argument(
        "--out", metavar="RUN2.json", help="write the rescored run here (default: print a summary only)"
    )
    es.add_argument("--fixtures", metavar="DIR", help="fixture directory (default: the one the run names)")
    ep = esub.add_parser("report", help="render RUN.json as Markdown or HTML")
    ep.add_argument("run", help="a RUN.json written by `eval run`")
    ep.add_argument("--format", choices=["md", "html"], default="md", help="md or html (default md)")
    ep.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
    ep.add_argument("--fixtures", metavar="DIR", help="fixture directory (default: the one the run names)")
    ep.add_argument(
        "--baseline", metavar="BASE",
        help="compare with this baseline: a RUN.json for a run, a column label for a matrix "
        "(default: the matrix's baseline)",
    )
    ec = esub.add_parser("compare", help="compare two runs with confidence intervals")
    ec.add_argument("base", help="the baseline RUN.json")
    ec.add_argument("new", help="the RUN.json to compare with it")
    ec.add_argument(
        "--fail-on-regression", action="store_true",
        help="exit 1 when the gate fails (default: report only)",
    )
    _add_gate_options(ec)
    ec.add_argument("--suite", metavar="SUITE", help="take the gate's rules from this suite's `gate:` mapping")
    ec.add_argument("--format", choices=["md", "json"], default="md", help="output format (default md)")
    ec.add_argument("--out", metavar="FILE", help="write the comparison here instead of standard output")
    eg = esub.add_parser(
        "gate", help="replay a suite (or run it with --live), compare with a baseline, exit 1 on regression"
    )
    eg.add_argument("suite", help="a suite YAML file (its `gate:` mapping sets the rules)")
    eg.add_argument("--baseline", required=True, metavar="BASE.json", help="the baseline RUN.json to compare with")
    eg.add_argument("--live", action="store_true", help="call the model instead of replaying the store")
    eg.add_argument("--out", metavar="RUN.json", help="also write the new RUN.json here")
    eg.add_argument("--summary", metavar="FILE", help="write the Markdown verdict here (and to $GITHUB_STEP_SUMMARY when set)")
    eg.add_argument("--junit", metavar="FILE", help="write JUnit XML here: a testcase per fixture and one for the gate")
    _add_gate_options(eg)
    _add_model_options(eg)
    e.set_defaults(func=_cmd_eval)
    from summarizer.cli.judge_commands import add_parser as add_judge_parser

    add_judge_parser(esub)
    from summarizer.cli.review_commands import add_parsers as add_review_parsers

    add_review_parsers(esub, add_model_options=_add_model_options, settings_from=_settings_from)

    from summarizer.cli.events_commands import add_parser as add_events_parser

    add_events_parser(sub, _Parser).set_defaults(func=_cmd_events)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The console script owns its process; a caller in Python (a test, a notebook) keeps its
    # garbage collector as it was: frozen objects that die later would never be freed there.
    args.own_process = argv is None
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

