"""The gold review page's HTTP server: 127.0.0.1 only, standard library `http.server`.

Defences, each against a way another web page (or another user's browser tab) could reach
a server on loopback:

- it binds 127.0.0.1 and answers only requests whose `Host` is 127.0.0.1 or localhost at its
  port (a DNS-rebinding page names its own host);
- the page opens only with the session's random token in its address (`/?token=...`, printed
  by the command), so another user of the machine, who reaches 127.0.0.1 too, cannot open it;
- every `/api/` request carries the session's random token in `X-Review-Token` (the page has
  it; another origin cannot read the page, and a cross-origin request with that header or
  with a JSON body needs a CORS preflight this server never grants); POSTs must be JSON,
  and an `Origin` other than the server's own is refused;
- every response has a Content-Security-Policy that allows only the page's own script and
  stylesheet from this server, no inline script, no frames, no other hosts; the page puts
  article and gold text into the DOM as text only.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, PackageLoader

from summarizer.errors import EditConflictError, OutputError, UsageError
from summarizer.eval.review_session import ReviewSession

HOST = "127.0.0.1"
MAX_BODY = 8 * 1024 * 1024
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_ASSETS = {"/review.js": "text/javascript; charset=utf-8", "/review.css": "text/css; charset=utf-8"}


def _asset(name: str) -> bytes:
    return resources.files("summarizer").joinpath("templates", name).read_bytes()


def _page(token: str) -> bytes:
    env = Environment(loader=PackageLoader("summarizer", "templates"), autoescape=True)
    return env.get_template("review.html.j2").render(token=token).encode("utf-8")


class _HTTPError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the command says where it serves; request lines would only be noise

    # -- responses --------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in _SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, lines: list[str]) -> None:
        # A refused request's body may be unread: this connection cannot carry another.
        self.close_connection = True
        self._json(status, {"errors": lines})

    # -- checks -----------------------------------------------------------------------------

    def _check_host(self) -> None:
        if self.headers.get("Host", "") not in self.server.allowed_hosts:
            raise _HTTPError(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its own address")

    def _check_token(self) -> None:
        given = self.headers.get("X-Review-Token", "")
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            raise _HTTPError(HTTPStatus.FORBIDDEN, "missing or wrong session token: reload the page")

    def _check_origin(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.allowed_origins:
            raise _HTTPError(HTTPStatus.FORBIDDEN, "requests from other sites are refused")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise _HTTPError(HTTPStatus.FORBIDDEN, "requests from other sites are refused")

    def _body(self) -> Any:
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise _HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (Content-Type: application/json)")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise _HTTPError(HTTPStatus.LENGTH_REQUIRED, "a Content-Length is needed") from None
        if not 0 <= length <= MAX_BODY:
            raise _HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY} bytes")
        try:
            return json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _HTTPError(HTTPStatus.BAD_REQUEST, "the body is not valid JSON") from None

    # -- routes -----------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        try:
            self._check_host()
            url = urlsplit(self.path)
            if url.path.startswith("/api/"):
                self._check_token()
                if method == "POST":
                    self._check_origin()
                    self._json(HTTPStatus.OK, self._post(url.path, self._body()))
                else:
                    self._json(HTTPStatus.OK, self._get(url.path, parse_qs(url.query)))
            elif method == "GET" and url.path == "/":
                # Only who sees the command's output has the page (and so the token): another
                # user of this machine reaches 127.0.0.1 too.
                given = parse_qs(url.query).get("token", [""])[0]
                if not hmac.compare_digest(given.encode(), self.server.token.encode()):
                    raise _HTTPError(
                        HTTPStatus.FORBIDDEN,
                        "open the address `summarizer eval review` printed: it carries the session token",
                    )
                self._send(HTTPStatus.OK, self.server.page, "text/html; charset=utf-8")
            elif method == "GET" and url.path in _ASSETS:
                self._send(HTTPStatus.OK, _asset(url.path.lstrip("/")), _ASSETS[url.path])
            else:
                raise _HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {url.path[:80]}")
        except _HTTPError as exc:
            self._error(exc.status, [exc.message])
        except EditConflictError as exc:
            self._error(HTTPStatus.CONFLICT, [str(exc)])
        except UsageError as exc:
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc).splitlines())
        except OutputError as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, [str(exc)])
        except Exception as exc:  # a bug: the page says so, the server keeps serving
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, [f"internal error: {type(exc).__name__}"])

    def _get(self, path: str, query: dict[str, list[str]]) -> Any:
        review = self.server.review
        if path == "/api/fixtures":
            return {"fixtures": review.listing(), "schema": review.schema}
        if path == "/api/fixture":
            return review.open(query.get("id", [""])[0])
        raise _HTTPError(HTTPStatus.NOT_FOUND, f"no such API: {path[:80]}")

    def _post(self, path: str, body: Any) -> Any:
        review = self.server.review
        if not isinstance(body, dict):
            raise _HTTPError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        fixture_id = str(body.get("id", ""))
        if path == "/api/evidence":
            return {
                "evidence": review.check_evidence(
                    fixture_id, body.get("start"), body.get("end"), body.get("quote")
                )
            }
        if path == "/api/save":
            return review.save(
                fixture_id, body.get("gold"), body.get("version"),
                reviewed=body.get("reviewed") is True,
            )
        raise _HTTPError(HTTPStatus.NOT_FOUND, f"no such API: {path[:80]}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, review: ReviewSession, token: str) -> None:
        super().__init__((HOST, port), _Handler)
        self.review = review
        self.token = token
        bound = self.server_address[1]
        self.allowed_hosts = {f"{HOST}:{bound}", f"localhost:{bound}"}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        self.page = _page(token)


class ReviewServer:
    """The review page for `review`, served on 127.0.0.1 (`port` 0: a free one)."""

    def __init__(self, review: ReviewSession, *, port: int = 0, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(32)
        try:
            self._server = _Server(port, review, self.token)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {HOST}:{port} ({exc.strerror}): pass another --port "
                "(0 picks a free one)"
            ) from None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The page's address, with the session token that opens it."""
        return f"{self.base_url}/?token={self.token}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> ReviewServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
