"""The HTML eval report of a 1,000-fixture run: render time, file size, and load time in
headless Chromium (Debian's chromium and chromedriver, through selenium).

The run is synthesised (`summarizer.testing.report_runs`: generated articles of ~3-5k
characters, a handful of items each, gold located by the real gold loader, predictions with
seeded mistakes scored by the real scorer). The report is rendered by the real `to_html`,
written to a file and opened from `file://` several times in one browser; the figures are
medians of the browser's navigation timing from the navigation's start. Targets: the load
event within 2 s, first contentful paint within 1 s, and a file under 30 MB.

    .venv/bin/python benchmarks/bench_report.py [--fixtures 1000] [--runs 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.eval.report import to_html  # noqa: E402
from summarizer.testing.browser import CHROMEDRIVER, CHROMIUM, headless_chromium  # noqa: E402
from summarizer.testing.report_runs import synthetic_fixtures, synthetic_run  # noqa: E402

# Earlier measurements of the same run on this machine, kept for comparison.
BEFORE = (
    "the report as first written (commit e0faf21: every fixture section laid out, marks "
    "split at every span boundary, a row per field; 17.7 MB, 393,212 elements): load event end "
    "12.2-14.4 s, first contentful paint 0.16-0.29 s (load average ~4); with `content-visibility:auto` on the fixture sections only: 2.3-2.9 s (load ~9-13); "
    "then nested marks and one row for an item's correct fields made it what the table shows"
)
TARGET_LOAD_S = 2.0
TARGET_PAINT_S = 1.0
TARGET_MB = 30.0

# Navigation timing in seconds from the navigation's start. A file:// page streams into the
# parser, so responseEnd is when the parser has read it all, long after the first paint.
TIMING = """
const nav = performance.getEntriesByType('navigation')[0];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
return {
  response_end: nav.responseEnd / 1000,
  response_to_dcl: (nav.domContentLoadedEventEnd - nav.responseEnd) / 1000,
  dom_content_loaded: nav.domContentLoadedEventEnd / 1000,
  load: nav.loadEventEnd / 1000,
  first_contentful_paint: paint ? paint.startTime / 1000 : null,
  elements: document.getElementsByTagName('*').length,
  sections: document.querySelectorAll('section[id$="-fixture"]').length,
};
"""


def measure(page: Path, runs: int, profile: Path) -> tuple[list[dict[str, Any]], float]:
    """Open `page` `runs` times (about:blank between); returns the timings and how long the
    last fixture row's link took to show its article."""
    timings: list[dict[str, Any]] = []
    with headless_chromium(profile, page_load_timeout=120) as driver:
        for _ in range(runs):
            driver.get("about:blank")
            driver.get(page.as_uri())  # returns after the load event
            # The load event fires before loadEventEnd is stamped: wait for it.
            for _wait in range(100):
                got = driver.execute_script(TIMING)
                if got["load"] > 0:
                    break
                time.sleep(0.05)
            timings.append(got)
        from selenium.webdriver.common.by import By

        links = driver.find_elements(By.CSS_SELECTOR, "#fixtures-table td a")
        started = time.perf_counter()
        links[-1].click()
        target = links[-1].get_attribute("href").rsplit("#", 1)[1]
        shown = driver.execute_script(
            "const el = document.getElementById(arguments[0]);"
            "const r = el.getBoundingClientRect(); return r.height > 0 && r.top < innerHeight;",
            target,
        )
        follow_s = time.perf_counter() - started
        if not shown:
            raise SystemExit(f"following the link to #{target} did not show the article")
    return timings, follow_s


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if CHROMIUM is None or CHROMEDRIVER is None:
        raise SystemExit("chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)")
    load_before = os.getloadavg()

    started = time.perf_counter()
    fixtures = synthetic_fixtures(args.fixtures, args.seed)
    run = synthetic_run(fixtures, args.seed)
    build_s = time.perf_counter() - started
    chars = sum(len(a.text) for a, _g in fixtures)
    items = sum(len(g.meetings) + len(g.statements) + len(g.planned_events) for _a, g in fixtures)

    render_times = []
    page_text = ""
    for _ in range(3):
        started = time.perf_counter()
        page_text = to_html(run, fixtures)
        render_times.append(time.perf_counter() - started)
    render_s = statistics.median(render_times)
    size_mb = len(page_text.encode("utf-8")) / 1e6

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(page_text, encoding="utf-8")
        timings, follow_s = measure(page, args.runs, Path(tmp) / "profile")
    if any(t["sections"] != len(run.results) for t in timings):
        raise SystemExit(f"the page showed {timings[0]['sections']} fixture sections, not {len(run.results)}")

    dcl = _median([t["dom_content_loaded"] for t in timings])
    response_end = _median([t["response_end"] for t in timings])
    response_to_dcl = _median([t["response_to_dcl"] for t in timings])
    load = _median([t["load"] for t in timings])
    fcp = _median([t["first_contentful_paint"] for t in timings])
    ok = (load or 0) < TARGET_LOAD_S and (fcp or 0) < TARGET_PAINT_S and size_mb < TARGET_MB
    command = ".venv/bin/python benchmarks/bench_report.py" + (
        f" --fixtures {args.fixtures}" if args.fixtures != 1000 else ""
    ) + (f" --runs {args.runs}" if args.runs != 5 else "")
    runs_text = ", ".join(f"{t['load']:.2f}" for t in timings)
    lines = [
        f"## HTML eval report of {args.fixtures} fixtures (`benchmarks/bench_report.py`)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python "
        f"{platform.python_version()}, {platform.system()}; date: "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC",
        f"- command: `{command}`",
        f"- browser: {Path(CHROMIUM).name} headless through selenium, `file://`, "
        f"{args.runs} loads in one browser, medians; times from the navigation's start",
        f"- run: {args.fixtures} generated fixtures (seed {args.seed}), {chars / args.fixtures:.0f} "
        f"characters per article, {items} gold items, field F1 "
        f"{run.aggregate.overall.f1 if run.aggregate else float('nan'):.3f}; generated and "
        f"scored in {build_s:.1f} s (not part of the report's time)",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| render `to_html` (median of 3) | {render_s:.2f} s | |",
        f"| file size | {size_mb:.1f} MB | < {TARGET_MB:.0f} MB |",
        f"| elements in the page | {timings[0]['elements']} | |",
        f"| responseEnd (the parser has read the file) | {_s(response_end)} | |",
        f"| responseEnd → DOMContentLoaded | {_s(response_to_dcl)} | |",
        f"| DOMContentLoaded | {_s(dcl)} | |",
        f"| load event end | {_s(load)} (runs: {runs_text}) | < {TARGET_LOAD_S:.0f} s |",
        f"| first contentful paint | {_s(fcp)} | < {TARGET_PAINT_S:.0f} s |",
        f"| follow the last fixture row's link to its article | {follow_s:.2f} s | |",
        "",
        f"Before: {BEFORE}.",
        "",
        f"Verdict: {'PASS' if ok else 'FAIL'}. Load average (1/5/15 min) at the start: "
        + " / ".join(f"{x:.2f}" for x in load_before)
        + "; when done: "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "",
    ]
    print("\n".join(lines))
    if args.fixtures == 1000:
        out = ROOT / "benchmarks" / "results" / "report.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
