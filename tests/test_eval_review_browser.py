"""The gold review page in a real browser (Debian's chromium and chromedriver, via selenium):
a draft made through the real openai backend is opened, corrected (an item deleted, a field
edited, evidence added by selecting text) and saved, and the file on disk is what a suite reads.
The article and the model's answer are hostile markup, which must stay text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key
from helpers_html import needs_browser
from helpers_review import HOSTILE_ARTICLE, draft_fixture

from summarizer.eval.gold import load_fixture
from summarizer.eval.review_server import ReviewServer
from summarizer.eval.review_session import ReviewSession
from summarizer.testing.browser import headless_chromium

pytest.importorskip("selenium.webdriver")

pytestmark = [pytest.mark.slow, needs_browser]

# Select the first occurrence of `quote` in the article pane, across highlight boundaries.
SELECT = """
const [quote] = arguments;
const article = document.getElementById('article');
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
const nodes = [];
let all = '';
for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, all.length]); all += n.data; }
const at = all.indexOf(quote);
if (at < 0) return false;
const locate = (offset) => {
  for (const [n, base] of nodes) if (offset <= base + n.data.length) return [n, offset - base];
};
const range = document.createRange();
range.setStart(...locate(at));
range.setEnd(...locate(at + quote.length));
const sel = window.getSelection();
sel.removeAllRanges();
sel.addRange(range);
return true;
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with headless_chromium(tmp_path / "profile", page_load_timeout=30) as driver:
        yield driver


def _wait(driver: Any, condition: Any, timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _xss_traces(driver: Any) -> list[str]:
    names: list[str] = driver.execute_script(
        "return [...document.documentElement.attributes].map(a => a.name)"
    )
    traces = [n for n in names if n.startswith("data-xss-")]
    return traces + (["title"] if driver.title == "PWNED" else [])


def _click(driver: Any, element: Any) -> None:
    # Like a person: scroll the button clear of the sticky save bar, then click it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _one(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def _all(driver: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    found: list[Any] = driver.find_elements(By.CSS_SELECTOR, css)
    return found


def test_a_draft_is_corrected_and_saved_in_a_real_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, browser: Any
) -> None:
    use_only_api_key(monkeypatch, "sk-test-review-0000")
    gold_path = draft_fixture(tmp_path)
    drafted = json.loads(gold_path.read_text(encoding="utf-8"))
    assert drafted["review"] == "draft" and len(drafted["planned_events"]) == 1

    with ReviewServer(ReviewSession(gold_path), port=0) as server:
        browser.get(server.url)
        _wait(browser, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))

        # The hostile article and answer are on the page as text, highlighted, and inert.
        article = _one(browser, "#article")
        assert article.text.startswith("Talks in Tallinn")
        assert "<script>" in article.text and "onerror=" in article.text
        assert len(_all(browser, "#article .hl")) >= 4
        assert browser.execute_script("return document.querySelectorAll('#article script, #article img').length") == 0
        assert _xss_traces(browser) == []
        location = _one(browser, '[data-item="meetings/0"] [data-field="location"] input')
        assert "<img" in location.get_attribute("value")

        # Delete the planned event.
        _click(browser, _one(browser, '[data-item="planned_events/0"] button.delete'))
        assert _all(browser, '[data-item^="planned_events/"]') == []

        # Edit a field: the meeting's location.
        location = _one(browser, '[data-item="meetings/0"] [data-field="location"] input')
        location.clear()
        location.send_keys("Tallinn")

        # Add evidence to the statement by selecting text in the article.
        quote = "Aalto told reporters the talks had been useful."
        assert browser.execute_script(SELECT, quote) is True
        _wait(browser, lambda d: quote in _one(d, "#selection").text)
        _click(browser, _one(browser, '[data-item="statements/0"] [data-field="evidence"] > button.add-evidence'))
        _wait(browser, lambda d: len(_all(d, '[data-item="statements/0"] [data-field="evidence"] .quote')) == 2)

        # An invalid value is refused on save: the page shows why, the file is unchanged.
        before = gold_path.read_bytes()
        time_start = _one(browser, '[data-item="meetings/0"] [data-field="time.start"] input')
        time_start.clear()
        time_start.send_keys("next Tuesday")
        assert not _one(browser, "#save-reviewed").is_enabled()  # nothing accepted yet
        for i in range(len(_all(browser, "button.accept"))):  # each click redraws the items
            _click(browser, _all(browser, "button.accept")[i])
        assert _one(browser, "#accepted").text == "2 of 2 items accepted"
        _click(browser, _one(browser, "#save-reviewed"))
        _wait(browser, lambda d: "meetings.0.time.start" in _one(d, "#errors").text)
        assert gold_path.read_bytes() == before
        time_start = _one(browser, '[data-item="meetings/0"] [data-field="time.start"] input')
        time_start.clear()
        time_start.send_keys("2024-03-05")

        _click(browser, _one(browser, "#save-reviewed"))
        _wait(browser, lambda d: "Saved as reviewed" in _one(d, "#status").text)
        assert _one(browser, "#errors").text == ""
        assert _xss_traces(browser) == []
        logs = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        # No script error and no CSP violation: only the refused save, as expected.
        assert len(logs) == 1 and "/api/save" in logs[0] and "422" in logs[0], logs

    saved = json.loads(gold_path.read_text(encoding="utf-8"))
    assert "review" not in saved
    assert saved["planned_events"] == []
    assert saved["meetings"][0]["location"] == "Tallinn"
    assert saved["meetings"][0]["time"]["start"] == "2024-03-05"
    added = saved["statements"][0]["evidence"][1]
    start = HOSTILE_ARTICLE.index(quote)  # code points, past the astral flag
    assert added == {"quote": quote, "start": start, "end": start + len(quote)}
    # Untouched hostile values survive the round trip as they were.
    assert saved["meetings"][0]["participants"][0]["role"] == drafted["meetings"][0]["participants"][0]["role"]
    # The saved file is gold a suite reads.
    _, gold = load_fixture(gold_path.parent, "talks")
    assert [e.quote for e in gold.statements[0].evidence][1] == quote
    assert len(gold.meetings[0].evidence) == 2
