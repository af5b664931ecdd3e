"""The review server over real HTTP on 127.0.0.1: what the page is served with, who may call
the API, and what a save checks and writes."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key
from helpers_review import ANSWER, HOSTILE_ARTICLE, call, draft_fixture

from summarizer.errors import UsageError
from summarizer.eval.gold import load_fixture
from summarizer.eval.review_server import CSP, ReviewServer
from summarizer.eval.review_session import ReviewSession

SEEDS = Path(__file__).parents[1] / "seeds"


@pytest.fixture
def gold_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_only_api_key(monkeypatch, "sk-test-review-0000")
    return draft_fixture(tmp_path)


@pytest.fixture
def server(gold_path: Path) -> Iterator[ReviewServer]:
    with ReviewServer(ReviewSession(gold_path.parent), port=0) as srv:
        yield srv


def _api(srv: ReviewServer, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
    status, payload, _ = call(srv.base_url, path, body, token=kw.pop("token", srv.token), **kw)
    return status, payload


def _opened(srv: ReviewServer) -> dict[str, Any]:
    status, fixture = _api(srv, "/api/fixture?id=talks")
    assert status == 200
    return fixture  # type: ignore[no-any-return]


def test_the_page_is_local_self_contained_and_under_a_strict_policy(server: ReviewServer) -> None:
    assert server._server.server_address[0] == "127.0.0.1"
    for wrong in ("/", "/?token=", "/?token=wrong"):
        assert call(server.base_url, wrong, token=None)[:2] == (403, {"errors": [
            "open the address `summarizer eval review` printed: it carries the session token"
        ]})
    status, page, headers = call(server.base_url, f"/?token={server.token}", token=None)
    assert status == 200 and headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP and "default-src 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    html = page.decode("utf-8")
    assert f'<meta name="review-token" content="{server.token}">' in html
    # No external resources: the only references are the page's own script and stylesheet.
    assert "http" not in html
    assert html.count("<script") == 1 and '<script src="/review.js" defer></script>' in html
    for asset, kind in (("/review.js", "text/javascript"), ("/review.css", "text/css")):
        status, body, headers = call(server.base_url, asset, token=None)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body
        assert headers["Content-Security-Policy"] == CSP
    script = call(server.base_url, "/review.js", token=None)[1]
    for sink in (b"innerHTML", b"outerHTML", b"insertAdjacentHTML", b"document.write", b"eval("):
        assert sink not in script


def test_every_api_call_needs_the_session_token(server: ReviewServer, gold_path: Path) -> None:
    before = gold_path.read_bytes()
    fixture = _opened(server)
    save = {"id": "talks", "gold": fixture["gold"], "version": fixture["version"], "reviewed": True}
    for token in (None, "", "wrong-token"):
        assert _api(server, "/api/fixtures", token=token) == (
            403, {"errors": ["missing or wrong session token: reload the page"]}
        )
        assert _api(server, "/api/save", save, token=token)[0] == 403
    assert gold_path.read_bytes() == before
    assert ReviewServer(ReviewSession(gold_path)).token != server.token  # one per session


def test_other_hosts_and_origins_are_refused(server: ReviewServer, gold_path: Path) -> None:
    before = gold_path.read_bytes()
    fixture = _opened(server)
    save = {"id": "talks", "gold": fixture["gold"], "version": fixture["version"], "reviewed": True}
    # A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    assert _api(server, "/", headers={"Host": f"evil.example:{server.port}"}) == (
        421, {"errors": ["this server answers only to its own address"]}
    )
    assert _api(server, "/api/fixtures", headers={"Host": "evil.example"})[0] == 421
    refused = {"errors": ["requests from other sites are refused"]}
    assert _api(server, "/api/save", save, headers={"Origin": "http://evil.example"}) == (403, refused)
    assert _api(server, "/api/save", save, headers={"Sec-Fetch-Site": "cross-site"}) == (403, refused)
    # A form post (no preflight) cannot be JSON.
    assert _api(server, "/api/save", save, headers={"Content-Type": "text/plain"}) == (
        415, {"errors": ["send JSON (Content-Type: application/json)"]}
    )
    assert gold_path.read_bytes() == before
    # localhost and the page's own origin are the server itself.
    assert _api(server, "/api/fixtures", headers={"Host": f"localhost:{server.port}"})[0] == 200
    own = {"Origin": f"http://127.0.0.1:{server.port}", "Sec-Fetch-Site": "same-origin"}
    assert _api(server, "/api/evidence", {"id": "talks", "start": 0, "end": 5, "quote": "Talks"}, headers=own)[0] == 200


def test_bad_requests_get_a_clear_refusal(server: ReviewServer) -> None:
    assert _api(server, "/nowhere") == (404, {"errors": ["no such page: /nowhere"]})
    assert _api(server, "/api/nowhere") == (404, {"errors": ["no such API: /api/nowhere"]})
    assert _api(server, "/api/fixture?id=../../etc/passwd") == (
        422, {"errors": ["no fixture '../../etc/passwd' in this review"]}
    )
    status, payload, _ = call(server.base_url, "/api/save", token=server.token, raw=b"{not json")
    assert (status, payload) == (400, {"errors": ["the body is not valid JSON"]})
    assert _api(server, "/api/save", [1, 2]) == (400, {"errors": ["the body must be a JSON object"]})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/api/save")
    for name, value in (
        ("Content-Type", "application/json"), ("Content-Length", str(10**9)),
        ("X-Review-Token", server.token),
    ):
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read()) == {
        "errors": ["the body is over 8388608 bytes"]
    }
    connection.close()


def test_a_fixture_opens_with_its_article_offsets_and_version(server: ReviewServer) -> None:
    assert _api(server, "/api/fixtures")[1]["fixtures"] == [{"id": "talks", "status": "draft"}]
    fixture = _opened(server)
    assert fixture["text"] == HOSTILE_ARTICLE and fixture["draft"] is True and fixture["errors"] == []
    assert fixture["published"] == "2024-03-06"
    ev = fixture["gold"]["statements"][0]["evidence"][0]
    assert HOSTILE_ARTICLE[ev["start"] : ev["end"]] == ev["quote"] == ANSWER["statements"][0]["evidence"][0]
    schema = _api(server, "/api/fixtures")[1]["schema"]
    assert [lst["name"] for lst in schema["lists"]] == ["meetings", "statements", "planned_events"]


def test_evidence_from_a_selection_must_be_the_article_there(server: ReviewServer) -> None:
    quote = "Aalto told reporters"
    start = HOSTILE_ARTICLE.index(quote)  # code points: the flag before it is 2, not 4
    assert HOSTILE_ARTICLE.encode("utf-16-le").find(quote.encode("utf-16-le")) // 2 == start + 2
    assert _api(server, "/api/evidence", {"id": "talks", "start": start, "end": start + len(quote), "quote": quote}) == (
        200, {"evidence": {"quote": quote, "start": start, "end": start + len(quote)}}
    )
    moved = {"id": "talks", "start": start + 2, "end": start + 2 + len(quote), "quote": quote}
    assert _api(server, "/api/evidence", moved) == (
        422, {"errors": [f"chars {start + 2}-{start + 2 + len(quote)} of the article are not the selected text: select it again"]}
    )
    assert _api(server, "/api/evidence", {"id": "talks", "start": 0, "end": 1, "quote": " "})[1] == {
        "errors": ["the selection is empty or only spaces: select some words"]
    }
    assert _api(server, "/api/evidence", {"id": "talks", "start": "0", "end": 5, "quote": "Talks"})[1] == {
        "errors": ["evidence needs integer start and end and a quote"]
    }
    past_end = {"id": "talks", "start": 0, "end": len(HOSTILE_ARTICLE) + 5, "quote": HOSTILE_ARTICLE}
    assert _api(server, "/api/evidence", past_end)[0] == 422


def test_an_invalid_save_writes_nothing_and_says_why(server: ReviewServer, gold_path: Path) -> None:
    before = gold_path.read_bytes()
    fixture = _opened(server)

    def save(gold: dict[str, Any]) -> tuple[int, Any]:
        return _api(server, "/api/save", {"id": "talks", "gold": gold, "version": fixture["version"], "reviewed": True})

    wrong_kind = json.loads(json.dumps(fixture["gold"]))
    wrong_kind["meetings"][0]["format"] = "carrier pigeon"
    wrong_kind["statements"][0]["speaker"]["name"] = None
    assert save(wrong_kind) == (422, {"errors": [
        f"{gold_path}: not valid gold (3 error(s)):",
        "meetings.0.format: Input should be 'in_person', 'call', 'video' or 'unknown'",
        "statements.0.speaker.name.str: Input should be a valid string",
        "statements.0.speaker.name.AnyOf: Input should be a valid dictionary or instance of AnyOf",
    ]})
    shifted = json.loads(json.dumps(fixture["gold"]))
    ev = shifted["planned_events"][0]["evidence"][0]
    ev["start"] += 1
    ev["end"] += 1
    assert save(shifted) == (422, {"errors": [
        f"{gold_path}: evidence planned_events[0].evidence[0] at chars {ev['start']}-{ev['end']} is "
        f"not {ev['quote'][:60]!r} in the article: select the span again"
    ]})
    twice = json.loads(json.dumps(fixture["gold"]))
    twice["planned_events"][0]["evidence"] = [{"quote": "Tallinn"}]  # no offsets, not unique
    assert save(twice) == (422, {"errors": [
        f"{gold_path}: evidence quote of planned_events[0] occurs 2 times in the article: "
        "'Tallinn'. Quote a longer span that occurs once (or give its start and end)."
    ]})
    assert gold_path.read_bytes() == before


def test_a_save_writes_reviewed_gold_and_refuses_a_stale_version(
    server: ReviewServer, gold_path: Path
) -> None:
    fixture = _opened(server)
    gold = fixture["gold"]
    del gold["planned_events"][0]
    gold["meetings"][0]["location"] = {"any_of": ["Tallinn", "Estonia"]}
    status, saved = _api(server, "/api/save", {"id": "talks", "gold": gold, "version": fixture["version"], "reviewed": False})
    assert status == 200 and saved["file"] == str(gold_path)
    on_disk = json.loads(gold_path.read_text(encoding="utf-8"))
    assert on_disk["review"] == "draft" and on_disk["planned_events"] == []
    assert on_disk == saved["gold"] and saved["version"] != fixture["version"]

    # The page's old version is stale now: saving with it would lose the newer file.
    stale = {"id": "talks", "gold": gold, "version": fixture["version"], "reviewed": True}
    assert _api(server, "/api/save", stale) == (409, {"errors": [
        f"{gold_path} changed on disk since this page read it (another window or editor): "
        "reload it to see that version; saving here would overwrite it"
    ]})
    status, done = _api(server, "/api/save", {**stale, "version": saved["version"]})
    assert status == 200
    on_disk = json.loads(gold_path.read_text(encoding="utf-8"))
    assert "review" not in on_disk and on_disk["meetings"][0]["location"] == {"any_of": ["Tallinn", "Estonia"]}
    # An edit made elsewhere meanwhile is not overwritten either.
    gold_path.write_text(gold_path.read_text(encoding="utf-8").replace("Estonia", "Eesti"), encoding="utf-8")
    assert _api(server, "/api/save", {**stale, "version": done["version"]})[0] == 409
    assert "Eesti" in gold_path.read_text(encoding="utf-8")
    assert not [p for p in gold_path.parent.iterdir() if p.name.endswith(".tmp")]
    _, loaded = load_fixture(gold_path.parent, "talks")  # a suite reads it
    assert loaded.review is None and loaded.planned_events == []


def test_a_folder_lists_drafts_and_reviewed_gold_and_opens_hand_written_gold(
    tmp_path: Path, gold_path: Path
) -> None:
    for name in ("001_bilateral_meeting.txt", "001_bilateral_meeting.meta.json", "001_bilateral_meeting.gold.json"):
        shutil.copy(SEEDS / name, gold_path.parent / name)
    with ReviewServer(ReviewSession(gold_path.parent)) as srv:
        assert _api(srv, "/api/fixtures")[1]["fixtures"] == [
            {"id": "001_bilateral_meeting", "status": "reviewed"}, {"id": "talks", "status": "draft"},
        ]
        seed = _api(srv, "/api/fixture?id=001_bilateral_meeting")[1]
        assert seed["draft"] is False and seed["errors"] == []
        ev = seed["gold"]["meetings"][0]["evidence"][0]  # the file gives only the quote
        assert seed["text"][ev["start"] : ev["end"]] == ev["quote"]


def test_a_broken_gold_file_still_opens_with_its_problems(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Anna Berg met Jon Holt in Oslo.", encoding="utf-8")
    (tmp_path / "x.gold.json").write_text(json.dumps({"meetings": [{"format": "by owl"}]}), encoding="utf-8")
    with ReviewServer(ReviewSession(tmp_path / "x.gold.json")) as srv:
        fixture = _api(srv, "/api/fixture?id=x")[1]
    assert fixture["gold"] == {"meetings": [{"format": "by owl"}]}
    assert fixture["errors"][0] == f"{tmp_path / 'x.gold.json'}: not valid gold: 1 validation error for Gold"


def test_a_port_in_use_is_a_usage_error(gold_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=rf"cannot listen on 127\.0\.0\.1:{port} \(.*\): pass another --port \(0 picks a free one\)"):
            ReviewServer(ReviewSession(gold_path), port=port)
