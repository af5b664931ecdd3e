"""HTML output safety: an article (and a model answer) full of markup yields a summary page
(`summarizer summarize --format html`) and an eval report with nothing executable. Checked
with html.parser, and by loading the pages in headless Chromium when it is installed (with a
positive control: the same payloads, unescaped, do run there)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key
from helpers_html import (
    CHROMIUM,
    CLOSE,
    DRAFT,
    HOSTILE_ARTICLE,
    IMG,
    IMG_SHORT,
    LINK,
    SCRIPT,
    SVG,
    assert_inert,
    dump_dom,
    no_dialogs,
    ran,
)

from summarizer import cli
from summarizer.eval.matrix import MatrixCell, MatrixRun
from summarizer.eval.runfile import Run
from summarizer.testing import FakeOpenAIServer, json_answer

KEY = "sk-test-html-0000"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, KEY)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


def _summary_page(
    srv: FakeOpenAIServer, tmp_path: Path, text: str = HOSTILE_ARTICLE
) -> tuple[Path, dict[str, Any]]:
    record = {
        "id": "<b>id</b>",
        "title": f"Talks {SCRIPT}",
        "url": "javascript:alert(1)",
        "source": IMG_SHORT,
        "published": "2024-03-05",
        "text": text,
    }
    article = tmp_path / "hostile.json"
    article.write_text(json.dumps(record), encoding="utf-8")
    page = tmp_path / "summary.html"
    common = ["--base-url", srv.base_url, "--model", "test-model", "--grounding", "flag"]
    assert cli.main(["summarize", str(article), "--format", "html", "--out", str(page), *common]) == 0
    out = tmp_path / "summary.json"
    assert cli.main(["summarize", str(article), "--out", str(out), *common]) == 0
    return page, json.loads(out.read_text(encoding="utf-8"))


def test_the_summary_page_has_no_executable_markup(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    page, summary = _summary_page(server, tmp_path)
    # The hostile spans really were highlighted and the hostile values kept.
    assert summary["meetings"][0]["location"] == IMG_SHORT
    assert len([e for m in summary["meetings"] for e in m["evidence"] if e["start"] is not None]) == 2
    html = page.read_text(encoding="utf-8")
    assert html.count("<mark id=") >= 5
    assert_inert(html)


def _write_fixtures(folder: Path, text: str) -> Path:
    fixtures = folder / "fixtures"
    fixtures.mkdir()
    # A fixture id is a file name: this one is itself markup.
    for fixture_id in ("hostile", IMG_SHORT):
        (fixtures / f"{fixture_id}.txt").write_text(text, encoding="utf-8")
        meta = {"title": f"T {SCRIPT}", "published": "2024-03-05", "url": "javascript:alert(1)"}
        (fixtures / f"{fixture_id}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        gold = {
            "summary": SCRIPT,
            "meetings": [
                {
                    "participants": [{"name": "Ilse Varga", "role": {"any_of": [IMG, LINK]}}],
                    "location": IMG_SHORT,
                    "evidence": [{"quote": f"early {CLOSE}"}],
                }
            ],
            # The fixture section marks a statement's own spans too: each one is markup.
            "statements": [
                {
                    "speaker": {"name": "Ilse Varga"},
                    "content": LINK,
                    "evidence": [{"quote": f'May," Varga said, showing {IMG} and {IMG_SHORT}.'}],
                    "cue": {"quote": "said"},
                    "speaker_mention": {"quote": "Varga"},
                    "content_evidence": {"quote": f"{IMG} and {IMG_SHORT}"},
                }
            ],
        }
        raw = json.dumps(gold)
        if "alert(" not in text:  # the browser test's text: its quotes must match it
            raw = no_dialogs(raw)
        (fixtures / f"{fixture_id}.gold.json").write_text(raw, encoding="utf-8")
    return fixtures


def _report_pages(
    srv: FakeOpenAIServer, tmp_path: Path, text: str = HOSTILE_ARTICLE
) -> tuple[Path, Path, Path]:
    fixtures = _write_fixtures(tmp_path, text)
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"name: {json.dumps(SVG)}\nfixtures: fixtures\nsettings:\n  backend: openai\n"
        f"  base_url: {srv.base_url}\n  model: test-model\n",
        encoding="utf-8",
    )
    run = tmp_path / "RUN.json"
    assert cli.main(["eval", "run", str(suite), "--out", str(run)]) == 0
    html, md = tmp_path / "report.html", tmp_path / "report.md"
    for fmt, path in (("html", html), ("md", md)):
        assert cli.main([
            "eval", "report", str(run), "--format", fmt, "--out", str(path),
            "--fixtures", str(fixtures),
        ]) == 0
    # A matrix of two cells named with markup, over the same hostile fixtures.
    cells = [MatrixCell(label=label, run=Run.load(run)) for label in (SCRIPT, IMG_SHORT)]
    matrix = tmp_path / "MATRIX.json"
    MatrixRun(name=SVG, baseline=SCRIPT, cells=cells).save(matrix)
    matrix_page = tmp_path / "matrix.html"
    assert cli.main([
        "eval", "report", str(matrix), "--format", "html", "--out", str(matrix_page),
        "--fixtures", str(fixtures),
    ]) == 0
    return html, md, matrix_page


def test_the_eval_reports_have_no_executable_markup(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    html_path, md_path, matrix_path = _report_pages(server, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.count("<mark id=") >= 4 and "&lt;img src=x onerror=alert(1)&gt; (repetition 0)" in html
    assert_inert(html)
    # The fixture sections marked the hostile statement spans, and kept them text.
    for title in ("gold statement 1 cue", "gold statement 1 speaker", "gold statement 1 content"):
        assert f'title="{title}"' in html
    assert '<a href="#r0-fixture">&lt;img src=x onerror=alert(1)&gt;</a>' in html
    matrix = matrix_path.read_text(encoding="utf-8")
    assert_inert(matrix)
    assert 'title="gold statement 1 content">&lt;img src=x onerror=' in matrix
    assert "<summary>&lt;script&gt;" in matrix and '<a href="#f0-fixture">&lt;img src=x' in matrix
    # A fixture whose article is missing: its (hostile) id goes into a note, as text.
    (tmp_path / "fixtures" / f"{IMG_SHORT}.txt").unlink()
    degraded = tmp_path / "degraded.html"
    assert cli.main([
        "eval", "report", str(tmp_path / "RUN.json"), "--format", "html", "--out", str(degraded),
        "--fixtures", str(tmp_path / "fixtures"),
    ]) == 0
    page = degraded.read_text(encoding="utf-8")
    assert "No article or gold for &lt;img src=x onerror=alert(1)&gt;: it is not among" in page
    assert_inert(page)
    # Markdown renderers pass raw HTML through: the report must hold none.
    md = md_path.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "<svg", "<iframe", "</mark>", "<a href"):
        assert raw not in md
    assert "&lt;script>" in md


# -- a real browser -----------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_no_script_runs_in_headless_chromium(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    text = no_dialogs(HOSTILE_ARTICLE)
    # Positive control: the article's payloads, unescaped, do run in this browser.
    control = tmp_path / "control.html"
    control.write_text(
        f"<!DOCTYPE html><html><head><title>c</title></head><body>{text}</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError):
        assert_inert(control.read_text(encoding="utf-8"))  # the static audit sees them too
    traces = set(ran(dump_dom(control, profile)))
    assert {"data-xss-script", "data-xss-img", "data-xss-mark", "data-xss-svg", "title"} <= traces

    draft = json.loads(no_dialogs(json.dumps(DRAFT)))
    (tmp_path / "s").mkdir()
    (tmp_path / "r").mkdir()
    with FakeOpenAIServer(json_answer(draft)) as srv:
        summary_page, _ = _summary_page(srv, tmp_path / "s", text)
        report_page, _, matrix_page = _report_pages(srv, tmp_path / "r", text)
    for page in (summary_page, report_page, matrix_page):
        dom = dump_dom(page, profile)
        assert "<mark" in dom  # the page rendered
        assert ran(dom) == [], page.name
