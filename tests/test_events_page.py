"""The event page: the facts, the reporting articles with their evidence highlighted, and
nothing executable, whatever the articles and the model's answers hold."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from helpers_events import write_outputs
from helpers_html import assert_inert, parse_article_text

from summarizer import cli
from summarizer.schemas import Actor, ArticleSummary, Evidence, Meeting, TimeExpr

SCRIPT = "<script>document.title='PWNED';alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">more</a>'


def _summary(article_id: str, text: str, quote: str) -> ArticleSummary:
    start = text.index(quote)
    return ArticleSummary(
        article_id=article_id,
        title=f"Talks {SCRIPT}",
        meetings=[
            Meeting(
                participants=[Actor(name="Ilse Varga", role=IMG), Actor(name=f"Piet Aalto {LINK}")],
                location=f"Tallinn {IMG}",
                time=TimeExpr(text="on Tuesday", start="2024-03-05", end="2024-03-05"),
                topics=[SCRIPT],
                evidence=[Evidence(quote=quote, start=start, end=start + len(quote), match="exact")],
            )
        ],
    )


def test_the_event_page_is_inert_and_highlights_each_article(tmp_path: Path) -> None:
    texts = {
        "a1": f"Ilse Varga met Piet Aalto in Tallinn on Tuesday. {SCRIPT} See {LINK}.",
        "a2": f"In Tallinn, Varga and Aalto met on Tuesday {IMG} to talk.",
    }
    quotes = {"a1": f"met Piet Aalto in Tallinn on Tuesday. {SCRIPT}", "a2": f"met on Tuesday {IMG}"}
    articles = tmp_path / "in.jsonl"
    articles.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "published": "2024-03-06", "source": IMG, "url": "javascript:alert(1)"}) + "\n"
            for i, t in texts.items()
        ),
        encoding="utf-8",
    )
    out = write_outputs(tmp_path / "out.jsonl", [_summary(i, texts[i], quotes[i]) for i in texts])
    db = tmp_path / "e.duckdb"
    assert cli.main(["events", "build", str(out), "--db", str(db), "--articles", str(articles)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        (event_id,) = con.execute("SELECT event_id FROM events").fetchone() or ("",)
    page = tmp_path / "event.html"
    assert cli.main(["events", "show", event_id, "--db", str(db), "--format", "html", "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert_inert(html)
    assert html.count("<mark id=") == 2
    # The articles are shown whole, as text, the evidence inside marks.
    assert parse_article_text(html) == [texts["a1"], texts["a2"]]
