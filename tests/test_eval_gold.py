"""Gold fixtures: any_of alternatives, optional items, evidence offsets, metadata, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_eval import S2, S3, SEEDS, TEXT, example_gold, write_fixture

from summarizer.errors import InputError
from summarizer.eval.gold import AnyOf, alternatives, load_fixture, load_suite_dir, to_prediction


def test_load_fixture_builds_article_and_gold(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ex", TEXT, example_gold())
    article, gold = load_fixture(tmp_path, "ex")
    assert article.id == gold.article_id == "ex"
    assert article.text == TEXT
    assert str(article.published) == "2023-05-15"
    assert article.source == "test"
    assert gold.tags == ["example"]  # extra meta keys are kept, not Article fields
    speaker = gold.statements[0].speaker
    assert isinstance(speaker.name, AnyOf)
    assert alternatives(speaker.name) == ("Anna Berg", "Berg")
    ev = gold.statements[0].evidence[0]
    assert (ev.start, ev.end, ev.match) == (TEXT.index(S2), TEXT.index(S2) + len(S2), "exact")


def test_to_prediction_takes_first_alternatives(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ex", TEXT, example_gold())
    _, gold = load_fixture(tmp_path, "ex")
    pred = to_prediction(gold)
    assert pred.statements[0].speaker.name == "Anna Berg"
    assert pred.meetings[0].location == "Porto"
    assert pred.statements[0].evidence[0].start == TEXT.index(S2)


def test_every_seed_evidence_quote_is_located() -> None:
    if not list(SEEDS.glob("*.gold.json")):
        pytest.skip("seeds/ has no fixtures yet")
    for article, gold in load_suite_dir(SEEDS):
        for name in ("meetings", "statements", "planned_events"):
            for item in gold.items(name):  # type: ignore[arg-type]
                for ev in item.evidence:
                    assert ev.start is not None and ev.end is not None, (article.id, ev.quote)
                    if ev.match == "exact":
                        assert article.text[ev.start : ev.end] == ev.quote


def test_quote_not_in_article_is_an_error(tmp_path: Path) -> None:
    gold = example_gold()
    gold["statements"][0]["evidence"] = [{"quote": "Words nobody ever wrote in this text."}]
    write_fixture(tmp_path, "bad", TEXT, gold)
    with pytest.raises(InputError, match="not in the article"):
        load_fixture(tmp_path, "bad")


def test_repeated_quote_uses_given_offsets(tmp_path: Path) -> None:
    text = "He said yes. Then he said yes."
    gold = {
        "statements": [
            {
                "speaker": {"name": "He"},
                "content": "yes",
                "evidence": [{"quote": "he said yes.", "start": 18, "end": 30}],
            }
        ]
    }
    write_fixture(tmp_path, "rep", text, gold)
    _, g = load_fixture(tmp_path, "rep")
    assert (g.statements[0].evidence[0].start, g.statements[0].evidence[0].end) == (18, 30)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.update({"unexpected": 1}), "not valid gold"),
        (lambda g: g.update({"article_id": "other"}), "differs from the file name"),
        (lambda g: g["statements"][0].update({"content": {"any_of": []}}), "not valid gold"),
        (lambda g: g.update({"scored_spans": [[5, 2]]}), "not valid gold"),
    ],
)
def test_invalid_gold_says_what_to_fix(tmp_path: Path, change: object, message: str) -> None:
    gold = example_gold()
    change(gold)  # type: ignore[operator]
    write_fixture(tmp_path, "x", TEXT, gold)
    with pytest.raises(InputError, match=message):
        load_fixture(tmp_path, "x")


def test_missing_files_and_mismatched_meta_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing"):
        load_fixture(tmp_path, "nothing")
    write_fixture(tmp_path, "x", TEXT, example_gold())
    meta = json.loads((tmp_path / "x.meta.json").read_text())
    (tmp_path / "x.meta.json").write_text(json.dumps({**meta, "id": "y"}))
    with pytest.raises(InputError, match="differs from the file name"):
        load_fixture(tmp_path, "x")
    with pytest.raises(InputError, match="does not exist"):
        load_suite_dir(tmp_path / "nope")


def test_suite_dir_is_sorted_and_meta_optional(tmp_path: Path) -> None:
    write_fixture(tmp_path, "b", TEXT, example_gold())
    write_fixture(tmp_path, "a", TEXT, example_gold())
    (tmp_path / "a.meta.json").unlink()
    fixtures = load_suite_dir(tmp_path)
    assert [a.id for a, _ in fixtures] == ["a", "b"]
    assert fixtures[0][0].published is None


# --- a statement's own spans (kind, cue, content, speaker mention) ---------------------------


def _with_spans(**spans: object) -> dict[str, object]:
    gold = example_gold()
    vos = gold["statements"][1]
    vos.update(spans)
    return gold


def test_statement_spans_resolve_inside_the_statements_evidence(tmp_path: Path) -> None:
    # "said" and "Vos" both occur earlier in the article; the statement's own are in S3.
    gold = _with_spans(
        kind="indirect",
        cue={"quote": "said"},
        speaker_mention={"quote": "Vos"},
        content_evidence={"quote": "the talks had been useful"},
    )
    write_fixture(tmp_path, "ex", TEXT, gold)
    article, loaded = load_fixture(tmp_path, "ex")
    vos = loaded.statements[1]
    s3 = TEXT.index(S3)
    for span, quote in ((vos.cue, "said"), (vos.speaker_mention, "Vos"),
                        (vos.content_evidence, "the talks had been useful")):  # fmt: skip
        assert span is not None and span.start is not None and span.end is not None
        assert article.text[span.start : span.end] == quote
        assert s3 <= span.start < span.end <= s3 + len(S3)
    assert vos.kind == "indirect"
    pred = to_prediction(loaded).statements[1]
    assert pred.cue is not None and pred.cue.start == vos.cue.start  # type: ignore[union-attr]
    assert pred.kind == "indirect"


def test_a_statement_span_not_in_the_article_is_an_error(tmp_path: Path) -> None:
    write_fixture(tmp_path, "bad", TEXT, _with_spans(cue={"quote": "declared"}))
    with pytest.raises(InputError) as caught:
        load_fixture(tmp_path, "bad")
    assert str(caught.value).endswith(
        "statements[1].cue: 'declared' is not in the article text (as whole words): copy it "
        "verbatim from the .txt file."
    )


def test_a_statement_span_inside_a_word_is_not_found(tmp_path: Path) -> None:
    # "he" occurs only inside "the" in S3.
    write_fixture(tmp_path, "bad", S3, {"statements": [{**example_gold()["statements"][1],
                                                        "speaker_mention": {"quote": "he"}}]})  # fmt: skip
    with pytest.raises(InputError, match="'he' is not in the article text"):
        load_fixture(tmp_path, "bad")


def test_a_statement_span_twice_in_its_evidence_needs_offsets(tmp_path: Path) -> None:
    gold = _with_spans(content_evidence={"quote": "a"})
    text = TEXT.replace(S3, "Vos said a deal was a start.")
    gold["statements"][1]["evidence"] = [{"quote": "Vos said a deal was a start."}]  # type: ignore[index]
    write_fixture(tmp_path, "bad", text, gold)
    with pytest.raises(InputError, match=r"'a' occurs 2 times in the statement's evidence: quote a "
                       r"longer span, or give its start and end"):  # fmt: skip
        load_fixture(tmp_path, "bad")


def test_statement_span_offsets_must_index_the_article(tmp_path: Path) -> None:
    write_fixture(tmp_path, "bad", TEXT, _with_spans(cue={"quote": "said", "start": 0, "end": 4}))
    with pytest.raises(InputError, match=r"'said' is not at \[0, 4\) of the article \(that is 'Fore'\)"):
        load_fixture(tmp_path, "bad")


def test_every_seed_statement_span_indexes_the_article() -> None:
    checked = 0
    for article, gold in load_suite_dir(SEEDS):
        for statement in gold.statements:
            for span in (statement.cue, statement.content_evidence, statement.speaker_mention):
                if span is None:
                    continue
                assert span.start is not None and span.end is not None
                assert article.text[span.start : span.end] == span.quote, (article.id, span.quote)
                checked += 1
            assert statement.kind is not None, (article.id, statement.content)
    assert checked > 300
