"""`summarizer batch --engine openai-batch`: the OpenAI Batch API answers first, live calls after.

    source ─ cache ─ request file ─ files.create ─ batches.create ─ poll ─ output/error files
           ─ BatchResults ─ BatchAnswers(openai backend) ─ the ordinary batch runner ─ OUT.jsonl

Each request line is built by the openai backend itself (`OpenAIBackend.chat_request`:
instructor's own request builder, then the backend's last touch), so its body is exactly
what a live call would send, and is filed under the key the backend computes for it. Phase
two is the ordinary `run_batch` with an ordinary `Pipeline` over `BatchAnswers`
(`engines/batch_answers.py`), a backend that wraps the live one: the same cache, rate limits
and output. Each request is answered from the batch when it settled it; everything the
batch did not settle goes live through the wrapped backend:

- an answer that fails schema validation or the quote check: instructor re-asks, live;
- a line the provider failed (5xx, 429, timeout, no result, the batch expired or was
  cancelled before it ran): that request is sent live;
- a line the provider rejected as a bad request (4xx other than 408/409/425/429): recorded as
  that article's failure, since a live call would send the same request and be refused too.

A batch that fails as a whole (e.g. the file is invalid or over the enqueued-token limit)
stops the run with that error; running again submits it anew.

State lives in OUT.openai-batch.sqlite until a run completes: answers collected so far and
batches in flight. A run that stops while polling (its --batch-timeout, a kill) is picked up
by running the same command again with --resume: it re-attaches to the batches it created
instead of paying for new ones. The state file holds request keys, batch ids and model
answers, never the API key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Final

import openai
from openai.types import Batch
from openai.types.chat import ChatCompletion

from summarizer.backends.base import Backend, ModelResult
from summarizer.backends.openai_compat import ChatRequest, OpenAIBackend
from summarizer.config import Settings
from summarizer.draft_schema import DraftSummary, QuoteCheck
from summarizer.engines.batch_answers import BatchAnswers, BatchResults
from summarizer.engines.local import run_batch
from summarizer.engines.options import BatchOptions
from summarizer.engines.prepare import prepare_run
from summarizer.errors import ConfigError, ModelError, TransportError, UsageError
from summarizer.pipeline import Pipeline
from summarizer.progress import BatchStats
from summarizer.prompts import PromptInput
from summarizer.schemas import Article
from summarizer.stores.responses import ResponseStore
from summarizer.stores.summaries import SummaryCache

BATCH_ENDPOINT: Final = "/v1/chat/completions"
COMPLETION_WINDOW: Final = "24h"
# The Batch API's limits per input file are 50,000 requests and 200 MB; stay under them.
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024
_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
# Errors a live call would meet again with the same request: no point in paying for it.
_RETRYABLE_4XX = frozenset({408, 409, 425, 429})


@dataclass
class BatchReport:
    """What the Batch API did in one run."""

    batches: list[str] = field(default_factory=list)  # created in this run
    attached: list[str] = field(default_factory=list)  # created by an earlier run
    lines: int = 0  # request lines uploaded
    answered: int = 0  # lines with a usable answer
    rejected: int = 0  # lines refused as bad requests (their articles fail)
    failed_lines: int = 0  # lines the provider failed (their articles go live)
    live_articles: int = 0  # articles that needed at least one live call


# -- the requests a live call would send -----------------------------------------------------


class _Capture(Backend):
    """Stands in for the openai backend while the pipeline splits an article into chunks:
    records the request of each chunk and answers with an empty draft."""

    def __init__(self, inner: OpenAIBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.requests: list[ChatRequest] = []

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        self.requests.append(self.inner.chat_request(item))
        return ModelResult(draft=DraftSummary(summary=""))

    # count_tokens stays the base estimate, as in phase two (BatchAnswers): the same chunks.

    @property
    def article_token_budget(self) -> int:
        return self.inner.article_token_budget


def article_requests(backend: OpenAIBackend, article: Article) -> list[ChatRequest]:
    """One request per chunk of `article` (one for any article that fits the context)."""
    capture = _Capture(backend)
    Pipeline(backend.settings, capture).run(article)
    return capture.requests


# -- state next to OUT ------------------------------------------------------------------------


class _State:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.answers = ResponseStore(path, table="answers")  # key -> ChatCompletion JSON
            self.rejected = ResponseStore(path, table="rejected")  # key -> {status, message}
            self.sent = ResponseStore(path, table="sent")  # key -> {"batch": id}
            self.lines = ResponseStore(path, table="lines")  # "batch\ncustom_id" -> key
        except Exception as exc:
            raise UsageError(
                f"cannot open the batch state {path} ({exc}): check that OUT's folder is writable"
            ) from None
        self.results = BatchResults(self.answers, self.rejected)

    def settled(self, key: str) -> bool:
        return self.answers.get(key) is not None or self.rejected.get(key) is not None

    def close(self) -> None:
        for store in (self.answers, self.rejected, self.sent, self.lines):
            store.close()

    def remove(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{self.path}{suffix}")


def state_path(out: Path) -> Path:
    return Path(f"{out}.openai-batch.sqlite")



# -- talking to the Batch API -----------------------------------------------------------------


class _Api:
    """files + batches calls, with errors turned into ours (and the API key scrubbed)."""

    def __init__(self, settings: Settings, backend: OpenAIBackend) -> None:
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._secret = key if len(key) >= 6 else None
        self.model = backend.model
        # The client's own retries are fine here: uploads and polls are safe to repeat.
        self.client = openai.AsyncOpenAI(
            api_key=key, base_url=settings.base_url, timeout=max(settings.timeout, 120.0)
        )

    def _error(self, what: str, exc: openai.APIError) -> TransportError:
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        reason = f"HTTP {status}: {exc}" if status else f"{type(exc).__name__}: {exc}"
        text = (
            f"{self.model}: the Batch API failed to {what} ({reason[:300]}): check that the "
            "endpoint offers /v1/files and /v1/batches, then run again with --resume"
        )
        if self._secret:
            text = text.replace(self._secret, "***")
        return TransportError(text, model=self.model, backend="openai-batch", status=status)

    async def submit(self, handle: IO[bytes], name: str) -> str:
        try:
            uploaded = await self.client.files.create(file=(name, handle), purpose="batch")
        except openai.APIError as exc:
            raise self._error("upload the request file", exc) from None
        try:
            created = await self.client.batches.create(
                input_file_id=uploaded.id,
                endpoint=BATCH_ENDPOINT,
                completion_window=COMPLETION_WINDOW,
                metadata={"created_by": "summarizer batch"},
            )
        except openai.APIError as exc:
            raise self._error("create the batch", exc) from None
        return str(created.id)

    async def retrieve(self, batch_id: str) -> Batch | None:
        """The batch, or None when the endpoint no longer knows it."""
        try:
            return await self.client.batches.retrieve(batch_id)
        except openai.NotFoundError:
            return None
        except openai.APIError as exc:
            raise self._error(f"poll batch {batch_id}", exc) from None

    async def rows(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        try:
            content = (await self.client.files.content(file_id)).content
        except openai.APIError as exc:
            raise self._error(f"download {file_id}", exc) from None
        rows: list[dict[str, Any]] = []
        for raw in content.splitlines():
            with contextlib.suppress(ValueError):
                row = json.loads(raw) if raw.strip() else None
                if isinstance(row, dict):
                    rows.append(row)
        return rows

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.close()


# -- phase one: submit what is not settled yet ------------------------------------------------


class _Group:
    """One request file being written; submitted when full."""

    def __init__(self, folder: Path) -> None:
        self.handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by discard()
            "w+b", dir=folder, prefix=".summarizer-batch-", suffix=".jsonl"
        )
        self.lines: dict[str, str] = {}  # custom_id -> request key
        self.size = 0

    def add(self, custom_id: str, key: str, body: dict[str, Any]) -> None:
        while custom_id in self.lines:  # a chunk's id ("a#2") could equal a real id
            custom_id += "~"
        line = {"custom_id": custom_id, "method": "POST", "url": BATCH_ENDPOINT, "body": body}
        data = json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"
        self.handle.write(data)
        self.lines[custom_id] = key
        self.size += len(data)

    def discard(self) -> None:
        self.handle.close()


class _Submitter:
    """Writes the requests that no batch has answered or will answer, and submits them."""

    def __init__(
        self,
        api: _Api,
        state: _State,
        backend: OpenAIBackend,
        report: BatchReport,
        folder: Path,
        limits: tuple[int, int],
    ) -> None:
        self.api, self.state, self.backend, self.report = api, state, backend, report
        self.folder = folder
        self.max_requests, self.max_bytes = limits
        self.waiting: set[str] = set()  # batch ids to poll
        self._earlier: dict[str, bool] = {}  # an earlier run's batch id -> still running
        self._queued: set[str] = set()  # request keys in this run's files
        self._group: _Group | None = None

    async def add(self, article: Article) -> None:
        requests = article_requests(self.backend, article)
        self.state.results.add_article(article.id, [r.key for r in requests])
        for number, request in enumerate(requests, start=1):
            key = request.key
            if key in self._queued or self.state.settled(key) or await self._in_flight(key):
                continue
            custom_id = article.id if len(requests) == 1 else f"{article.id}#{number}"
            if self._group is None:
                self._group = _Group(self.folder)
            self._group.add(custom_id, key, request.body)
            self._queued.add(key)
            group = self._group
            if len(group.lines) >= self.max_requests or group.size >= self.max_bytes:
                await self.flush()

    async def _in_flight(self, key: str) -> bool:
        """Whether an earlier run's batch is still working on `key` (a finished one is
        collected here, so its answer counts as settled)."""
        sent = self.state.sent.get(key)
        batch_id = sent.get("batch") if isinstance(sent, dict) else None
        if not isinstance(batch_id, str):
            return False
        if batch_id not in self._earlier:
            batch = await self.api.retrieve(batch_id)
            running = batch is not None and batch.status not in _TERMINAL
            if running:
                self.waiting.add(batch_id)
                self.report.attached.append(batch_id)
            elif batch is not None and batch.status != "failed":
                await _collect(self.api, self.state, self.report, batch)
            self._earlier[batch_id] = running
        return self._earlier[batch_id] or self.state.settled(key)

    async def flush(self) -> None:
        group, self._group = self._group, None
        if group is None:
            return
        try:
            group.handle.flush()
            group.handle.seek(0)
            batch_id = await self.api.submit(group.handle, "summarizer-batch.jsonl")
        finally:
            group.discard()
        for custom_id, key in group.lines.items():
            self.state.lines.put(f"{batch_id}\n{custom_id}", key)
            self.state.sent.put(key, {"batch": batch_id})
        self.report.batches.append(batch_id)
        self.report.lines += len(group.lines)
        self.waiting.add(batch_id)

    def discard(self) -> None:
        if self._group is not None:
            self._group.discard()
            self._group = None


async def _collect(api: _Api, state: _State, report: BatchReport, batch: Batch) -> None:
    """File a finished batch's answers and rejections under their request keys."""
    for file_id in (batch.output_file_id, batch.error_file_id):
        for row in await api.rows(file_id):
            key = state.lines.get(f"{batch.id}\n{row.get('custom_id')}")
            if not isinstance(key, str):
                continue  # not a line of ours
            response = row.get("response")
            response = response if isinstance(response, dict) else {}
            status, body = response.get("status_code"), response.get("body")
            if status == 200 and isinstance(body, dict) and _usable(body):
                state.answers.put(key, body)
                report.answered += 1
            elif isinstance(status, int) and 400 <= status < 500 and status not in _RETRYABLE_4XX:
                state.rejected.put(key, {"status": status, "message": _error_message(body)})
                report.rejected += 1
            else:
                report.failed_lines += 1


