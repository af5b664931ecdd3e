"""Render the Jinja2 templates in `prompts/` in a sandbox with `StrictUndefined`.

The article is passed as data: it is a variable's value, never template source,
so `{{ x }}` or `{% if %}` inside an article reaches the model literally.

A user's prompts folder (`--prompts DIR`, `prompts=`) overlays the packaged one file by
file: a template it lacks (and any template `{% include %}`d) comes from the package; its
`examples/` folder, when it has one, replaces the packaged examples as a whole (a mix of
two sets of examples would teach neither). The prompt version hashes exactly the files in
effect, so an overlay that changes nothing has the packaged version.
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

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
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
def _environment(directory: str, overlay: str | None = None) -> SandboxedEnvironment:
    search = [overlay, directory] if overlay else [directory]
    env = SandboxedEnvironment(
        loader=FileSystemLoader(search),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
    )
    env.filters["as_data"] = _as_data
    env.filters["json"] = _json
    return env


# The judge's rubric (summarizer.eval.judge) lives beside the extraction templates but is no
# part of the extraction prompt: editing it must not change the prompt version, or every
# recorded extraction answer would look stale.
JUDGE_FOLDER = "judge"


def _prompt_files(folder: Path, pattern: str) -> list[str]:
    """Extraction templates and examples under `folder`, as sorted relative names."""
    files = sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix in (".j2", ".json"))
    names = [p.relative_to(folder).as_posix() for p in files]
    return [n for n in names if not n.startswith(JUDGE_FOLDER + "/")]


def judge_version() -> str:
    """Hash of the packaged judge templates (`prompts/judge/*.j2`), for the run file."""
    folder = prompts_dir() / JUDGE_FOLDER
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.j2")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def render_judge(name: str, context: dict[str, Any]) -> str:
    """The packaged judge template `judge/<name>` rendered in the sandbox; texts in
    `context` are data (values), never template source."""
    return _render(f"{JUDGE_FOLDER}/{name}", context, None).strip()


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


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in _prompt_files(folder, "**/*")}


_FILES = _ByTree(_file_bytes)


def _user_folder(prompts: str) -> Path:
    folder = Path(prompts)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "not found"
        raise ConfigError(
            f"prompts folder {prompts} {what}: give a folder of templates (system.j2, user.j2, "
            "completion.j2) and examples/*.json, or drop --prompts to use the packaged ones"
        )
    return folder


def effective_files(prompts: str | None = None) -> dict[str, bytes]:
    """Every template and example in effect with the user's folder `prompts` (None: the
    packaged ones), by relative name."""
    packaged = _FILES.get(prompts_dir())
    if not prompts:
        return dict(packaged)  # the cached mapping stays the cache's
    folder = _user_folder(prompts)
    own = _FILES.get(folder)
    replaces_examples = (folder / "examples").is_dir()
    merged = {
        name: data
        for name, data in packaged.items()
        if not (replaces_examples and name.startswith("examples/"))
    }
    merged.update(own)
    return merged


def prompts_version(prompts: str | None = None) -> str:
    """`prompt_version` of what is in effect with the user's prompts folder `prompts`."""
    if not prompts:
        return prompt_version()
    digest = hashlib.sha256()
    for name, data in sorted(effective_files(prompts).items()):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(data)
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def examples_for(prompts: str | None = None) -> tuple[dict[str, Any], ...]:
    """The few-shot examples in effect: the user's `examples/` folder, else the packaged."""
    if prompts and (_user_folder(prompts) / "examples").is_dir():
        folder = Path(prompts) / "examples"
        examples: list[dict[str, Any]] = []
        for name, text in zip(_prompt_files(folder, "*.json"), _EXAMPLES.get(folder), strict=True):
            examples.append(_checked_example(folder / name, text))
        return tuple(examples)
    return load_examples()


def _checked_example(path: Path, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"example {path} is not valid JSON ({exc}): fix or remove it") from None
    article = value.get("article") if isinstance(value, dict) else None
    if not (isinstance(article, dict) and isinstance(article.get("text"), str) and "output" in value):
        raise ConfigError(
            f"example {path} needs {{\"article\": {{\"text\": ..., \"published\": ...}}, "
            "\"output\": {...}}: fix or remove it"
        )
    return dict(value)


@dataclass(frozen=True)
class PromptInput:
    article_text: str
    title: str | None
    published: date | None


def _context(item: PromptInput, examples: int, prompts: str | None) -> dict[str, Any]:
    return {
        "article_text": item.article_text,
        "title": item.title,
        "published": item.published.isoformat() if item.published else None,
        "examples": list(examples_for(prompts)[:examples]),
    }


def _render(name: str, context: dict[str, Any], prompts: str | None) -> str:
    """Template `name` rendered; a user's template that fails is a ConfigError naming it."""
    overlay = str(_user_folder(prompts).resolve()) if prompts else None
    env = _environment(str(prompts_dir()), overlay)
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        if overlay is None:
            raise  # a packaged template that fails is a bug, not a user's mistake
        where = exc.name if isinstance(exc, TemplateSyntaxError) and exc.name else name
        line = f" (line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        raise ConfigError(
            f"prompt template {where} in {prompts} does not render: {exc.message}{line}: "
            "fix it, or remove it to use the packaged one"
        ) from None


def render_messages(
    item: PromptInput, *, examples: int = 1, prompts: str | None = None
) -> list[dict[str, str]]:
    """System and user messages for chat models (OpenAI-compatible or local instruct)."""
    system = _render("system.j2", {}, prompts)
    user = _render("user.j2", _context(item, examples, prompts), prompts)
    return [
        {"role": "system", "content": system.strip()},
        {"role": "user", "content": user.strip()},
    ]


def render_completion(item: PromptInput, *, examples: int = 1, prompts: str | None = None) -> str:
    """A few-shot completion prompt for base models, ending where the JSON should start."""
    context = _context(item, examples, prompts)
    return _render("completion.j2", context, prompts).rstrip() + " "


def check_prompts(prompts: str | None) -> None:
    """Fail early, with a ConfigError naming the file, when a user's prompts folder is
    missing, an example is malformed or a template does not render for a sample article."""
    if not prompts:
        return
    sample = PromptInput("A sample article.", "A title", date(2021, 3, 4))
    render_messages(sample, prompts=prompts)
    render_completion(sample, prompts=prompts)
