"""What one article of a batch came to: its summary, or why there is none.

Its own module, below `api`, `batch` and the engines, so that each of them can name these
types without importing another."""

from __future__ import annotations

from pydantic import BaseModel, SerializeAsAny

from summarizer.errors import EndpointConfigError, ModelError, SummarizerError
from summarizer.schemas import ArticleSummary

__all__ = ["ErrorInfo", "Outcome"]


class ErrorInfo(BaseModel):
    type: str
    message: str
    attempts: int = 0
    status: int | None = None


class Outcome(BaseModel):
    """One article's result in a batch: a summary, or the reason there is none."""

    id: str
    ok: bool
    # SerializeAsAny: an extended summary type's extra fields are written too.
    summary: SerializeAsAny[ArticleSummary] | None = None
    error: ErrorInfo | None = None

    @classmethod
    def failure(cls, article_id: str, exc: BaseException) -> Outcome:
        if isinstance(exc, ModelError | EndpointConfigError):
            info = ErrorInfo(type=exc.kind, message=exc.message, attempts=exc.attempts, status=exc.status)
        elif isinstance(exc, SummarizerError):
            info = ErrorInfo(type=type(exc).__name__, message=exc.message)
        else:
            info = ErrorInfo(type=type(exc).__name__, message=str(exc)[:500] or type(exc).__name__)
        return cls(id=article_id, ok=False, error=info)