def _usable(body: dict[str, Any]) -> bool:
    try:
        return bool(ChatCompletion.model_validate(body).choices)
    except ValueError:
        return False


def _error_message(body: Any) -> str:
    inner = body.get("error") if isinstance(body, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    return str(message)[:300] if message else "no reason given"


def _failure_reasons(batch: Batch) -> str:
    errors = batch.errors.data if batch.errors and batch.errors.data else []
    reasons = "; ".join(f"{e.code}: {e.message}"[:200] for e in errors[:3])
    return reasons or "no reason given"


async def _wait(
    api: _Api, state: _State, report: BatchReport, waiting: set[str], options: BatchOptions
) -> None:
    deadline = time.monotonic() + options.batch_timeout
    while waiting:
        for batch_id in sorted(waiting):
            batch = await api.retrieve(batch_id)
            if batch is None:
                waiting.discard(batch_id)  # the endpoint forgot it: its articles go live
            elif batch.status == "failed":
                raise ModelError(
                    f"{api.model}: batch {batch_id} failed ({_failure_reasons(batch)}): fix the "
                    "cause, then run again with --resume to submit its requests again",
                    model=api.model,
                    backend="openai-batch",
                )
            elif batch.status in _TERMINAL:
                await _collect(api, state, report, batch)
                waiting.discard(batch_id)
        if not waiting:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise ModelError(
                f"{api.model}: batch(es) {', '.join(sorted(waiting))} still running after "
                f"{options.batch_timeout:g} s (--batch-timeout); they keep running: run the same "
                "command again with --resume later to collect them",
                model=api.model,
                backend="openai-batch",
            )
        await asyncio.sleep(min(options.poll_interval, left))


# -- the run ----------------------------------------------------------------------------------


def _check(settings: Settings, options: BatchOptions) -> None:
    if settings.backend != "openai":
        raise UsageError(
            "--engine openai-batch sends requests to an OpenAI-compatible Batch API: give "
            "--model (and --base-url for another endpoint), or use --engine local"
        )
    if settings.store_path:
        raise UsageError(
            "--engine openai-batch keeps its own answers next to --out: drop --store, or use "
            "--engine local"
        )
    if options.poll_interval <= 0 or options.batch_timeout <= 0:
        raise UsageError("--poll-interval and --batch-timeout must be positive")
    options.check()


def _spool(stdin: IO[bytes] | None, folder: Path) -> Path:
    """Standard input copied to a file: the articles are read once to submit, once to finish."""
    stream = stdin if stdin is not None else sys.stdin.buffer
    with tempfile.NamedTemporaryFile(
        "wb", dir=folder, prefix=".summarizer-stdin-", suffix=".jsonl", delete=False
    ) as handle:
        shutil.copyfileobj(stream, handle)
    return Path(handle.name)


def report_line(report: BatchReport) -> str:
    attached = f", {len(report.attached)} re-attached" if report.attached else ""
    return (
        f"summarizer batch: Batch API: {len(report.batches)} batch(es) created{attached}, "
        f"{report.lines} request lines, {report.answered} answered, {report.failed_lines} "
        f"failed, {report.rejected} rejected; {report.live_articles} article(s) needed live calls"
    )


async def run_openai_batch(
    options: BatchOptions,
    settings: Settings,
    *,
    out: IO[str],
    stdin: IO[bytes] | None = None,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
) -> tuple[BatchStats, BatchReport]:
    """Run one batch through the Batch API into `options.out`; progress goes to `out`.

    `max_requests`/`max_bytes` bound each uploaded file; more requests make more batches."""
    _check(settings, options)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    spooled = _spool(stdin, options.out.parent) if options.input == "-" else None
    if spooled is not None:
        options = replace(options, input=str(spooled))
    try:
        return await _run(options, settings, out, (max_requests, max_bytes))
    finally:
        if spooled is not None:
            spooled.unlink(missing_ok=True)


async def _submit_all(
    options: BatchOptions, settings: Settings, out: IO[str], submitter: _Submitter
) -> None:
    # Repairs OUT and removes the failures to retry; run_batch's own scan then finds none.
    prepared = prepare_run(options, settings, out=out)
    source, done, cache = prepared.source, prepared.existing.ids, prepared.cache
    try:
        for item in source.items:
            if item.id in done or item.article is None:
                continue  # written by run_batch: skipped, or a failure line
            if cache is not None and _cached(cache, item.article):
                continue
            await submitter.add(item.article)
        await submitter.flush()
    finally:
        submitter.discard()
        if cache is not None:
            cache.close()


def _cached(cache: SummaryCache, article: Article) -> bool:
    try:
        return cache.get(article) is not None
    except Exception:  # a failing cache only costs money here: submit the article
        return False


async def _run(
    options: BatchOptions, settings: Settings, out: IO[str], limits: tuple[int, int]
) -> tuple[BatchStats, BatchReport]:
    state = _State(state_path(options.out))
    try:
        backend = OpenAIBackend(settings)
    except ConfigError:
        state.close()
        raise
    api = _Api(settings, backend)
    report = BatchReport()
    submitter = _Submitter(api, state, backend, report, options.out.parent, limits)
    finished = False
    try:
        await _submit_all(options, settings, out, submitter)
        if submitter.waiting:
            out.write(
                f"summarizer batch: waiting for batch(es) {', '.join(sorted(submitter.waiting))}\n"
            )
            out.flush()
        await _wait(api, state, report, submitter.waiting, options)
        answering = BatchAnswers(backend, state.results)
        pipeline = Pipeline(settings, answering)
        stats = await run_batch(options, settings, out=out, pipeline=pipeline)
        report.live_articles = answering.live_articles()
        finished = True
    finally:
        await api.close()
        with contextlib.suppress(Exception):
            await backend.aclose()
        backend.close()
        if finished:
            state.remove()  # everything is in OUT now
        else:
            state.close()  # kept for the next run
    out.write(report_line(report) + "\n")
    return stats, report
