"""HTML output safety: an article (and a model answer) full of markup yields a summary page
(`summarizer summarize --format html`) and an eval report with nothing executable. Checked
with html.parser, and by loading the pages in headless Chromium when it is installed (with a
positive control: the same payloads, unescaped, do run there)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key
from helpers_html import assert_inert, audit

from summarizer import cli
from summarizer.testing import FakeOpenAIServer, json_answer

KEY = "sk-test-html-0000"


def _mark(name: str) -> str:
    """JavaScript that leaves a trace in the DOM if it ever runs."""
    return f"document.documentElement.setAttribute('data-xss-{name}','1')"


SCRIPT = f"<script>{_mark('script')};document.title='PWNED';alert(1)</script>"
IMG = f'<img src=x onerror="{_mark("img")};alert(1)">'
IMG_SHORT = "<img src=x onerror=alert(1)>"
LINK = "<a href=\"javascript:alert(1)\">the statement</a>"
CLOSE = f"</mark></div></section></dl><script>{_mark('mark')}</script>"
SVG = f'<svg onload="{_mark("svg")}"></svg>'
IFRAME = f"<iframe src=\"javascript:parent.{_mark('iframe')}\"></iframe>"
HOSTILE_ARTICLE = (
    f"Foreign Minister Ilse Varga met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}\n\n"
    f'"We will hold joint exercises in May," Varga said, showing {IMG} and {IMG_SHORT}.\n\n'
    f"See {LINK} or javascript:alert(document.cookie) for details.\n\n"
    f"The text closes a highlight early {CLOSE} and goes on.\n\n"
    f"{SVG} {IFRAME} <style>body{{display:none}}</style> <body onload=\"{_mark('body')}\">\n\n"
    "The two ministers plan to sign a defence pact in Helsinki next year.\n"
)
DRAFT: dict[str, Any] = {
    "summary": f"Varga met Aalto. {SCRIPT} {IMG}",
    "meetings": [
        {
            "participants": [{"name": "Ilse Varga", "role": IMG}, {"name": "Piet Aalto"}],
            "location": IMG_SHORT,  # it is in the article, so it survives grounding
            "time": "on Tuesday",
            "topics": [SCRIPT, "javascript:alert(1)"],
            "evidence": [
                f"met Defence Minister Piet Aalto in Tallinn on Tuesday. {SCRIPT}",
                f"closes a highlight early {CLOSE}",
            ],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Ilse Varga", "affiliation": LINK},
            "content": f"Varga said {LINK}",
            "quote": "We will hold joint exercises in May,",
            "evidence": [f'"We will hold joint exercises in May," Varga said, showing {IMG}'],
        }
    ],
    "planned_events": [
        {
            "description": f"pact {IFRAME}",
            "status": "planned",
            "evidence": [f"See {LINK}", f"{SVG} {IFRAME}", "not in the article <script>x</script>"],
        }
    ],
}
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
        }
        (fixtures / f"{fixture_id}.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    return fixtures


def _report_pages(
    srv: FakeOpenAIServer, tmp_path: Path, text: str = HOSTILE_ARTICLE
) -> tuple[Path, Path]:
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
    return html, md


def test_the_eval_reports_have_no_executable_markup(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    html_path, md_path = _report_pages(server, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.count("<mark id=") >= 4 and "&lt;img src=x onerror=alert(1)&gt; (repetition 0)" in html
    assert_inert(html)
    # Markdown renderers pass raw HTML through: the report must hold none.
    md = md_path.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "<svg", "<iframe", "</mark>", "<a href"):
        assert raw not in md
    assert "&lt;script>" in md


# -- a real browser -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
            "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _ran(dom: str) -> list[str]:
    found = audit(dom)
    traces = [name for name in found.root_attrs if name.startswith("data-xss-")]
    return traces + (["title"] if found.title.strip() == "PWNED" else [])


def _no_dialogs(value: str) -> str:
    # alert() would block headless Chromium; the DOM traces are what the browser test reads.
    return value.replace("alert(", "void(")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_no_script_runs_in_headless_chromium(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    text = _no_dialogs(HOSTILE_ARTICLE)
    # Positive control: the article's payloads, unescaped, do run in this browser.
    control = tmp_path / "control.html"
    control.write_text(
        f"<!DOCTYPE html><html><head><title>c</title></head><body>{text}</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError):
        assert_inert(control.read_text(encoding="utf-8"))  # the static audit sees them too
    ran = set(_ran(_dump_dom(control, profile)))
    assert {"data-xss-script", "data-xss-img", "data-xss-mark", "data-xss-svg", "title"} <= ran

    draft = json.loads(_no_dialogs(json.dumps(DRAFT)))
    (tmp_path / "s").mkdir()
    (tmp_path / "r").mkdir()
    with FakeOpenAIServer(json_answer(draft)) as srv:
        summary_page, _ = _summary_page(srv, tmp_path / "s", text)
        report_page, _ = _report_pages(srv, tmp_path / "r", text)
    for page in (summary_page, report_page):
        dom = _dump_dom(page, profile)
        assert "<mark" in dom  # the page rendered
        assert _ran(dom) == [], page.name
