"""Old path of `summarizer.stores.responses`, kept so that existing imports work; new code imports from there."""

from __future__ import annotations

from summarizer.stores.responses import ResponseStore, StoreMode, content_key

__all__ = ["ResponseStore", "StoreMode", "content_key"]
