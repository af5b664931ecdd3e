"""Rendering one summary: JSON, Markdown, and safe self-contained HTML with linked evidence."""

from __future__ import annotations

from helpers_render import assert_no_active_content, parse

from summarizer.render import Highlight, highlight_html, md_escape, to_html, to_json, to_markdown
from summarizer.schemas import Actor, Article, ArticleSummary, Evidence, Meeting, Statement

EVIL = '<script>alert(1)</script> and <img src=x onerror=alert(1)> "quoted" & more'
TEXT = f"Anna Berg met Piet Vos in Porto. Berg said: {EVIL}. Vos agreed with Berg."



def span(quote: str, occurrence: int = 0) -> Evidence:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(quote, start + 1)
    return Evidence(quote=quote, start=start, end=start + len(quote), match="exact")


def summary() -> ArticleSummary:
    return ArticleSummary(
        article_id="a1",
        title="Ministers <b>meet</b>",
        summary="They met. <script>alert(2)</script>",
        meetings=[
            Meeting(
                participants=[Actor(name="Anna Berg"), Actor(name="Piet Vos")],
                location="Porto",
                evidence=[span("Anna Berg met Piet Vos in Porto.")],
            )
        ],
        statements=[
            Statement(
                speaker=Actor(name='Berg <img src=x onerror="alert(3)">'),
                content=EVIL,
                evidence=[
                    span(f"Berg said: {EVIL}"),
                    span("Piet Vos in Porto. Berg said"),  # overlaps two other spans
                    Evidence(quote="never grounded", match="none"),  # null offsets: skipped
                ],
            )
        ],
    )


def test_to_json_round_trips() -> None:
    s = summary()
    assert ArticleSummary.model_validate_json(to_json(s)) == s


def test_markdown_lists_items_and_escapes_markup() -> None:
    md = to_markdown(summary(), Article(id="a1", text=TEXT, source="Wire"))
    assert "## Meetings (1)" in md and "## Statements (1)" in md and "## Planned events (0)" in md
    assert "<script" not in md and "<img" not in md and "<b>" not in md
    assert "&lt;script>" in md
    assert "not found in the article" in md
    assert "source: Wire" in md


def test_html_is_safe_for_hostile_article_and_output() -> None:
    page = to_html(summary(), Article(id="a1", text=TEXT))
    c = parse(page)
    assert_no_active_content(c)
    assert "<script" not in page.lower() and "<img" not in page.lower()


def test_html_marks_link_both_ways() -> None:
    page = to_html(summary(), Article(id="a1", text=TEXT))
    c = parse(page)
    marks = [a for t, a in c.tags if t == "mark" and a.get("id")]
    mark_ids = {str(a["id"]) for a in marks}
    # Three usable spans (the null-offset evidence is skipped), each with its own id.
    assert mark_ids == {"ev-M1-1", "ev-S1-1", "ev-S1-2"}
    for mid in mark_ids:
        assert f"#{mid}" in c.hrefs  # item -> highlight
    for item in ("item-M1", "item-S1"):
        assert item in c.ids
        assert f"#{item}" in c.hrefs  # highlight -> item
    # Highlighting never changes the article text itself.
    assert "".join(c.article_text) == TEXT


def test_overlapping_spans_nest_and_bad_spans_are_skipped() -> None:
    text = "abcdefghij"
    marks = [
        Highlight(0, 6, "m1", "i1", "A"),
        Highlight(3, 9, "m2", "i2", "B"),
        Highlight(5, 5, "m3", "i3", "C"),  # empty
        Highlight(8, 20, "m4", "i4", "D"),  # beyond the text
    ]
    out = highlight_html(text, marks)
    c = parse(f'<div class="article">{out}</div>')
    assert "".join(c.article_text) == text
    assert {a.get("id") for t, a in c.tags if t == "mark"} - {None} == {"m1", "m2"}
    # "def" is covered by both spans: B starts inside A (nested marks) and, since the spans
    # cross, B is split where A ends and goes on alone.
    assert (
        '<a class="tag" href="#i1">A</a>abc<mark id="m2" title="B"><a class="tag" href="#i2">B</a>'
        'def</mark></mark><mark title="B">ghi</mark>j'
    ) in out
    assert out.count("<mark") == out.count("</mark>") == 3
    assert out.endswith("</mark>j")


def _with_run(s: ArticleSummary) -> ArticleSummary:
    s.run.model, s.run.backend, s.run.prompt_version = "qwen2.5 <7b>", "openai", "p1a2"
    s.run.tokens_in, s.run.tokens_out, s.run.latency_s = 1200, 80, 1.234
    s.run.warnings = ["dropped meeting 2: evidence not found -> check"]
    return s


def test_markdown_escapes_only_what_markdown_reads_as_markup() -> None:
    s = _with_run(summary())
    s.summary = "Talks -> a deal: R&D & trade, 2 > 1; > not a quote"
    md = to_markdown(s)
    assert "Talks -> a deal: R&D & trade, 2 > 1; > not a quote" in md
    assert "-&gt;" not in md and "&amp;" not in md
    assert "> warning: dropped meeting 2: evidence not found -> check" in md
    assert md_escape("> quote") == "\\> quote" and md_escape("1. item") == "1\\. item"
    assert md_escape("&lt;b> a_b") == "&amp;lt;b> a\\_b"  # an entity is shown, not decoded


def test_html_page_has_a_run_footer_like_the_markdown() -> None:
    s = _with_run(summary())
    page = to_html(s, Article(id="a1", text=TEXT))
    assert (
        '<div class="run muted"><p>Model qwen2.5 &lt;7b&gt; (openai), prompt p1a2, 1200 tokens in, '
        "80 out, 1.23 s.</p>\n<p>warning: dropped meeting 2: evidence not found -&gt; check</p></div>"
    ) in page
    assert "_Model qwen2.5 &lt;7b> (openai), 1200 tokens in, 80 out, 1.23 s._" in to_markdown(s)
    assert_no_active_content(parse(page))


def test_pages_are_rendered_from_the_packaged_templates() -> None:
    from importlib.resources import files

    templates = files("summarizer") / "templates"
    html_template = (templates / "summary.html.j2").read_text(encoding="utf-8")
    md_template = (templates / "summary.md.j2").read_text(encoding="utf-8")
    # The page's wording lives in the templates, not in Python.
    assert "Model {{ run.model }}" in html_template and "Model {{ run.model }}" in md_template
    assert "no evidence" in (templates / "items.html.j2").read_text(encoding="utf-8")


def test_statements_show_their_kind_and_cue() -> None:
    s = summary()
    s.statements[0].kind = "direct"
    s.statements[0].cue = span("said", 0)
    md = to_markdown(s, Article(id="a1", text=TEXT))
    assert "- **kind:** direct" in md and "- **cue:** said" in md
    page = to_html(s, Article(id="a1", text=TEXT))
    assert ">direct<" in page and ">said<" in page
    plain = summary()
    assert "**kind:**" not in to_markdown(plain, Article(id="a1", text=TEXT))


def test_a_span_inside_another_is_one_nested_mark() -> None:
    out = highlight_html("abcdefghij", [Highlight(3, 6, "in", "i2", "B", tagged=False), Highlight(0, 9, "out", "i1", "A")])
    assert out == (
        '<mark id="out" title="A"><a class="tag" href="#i1">A</a>abc'
        '<mark id="in" title="B">def</mark>ghi</mark>j'
    )
