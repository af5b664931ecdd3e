"""Tests for summarizer.reader: every input form and every refusal, with exact messages."""

from __future__ import annotations

import io
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from summarizer.errors import InputError, UsageError
from summarizer.reader import parse_published, read_article
from summarizer.schemas import text_id
from summarizer.sentences import sentences

STORY = (
    "Harbour talks resume in Vell\n"
    "\n"
    "Negotiators from Nordvik and Tarsen met in Vell on Wednesday to restart talks on shared "
    "fishing grounds, officials said.\n"
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Harbour talks resume in Vell | The Coastal Ledger</title>
<style>body { font-family: Georgia; } .STYLE_MARKER { color: red; }</style>
<script>var marker = "SCRIPT_MARKER_42"; console.log(marker);</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/sport">Sport pages</a></li>
<li><a href="/login">Sign in to NAV_MARKER</a></li></ul></nav>
<header><div class="logo">The Coastal Ledger</div></header>
<main><article>
<h1>Harbour talks resume in Vell</h1>
<p>Negotiators from Nordvik and Tarsen met in the port city of Vell on Wednesday to restart
talks on shared fishing grounds, officials from both delegations said.</p>
<p>The two sides spent four hours discussing quotas for cod and herring, according to a
statement released by the Nordvik foreign ministry after the session ended.</p>
<p>"We are closer than we have been for two years," said Ilse Brandt, who led the Nordvik
delegation. She added that a draft treaty could be ready by the summer.</p>
<p>Tarsen's chief negotiator, Omar Qadri, was more cautious, telling reporters that several
technical questions about inspection rights remained open.</p>
<p>The next round of talks is scheduled for April 12 in the Tarsen capital.</p>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Storm closes ferry routes</a></li></ul></aside>
<footer><p>FOOTER_MARKER 2021 The Coastal Ledger. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms</a></p></footer>
<script>document.write("LATE_SCRIPT_MARKER");</script>
</body></html>
"""


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _message(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


# --- .txt ------------------------------------------------------------------------------


def test_txt_title_from_first_line_and_id_from_file_name(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path, "harbour_talks.txt", STORY))
    assert article.title == "Harbour talks resume in Vell"
    assert article.text == STORY  # the text is kept as given: offsets index it
    assert article.id == "harbour_talks"
    assert article.published is None


def test_txt_without_blank_second_line_has_no_title(tmp_path: Path) -> None:
    text = "Negotiators met in Vell on Wednesday.\nThey talked for four hours.\n"
    assert read_article(_write(tmp_path, "a.txt", text)).title is None


def test_txt_first_line_that_is_a_sentence_is_not_a_title(tmp_path: Path) -> None:
    text = "Negotiators met in Vell on Wednesday.\n\nThey talked for four hours.\n"
    assert read_article(_write(tmp_path, "a.txt", text)).title is None


def test_txt_with_byte_order_mark(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + STORY.encode()))
    assert article.text == STORY


def test_seed_article_reads_with_its_headline(tmp_path: Path) -> None:
    seed = Path(__file__).parents[1] / "seeds" / "000_dc0927f4facc235e.txt"
    article = read_article(seed, published="2022-12-19")
    assert article.id == "000_dc0927f4facc235e"
    assert article.title == "Top diplomats discuss Belarus, Russia ties ahead of leaders’ meeting"
    assert article.published == date(2022, 12, 19)


# --- overrides -------------------------------------------------------------------------


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    record = {"id": "rec-1", "text": "Talks were held.", "title": "Old", "published": "2021-03-01"}
    path = _write(tmp_path, "r.json", json.dumps(record))
    article = read_article(path, published="2021-03-04", title="New title", article_id="given")
    assert (article.id, article.title, article.published) == (
        "given",
        "New title",
        date(2021, 3, 4),
    )
    assert article.text == "Talks were held."


def test_published_accepts_a_date_and_a_timestamp(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", STORY)
    assert read_article(path, published=date(2021, 3, 4)).published == date(2021, 3, 4)
    assert read_article(path, published="2021-03-04T09:30:00+02:00").published == date(2021, 3, 4)


# --- .json -----------------------------------------------------------------------------


def test_json_record(tmp_path: Path) -> None:
    record = {
        "id": "vell-1",
        "text": STORY,
        "published": "2021-03-04",
        "source": "Ledger",
        "url": "https://example.invalid/vell",
        "language": "en",
    }
    article = read_article(_write(tmp_path, "vell.json", json.dumps(record)))
    assert article.id == "vell-1"
    assert article.published == date(2021, 3, 4)
    assert (article.source, article.language) == ("Ledger", "en")
    assert article.title is None  # a record's title is its own field, never guessed


def test_json_record_without_id_gets_the_text_hash(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path, "x.json", json.dumps({"text": STORY})))
    assert article.id == text_id(STORY)


def test_json_invalid(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.json", '{"text": "a",\n "title": }')
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == f"{path}: invalid JSON at line 2: fix it or save the article as .txt"


def test_json_missing_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "notext.json", json.dumps({"title": "No body"}))
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (
        f"{path}: field 'text': Field required (an article record needs \"text\"; "
        "optional: id, title, published (YYYY-MM-DD), url, source, language)"
    )


def test_json_wrong_types(tmp_path: Path) -> None:
    path = _write(tmp_path, "types.json", json.dumps({"text": 42}))
    with pytest.raises(InputError, match=r"field 'text': Input should be a valid string"):
        read_article(path)
    path = _write(tmp_path, "date.json", json.dumps({"text": "x", "published": "19/12/2022"}))
    with pytest.raises(InputError, match=r"field 'published'"):
        read_article(path)


def test_json_not_an_object(tmp_path: Path) -> None:
    path = _write(tmp_path, "list.json", json.dumps([{"text": "x"}]))
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == f'{path}: expected a JSON object with at least a "text" field'


def test_json_record_published_in_the_future(tmp_path: Path) -> None:
    future = date.today() + timedelta(days=30)
    path = _write(tmp_path, "f.json", json.dumps({"text": "x", "published": future.isoformat()}))
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (
        f'{path}: "published" {future.isoformat()} is in the future: give the date the '
        "article was published"
    )


def test_jsonl_points_to_batch(tmp_path: Path) -> None:
    path = _write(tmp_path, "many.jsonl", '{"text": "a"}\n{"text": "b"}\n')
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (
        f"{path} holds many articles (JSON Lines): use `summarizer batch {path} --out OUT.jsonl`"
    )


# --- .html -----------------------------------------------------------------------------


def test_html_main_text_without_scripts_styles_or_furniture(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path, "page.html", PAGE))
    assert article.title == "Harbour talks resume in Vell"
    assert article.id == "page"
    assert "met in the port city of Vell on Wednesday" in article.text
    assert "scheduled for April 12 in the Tarsen capital" in article.text
    assert '"We are closer than we have been for two years," said Ilse Brandt' in article.text
    for marker in (
        "SCRIPT_MARKER_42",
        "LATE_SCRIPT_MARKER",
        "STYLE_MARKER",
        "font-family",
        "NAV_MARKER",
        "FOOTER_MARKER",
        "Privacy policy",
        "Storm closes ferry",
    ):
        assert marker not in article.text, marker


@pytest.mark.parametrize(
    "markup",
    [
        '<meta property="article:published_time" content="2021-03-04T09:15:00+00:00">',
        '<meta name="date" content="2021-03-04">',
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2021-03-04T09:15:00Z"}</script>',
    ],
    ids=["og", "meta-date", "json-ld"],
)
def test_html_publication_date_from_the_page_metadata(tmp_path: Path, markup: str) -> None:
    page = PAGE.replace("</head>", markup + "\n</head>")
    assert read_article(_write(tmp_path, "page.html", page)).published == date(2021, 3, 4)


def test_html_publication_date_from_a_time_element(tmp_path: Path) -> None:
    page = PAGE.replace(
        "<h1>Harbour talks resume in Vell</h1>",
        '<h1>Harbour talks resume in Vell</h1>\n<p>Published <time datetime="2021-03-04">'
        "4 March</time></p>",
    )
    assert read_article(_write(tmp_path, "page.html", page)).published == date(2021, 3, 4)


def test_html_date_is_not_guessed_from_the_text_and_published_wins(tmp_path: Path) -> None:
    # "2021" in the footer and "April 12" in the text are not the publication date.
    path = _write(tmp_path, "page.html", PAGE)
    assert read_article(path).published is None
    dated = PAGE.replace("</head>", '<meta property="article:published_time" content="2021-03-04">\n</head>')
    path = _write(tmp_path, "dated.html", dated)
    assert read_article(path, published="2020-01-02").published == date(2020, 1, 2)


def test_html_blocks_are_separate_sentences_and_the_headline_is_the_title(tmp_path: Path) -> None:
    page = PAGE.replace(
        "<h1>Harbour talks resume in Vell</h1>",
        '<h1>Harbour talks resume in Vell</h1>\n<p class="dateline">VELL, March 4</p>',
    )
    article = read_article(_write(tmp_path, "page.html", page))
    assert article.title == "Harbour talks resume in Vell"
    assert article.text.startswith("VELL, March 4\n\nNegotiators from Nordvik")
    assert [s.text for s in sentences(article.text)][:2] == [
        "VELL, March 4",
        "Negotiators from Nordvik and Tarsen met in the port city of Vell on Wednesday to "
        "restart talks on shared fishing grounds, officials from both delegations said.",
    ]
    assert article.extracted


def test_html_without_article_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "empty.html",
        "<html><head><script>var a = 1;</script>"
        "<style>p { color: red; }</style></head><body><div> </div></body></html>",
    )
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (
        f"{path}: no article text found in the HTML: save the page's article text as .txt"
    )


# --- stdin -----------------------------------------------------------------------------


def test_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, STORY.encode())
    article = read_article("-", published="2021-03-04")
    assert article.text == STORY
    assert article.title == "Harbour talks resume in Vell"
    assert article.id == text_id(STORY)  # no file name to take an id from
    assert article.published == date(2021, 3, 4)


def test_stdin_json_record(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"\xef\xbb\xbf  " + json.dumps({"id": "s1", "text": STORY}).encode())
    article = read_article("-", article_id="override")
    assert (article.id, article.text) == ("override", STORY)


def test_stdin_html(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, PAGE.encode())
    article = read_article("-")
    assert "quotas for cod and herring" in article.text
    assert "SCRIPT_MARKER_42" not in article.text


def test_stdin_errors_name_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"  \n\t\n")
    with pytest.raises(InputError) as exc:
        read_article("-")
    assert _message(exc) == "standard input is empty: give an article with some text"


# --- refusals --------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == f"{path}: no such file: check the path"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_article(tmp_path)
    assert _message(exc) == (
        f"{tmp_path} is a directory: use `summarizer batch {tmp_path} --out OUT.jsonl`"
    )


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.txt", b""),
        ("blank.txt", b" \n\n\t \r\n"),
        ("empty.json", b""),
        ("blank.html", b"\n  \n"),
    ],
)
def test_empty_and_whitespace_only(tmp_path: Path, name: str, data: bytes) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == f"{path} is empty: give an article with some text"


def test_invalid_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "latin1.txt", "Talks in Malmö".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (
        f"{path} is not valid UTF-8 (byte 13): convert it, e.g. `iconv -f latin1 -t utf-8`"
    )


def test_binary(tmp_path: Path) -> None:
    path = _write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert _message(exc) == (f"{path} looks like a binary file: give a text, JSON or HTML article")


def test_over_max_chars(tmp_path: Path) -> None:
    path = _write(tmp_path, "long.txt", "word " * 30)
    assert read_article(path, max_chars=150).text == "word " * 30
    with pytest.raises(InputError) as exc:
        read_article(path, max_chars=149)
    assert _message(exc) == (
        f"{path} has 150 characters, over the limit of 149: split it, or raise the limit "
        "with --max-chars"
    )


# --- parse_published -------------------------------------------------------------------


def test_parse_published_unparsable() -> None:
    with pytest.raises(InputError) as exc:
        parse_published("19/12/2022")
    assert _message(exc) == (
        "--published '19/12/2022' is not a date: use YYYY-MM-DD, e.g. 2022-12-19"
    )


def test_parse_published_future_has_one_day_of_slack() -> None:
    today = date(2022, 12, 19)
    assert parse_published("2022-12-20", today=today) == date(2022, 12, 20)
    with pytest.raises(InputError) as exc:
        parse_published("2022-12-21", today=today)
    assert _message(exc) == (
        "--published 2022-12-21 is in the future: give the date the article was published"
    )


def test_parse_published_passes_none_and_dates() -> None:
    assert parse_published(None) is None
    assert parse_published(" 2022-12-19 ") == date(2022, 12, 19)
    assert parse_published(date(2020, 1, 2)) == date(2020, 1, 2)


def test_reader_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        read_article(tmp_path / "missing.txt")
