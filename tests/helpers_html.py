"""Shared HTML safety helpers: hostile payloads, an audit of what a page's markup holds, and
loading a page in headless Chromium (the DOM after any script would have run)."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from summarizer.testing.browser import CHROMEDRIVER, CHROMIUM


def _mark(name: str) -> str:
    """JavaScript that leaves a trace in the DOM if it ever runs."""
    return f"document.documentElement.setAttribute('data-xss-{name}','1')"


SCRIPT = f"<script>{_mark('script')};document.title='PWNED';alert(1)</script>"
IMG = f'<img src=x onerror="{_mark("img")};alert(1)">'
IMG_SHORT = "<img src=x onerror=alert(1)>"
LINK = "<a href=\"javascript:alert(1)\">the statement</a>"
CLOSE = f"</mark></div></section></dl><script>{_mark('mark')}</script>"
SVG = f'<svg onload="{_mark("svg")}"></svg>'
IFRAME = f"<iframe src=\"javascript:parent.{_mark('iframe')}\"></iframe>"
HOSTILE_ARTICLE = (
    f"Foreign Minister Ilse Varga met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}\n\n"
    f'"We will hold joint exercises in May," Varga said, showing {IMG} and {IMG_SHORT}.\n\n'
    f"See {LINK} or javascript:alert(document.cookie) for details.\n\n"
    f"The text closes a highlight early {CLOSE} and goes on.\n\n"
    f"{SVG} {IFRAME} <style>body{{display:none}}</style> <body onload=\"{_mark('body')}\">\n\n"
    "The two ministers plan to sign a defence pact in Helsinki next year.\n"
)
DRAFT: dict[str, Any] = {
    "summary": f"Varga met Aalto. {SCRIPT} {IMG}",
    "meetings": [
        {
            "participants": [{"name": "Ilse Varga", "role": IMG}, {"name": "Piet Aalto"}],
            "location": IMG_SHORT,  # it is in the article, so it survives grounding
            "time": "on Tuesday",
            "topics": [SCRIPT, "javascript:alert(1)"],
            "evidence": [
                f"met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}",
                f"closes a highlight early {CLOSE}",
            ],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Ilse Varga", "affiliation": LINK},
            "content": f"Varga said {LINK}",
            "quote": "We will hold joint exercises in May,",
            "evidence": [f'"We will hold joint exercises in May," Varga said, showing {IMG}'],
        }
    ],
    "planned_events": [
        {
            "description": f"pact {IFRAME}",
            "status": "planned",
            "evidence": [f"See {LINK}", f"{SVG} {IFRAME}", "not in the article <script>x</script>"],
        }
    ],
}
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})
_ALLOWED_TAGS = frozenset(
    "html head meta title style body h1 h2 h3 h4 p div section mark a ul li dl dt dd details summary "
    "table thead tbody tr th td".split()
)
# The report's charts: shapes and text only (no use, image, foreignObject, animate or set).
SVG_TAGS = frozenset("svg rect line circle text".split())


class _Audit(HTMLParser):
    """Every tag and attribute of a page, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.js_urls: list[tuple[str, str]] = []
        self.styles = 0
        self.root_attrs: dict[str, str | None] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.styles += tag == "style"
        if tag == "html":
            self.root_attrs = dict(attrs)
        self._in_title = tag == "title"
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            cleaned = "".join((value or "").split()).lower()
            if name in _URL_ATTRS and cleaned.startswith(("javascript:", "vbscript:", "data:")):
                self.js_urls.append((tag, value or ""))

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def audit(page: str) -> _Audit:
    parser = _Audit()
    parser.feed(page)
    parser.close()
    return parser


def assert_inert(page: str) -> None:
    found = audit(page)
    assert "script" not in found.tags
    assert set(found.tags) <= _ALLOWED_TAGS | SVG_TAGS, set(found.tags) - _ALLOWED_TAGS - SVG_TAGS
    assert found.handlers == [] and found.js_urls == []
    assert found.styles == 1  # the page's own CSS only
    # The payloads were shown, as text: the test exercised them.
    assert "&lt;script&gt;" in page and "onerror=" in page and "javascript:alert(1)" in page


# One lookup of the browser for every test and benchmark (summarizer.testing.browser).
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="chromium and chromedriver are not installed"
)


def dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
            "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def ran(dom: str) -> list[str]:
    found = audit(dom)
    traces = [name for name in found.root_attrs if name.startswith("data-xss-")]
    return traces + (["title"] if found.title.strip() == "PWNED" else [])


def no_dialogs(value: str) -> str:
    # alert() would block headless Chromium; the DOM traces are what the browser test reads.
    return value.replace("alert(", "void(")


class _ArticleText(HTMLParser):
    """The text of each `<div class="article">`, without the small tags that label marks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0
        self._in_tag = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._depth:
            self._depth += 1
        elif tag == "div" and a.get("class") == "article":
            self._depth = 1
            self.texts.append("")
        if tag == "a" and a.get("class") == "tag":
            self._in_tag += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
        if tag == "a" and self._in_tag:
            self._in_tag -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and not self._in_tag:
            self.texts[-1] += data


def parse_article_text(page: str) -> list[str]:
    parser = _ArticleText()
    parser.feed(page)
    parser.close()
    return parser.texts
