"""The benchmark's generated runs (summarizer.testing.report_runs) make a valid report: the
code path of benchmarks/bench_report.py at a small size, so that it cannot rot."""

from __future__ import annotations

import statistics

from helpers_html import audit, parse_article_text

from summarizer.eval.report import to_html
from summarizer.testing.report_runs import synthetic_fixtures, synthetic_run


def test_a_generated_run_reports_one_linked_section_per_fixture() -> None:
    fixtures = synthetic_fixtures(20, seed=3)
    sizes = [len(a.text) for a, _g in fixtures]
    assert min(sizes) >= 3000 and max(sizes) <= 5300 and len({a.text for a, _g in fixtures}) == 20
    assert all(len(g.statements) >= 2 and g.statements[0].cue is not None for _a, g in fixtures)
    run = synthetic_run(fixtures, seed=3)
    assert run.aggregate is not None and 0.5 < run.aggregate.overall.f1 < 1.0  # seeded mistakes
    assert synthetic_run(fixtures, seed=3).model_dump(exclude={"settings"}) == run.model_dump(exclude={"settings"})

    page = to_html(run, fixtures)
    found = audit(page)
    assert "script" not in found.tags and found.handlers == [] and found.js_urls == []
    for n, result in enumerate(run.results):
        assert f'<a href="#r{n}-fixture">{result.fixture_id}</a>' in page
    assert page.count('<section class="fixture" id="r') == 20
    assert parse_article_text(page) == [a.text for a, _g in fixtures]
    assert page.count('class="gold part"') >= 20 * 2 * 3  # speaker, cue, content of >= 2 statements
    # About 18 kB a fixture: 1,000 fixtures stay well under the benchmark's 30 MB.
    per_fixture = len(page.encode("utf-8")) / 20
    assert per_fixture < 25_000, per_fixture
    assert statistics.mean(sizes) > 3500

