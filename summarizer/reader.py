"""Read one article from a `.txt`, `.json` (an `Article` record) or `.html` file, or stdin."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.charset import declared_charset
from summarizer.errors import InputError
from summarizer.schemas import Article

ARTICLE_SUFFIXES = (".txt", ".json", ".html", ".htm")
DEFAULT_MAX_CHARS = 2_000_000


def parse_published(
    value: str | date | None, *, today: date | None = None, what: str = "--published"
) -> date | None:
    """Parse a publication date given by a user; reject what cannot be a publication date.

    `what` names where the date came from, for the message (an option or a record field).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        parsed = _parse_date(value, what)
    # One day of slack: a story dated tomorrow in another time zone is normal.
    limit = (today or date.today()) + timedelta(days=1)
    if parsed > limit:
        raise InputError(
            f"{what} {parsed.isoformat()} is in the future: give the date the article "
            "was published"
        )
    return parsed


def _parse_date(value: str, what: str) -> date:
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # A full timestamp ("2022-12-19T10:30:00Z") names its day too.
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise InputError(
            f"{what} {value!r} is not a date: use YYYY-MM-DD, e.g. 2022-12-19"
        ) from None


def _decode(data: bytes, origin: str, *, html: bool = False) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{origin} looks like a binary file: give a text, JSON or HTML article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = declared_charset(data) if html else None
        if declared is not None:
            return _decode_declared(data, origin, declared)
        raise InputError(
            f"{origin} is not valid UTF-8 (byte {exc.start}): convert it, e.g. "
            "`iconv -f latin1 -t utf-8`"
        ) from None


def _decode_declared(data: bytes, origin: str, charset: str) -> str:
    # Only reached once UTF-8 failed: valid UTF-8 wins whatever a page declares, since
    # mislabelled pages are common; otherwise the declaration is the best evidence there is.
    try:
        return data.decode(charset)
    except LookupError:
        raise InputError(
            f"{origin} declares the charset {charset!r}, which is not known here: convert "
            "it to UTF-8"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{origin} is not valid {charset} as it declares (byte {exc.start}): convert it "
            f"to UTF-8 from its real encoding, e.g. `iconv -f {charset} -t utf-8`"
        ) from None


def _title_from_text(text: str) -> str | None:
    """A first short line followed by a blank line is the headline in plain-text news dumps."""
    lines = text.lstrip().splitlines()
    if len(lines) >= 2 and not lines[1].strip():
        first = lines[0].strip()
        if 0 < len(first) <= 200 and not first.endswith((".", ":", ";")):
            return first
    return None


@dataclass(frozen=True)
class Page:
    """What an HTML page gives: its main text, title and publication date."""

    text: str
    title: str | None
    published: date | None


def html_to_text(html: str, origin: str) -> Page:
    """Main text, title and publication date of an HTML page (scripts, styles, menus dropped).

    Blocks (headline, dateline, paragraphs) are separated by a blank line, so that no
    sentence runs from one into the next; a first block that repeats the title is left out
    (the title is kept as `title`).
    """
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or not text.strip():
        raise InputError(
            f"{origin}: no article text found in the HTML: save the page's article text as .txt"
        )
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None and meta.title else None
    blocks = [line.strip() for line in text.splitlines() if line.strip()]
    if title and len(blocks) > 1 and blocks[0] == title.strip():
        blocks = blocks[1:]
    return Page("\n\n".join(blocks), title, page_published(html))


def page_published(html: str) -> date | None:
    """The publication date the page's markup states (`article:published_time` and other
    meta tags, JSON-LD, `<time datetime>`), never one guessed from its text or from today."""
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # a page htmldate cannot parse just has no date; the text still counts
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found)
    except ValueError:
        return None


def article_from_record(record: Any, origin: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"{origin}: expected a JSON object with at least a \"text\" field")
    try:
        return Article.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise InputError(
            f"{origin}: field {where!r}: {first['msg']} (an article record needs \"text\"; "
            "optional: id, title, published (YYYY-MM-DD), url, source, language)"
        ) from None


def article_from_bytes(data: bytes, *, origin: str, suffix: str = ".txt") -> Article:
    text = _decode(data, origin, html=suffix in (".html", ".htm"))
    if not text.strip():
        raise InputError(f"{origin} is empty: give an article with some text")
    if suffix == ".jsonl":
        raise InputError(
            f"{origin} holds many articles (JSON Lines): "
            f"use `summarizer batch {origin} --out OUT.jsonl`"
        )
    if suffix == ".json":
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{origin}: invalid JSON at line {exc.lineno}: fix it or save the article as .txt"
            ) from None
        except RecursionError:
            raise InputError(
                f"{origin}: invalid JSON (nested too deeply to read): give one flat article record"
            ) from None
        return article_from_record(record, origin)
    if suffix in (".html", ".htm"):
        page = html_to_text(text, origin)
        return Article(text=page.text, title=page.title, published=page.published).as_extracted()
    return Article(text=text, title=_title_from_text(text))


def require_text(article: Article, origin: str) -> None:
    """The one rule for an empty article, in every entry point (file, record, Python call)."""
    if not article.text.strip():
        raise InputError(f"{origin} is empty: give an article with some text")


def encodable(text: str) -> bool:
    """False for text holding lone surrogates (JSON's "\\ud800"): no UTF-8 form exists."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_article(article: Article, origin: str, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    require_text(article, origin)
    # The title goes to the model with the text, so it counts against the same limit.
    size = len(article.text) + len(article.title or "")
    if size > max_chars:
        raise InputError(
            f"{origin} has {size:,} characters{' with its title' if article.title else ''}, "
            f"over the limit of {max_chars:,}: split it, or raise the limit with --max-chars"
        )
    for name in ("id", "text", "title", "url", "source", "language"):
        value = getattr(article, name)
        if isinstance(value, str) and not encodable(value):
            raise InputError(
                f'{origin}: field "{name}" holds characters that cannot be encoded as UTF-8 '
                "(a lone surrogate such as \\ud800): fix the record"
            )
    # The same rule for every way an article arrives (file, record, batch line).
    parse_published(article.published, what=f'{origin}: "published"')
    return article


def read_article(
    source: str | Path,
    *,
    published: str | date | None = None,
    title: str | None = None,
    article_id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Article:
    """Read an article from a path or "-" (stdin); explicit values override the file's own."""
    name = str(source)
    if name == "-":
        data = sys.stdin.buffer.read()
        origin, suffix = "standard input", ".txt"
        stripped = data.removeprefix(b"\xef\xbb\xbf").lstrip()
        if stripped.startswith(b"{"):
            suffix = ".json"
        elif stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
            suffix = ".html"
    else:
        path = Path(name)
        origin = name
        if path.is_dir():
            raise InputError(
                f"{name} is a directory: use `summarizer batch {name} --out OUT.jsonl`"
            )
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{name}: no such file: check the path") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied: make the file readable") from None
        suffix = path.suffix.lower()
    article = article_from_bytes(data, origin=origin, suffix=suffix)
    updates: dict[str, Any] = {}
    if published is not None:
        updates["published"] = parse_published(published)
    if title is not None:
        updates["title"] = title
    if article_id is not None:
        updates["id"] = article_id
    elif name != "-" and suffix != ".json":
        updates["id"] = Path(name).stem
    # Explicit values first, so a --published can stand in for a bad date in a record.
    article = article.model_copy(update=updates) if updates else article
    return check_article(article, origin, max_chars)
