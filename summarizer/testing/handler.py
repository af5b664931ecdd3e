"""The fake server's HTTP: a threading server that can close its keep-alive connections, and the request handler that routes chat, models, files and batches."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

__all__ = ["FakeHTTPServer"]

from summarizer.testing.recorded import RecordedRequest
from summarizer.testing.replies import Reply
from summarizer.testing.state import BATCH_ENDPOINTS, ServerState
from summarizer.testing.wire import (
    INVALID_JSON,
    error_body,
    format_seconds,
    render_ok,
    reply_error_body,
)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields as name -> (filename, bytes); byte-exact, unlike the email parser."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_boundary()
    if not boundary:
        raise ValueError("multipart body without a boundary")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        part_headers = Message()
        for raw_line in head.decode("latin-1").split("\r\n"):
            name, sep, value = raw_line.partition(":")
            if sep:
                part_headers[name.strip()] = value.strip()
        field_name = part_headers.get_param("name", header="content-disposition")
        if isinstance(field_name, str):
            fields[field_name] = (part_headers.get_filename(), data)
    return fields


# ---------------------------------------------------------------------------
# HTTP


class FakeHTTPServer(ThreadingHTTPServer):
    # Connection threads are tracked here and joined in `close`; the stock
    # ThreadingMixIn join would wait forever on idle keep-alive connections.
    daemon_threads = True
    block_on_close = False
    # Benchmarks open dozens of connections at once; the default backlog of 5
    # makes the kernel drop the excess and the clients see resets.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        self._live: dict[threading.Thread, socket.socket] = {}
        self._live_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="fake-openai-connection",
            daemon=True,
        )
        with self._live_lock:
            self._live[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._live_lock:
                self._live.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        # Clients hanging up (timeouts, resets) are normal here, not server bugs.
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.state.note_error(error)

    def close_connections(self, timeout: float) -> list[threading.Thread]:
        """Wake every connection thread, join them; return those still alive."""
        with self._live_lock:
            live = list(self._live.items())
        for _thread, sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _sock in live:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread for thread, _sock in live if thread.is_alive()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle plus the
    # client's delayed ACK adds ~40 ms to every response.
    disable_nagle_algorithm = True
    server_version = "FakeOpenAI/1.0"

    @property
    def _state(self) -> ServerState:
        return cast(FakeHTTPServer, self.server).state

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `srv.requests`, not stderr."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        payload: bytes,
        *,
        content_type: str = "application/json",
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self._request_id)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_json(self, status: int, obj: Any, headers: Sequence[tuple[str, str]] = ()) -> None:
        self._send(status, json.dumps(obj).encode(), headers=headers)

    def _send_error_json(self, status: int, message: str) -> None:
        self._send_json(status, error_body(status, message))

    def _reset(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self._request_id)
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2])
        # Let the partial body reach the client before the RST, as a dying upstream would.
        self._state.stopping.wait(0.05)
        self.close_connection = True
        # Linger 0 makes close() send RST instead of FIN: a real "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()

    def _dispatch(self, method: str) -> None:
        raw = self._read_body()
        path = urlsplit(self.path).path
        content_type = self.headers.get("Content-Type", "")
        body: Any = None
        bad_json = False
        form: dict[str, tuple[str | None, bytes]] = {}
        if content_type.startswith("multipart/form-data"):
            try:
                form = _parse_multipart(content_type, raw)
            except ValueError:
                bad_json = True
            body = {
                name: (
                    value.decode("utf-8", "replace")
                    if filename is None
                    else {"filename": filename, "bytes": len(value)}
                )
                for name, (filename, value) in form.items()
            }
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        port = self.client_address[1] if isinstance(self.client_address, tuple) else None
        request = self._state.record(method, path, self.headers.items(), body, client_port=port)
        self._request_id = f"req_fake_{request.index}"
        try:
            if bad_json:
                self._send_error_json(400, "The request body is not valid JSON or multipart.")
            else:
                self._route(request, form)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away (e.g. its timeout fired)
        except Exception as exc:
            self._state.note_error(exc)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send_error_json(500, f"fake server bug: {type(exc).__name__}: {exc}")

    # -- routes ---------------------------------------------------------------

    def _route(
        self, request: RecordedRequest, form: Mapping[str, tuple[str | None, bytes]]
    ) -> None:
        method, endpoint = request.method, request.endpoint
        parts = [p for p in endpoint.split("/") if p]
        state = self._state
        if method == "POST" and endpoint in ("/chat/completions", "/completions"):
            state.count("chat_completions" if request.is_chat else "completions")
            self._serve_reply(request, state.reply_for(request))
        elif method == "GET" and parts[:1] == ["models"]:
            state.count("models")
            self._models(parts[1:])
        elif parts[:1] == ["files"]:
            state.count("files")
            self._files(method, parts[1:], form)
        elif parts[:1] == ["batches"]:
            state.count("batches")
            self._batches(method, parts[1:], request.json)
        else:
            self._send_error_json(
                404, f"Unknown endpoint {method} {request.path} on the fake server."
            )

    def _serve_reply(self, request: RecordedRequest, reply: Reply) -> None:
        if reply.delay > 0 and self._state.stopping.wait(reply.delay):
            self.close_connection = True  # shutting down: drop the request
            return
        if reply.kind == "error":
            headers: list[tuple[str, str]] = []
            if reply.retry_after is not None:
                headers.append(("Retry-After", format_seconds(reply.retry_after)))
            self._send_json(reply.status, reply_error_body(reply), headers)
        elif reply.kind == "invalid_json":
            self._send(200, INVALID_JSON)
        elif reply.kind == "reset":
            self._reset(json.dumps(render_ok(replace(reply, kind="chat"), request)).encode())
        else:
            self._send_json(200, render_ok(reply, request))

    def _models(self, rest: list[str]) -> None:
        models = [
            {"id": m, "object": "model", "created": 0, "owned_by": "summarizer-testing"}
            for m in self._state.models
        ]
        if not rest:
            self._send_json(200, {"object": "list", "data": models})
            return
        wanted = "/".join(rest)
        found = [m for m in models if m["id"] == wanted]
        if found:
            self._send_json(200, found[0])
        else:
            self._send_error_json(404, f"The model {wanted!r} does not exist on the fake server.")

    def _files(
        self, method: str, rest: list[str], form: Mapping[str, tuple[str | None, bytes]]
    ) -> None:
        state = self._state
        if method == "POST" and not rest:
            filename, content = form.get("file", (None, b""))
            purpose = form.get("purpose", (None, b""))[1].decode("utf-8", "replace")
            if filename is None or not purpose:
                self._send_error_json(400, "Upload needs multipart fields 'file' and 'purpose'.")
                return
            self._send_json(200, state.add_file(filename, purpose, content))
            return
        if method == "GET" and not rest:
            with state.lock:
                data = [dict(f.obj) for f in state.files.values()]
            self._send_json(200, {"object": "list", "data": data, "has_more": False})
            return
        with state.lock:
            stored = state.files.get(rest[0]) if rest else None
        if stored is None:
            self._send_error_json(404, f"No such file: {'/'.join(rest)!r}.")
        elif method == "GET" and len(rest) == 1:
            self._send_json(200, stored.obj)
        elif method == "GET" and rest[1:] == ["content"]:
            self._send(200, stored.content, content_type="application/octet-stream")
        elif method == "DELETE" and len(rest) == 1:
            with state.lock:
                state.files.pop(rest[0], None)
            self._send_json(200, {"id": rest[0], "object": "file", "deleted": True})
        else:
            self._send_error_json(404, f"Unknown files endpoint {method} /files/{'/'.join(rest)}.")

    def _batches(self, method: str, rest: list[str], body: Mapping[str, Any]) -> None:
        state = self._state
        if method == "POST" and not rest:
            input_file_id = body.get("input_file_id")
            endpoint = body.get("endpoint")
            with state.lock:
                known = input_file_id in state.files
            if endpoint not in BATCH_ENDPOINTS:
                message = f"endpoint must be one of {sorted(BATCH_ENDPOINTS)}, got {endpoint!r}."
                self._send_error_json(400, message)
            elif not known:
                self._send_error_json(400, f"input_file_id {input_file_id!r} was not uploaded.")
            else:
                self._send_json(200, state.create_batch(body))
            return
        if method == "GET" and not rest:
            with state.lock:
                ids = list(state.batches)
            data = [state.advance_batch(batch_id) for batch_id in ids]
            page = {
                "object": "list",
                "data": data,
                "has_more": False,
                "first_id": ids[0] if ids else None,
                "last_id": ids[-1] if ids else None,
            }
            self._send_json(200, page)
            return
        if method == "GET" and len(rest) == 1:
            found = state.advance_batch(rest[0])
        elif method == "POST" and rest[1:] == ["cancel"]:
            found = state.cancel_batch(rest[0])
        else:
            self._send_error_json(
                404, f"Unknown batches endpoint {method} /batches/{'/'.join(rest)}."
            )
            return
        if found is None:
            self._send_error_json(404, f"No such batch: {rest[0]!r}.")
        else:
            self._send_json(200, found)

    _request_id = "req_fake"
