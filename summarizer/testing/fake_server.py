"""`FakeOpenAIServer`: the fake OpenAI-compatible server on 127.0.0.1, started in a thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Self

__all__ = ["FakeOpenAIServer"]

from summarizer.testing.handler import FakeHTTPServer
from summarizer.testing.recorded import RecordedRequest
from summarizer.testing.replies import DEFAULT_MODEL, ResponderLike, as_responder
from summarizer.testing.state import ServerState

# ---------------------------------------------------------------------------
# Public server object


class FakeOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 answering from `responder`.

    `responder` is a callable (RecordedRequest -> Reply) or a list/iterator of
    Replies consumed in order (then `Reply.chat("OK")`). Batches complete on the
    first poll after `batch_delay` seconds.
    """

    def __init__(
        self,
        responder: ResponderLike | None = None,
        *,
        port: int = 0,
        batch_delay: float = 0.0,
        models: Sequence[str] = (DEFAULT_MODEL,),
    ) -> None:
        self._state = ServerState(as_responder(responder), batch_delay, models)
        self._port = port
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("FakeOpenAIServer is already started; use one `with` block.")
        self._httpd = FakeHTTPServer(("127.0.0.1", self._port), self._state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving, wake delayed replies, close connections and join every thread."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._state.stopping.set()
        httpd.shutdown()
        thread.join(timeout)
        leaked = httpd.close_connections(timeout)
        httpd.server_close()
        self._httpd = self._thread = None
        if leaked or thread.is_alive():
            raise RuntimeError(f"FakeOpenAIServer left {len(leaked)} connection threads running")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except RuntimeError:
            if exc is None:  # never mask the test's own failure with a leak report
                raise

    # -- addresses --------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not started; use it in a `with` block.")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as `base_url` to `openai.OpenAI`."""
        return f"{self.url}/v1"

    # -- recordings -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far, in arrival order."""
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Requests whose endpoint (path without /v1) is `endpoint`, e.g. "/chat/completions"."""
        return [r for r in self.requests if r.endpoint == endpoint]

    @property
    def counters(self) -> dict[str, int]:
        """Counts of requests, routes and reply kinds (reply_ok, reply_error, reply_reset...)."""
        with self._state.lock:
            return dict(self._state.counters)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the server (responder bugs); empty in a healthy test."""
        with self._state.lock:
            return list(self._state.errors)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` requests were recorded; False on timeout."""
        with self._state.changed:
            return self._state.changed.wait_for(lambda: len(self._state.requests) >= count, timeout)
