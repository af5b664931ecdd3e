"""One record cannot sink a batch, and the input edges behave the same in every entry point
(`summarize`, `batch`, the Python API): date-time publication dates, ids, the title against
--max-chars, boilerplate-only pages, declared HTML charsets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer import cli
from summarizer.api import summarize
from summarizer.config import resolve_settings
from summarizer.schemas import Article
from summarizer.testing import FakeOpenAIServer, RecordedRequest, json_answer
from summarizer.testing.samples import DRAFT, sample_text

KEY = "sk-canary-records-0b7e"
_PUBLISHED = re.compile(r"^Published: (.*)$", re.M)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, KEY)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


def _model(srv: FakeOpenAIServer) -> list[str]:
    return ["--base-url", srv.base_url, "--model", "test-model"]


def _chats(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


def _user(request: RecordedRequest) -> str:
    return str([m for m in request.messages if m.get("role") == "user"][-1]["content"])


def _batch(srv: FakeOpenAIServer, lines: list[str], tmp_path: Path, *extra: str) -> dict[str, Any]:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(line.encode("utf-8", "surrogatepass") + b"\n" for line in lines))
    out = tmp_path / "out.jsonl"
    code = cli.main(
        ["batch", str(source), "--out", str(out), "--progress", "off", *_model(srv), *extra]
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {"code": code, "rows": rows, "by_id": {r["id"]: r for r in rows}}


def _record(article_id: str | None, text: str, **fields: Any) -> str:
    record: dict[str, Any] = {"text": text, **fields}
    if article_id is not None:
        record["id"] = article_id
    return json.dumps(record)


# -- per-record isolation ----------------------------------------------------------------------


def test_deep_json_and_unencodable_text_fail_only_their_own_records(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    deep = '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [
        _record("a", sample_text(1)),
        deep,
        '{"id": "sur", "text": "Ministers met \\ud800 in Oslo."}',
        '{"id": "bad\\udc80id", "text": "Ministers met in Oslo."}',
        _record("b", sample_text(2)),
    ]
    result = _batch(server, lines, tmp_path)
    assert result["code"] == 1
    by_id = result["by_id"]
    assert sorted(by_id) == ["a", "b", "line-2", "line-4", "sur"]
    assert by_id["a"]["ok"] and by_id["b"]["ok"]
    source = tmp_path / "in.jsonl"
    assert by_id["line-2"]["error"] == {
        "type": "InputError", "attempts": 0, "status": None,
        "message": f"{source}:2: invalid JSON (nested too deeply to read): write one flat "
        "article record a line",
    }  # fmt: skip
    for row_id, line, field in (("sur", 3, "text"), ("line-4", 4, "id")):
        assert by_id[row_id]["error"]["type"] == "InputError"
        assert by_id[row_id]["error"]["message"] == (
            f'{source}:{line}: field "{field}" holds characters that cannot be encoded as '
            "UTF-8 (a lone surrogate such as \\ud800): fix the record"
        )
    assert len(_chats(server)) == 2


# -- a date-time publication date --------------------------------------------------------------

STAMPS = [
    ("2022-12-19T10:00:00+03:00", "2022-12-19"),
    ("2022-12-19T23:30:00-05:00", "2022-12-19"),  # the next day in UTC: still its own day
    ("2022-12-19T00:15:00Z", "2022-12-19"),
    ("2022-12-19", "2022-12-19"),
]


@pytest.mark.parametrize(("stamp", "day"), STAMPS)
def test_a_date_time_published_is_its_local_date_in_every_entry_point(
    server: FakeOpenAIServer, tmp_path: Path, stamp: str, day: str
) -> None:
    text = sample_text(7)
    result = _batch(server, [_record("r", text, published=stamp)], tmp_path)
    assert result["code"] == 0, result["rows"]
    record_file = tmp_path / "one.json"
    record_file.write_text(json.dumps({"text": text, "published": stamp}))
    assert cli.main(["summarize", str(record_file), *_model(server)]) == 0
    plain = tmp_path / "one.txt"
    plain.write_text(text)
    assert cli.main(["summarize", str(plain), "--published", stamp, *_model(server)]) == 0
    settings = resolve_settings(base_url=server.base_url, model="test-model")
    summarize(Article(text=text, published=stamp), settings=settings)  # type: ignore[arg-type]
    sent = [_PUBLISHED.findall(_user(r))[-1] for r in _chats(server)]
    assert sent == [day] * 4


# -- ids ---------------------------------------------------------------------------------------


def test_ids_are_unique_across_given_and_generated_ones(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    lines = [
        _record("line-3", sample_text(1)),  # takes the id line 3 would be given
        _record(None, sample_text(2)),  # line-2
        _record(None, sample_text(3)),  # line-3 is taken: line-3~2
        _record("line-2", sample_text(4)),  # a given id seen before: a failure of its own
    ]
    result = _batch(server, lines, tmp_path)
    ids = [r["id"] for r in result["rows"]]
    assert sorted(ids) == ["line-2", "line-3", "line-3~2", "line-4"]
    assert not result["by_id"]["line-4"]["ok"]
    assert "id 'line-2' already appeared on line 2" in result["by_id"]["line-4"]["error"]["message"]
    assert len(_chats(server)) == 3
    again = _batch(server, lines, tmp_path, "--resume")  # rewrites in.jsonl the same way
    assert len(again["rows"]) == 4 and len(_chats(server)) == 3


# -- the title counts against --max-chars ------------------------------------------------------


def test_a_huge_title_is_refused_under_max_chars(server: FakeOpenAIServer, tmp_path: Path) -> None:
    title = "T" * 1_000_000
    record = tmp_path / "big.json"
    record.write_text(json.dumps({"text": "Ministers met in Oslo.", "title": title}))
    assert cli.main(["summarize", str(record), "--max-chars", "1000", *_model(server)]) == 2
    result = _batch(server, [_record("t", "Ministers met in Oslo.", title=title)], tmp_path,
                    "--max-chars", "1000")  # fmt: skip
    assert result["by_id"]["t"]["error"]["message"] == (
        f"{tmp_path / 'in.jsonl'}:1 has 1,000,022 characters with its title, over the limit of "
        "1,000: split it, or raise the limit with --max-chars"
    )
    assert _chats(server) == []


# -- boilerplate-only pages --------------------------------------------------------------------

BANNER = (
    "We use cookies to improve your experience and for analytics.\n"
    "Accept all cookies\n"
    "Manage preferences\n"
)


def test_a_page_that_is_only_a_cookie_banner_has_no_article_text(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "banner.txt"
    plain.write_text(BANNER)
    page = tmp_path / "banner.html"
    page.write_text(
        "<html><body><div id='consent'><p>We use cookies to improve your experience and for "
        "analytics.</p><p>Manage preferences</p></div></body></html>"
    )
    for path in (plain, page):
        assert cli.main(["summarize", str(path), *_model(server)]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"summarizer: error: {path.stem}: no article text found (only page boilerplate "
            "such as a cookie banner or a menu): give the article's own text\n"
        )
    result = _batch(server, [_record("c", BANNER), _record("n", sample_text(1))], tmp_path)
    assert result["by_id"]["c"]["error"]["type"] == "InputError"
    assert "no article text found" in result["by_id"]["c"]["error"]["message"]
    assert result["by_id"]["n"]["ok"] and len(_chats(server)) == 1


# -- a declared HTML charset -------------------------------------------------------------------

CYRILLIC = "Министр иностранных дел Сергей Лавров встретился с коллегой в Минске в понедельник."
JAPANESE = "外務大臣は月曜日に東京で相手国の外相と会談し、両国は協力の強化を確認した。"
FRENCH = "Le ministre a rencontré son homologue à Genève lundi pour discuter du marché."


def _page(charset: str, text: str, *, http_equiv: bool = False) -> bytes:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if http_equiv
        else f'<meta charset="{charset}">'
    )
    body = "".join(f"<p>{text} ({i})</p>" for i in range(3))
    return f"<html><head>{meta}<title>News</title></head><body><article>{body}</article></body></html>".encode(
        charset
    )


@pytest.mark.parametrize(
    ("charset", "text", "http_equiv"),
    [
        ("windows-1251", CYRILLIC, False),
        ("Shift_JIS", JAPANESE, True),
        ("ISO-8859-1", FRENCH, False),
    ],
)
def test_a_declared_html_charset_is_honoured(
    server: FakeOpenAIServer, tmp_path: Path, charset: str, text: str, http_equiv: bool
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(_page(charset, text, http_equiv=http_equiv))
    assert cli.main(["summarize", str(page), *_model(server)]) == 0
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "p.html").write_bytes(page.read_bytes())
    assert (
        cli.main(["batch", str(folder), "--out", str(tmp_path / "o.jsonl"), *_model(server)]) == 0
    )
    for request in _chats(server):
        assert f"{text} (0)" in _user(request)


def test_bytes_that_do_not_fit_the_declared_charset_name_it(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        b'<html><head><meta charset="Shift_JIS"></head><body><p>\x81\xff\xfe</p></body></html>'
    )
    assert cli.main(["summarize", str(page), *_model(server)]) == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: {page} is not valid shift_jis as it declares (byte 54): convert "
        "it to UTF-8 from its real encoding, e.g. `iconv -f shift_jis -t utf-8`\n"
    )


def test_a_deeply_nested_json_file_fails_alone_in_a_directory_and_in_summarize(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    deep = folder / "deep.json"
    deep.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (folder / "fine.txt").write_text(sample_text(3))
    out = tmp_path / "out.jsonl"
    assert (
        cli.main(["batch", str(folder), "--out", str(out), "--progress", "off", *_model(server)])
        == 1
    )
    rows = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert rows["fine"]["ok"]
    message = f"{deep}: invalid JSON (nested too deeply to read): give one flat article record"
    assert rows["deep"]["error"]["message"] == message
    capsys.readouterr()
    assert cli.main(["summarize", str(deep), *_model(server)]) == 2
    assert capsys.readouterr().err == f"summarizer: error: {message}\n"
