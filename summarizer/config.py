"""Settings and the one place environment variables are read.

Precedence: an explicit argument, then the environment, then the default.
Backend selection is explicit: `backend=`, `SUMMARIZER_BACKEND`, or an explicit
`model=` / `base_url=` (openai) or `model_path=` (local). An `OPENAI_API_KEY` in
the environment alone never switches backends.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, get_args

from pydantic import SecretStr

from summarizer.errors import ConfigError
from summarizer.schemas import ArticleSummary

BackendName = Literal["local", "openai", "replay"]
GroundingPolicy = Literal["drop", "flag", "keep"]
PromptFormat = Literal["auto", "completion", "chat"]
InstructorModeName = Literal["tools", "json", "json_schema", "md_json"]

# The allowed values, from the Literals above: one definition each (CLI choices use these).
BACKENDS: tuple[str, ...] = get_args(BackendName)
POLICIES: tuple[str, ...] = get_args(GroundingPolicy)
INSTRUCTOR_MODES: tuple[str, ...] = get_args(InstructorModeName)
PROMPT_FORMATS: tuple[str, ...] = get_args(PromptFormat)

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"

# (environment variable, Settings field, meaning) — the README's table is checked against this.
ENVIRONMENT: tuple[tuple[str, str, str], ...] = (
    ("OPENAI_API_KEY", "api_key", "API key for the openai backend (never logged or stored)"),
    ("OPENAI_BASE_URL", "base_url", "OpenAI-compatible endpoint for the openai backend"),
    ("SUMMARIZER_BACKEND", "backend", "local | openai | replay (default: local)"),
    ("SUMMARIZER_MODEL", "model", f"model name for the openai backend (default {DEFAULT_OPENAI_MODEL})"),
    ("SUMMARIZER_MODEL_PATH", "model_path", "a GGUF file for the local backend"),
    ("SUMMARIZER_PROMPT_FORMAT", "prompt_format", "local backend: auto | completion | chat"),
    ("SUMMARIZER_INSTRUCTOR_MODE", "instructor_mode", "tools | json | json_schema | md_json"),
    (
        "SUMMARIZER_JSON_OBJECT_SCHEMA",
        "json_object_schema",
        "1 puts the draft schema in json mode's response_format (llama.cpp then constrains)",
    ),
    ("SUMMARIZER_MAX_REASKS", "max_reasks", "re-asks on schema-invalid answers (default 2)"),
    ("SUMMARIZER_MAX_ATTEMPTS", "max_attempts", "attempts per call on transient errors (default 4)"),
    ("SUMMARIZER_MAX_RETRY_SECONDS", "max_retry_seconds", "cap on total retry time (default 120)"),
    ("SUMMARIZER_TIMEOUT", "timeout", "seconds per HTTP request (default 60)"),
    ("SUMMARIZER_GROUNDING", "grounding", "drop | flag | keep ungrounded items (default drop)"),
    ("SUMMARIZER_N_CTX", "n_ctx", "local backend context window in tokens (default 4096)"),
    ("SUMMARIZER_THREADS", "n_threads", "local backend CPU threads (default: all cores)"),
    ("SUMMARIZER_STORE", "store_path", "response store (SQLite) for record/replay"),
    ("SUMMARIZER_PROMPTS", "prompts", "a folder of your own templates and examples (see README)"),
    ("SUMMARIZER_DEBUG", "debug", "1 shows tracebacks in the CLI"),
    ("SUMMARIZER_QUIET", "quiet", "1 hides the CLI's note that the embedded smoke-level model runs"),
)

# What the CLI says (once, on stderr) when the packaged model is about to run: its output is
# smoke-level, and nothing else in the output says so.
EMBEDDED_MODEL_NOTE = (
    "running the embedded smoke-level model (Gemma 3 270M base: it proves the whole path "
    "offline, it is not a good summariser): for real summaries give --base-url URL --model NAME, "
    "or --model-path an instruct GGUF (hide this note with --quiet or SUMMARIZER_QUIET=1)"
)


@dataclass(frozen=True)
class Settings:
    backend: BackendName = "local"
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False)
    model_path: str | None = None
    prompt_format: PromptFormat = "auto"
    instructor_mode: InstructorModeName = "tools"
    # llama.cpp servers constrain output only for {"type": "json_object", "schema": ...}.
    json_object_schema: bool = False
    max_reasks: int = 2
    max_attempts: int = 4
    max_retry_seconds: float = 120.0
    timeout: float = 60.0
    grounding: GroundingPolicy = "drop"
    temperature: float = 0.0
    max_tokens: int = 1024
    n_ctx: int = 4096
    n_threads: int | None = None
    seed: int = 0
    store_path: str | None = None
    # A folder of templates and examples that overlays the packaged ones (summarizer.prompts).
    prompts: str | None = None
    # The summary type to fill: ArticleSummary, or a subclass with extended item types.
    summary_type: type[ArticleSummary] = ArticleSummary
    debug: bool = False
    quiet: bool = False

    @property
    def runs_embedded_model(self) -> bool:
        """True when the packaged smoke-level model answers (local backend, no GGUF given)."""
        return self.backend == "local" and not self.model_path

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def model_label(self) -> str:
        if self.backend == "local":
            return os.path.basename(self.model_path) if self.model_path else "gemma-3-270m-q4_k_m"
        return self.model or DEFAULT_OPENAI_MODEL


def debug_enabled(env: Mapping[str, str] | None = None) -> bool:
    """SUMMARIZER_DEBUG, for the CLI's traceback switch (read before any settings exist)."""
    raw = (os.environ if env is None else env).get("SUMMARIZER_DEBUG", "")
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ConfigError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return value


