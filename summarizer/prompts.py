"""Render the Jinja2 templates in `prompts/` in a sandbox with `StrictUndefined`.

The article is passed as data: it is a variable's value, never template source,
so `{{ x }}` or `{% if %}` inside an article reaches the model literally.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from summarizer.errors import ConfigError

_T = TypeVar("_T")
_DELIMITER = re.compile(r"<(/?)(article|example)\b", re.IGNORECASE)


@functools.cache
def prompts_dir() -> Path:
    """Templates ship inside the wheel as `summarizer/prompts`; a source checkout keeps them
    at the top. (Cached: a package does not move while it runs; a failure is not cached.)"""
    packaged = Path(str(resources.files("summarizer"))) / "prompts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    raise ConfigError("prompt templates not found: reinstall summarizer (`pip install summarizer`)")


def _as_data(value: object) -> str:
    # An article must not be able to close the delimiter it is wrapped in.
    return _DELIMITER.sub(lambda m: f"<{m.group(1)} {m.group(2)}", str(value))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@functools.cache
def _environment(directory: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
    )
    env.filters["as_data"] = _as_data
    env.filters["json"] = _json
    return env


def _prompt_files(folder: Path, pattern: str) -> list[str]:
    """Templates and examples under `folder`, as sorted relative names."""
    files = sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix in (".j2", ".json"))
    return [p.relative_to(folder).as_posix() for p in files]


# A file whose timestamp is this recent may be edited again within the same timestamp tick
# without its (size, mtime) changing; such a tree is read afresh (git's "racy clean" rule).
_SETTLED_NS = 2_000_000_000
_Signature = tuple[tuple[str, int, int, int], ...]


def _signature(folder: Path) -> _Signature | None:
    """Name, inode, size and mtime of every file under `folder` (subfolders as `glob("**")`
    walks them), from one `scandir` per folder and one `stat` per file: any edit, new or
    removed file changes it. None when it cannot prove that: a file changed in the last
    two seconds, or the tree could not be read."""
    now = time.time_ns()
    found: list[tuple[str, int, int, int]] = []
    pending = [(str(folder), "")]
    try:
        while pending:
            directory, prefix = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, name + "/"))
                        continue
                    stat = entry.stat()
                    if now - stat.st_mtime_ns < _SETTLED_NS:
                        return None
                    found.append((name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found))


class _ByTree(Generic[_T]):
    """`compute(folder)`, reused while the folder's signature holds."""

    def __init__(self, compute: Callable[[Path], _T]) -> None:
        self._compute = compute
        self._seen: dict[str, tuple[_Signature, _T]] = {}

    def get(self, folder: Path) -> _T:
        signature = _signature(folder)
        key = str(folder)
        if signature is not None:
            hit = self._seen.get(key)
            if hit is not None and hit[0] == signature:
                return hit[1]
        value = self._compute(folder)
        if signature is not None:
            if len(self._seen) >= 64:  # many scratch folders (tests): start over
                self._seen.clear()
            self._seen[key] = (signature, value)
        return value


def _example_texts(folder: Path) -> tuple[str, ...]:
    return tuple((folder / name).read_text("utf-8") for name in _prompt_files(folder, "*.json"))


_EXAMPLES = _ByTree(_example_texts)


def load_examples(directory: str | None = None) -> tuple[dict[str, Any], ...]:
    """The few-shot examples (`examples/*.json`), in file-name order. An edited example is
    never served stale: the files are read again whenever their signature changes, and
    parsed on every call (callers get their own objects)."""
    folder = Path(directory) if directory else prompts_dir() / "examples"
    return tuple(json.loads(text) for text in _EXAMPLES.get(folder))


def _version(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in _prompt_files(folder, "**/*"):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update((folder / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


_VERSIONS = _ByTree(_version)


def prompt_version(directory: str | None = None) -> str:
    """Hash of every template and example: any edit to a prompt gives a new version.

    Recomputed whenever a file under the folder changes (see `_signature`): a version
    that outlived an edit would label summaries with the wrong prompt.
    """
    folder = Path(directory) if directory else prompts_dir()
    return _VERSIONS.get(folder)


@dataclass(frozen=True)
class PromptInput:
    article_text: str
    title: str | None
    published: date | None


def _context(item: PromptInput, examples: int) -> dict[str, Any]:
    return {
        "article_text": item.article_text,
        "title": item.title,
        "published": item.published.isoformat() if item.published else None,
        "examples": list(load_examples()[:examples]),
    }


def render_messages(item: PromptInput, *, examples: int = 1) -> list[dict[str, str]]:
    """System and user messages for chat models (OpenAI-compatible or local instruct)."""
    env = _environment(str(prompts_dir()))
    system = env.get_template("system.j2").render()
    user = env.get_template("user.j2").render(_context(item, examples))
    return [
        {"role": "system", "content": system.strip()},
        {"role": "user", "content": user.strip()},
    ]


def render_completion(item: PromptInput, *, examples: int = 1) -> str:
    """A few-shot completion prompt for base models, ending where the JSON should start."""
    env = _environment(str(prompts_dir()))
    return env.get_template("completion.j2").render(_context(item, examples)).rstrip() + " "
