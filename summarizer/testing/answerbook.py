"""Answers written ahead of time, served to the openai backend as a model would send them.

The reference suite's answers come from a capable model that is not reachable here. To
record them through the real openai + instructor path, this module runs the fake server
with an `AnswerBook` responder over a folder:

- `requests/<key>.json`: every chat request the book could not answer, saved as it came
  (`messages`, and the schema as the request carries it: `response_format` or `tools`);
  the server answers it with HTTP 400 so the run fails fast instead of retrying;
- `answers/<key>.json`: the answer to that request, the JSON object the model wrote.

The key hashes what the model reads (messages, response format, tools), so a re-ask
(instructor appends the validation error) or an edited template is a new request that
needs its own answer.

    python -m summarizer.testing.answerbook record SUITE.yaml --answers DIR --out BASELINE.json

runs the suite through the real openai backend against the book, into a fresh copy of the
suite's store, and writes the baseline; the store and baseline are replaced only when every
fixture was answered. Otherwise it lists the saved requests that still need an answer: have
the capable model answer them (from the request alone) and run it again.

    python -m summarizer.testing.answerbook serve DIR [--port 0]

prints its base URL on the first stdout line and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.stores.responses import content_key
from summarizer.testing.server import FakeOpenAIServer, RecordedRequest, Reply, json_answer

__all__ = ["AnswerBook", "main", "request_key"]

# What a model is shown; sampling parameters and the model name are not part of the question.
_SEEN_FIELDS = ("messages", "response_format", "tools", "tool_choice")


def request_key(body: dict[str, Any]) -> str:
    """The answer key of a chat request body: a hash of what the model reads."""
    return content_key({name: body.get(name) for name in _SEEN_FIELDS})[:24]


class AnswerBook:
    """A responder that answers from `folder/answers` and saves what it cannot answer."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.answers = self.folder / "answers"
        self.pending = self.folder / "requests"
        self.answers.mkdir(parents=True, exist_ok=True)
        self.pending.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.answered = 0
        self.missed: list[str] = []

    def __call__(self, request: RecordedRequest) -> Reply:
        if not request.is_chat:
            return Reply.error(404, "the answer book serves chat completions only")
        key = request_key(request.json)
        answer_path = self.answers / f"{key}.json"
        if answer_path.is_file():
            answer = json.loads(answer_path.read_text(encoding="utf-8"))
            with self._lock:
                self.answered += 1
            return json_answer(answer)(request)
        seen = {name: request.json[name] for name in _SEEN_FIELDS if name in request.json}
        with self._lock:
            self.missed.append(key)
            (self.pending / f"{key}.json").write_text(
                json.dumps(seen, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        return Reply.error(
            400, f"no answer written for request {key}: answer requests/{key}.json in {self.folder}"
        )


def record(suite_path: str, answers: str, out: str) -> tuple[int, list[str]]:
    """Record `suite_path` from the book at `answers`: (fixtures answered, requests pending)."""
    from summarizer.config import resolve_settings
    from summarizer.eval.suite import load_suite, run_suite

    suite = load_suite(suite_path)
    if suite.store is None:
        raise SystemExit(f"{suite_path} names no `store:` to record into")
    book = AnswerBook(answers)
    for stale in book.pending.glob("*.json"):
        stale.unlink()
    fresh = suite.store.with_name(suite.store.name + ".recording")
    _remove_database(fresh)
    with FakeOpenAIServer(book, models=(str(suite.settings.get("model", "reference-llm")),)) as server:
        settings = resolve_settings(
            **{
                **suite.settings,
                "backend": "openai",
                "base_url": server.base_url,
                "api_key": "sk-answerbook",
                "store_path": str(fresh),
                "max_attempts": 1,
            }
        )
        result = run_suite(suite, settings)
    answered = sum(1 for r in result.results if r.error is None)
    if answered == len(result.results):
        import sqlite3

        # A single-file copy (the backends still hold the WAL-mode recording open).
        copy = fresh.with_name(fresh.name + ".copy")
        copy.unlink(missing_ok=True)
        with sqlite3.connect(fresh) as source, sqlite3.connect(copy) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        copy.replace(suite.store)
        result.save(out)
    _remove_database(fresh)
    return answered, sorted(book.missed)


def _remove_database(path: Path) -> None:
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        part.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.testing.answerbook",
        description="Record a suite from answers written ahead of time, or serve them.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record SUITE through the book into its store; write --out")
    rec.add_argument("suite", help="the suite YAML (its settings and store are used)")
    rec.add_argument("--answers", required=True, help="the answer book's folder")
    rec.add_argument("--out", required=True, help="the baseline RUN.json to write")
    srv = sub.add_parser("serve", help="serve the book until SIGTERM/SIGINT")
    srv.add_argument("folder", help="the answer book's folder")
    srv.add_argument("--port", type=int, default=0, help="0 picks a free port")
    srv.add_argument("--model", default="reference-llm", help="the model name /v1/models lists")
    args = parser.parse_args(argv)
    if args.command == "record":
        answered, pending = record(args.suite, args.answers, args.out)
        if pending:
            print(
                f"{answered} fixture(s) answered; {len(pending)} request(s) need an answer: "
                f"{args.answers}/requests/<key>.json -> {args.answers}/answers/<key>.json "
                "(a capable model's answer from the request alone), then run this again; "
                "the store and baseline were left as they were",
                file=sys.stderr,
            )
            return 1
        print(f"{answered} fixture(s) recorded; wrote {args.out}", file=sys.stderr)
        return 0
    book = AnswerBook(args.folder)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with FakeOpenAIServer(book, port=args.port, models=(args.model,)) as server:
        print(server.base_url, flush=True)
        while not stop.wait(0.2):
            pass
    print(f"answered {book.answered}, saved {len(book.missed)} unanswered", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
