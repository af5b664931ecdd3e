"""`python -m summarizer.testing.server`: the fake server as a process (benchmarks keep client and server on separate GILs)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence

__all__ = ["main"]

from summarizer.testing.fake_server import FakeOpenAIServer
from summarizer.testing.replies import Responder, as_responder, delayed, faulty, json_answer

# ---------------------------------------------------------------------------
# Process mode


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.testing.server",
        description="Fake OpenAI-compatible server; prints its base URL on the first line.",
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="latency of every reply")
    parser.add_argument(
        "--answer", help="JSON file answered to every chat request (as instructor expects)"
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-delay", type=float, default=0.0, help="seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    responder: Responder = as_responder(None)
    if args.answer:
        with open(args.answer, encoding="utf-8") as handle:
            responder = json_answer(json.load(handle))
    if args.fault_rate > 0:
        responder = faulty(responder, rate=args.fault_rate, seed=args.seed)
    if args.delay_ms > 0:
        responder = delayed(responder, args.delay_ms / 1000.0)
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with FakeOpenAIServer(responder, port=args.port, batch_delay=args.batch_delay) as server:
        print(server.base_url, flush=True)  # the process contract: URL first
        while not stop.wait(0.2):
            pass
        print(json.dumps(server.counters, sort_keys=True), file=sys.stderr, flush=True)
    return 0
