"""The fake server's state: recordings, counters, uploaded files and batches (one lock)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["BATCH_ENDPOINTS", "Batch", "ServerState", "StoredFile"]

from summarizer.testing.recorded import RecordedRequest
from summarizer.testing.replies import Reply, Responder
from summarizer.testing.wire import render_ok, reply_error_body

# Never kept in recordings: credentials must not leak into test logs or reports.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key"})
BATCH_ENDPOINTS = frozenset({"/v1/chat/completions", "/v1/completions"})

# ---------------------------------------------------------------------------
# Server state: recordings, files, batches


@dataclass
class StoredFile:
    obj: dict[str, Any]
    content: bytes


@dataclass
class Batch:
    obj: dict[str, Any]
    created_mono: float


class ServerState:
    """Everything the handlers share; one lock guards it all."""

    def __init__(self, responder: Responder, batch_delay: float, models: Sequence[str]) -> None:
        self.responder = responder
        self.batch_delay = batch_delay
        self.models = tuple(models)
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.changed = threading.Condition(self.lock)
        self.requests: list[RecordedRequest] = []
        self.counters: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, Batch] = {}
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}{next(self._ids):06d}"

    def record(
        self,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]],
        body: Any,
        *,
        batch_id: str | None = None,
        custom_id: str | None = None,
        client_port: int | None = None,
    ) -> RecordedRequest:
        kept: dict[str, str] = {}
        has_auth = False
        for name, value in headers:
            lower = name.lower()
            if lower == "authorization":
                has_auth = True
            if lower not in _SECRET_HEADERS:
                kept[lower] = value
        with self.lock:
            request = RecordedRequest(
                index=len(self.requests),
                method=method,
                path=path,
                headers=MappingProxyType(kept),
                has_authorization=has_auth,
                body=body,
                received_at=time.monotonic(),
                batch_id=batch_id,
                custom_id=custom_id,
                client_port=client_port,
            )
            self.requests.append(request)
            self.counters["requests"] += 1
            self.counters["batch_lines" if batch_id else "http_requests"] += 1
            self.changed.notify_all()
        return request

    def count(self, key: str) -> None:
        with self.lock:
            self.counters[key] += 1

    def note_error(self, error: BaseException) -> None:
        with self.lock:
            self.errors.append(error)
            self.counters["server_errors"] += 1

    def reply_for(self, request: RecordedRequest) -> Reply:
        try:
            reply = self.responder(request)
        except Exception as exc:  # a broken responder must show up in the test, not hang it
            self.note_error(exc)
            reply = Reply.error(500, f"fake server responder raised {type(exc).__name__}: {exc}")
        if not isinstance(reply, Reply):
            self.note_error(TypeError(f"responder returned {type(reply).__name__}, not Reply"))
            reply = Reply.error(500, "fake server responder did not return a Reply")
        self.count(f"reply_{'ok' if reply.kind == 'chat' else reply.kind}")
        if reply.delay:
            self.count("reply_delayed")
        return reply

    # -- files --------------------------------------------------------------

    def add_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.new_id("file-fake"),
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }
        with self.lock:
            self.files[obj["id"]] = StoredFile(obj, content)
        return obj

    # -- batches ------------------------------------------------------------

    def create_batch(self, body: Mapping[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        obj: dict[str, Any] = {
            "id": self.new_id("batch_fake"),
            "object": "batch",
            "endpoint": body["endpoint"],
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window", "24h"),
            "status": "validating",
            "created_at": now,
            "expires_at": now + 24 * 3600,
            "in_progress_at": None,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "output_file_id": None,
            "error_file_id": None,
            "errors": None,
            "metadata": body.get("metadata"),
            "model": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "usage": None,
        }
        with self.lock:
            self.batches[obj["id"]] = Batch(obj, time.monotonic())
        return obj

    def advance_batch(self, batch_id: str) -> dict[str, Any] | None:
        """Move a batch along on a poll; processing happens once its delay has passed."""
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            obj = batch.obj
            now = int(time.time())
            if obj["status"] == "cancelling":
                obj.update(status="cancelled", cancelled_at=now)
            elif obj["status"] in ("validating", "in_progress"):
                if time.monotonic() - batch.created_mono >= self.batch_delay:
                    self._run_batch(batch)
                elif obj["status"] == "validating":
                    obj.update(status="in_progress", in_progress_at=now)
            return dict(obj)

    def _run_batch(self, batch: Batch) -> None:
        obj = batch.obj
        now = int(time.time())
        obj["in_progress_at"] = obj["in_progress_at"] or now
        stored = self.files.get(obj["input_file_id"])
        lines, problems = _parse_batch_lines(stored.content if stored else b"", obj["endpoint"])
        if stored is None:
            problems = [_batch_problem("invalid_file", None, "input file no longer exists")]
        if problems:
            obj.update(status="failed", failed_at=now, errors={"object": "list", "data": problems})
            return
        outputs: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        tokens_in = tokens_out = 0
        for line in lines:
            request = self.record(
                str(line.get("method", "POST")),
                str(line["url"]),
                (),
                line.get("body"),
                batch_id=obj["id"],
                custom_id=str(line["custom_id"]),
            )
            result, ok = self._batch_line_result(request)
            if ok:
                usage = result["response"]["body"]["usage"]
                tokens_in += usage["prompt_tokens"]
                tokens_out += usage["completion_tokens"]
            (outputs if ok else failures).append(result)
        first_model = lines[0].get("body", {}).get("model") if lines else None
        obj.update(
            status="completed",
            finalizing_at=now,
            completed_at=now,
            model=first_model if isinstance(first_model, str) else None,
            request_counts={
                "total": len(lines),
                "completed": len(outputs),
                "failed": len(failures),
            },
            usage={
                "input_tokens": tokens_in,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": tokens_out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": tokens_in + tokens_out,
            },
        )
        if outputs:
            obj["output_file_id"] = self._jsonl_file(f"{obj['id']}_output.jsonl", outputs)["id"]
        if failures:
            obj["error_file_id"] = self._jsonl_file(f"{obj['id']}_error.jsonl", failures)["id"]

    def _batch_line_result(self, request: RecordedRequest) -> tuple[dict[str, Any], bool]:
        # Delays and resets have no meaning inside a batch file: a reset line fails
        # without a response, as a line the provider could not complete.
        reply = self.reply_for(request)
        line: dict[str, Any] = {
            "id": f"batch_req_fake_{request.index}",
            "custom_id": request.custom_id,
            "response": None,
            "error": None,
        }
        request_id = f"req_fake_{request.index}"
        if reply.kind in ("chat", "empty_choices"):
            body = render_ok(reply, request)
            line["response"] = {"status_code": 200, "request_id": request_id, "body": body}
            return line, True
        if reply.kind == "error":
            body = reply_error_body(reply)
            line["response"] = {"status_code": reply.status, "request_id": request_id, "body": body}
        else:
            line["error"] = {"code": "server_error", "message": f"fake server: {reply.kind}"}
        return line, False

    def _jsonl_file(self, filename: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        content = "".join(json.dumps(row) + "\n" for row in rows).encode()
        return self.add_file(filename, "batch_output", content)

    def cancel_batch(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            if batch.obj["status"] in ("validating", "in_progress"):
                batch.obj.update(status="cancelling", cancelling_at=int(time.time()))
            return dict(batch.obj)


def _batch_problem(code: str, line: int | None, message: str) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": None}


def _parse_batch_lines(
    content: bytes, endpoint: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lines: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(content.decode("utf-8", "replace").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(_batch_problem("invalid_json_line", number, f"not JSON: {exc}"))
            continue
        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
            problems.append(_batch_problem("missing_required_parameter", number, "custom_id"))
            continue
        if line["custom_id"] in seen:
            problems.append(_batch_problem("duplicate_custom_id", number, line["custom_id"]))
            continue
        if line.get("url") != endpoint:
            message = f"url {line.get('url')!r} differs from the batch endpoint {endpoint!r}"
            problems.append(_batch_problem("mismatched_endpoint", number, message))
            continue
        seen.add(line["custom_id"])
        lines.append(line)
    if not lines and not problems:
        problems.append(_batch_problem("empty_file", None, "the input file has no requests"))
    return lines, problems
