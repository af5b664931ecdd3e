"""The HTML eval reports in a real browser (Debian's chromium and chromedriver, via selenium):
a fixture row's link opens that fixture's article, where the predicted and the gold evidence
are highlighted in two styles and titled with their items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_html import needs_browser

from summarizer.eval.matrix import MatrixCell, MatrixRun
from summarizer.eval.matrix_report import matrix_html
from summarizer.eval.report import to_html
from summarizer.testing.browser import headless_chromium
from summarizer.testing.report_runs import synthetic_fixtures, synthetic_run

pytest.importorskip("selenium.webdriver")

pytestmark = [pytest.mark.slow, needs_browser]

# What a person sees at the link's target: marks in the viewport, their style and hover text.
VISIBLE_MARKS = """
const section = document.getElementById(arguments[0]);
return [...section.querySelectorAll("mark")].filter(m => {
  if (!m.checkVisibility()) return false;
  const r = m.getBoundingClientRect();
  return r.height > 0 && r.bottom > 0 && r.top < innerHeight;
}).map(m => [m.className, m.title, getComputedStyle(m).backgroundColor,
             getComputedStyle(m).borderBottomStyle]);
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with headless_chromium(tmp_path / "profile") as driver:
        yield driver


def _follow(driver: Any, page: Path, fixture_id: str) -> str:
    from selenium.webdriver.common.by import By

    driver.get(page.as_uri())
    link = driver.find_element(By.LINK_TEXT, fixture_id)
    target = str(link.get_attribute("href")).rsplit("#", 1)[1]
    link.click()
    assert driver.execute_script("return location.hash") == f"#{target}"
    return target


def test_a_fixture_row_opens_its_article_with_both_sides_highlighted(tmp_path: Path, browser: Any) -> None:
    fixtures = synthetic_fixtures(30, seed=1)
    run = synthetic_run(fixtures, seed=1)
    page = tmp_path / "report.html"
    page.write_text(to_html(run, fixtures), encoding="utf-8")
    last = run.results[-1].fixture_id

    target = _follow(browser, page, last)
    assert target == f"r{len(run.results) - 1}-fixture"
    marks = browser.execute_script(VISIBLE_MARKS, target)
    gold = [m for m in marks if m[0] == "gold"]
    predicted = [m for m in marks if m[0] == ""]
    assert gold and predicted, marks
    # Two styles: predicted filled, gold underlined without a fill.
    assert all(m[2] != "rgba(0, 0, 0, 0)" for m in predicted)
    assert all(m[2] == "rgba(0, 0, 0, 0)" and m[3] == "solid" for m in gold)
    titles = {m[1] for m in marks}
    assert "gold meeting 1" in titles and "predicted meeting 1" in titles
    assert any(t.startswith("gold statement") and t.endswith(" cue") for t in titles), titles


def test_a_matrix_fixture_row_opens_the_first_cell_open(tmp_path: Path, browser: Any) -> None:
    fixtures = synthetic_fixtures(4, seed=2)
    cells = [MatrixCell(label=label, run=synthetic_run(fixtures, seed=s)) for s, label in enumerate(("a", "b"))]
    page = tmp_path / "matrix.html"
    page.write_text(matrix_html(MatrixRun(name="grid", baseline="a", cells=cells), fixtures), encoding="utf-8")

    target = _follow(browser, page, fixtures[2][0].id)
    assert target == "f2-fixture"
    titles = {m[1] for m in browser.execute_script(VISIBLE_MARKS, target)}
    assert "gold meeting 1" in titles and "predicted meeting 1" in titles
    # The second cell's view is closed until its summary is clicked.
    visible = "return document.getElementById(arguments[0]).checkVisibility()"
    assert browser.execute_script(visible, "f2c0-ev-M1-1") is True
    assert browser.execute_script(visible, "f2c1-ev-M1-1") is False
    from selenium.webdriver.common.by import By

    browser.find_elements(By.CSS_SELECTOR, "#f2-fixture summary")[1].click()
    assert browser.execute_script(visible, "f2c1-ev-M1-1") is True
