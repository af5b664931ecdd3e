"""MEANTIME adapter: CAT XML -> (Article, partial Gold), on an invented document and the corpus."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.eval.gold import AnyOf, Gold, alternatives, to_prediction
from summarizer.eval.meantime import (
    ANNOTATED_SENTENCES,
    convert_document,
    load_meantime,
    timex_interval,
)
from summarizer.eval.runfile import FixtureResult, Run, RunSettings, rescore
from summarizer.eval.scoring import score_summary
from summarizer.eval.suite import load_fixture_set, load_suite
from summarizer.schemas import Actor, Article, Evidence, Granularity, Statement

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "meantime"

# An invented article, tokenised the way MEANTIME is (no whitespace, PTB quotes).
SENTENCES = [
    "Norland to host energy summit",
    "March 03 , 2021",
    "Foreign minister Anna Berg said the summit was Norland 's idea .",
    "Norland will host ministers from Sudland in Porto next month .",
    "Berg added that `` the talks matter '' .",
    "Analysts expect lower prices .",
    "Sudland ( officially ) did n't comment on the $ 5 billion plan .",
]
TEXT = (
    "Norland to host energy summit\n\n"
    "March 03, 2021\n\n"
    "Foreign minister Anna Berg said the summit was Norland's idea. "
    "Norland will host ministers from Sudland in Porto next month. "
    'Berg added that "the talks matter". '
    "Analysts expect lower prices. "
    "Sudland (officially) didn't comment on the $5 billion plan."
)


def _cat_xml() -> str:
    """The invented article as CAT XML, with the annotations the adapter reads."""
    tokens: list[str] = []
    where: dict[tuple[int, str], int] = {}  # (sentence, word) -> t_id of its first occurrence
    t_id = 0
    for s, sentence in enumerate(SENTENCES):
        for word in sentence.split():
            t_id += 1
            where.setdefault((s, word), t_id)
            tokens.append(f'<token t_id="{t_id}" sentence="{s}" number="{t_id - 1}">{word}</token>')

    def anchors(s: int, *words: str) -> str:
        first = where[(s, words[0])]
        return "".join(f'<token_anchor t_id="{first + k}"/>' for k in range(len(words)))

    ev = '<EVENT_MENTION m_id="{m}" time="{time}" polarity="POS" pos="VERB">{a}</EVENT_MENTION>'
    ent = '<ENTITY_MENTION m_id="{m}" syntactic_type="{st}">{a}</ENTITY_MENTION>'
    markables = [
        ev.format(m="1", time="NON_FUTURE", a=anchors(2, "said")),
        ev.format(m="2", time="FUTURE", a=anchors(3, "host")),
        ev.format(m="3", time="NON_FUTURE", a=anchors(4, "added")),
        ev.format(m="4", time="FUTURE", a=anchors(5, "expect")),
        ev.format(m="5", time="FUTURE", a=anchors(0, "host")),
        ent.format(m="10", st="NAM", a=anchors(2, "Foreign", "minister", "Anna", "Berg")),
        ent.format(m="11", st="NAM", a=anchors(4, "Berg")),
        ent.format(m="12", st="NAM", a=anchors(3, "Norland")),
        ent.format(m="13", st="NOM", a=anchors(3, "ministers", "from", "Sudland")),
        ent.format(m="14", st="NAM", a=anchors(0, "Norland")),
        '<TIMEX3 m_id="20" type="DATE" value="2021-03-03" functionInDocument="CREATION_TIME">'
        f"{anchors(1, 'March', '03', ',', '2021')}</TIMEX3>",
        '<TIMEX3 m_id="21" type="DATE" value="2021-04" functionInDocument="NONE">'
        f"{anchors(3, 'next', 'month')}</TIMEX3>",
        '<EVENT m_id="30" class="SPEECH_COGNITIVE" TAG_DESCRIPTOR="say"/>',
        '<EVENT m_id="31" class="OTHER" TAG_DESCRIPTOR="host"/>',
        '<EVENT m_id="32" class="SPEECH_COGNITIVE" TAG_DESCRIPTOR="add"/>',
        '<EVENT m_id="33" class="SPEECH_COGNITIVE" TAG_DESCRIPTOR="expect"/>',
        '<ENTITY m_id="40" ent_type="PER" TAG_DESCRIPTOR="Anna Berg"/>',
        '<ENTITY m_id="41" ent_type="LOC" TAG_DESCRIPTOR="Norland"/>',
        '<ENTITY m_id="42" ent_type="PER" TAG_DESCRIPTOR="Sudland ministers"/>',
    ]

    def rel(tag: str, source: str, target: str, **attrs: str) -> str:
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f'<{tag} r_id="r{source}{target}"{extra}><source m_id="{source}"/><target m_id="{target}"/></{tag}>'

    relations = [
        rel("REFERS_TO", "1", "30"),
        rel("REFERS_TO", "2", "31"),
        rel("REFERS_TO", "5", "31"),  # the title's "host" is the same event
        rel("REFERS_TO", "3", "32"),
        rel("REFERS_TO", "4", "33"),
        rel("REFERS_TO", "10", "40"),
        rel("REFERS_TO", "11", "40"),
        rel("REFERS_TO", "12", "41"),
        rel("REFERS_TO", "14", "41"),
        rel("REFERS_TO", "13", "42"),
        rel("HAS_PARTICIPANT", "1", "10", sem_role="Arg0"),
        rel("HAS_PARTICIPANT", "3", "11", sem_role="Arg0"),
        rel("HAS_PARTICIPANT", "2", "12", sem_role="Arg0"),
        rel("HAS_PARTICIPANT", "2", "13", sem_role="Arg1"),
        rel("TLINK", "2", "21", reltype="IS_INCLUDED"),
        rel("TLINK", "2", "20", reltype="AFTER"),
    ]
    return (
        '<?xml version="1.0" ?><Document doc_id="900001" doc_name="900001_Invented" lang="en" '
        'url="http://example.invalid/900001">'
        + "\n".join(tokens)
        + "<Markables>"
        + "\n".join(markables)
        + "</Markables><Relations>"
        + "\n".join(relations)
        + "</Relations></Document>"
    )


@pytest.fixture(scope="module")
def invented() -> tuple[Article, Gold]:
    return convert_document(_cat_xml())


def _sentence(index: int) -> str:
    return TEXT.replace("\n\n", "\x00").replace(". ", ".\x00").split("\x00")[index]


# --- the invented document ------------------------------------------------------------------


def test_text_is_rebuilt_with_natural_spacing(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    assert article.text == TEXT
    assert article.id == gold.article_id == "900001"
    assert article.title == gold.title == "Norland to host energy summit"
    assert article.published == date(2021, 3, 3)
    assert article.url == "http://example.invalid/900001"


def test_scored_spans_cover_title_and_first_sentences_only(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    assert gold.scored_spans is not None
    [(start, end)] = gold.scored_spans
    assert start == 0
    assert article.text[start:end].endswith(_sentence(ANNOTATED_SENTENCES - 1))
    assert _sentence(ANNOTATED_SENTENCES) not in article.text[start:end]
    assert gold.scored_fields == {
        "statements": ["speaker", "evidence", "cue"],
        "planned_events": ["description", "participants", "time", "evidence"],
    }
    assert not gold.list_scored("meetings")


def test_speech_events_become_statements_with_speakers(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    assert len(gold.statements) == 2  # "said", "added"; "expect" is cognition, not speech
    said, added = gold.statements
    assert alternatives(said.speaker.name)[0] == "Foreign minister Anna Berg"
    assert "Anna Berg" in alternatives(said.speaker.name)
    assert "Anna Berg" in alternatives(added.speaker.name)  # "Berg", resolved by coreference
    for statement, index in ((said, 2), (added, 4)):
        [ev] = statement.evidence
        assert ev.quote == _sentence(index)
        assert article.text[ev.start : ev.end] == ev.quote  # type: ignore[misc]


def test_speech_events_give_the_cue_and_the_speakers_mention(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    said, added = gold.statements
    for statement, trigger, mention in ((said, "said", "Foreign minister Anna Berg"), (added, "added", "Berg")):
        assert statement.cue is not None and statement.speaker_mention is not None
        assert statement.cue.quote == trigger
        assert article.text[statement.cue.start : statement.cue.end] == trigger  # type: ignore[misc]
        assert statement.speaker_mention.quote == mention
        [ev] = statement.evidence
        assert ev.start <= statement.cue.start < statement.cue.end <= ev.end  # type: ignore[operator]
        # MEANTIME marks no span of what was said: no content span, no kind.
        assert statement.content_evidence is None and statement.kind is None


def test_future_events_become_planned_events(invented: tuple[Article, Gold]) -> None:
    _, gold = invented
    [host] = gold.planned_events  # title and body mention one event; "expect" is a frame
    assert not host.optional
    assert "Norland will host ministers from Sudland" in alternatives(host.description)
    names = [alternatives(p.name) for p in host.participants]
    assert any("Norland" in n for n in names)
    assert any("ministers from Sudland" in n for n in names)
    assert host.time is not None
    assert host.time.text == "next month"
    assert (host.time.start, host.time.end) == (date(2021, 4, 1), date(2021, 4, 30))
    assert host.evidence[0].quote == _sentence(3)  # the body sentence, not the title


def test_gold_is_valid_and_scores_itself_perfectly(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    Gold.model_validate(gold.model_dump())
    score = score_summary(to_prediction(gold), gold, article)
    assert score.overall.f1 == 1.0
    assert set(score.lists) == {"statements", "planned_events"}


def _extra_statement(article: Article, sentence: str) -> Statement:
    start = article.text.index(sentence)
    return Statement(
        speaker=Actor(name="Sudland"),
        content="Sudland did not comment.",
        evidence=[Evidence(quote=sentence, start=start, end=start + len(sentence), match="exact")],
    )


def test_items_outside_scored_spans_are_ignored(invented: tuple[Article, Gold]) -> None:
    article, gold = invented
    outside = to_prediction(gold)
    outside.statements.append(_extra_statement(article, _sentence(6)))
    score = score_summary(outside, gold, article)
    assert score.overall.f1 == 1.0
    assert [a.status for a in score.lists["statements"].alignments].count("ignored") == 1
    # The same extra item inside the annotated sentences is a spurious statement.
    inside = to_prediction(gold)
    inside.statements.append(_extra_statement(article, _sentence(5)))
    assert score_summary(inside, gold, article).lists["statements"].items.spu == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-03", (date(2021, 3, 3), date(2021, 3, 3), Granularity.day)),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29), Granularity.month)),
        ("2008", (date(2008, 1, 1), date(2008, 12, 31), Granularity.year)),
        ("2009-Q3", (date(2009, 7, 1), date(2009, 9, 30), Granularity.quarter)),
        ("2020-W01", (date(2019, 12, 30), date(2020, 1, 5), Granularity.week)),
        ("FUTURE_REF", None),
        ("2011-06-XX", None),
        ("2011-13", None),
    ],
)
def test_timex_values(value: str, expected: object) -> None:
    assert timex_interval(value) == expected


def test_invalid_xml_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not valid XML"):
        convert_document("<Document><token", where="broken.xml")


# --- suites ---------------------------------------------------------------------------------


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "meantime" / "intra-doc_annotation" / "corpus_x"
    folder.mkdir(parents=True)
    (folder / "900001_Invented.xml").write_text(_cat_xml(), encoding="utf-8")
    return tmp_path / "meantime"


def test_suite_yaml_with_adapter_builds_fixtures_in_memory(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    yaml_file = tmp_path / "evals" / "m.yaml"
    yaml_file.parent.mkdir()
    yaml_file.write_text("adapter: meantime\nfixtures: ../meantime\n", encoding="utf-8")
    suite = load_suite(yaml_file)
    assert suite.adapter == "meantime"
    assert suite.fixtures_dir == corpus.resolve()
    [(article, gold)] = suite.load_fixtures()
    assert article.text == TEXT and gold.scored_spans is not None
    assert not list(tmp_path.rglob("*.gold.json"))  # nothing written to disk


def test_missing_corpus_and_unknown_adapter_are_clear_errors(tmp_path: Path) -> None:
    yaml_file = tmp_path / "m.yaml"
    yaml_file.write_text("adapter: meantime\nfixtures: ../nowhere\n", encoding="utf-8")
    with pytest.raises(InputError, match="MEANTIME data not found"):
        load_suite(yaml_file).load_fixtures()
    yaml_file.write_text("adapter: timebank\nfixtures: .\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown `adapter"):
        load_suite(yaml_file)


def test_a_run_of_an_adapter_suite_can_be_rescored(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    fixtures = load_fixture_set(corpus, "meantime")
    [(article, gold)] = fixtures
    settings = RunSettings(suite=str(corpus), adapter="meantime", backend="replay")
    run = Run(
        settings=settings,
        results=[FixtureResult(fixture_id=article.id, prediction=to_prediction(gold))],
    )
    reloaded = Run.model_validate_json(run.model_dump_json())
    assert reloaded.settings.adapter == "meantime"
    again = rescore(reloaded, load_fixture_set(reloaded.settings.suite, reloaded.settings.adapter))
    assert again.aggregate is not None
    assert again.aggregate.metrics["overall.f1"].mean == 1.0


# --- the corpus (skipped where ../shared is absent) ------------------------------------------

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="MEANTIME data not present")


@pytest.fixture(scope="module")
def corpus() -> list[tuple[Article, Gold]]:
    return load_meantime(DATA)


@needs_data
def test_corpus_converts(corpus: list[tuple[Article, Gold]]) -> None:
    assert len(corpus) == 120
    assert len({a.id for a, _ in corpus}) == 120
    statements = [s for _, g in corpus for s in g.statements]
    planned = [p for _, g in corpus for p in g.planned_events]
    assert len(statements) >= 50 and len(planned) >= 50
    assert sum(p.time is not None for p in planned) >= 10
    assert all(isinstance(s.speaker.name, str | AnyOf) for s in statements)
    for article, gold in corpus:
        assert article.published is not None or article.id  # a few lack a creation time
        assert gold.scored_spans is not None and gold.scored_spans[0][0] == 0
        span_end = gold.scored_spans[0][1]
        assert article.title is not None and article.text.startswith(article.title)
        for item in [*gold.statements, *gold.planned_events]:
            for ev in item.evidence:
                assert ev.end is not None and ev.end <= span_end
                assert article.text[ev.start : ev.end] == ev.quote


@needs_data
def test_corpus_golds_score_themselves_perfectly(corpus: list[tuple[Article, Gold]]) -> None:
    for article, gold in corpus:
        assert score_summary(to_prediction(gold), gold, article).overall.f1 == 1.0, article.id


@needs_data
def test_corpus_extra_item_beyond_annotated_sentences_is_ignored(
    corpus: list[tuple[Article, Gold]],
) -> None:
    article, gold = next(
        (a, g)
        for a, g in corpus
        if g.statements and g.scored_spans and len(a.text) > g.scored_spans[0][1] + 50
    )
    assert gold.scored_spans is not None
    tail = article.text[gold.scored_spans[0][1] :].strip()
    sentence = tail.split(". ")[0]
    pred = to_prediction(gold)
    pred.statements.append(_extra_statement(article, sentence))
    score = score_summary(pred, gold, article)
    assert score.overall.f1 == 1.0
    assert score.lists["statements"].alignments[-1].status == "ignored"


@needs_data
def test_meantime_suite_yaml_loads_the_corpus() -> None:
    suite = load_suite(ROOT / "evals" / "meantime.yaml")
    assert suite.adapter == "meantime"
    assert suite.fixtures_dir == DATA.resolve()
    assert len(suite.load_fixtures()) == 120
