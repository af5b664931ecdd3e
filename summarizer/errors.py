"""One error hierarchy. User mistakes (`UsageError`) are kept apart from model and
transport failures (`ModelError`), which carry the model, HTTP status and attempts.

Every message says how to fix the problem; `summarizer.cli` maps `UsageError` to exit 2,
`Interrupted` to 128 + the signal, and the rest to exit 1.

    SummarizerError
    ├── UsageError            exit 2
    │   ├── InputError
    │   ├── ConfigError
    │   │   └── EndpointConfigError   HTTP 401/403/404: key, base URL or model
    │   ├── StoreError
    │   └── EditConflictError
    ├── OutputError
    ├── Interrupted           exit 128 + signal
    └── ModelError
        ├── TransportError
        ├── ModelOutputError
        └── ReplayMissError
"""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class of every error this library raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(SummarizerError):
    """The caller asked for something that cannot work: fix the input or the options."""


class InputError(UsageError):
    """An article could not be read or is not usable (missing, empty, not text...)."""


class ConfigError(UsageError):
    """Settings are missing or contradict each other."""


class _Diagnosed(SummarizerError):
    """An error that carries the model, backend, HTTP status and attempts behind it."""

    def __init__(
        self,
        message: str,
        *,
        model: str = "",
        backend: str = "",
        status: int | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.backend = backend
        self.status = status
        self.attempts = attempts

    @property
    def kind(self) -> str:
        return type(self).__name__


class EndpointConfigError(_Diagnosed, ConfigError):
    """The endpoint refused the request for a reason only the user can fix (HTTP 401, 403,
    404: the API key, its permissions, the base URL or the model name). Exit 2, like every
    configuration mistake; it carries what a model error carries."""


class StoreError(UsageError):
    """A response store or summary cache is unusable: not a database, corrupt, or locked."""


class EditConflictError(UsageError):
    """A gold file changed on disk after the review page read it: saving would lose that edit."""


class OutputError(SummarizerError):
    """The batch output could not be written (disk full, read-only, device error)."""


class Interrupted(SummarizerError):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) ended a batch; what it wrote is whole lines."""

    def __init__(self, message: str, *, signum: int) -> None:
        super().__init__(message)
        self.signum = signum
        """The signal's number: the CLI exits with 128 + it."""


class ModelError(_Diagnosed):
    """The model or its transport failed; carries what is needed to diagnose it."""


class TransportError(ModelError):
    """The endpoint could not be reached or kept failing (HTTP 429/5xx, timeouts, resets)."""


class ModelOutputError(ModelError):
    """The model kept answering something that does not fit the schema."""


class ReplayMissError(ModelError):
    """Replay mode found no recorded response for a request."""
