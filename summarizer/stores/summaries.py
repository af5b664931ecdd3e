"""A summary cache: finished `ArticleSummary`s keyed by everything that decides them.

The key hashes the article (every field but its id, so the same story under two
ids is one entry), the prompt version, the library version and the settings that
change answers (backend, model, endpoint, decoding and grounding parameters).
Credentials, timeouts and retry budgets are not part of the key, and nothing but
summaries is stored as a value: the API key never reaches the file.

Storage is `ResponseStore` (SQLite in WAL mode with a busy timeout), so two
processes can fill one cache at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.extra_fields import draft_type
from summarizer.prompts import prompts_version
from summarizer.schemas import Article, ArticleSummary
from summarizer.stores.responses import ResponseStore, content_key
from summarizer.version import __version__

# A cache only saves time: waiting longer for another process's lock than a model call
# takes would cost more than it saves.
CACHE_BUSY_TIMEOUT_S = 5.0

# Settings that change what the model answers or what the pipeline makes of it.
ANSWER_FIELDS: tuple[str, ...] = (
    "backend", "model", "base_url", "model_path", "prompt_format", "instructor_mode",
    "max_reasks", "grounding", "temperature", "max_tokens", "n_ctx", "seed",
)


def settings_fingerprint(settings: Settings) -> dict[str, Any]:
    """What a cached summary depends on besides the article. Never holds the API key."""
    fields = {name: getattr(settings, name) for name in ANSWER_FIELDS}
    fields["model"] = settings.model_label
    found: dict[str, Any] = {
        "settings": fields, "prompt_version": prompts_version(settings.prompts), "library": __version__
    }
    if settings.summary_type is not ArticleSummary:
        # Another summary type asks the model for other fields: never the same answer.
        found["summary_type"] = draft_type(settings.summary_type).model_json_schema()
    return found


class SummaryCache:
    """Article → summary, for one set of settings. Not thread-safe: use it from one thread."""

    def __init__(self, path: str | Path, settings: Settings) -> None:
        self.path = Path(path)
        self._store = ResponseStore(
            self.path,
            table="summaries",
            busy_timeout_s=CACHE_BUSY_TIMEOUT_S,
            role="the summary cache",
            fix="give another --cache PATH, or --no-cache",
        )
        self._fingerprint = settings_fingerprint(settings)
        self._summary_type = settings.summary_type

    def key(self, article: Article) -> str:
        return content_key(
            {"article": article.model_dump(mode="json", exclude={"id"}), **self._fingerprint}
        )

    def get(self, article: Article) -> ArticleSummary | None:
        """The cached summary, relabelled with this article's id and marked as a cache hit."""
        stored = self._store.get(self.key(article))
        if stored is None:
            return None
        try:
            summary = self._summary_type.model_validate(stored)
        except ValueError:  # written by an incompatible version: treat as a miss
            return None
        summary.article_id = article.id
        summary.run.cache_hit = True
        return summary

    def put(self, article: Article, summary: ArticleSummary) -> None:
        value = summary.model_dump(mode="json")
        value["run"]["cache_hit"] = False
        self._store.put(self.key(article), value)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store.close()
