"""What the gold review page works on: the fixtures of one folder (or one gold file), each
opened with its article, checked evidence offsets, and saved after the fixture checks.

Saving validates against the gold model and every check `load_fixture` makes (nothing is
written when one fails), refuses to overwrite a file that changed on disk since the page read
it (another window or editor), and replaces the file atomically.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.errors import EditConflictError, InputError, UsageError
from summarizer.eval.gold import Gold, GoldEvidence, load_fixture, parse_gold
from summarizer.eval.gold_file import digest, dumps, gold_json, write_atomic
from summarizer.eval.review_schema import page_schema

GOLD_SUFFIX = ".gold.json"


@dataclass(frozen=True)
class Fixture:
    fixture_id: str
    folder: Path

    @property
    def gold_path(self) -> Path:
        return self.folder / f"{self.fixture_id}{GOLD_SUFFIX}"

    @property
    def text_path(self) -> Path:
        return self.folder / f"{self.fixture_id}.txt"

    def text(self) -> str:
        # As load_fixture reads it (universal newlines): the offsets index this string.
        return self.text_path.read_text(encoding="utf-8")


def find_fixtures(path: Path) -> list[Fixture]:
    """The fixtures a review covers: one gold file, or every gold file of a folder."""
    if path.is_dir():
        fixtures = [
            Fixture(p.name.removesuffix(GOLD_SUFFIX), path)
            for p in sorted(path.glob(f"*{GOLD_SUFFIX}"))
        ]
        if not fixtures:
            raise UsageError(
                f"{path} holds no *{GOLD_SUFFIX} files: draft some with "
                "`summarizer eval draft-gold ARTICLE... --out DIR`"
            )
    elif path.is_file() and path.name.endswith(GOLD_SUFFIX):
        fixtures = [Fixture(path.name.removesuffix(GOLD_SUFFIX), path.parent)]
    elif path.exists():
        raise UsageError(f"{path} is not a gold file: give an <id>{GOLD_SUFFIX} file or a folder")
    else:
        raise UsageError(f"{path}: no such file or folder: check the path")
    for fixture in fixtures:
        if not fixture.text_path.is_file():
            raise UsageError(
                f"{fixture.gold_path}: no {fixture.text_path.name} beside it: a gold file is "
                "reviewed against its article text"
            )
    return fixtures


def _evidence_paths(value: Any, where: str) -> list[tuple[str, GoldEvidence]]:
    if isinstance(value, GoldEvidence):
        return [(where, value)]
    if isinstance(value, BaseModel):
        return [
            found
            for name in type(value).model_fields
            for found in _evidence_paths(getattr(value, name), f"{where}.{name}")
        ]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _evidence_paths(v, f"{where}[{i}]")]
    return []


def _check_schema(raw: dict[str, Any], gold_type: type[Gold], where: str) -> None:
    """Schema errors one a line, each with the path of the field the page shows."""
    try:
        gold_type.model_validate({**raw, "meta": {}})
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in error['loc']) or 'gold'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        ]
        raise InputError("\n".join([f"{where}: not valid gold ({len(lines)} error(s)):", *lines])) from None


def _check_offsets(raw: dict[str, Any], text: str, gold_type: type[Gold], where: str) -> None:
    """Evidence that gives offsets must be the article's own characters there: the page sets
    them from a selection, and a silent re-location elsewhere would hide a mistake."""
    gold = gold_type.model_validate({**raw, "meta": {}})
    for path, ev in _evidence_paths(gold, ""):
        if ev.start is None or ev.end is None:
            continue
        if not (0 <= ev.start < ev.end <= len(text)) or text[ev.start : ev.end] != ev.quote:
            raise InputError(
                f"{where}: evidence {path.removeprefix('.')} at chars {ev.start}-{ev.end} is "
                f"not {ev.quote[:60]!r} in the article: select the span again"
            )


class ReviewSession:
    """The fixtures under review; safe to use from several request threads."""

    def __init__(self, path: str | Path, *, gold_type: type[Gold] = Gold) -> None:
        self.path = Path(path)
        self.gold_type = gold_type
        self._fixtures = {f.fixture_id: f for f in find_fixtures(self.path)}
        self._lock = threading.Lock()
        self.schema = page_schema(gold_type)

    def fixture(self, fixture_id: str) -> Fixture:
        try:
            return self._fixtures[fixture_id]
        except KeyError:
            raise InputError(f"no fixture {fixture_id[:80]!r} in this review") from None

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for fixture in self._fixtures.values():
            try:
                raw = json.loads(fixture.gold_path.read_text(encoding="utf-8"))
                status = "draft" if isinstance(raw, dict) and raw.get("review") == "draft" else "reviewed"
            except (OSError, ValueError):
                status = "unreadable"
            out.append({"id": fixture.fixture_id, "status": status})
        return out

    def open(self, fixture_id: str) -> dict[str, Any]:
        """The fixture for the page: article, gold (offsets filled when it is valid), its
        version, and what is wrong with it (the page still opens an invalid file)."""
        fixture = self.fixture(fixture_id)
        data = fixture.gold_path.read_bytes()
        text = fixture.text()
        errors: list[str] = []
        try:
            article, gold = load_fixture(
                fixture.folder, fixture_id, gold_type=self.gold_type, allow_draft=True
            )
            content: Any = gold_json(gold)
            title, published = article.title, article.published
        except InputError as exc:
            errors = str(exc).splitlines()
            try:
                content = json.loads(data.decode("utf-8"))
            except ValueError:
                content = {}
            title, published = None, None
        if not isinstance(content, dict):
            content = {}
        return {
            "id": fixture_id,
            "file": str(fixture.gold_path),
            "text": text,
            "title": title,
            "published": published.isoformat() if published else None,
            "gold": content,
            "draft": content.get("review") == "draft",
            "version": digest(data),
            "errors": errors,
        }

    def check_evidence(self, fixture_id: str, start: Any, end: Any, quote: Any) -> dict[str, Any]:
        """Evidence from a selection on the page, if the article has `quote` at [start, end)."""
        text = self.fixture(fixture_id).text()
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(quote, str)):
            raise InputError("evidence needs integer start and end and a quote")
        if not quote.strip():
            raise InputError("the selection is empty or only spaces: select some words")
        if not (0 <= start < end <= len(text)) or text[start:end] != quote:
            raise InputError(
                f"chars {start}-{end} of the article are not the selected text: select it again"
            )
        return {"quote": quote, "start": start, "end": end}

    def save(
        self, fixture_id: str, content: Any, version: Any, *, reviewed: bool
    ) -> dict[str, Any]:
        """Validate `content` and write it; `reviewed` drops the draft mark."""
        fixture = self.fixture(fixture_id)
        where = str(fixture.gold_path)
        if not isinstance(content, dict):
            raise InputError(f"{where}: the gold must be a JSON object")
        raw = {k: v for k, v in content.items() if k != "review"}
        if not reviewed:
            raw["review"] = "draft"
        text = fixture.text()
        _check_schema(raw, self.gold_type, where)
        _check_offsets(raw, text, self.gold_type, where)
        gold = parse_gold(
            raw, text, fixture_id=fixture_id, where=where, gold_type=self.gold_type,
            allow_draft=True,
        )
        out = dumps(gold_json(gold))
        with self._lock:
            current = fixture.gold_path.read_bytes()
            if digest(current) != version:
                raise EditConflictError(
                    f"{where} changed on disk since this page read it (another window or "
                    "editor): reload it to see that version; saving here would overwrite it"
                )
            write_atomic(fixture.gold_path, out)
        return {"version": digest(out.encode("utf-8")), "gold": gold_json(gold), "file": where}