def _number(raw: str, name: str, kind: type[int] | type[float]) -> float:
    try:
        number = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: set it to a number or unset it") from None
    if number < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return number


def resolve_settings(
    env: Mapping[str, str] | None = None,
    **explicit: object,
) -> Settings:
    """Build Settings from explicit arguments (None means "not given"), then the environment."""
    environ = os.environ if env is None else env
    given = {k: v for k, v in explicit.items() if v is not None}
    unknown = set(given) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    values: dict[str, object] = {}
    for var, name, _ in ENVIRONMENT:
        raw = environ.get(var)
        if raw is None or raw == "" or name in given:
            continue
        if name in ("max_reasks", "max_attempts", "n_ctx", "n_threads"):
            values[name] = int(_number(raw, var, int))
        elif name in ("max_retry_seconds", "timeout"):
            values[name] = float(_number(raw, var, float))
        elif name in ("debug", "json_object_schema", "quiet"):
            values[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            values[name] = raw
    values.update(given)

    if values.get("prompts"):
        # Absolute, so that one folder is one setting wherever the process later runs from.
        values["prompts"] = str(Path(os.path.expanduser(str(values["prompts"]))).resolve())
    summary_type = values.get("summary_type", ArticleSummary)
    if isinstance(summary_type, str):  # a suite's `summary_type: module:Class`
        from summarizer.extra_fields import import_summary_type

        summary_type = values["summary_type"] = import_summary_type(summary_type)
    if not (isinstance(summary_type, type) and issubclass(summary_type, ArticleSummary)):
        raise ConfigError(
            f"summary_type={summary_type!r} is not an ArticleSummary subclass: pass the class "
            "itself, e.g. summary_type=MySummary"
        )

    if isinstance(values.get("api_key"), str):
        values["api_key"] = SecretStr(str(values["api_key"]))

    if "backend" not in given and values.get("backend") != "replay":
        # An explicit model or endpoint outranks SUMMARIZER_BACKEND (explicit > environment);
        # replay stays replay, since it answers for either backend from recordings.
        if "model" in given or "base_url" in given:
            values["backend"] = "openai" if "model_path" not in given else "local"
        elif "model_path" in given:
            values["backend"] = "local"
    values.setdefault("backend", "local")
    backend = _choice(str(values["backend"]), BACKENDS, "backend")
    _choice(str(values.get("grounding", "drop")), POLICIES, "grounding policy")
    _choice(str(values.get("instructor_mode", "tools")), INSTRUCTOR_MODES, "instructor mode")
    _choice(str(values.get("prompt_format", "auto")), PROMPT_FORMATS, "prompt format")
    if backend == "local" and "model_path" in given and ("model" in given or "base_url" in given):
        raise ConfigError(
            "--model-path selects the local backend but --model/--base-url select openai: "
            "give one of them, or name the backend with --backend"
        )
    if backend == "openai" and "model_path" in given:
        raise ConfigError("--model-path is for the local backend: drop it or use --backend local")
    if backend == "local" and "model_path" in given:
        values.pop("model", None)
    if backend == "replay" and not values.get("store_path"):
        raise ConfigError("--replay needs a response store: give --store PATH (or set SUMMARIZER_STORE)")
    return Settings(**values)  # type: ignore[arg-type]
