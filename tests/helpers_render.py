"""Shared HTML test helpers: collect what a rendered page contains and check it is inert."""

from __future__ import annotations

from html.parser import HTMLParser


class Collector(HTMLParser):
    """Every start tag with its attributes, the text inside the article div, marks and links."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.article_text: list[str] = []
        self._in_article = 0
        self._in_tag_link = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if a.get("href"):
            self.hrefs.append(str(a["href"]))
        if self._in_article:
            self._in_article += 1
        elif tag == "div" and a.get("class") == "article":
            self._in_article = 1
        if tag == "a" and a.get("class") == "tag":
            self._in_tag_link += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_article:
            self._in_article -= 1
        if tag == "a" and self._in_tag_link:
            self._in_tag_link -= 1

    def handle_data(self, data: str) -> None:
        if self._in_article and not self._in_tag_link:
            self.article_text.append(data)


def parse(markup: str) -> Collector:
    c = Collector()
    c.feed(markup)
    c.close()
    return c


def assert_no_active_content(c: Collector) -> None:
    names = {t for t, _ in c.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link"}
    for tag, attrs in c.tags:
        assert not [k for k in attrs if k.lower().startswith("on")], tag
        for key in ("href", "src"):
            value = attrs.get(key) or ""
            assert value == "" or value.startswith("#"), (tag, value)
