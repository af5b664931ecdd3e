"""Shared HTML safety checks: every tag and attribute of a page as a browser's tokenizer sees
them, and `assert_inert`, which fails on anything that could run or reach the network."""

from __future__ import annotations

from html.parser import HTMLParser

_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})
_ALLOWED_TAGS = frozenset(
    "html head meta title style body h1 h2 h3 h4 p div section mark a ul li dl dt dd "
    "table thead tbody tr th td".split()
)


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
    assert set(found.tags) <= _ALLOWED_TAGS, set(found.tags) - _ALLOWED_TAGS
    assert found.handlers == [] and found.js_urls == []
    assert found.styles == 1  # the page's own CSS only
    # The payloads were shown, as text: the test exercised them.
    assert "&lt;script&gt;" in page and "onerror=" in page and "javascript:alert(1)" in page


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
