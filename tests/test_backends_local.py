"""The embedded backend: real llama-cpp-python runs on the packaged Gemma 3 270M."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from summarizer.backends import local
from summarizer.backends.local import (
    LocalBackend,
    _candidate_names,
    _grounded_schema,
    _resolve,
    _time_candidates,
)
from summarizer.config import resolve_settings
from summarizer.errors import ConfigError, ModelOutputError, ReplayMissError
from summarizer.pipeline import Pipeline
from summarizer.prompts import PromptInput
from summarizer.schemas import Article, ArticleSummary
from summarizer.stores.responses import ResponseStore

SHORT = (
    "Kestria Foreign Minister Anna Vold met Dalmor Foreign Minister Piet Aren in Osla on Tuesday.\n\n"
    "The two ministers discussed grain exports and border crossings, the Kestrian Foreign Ministry said.\n\n"
    "\"We will open two new crossings this spring,\" Vold told reporters.\n\n"
    "The ministers plan to meet again in Dalmor in March."
)


def test_candidate_names_and_times_come_from_the_article() -> None:
    names = _candidate_names(SHORT)
    assert "Anna Vold" in names and "Piet Aren" in names and "Osla" in names
    assert "The" not in names and "We" not in names
    times = _time_candidates(SHORT)
    assert "on Tuesday" in times and "in March" in times
    assert all(t in SHORT for t in times)


def test_grounded_schema_lets_the_model_cite_only_real_sentences() -> None:
    schema = _grounded_schema(4, ["Anna Vold"], ["on Tuesday"])
    cite = schema["properties"]["meetings"]["items"]["properties"]["evidence"]
    assert cite["items"]["enum"] == [1, 2, 3, 4]
    speaker = schema["properties"]["statements"]["items"]["properties"]["speaker"]
    assert speaker["properties"]["name"] == {"enum": ["Anna Vold"]}


def test_resolve_turns_sentence_numbers_into_verbatim_quotes() -> None:
    lines = ["A met B in C.", "\"We agree,\" A said.", "They plan more."]
    raw = {
        "summary": 1,
        "meetings": [{"participants": [{"name": "A", "kind": "person"}], "location": "C", "time": None,
                      "topics": ["x"], "format": "in_person", "evidence": [1, 9]}],
        "statements": [{"speaker": {"name": "A", "kind": "person"}, "evidence": [2]}],
        "planned_events": [],
    }
    draft = _resolve(raw, lines)
    assert draft.summary == lines[0]
    assert draft.meetings[0].evidence == [lines[0]]  # out-of-range numbers are ignored
    assert draft.statements[0].quote == "We agree,"
    assert draft.statements[0].content == lines[1]


def test_missing_model_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="model file not found"):
        local.load_model(str(tmp_path / "nope.gguf"), 512, 1)


def test_not_a_gguf_is_a_config_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model" * 100)
    with pytest.raises(ConfigError, match="could not load"):
        local.load_model(str(bogus), 512, 1)


@pytest.mark.slow
def test_embedded_model_really_runs_and_returns_a_grounded_summary() -> None:
    settings = resolve_settings(max_tokens=256)
    backend = LocalBackend(settings)
    assert backend.prompt_format == "completion"  # the packaged base model has no chat template
    article = Article(id="short", text=SHORT, published=date(2023, 2, 14))
    summary = Pipeline(settings, backend).run(article)
    assert isinstance(ArticleSummary.model_validate_json(summary.model_dump_json()), ArticleSummary)
    assert summary.run.backend == "local"
    assert summary.run.tokens_in > 50 and summary.run.tokens_out >= 1
    assert summary.run.attempts == 1
    assert summary.summary and summary.summary in SHORT
    # Evidence-first fields: typed candidates from the article, never the few-shot example.
    (meeting,) = summary.meetings
    assert [p.name for p in meeting.participants] == ["Anna Vold", "Piet Aren"]
    assert meeting.location == "Osla"
    assert meeting.time is not None and meeting.time.start == date(2023, 2, 14)
    assert {s.speaker.name for s in summary.statements} >= {"Anna Vold"}
    (event,) = [e for e in summary.planned_events if e.location == "Dalmor"]
    assert event.time is not None and event.time.start == date(2023, 3, 1)
    assert "meet again" in event.description
    for item in [*summary.meetings, *summary.statements, *summary.planned_events]:
        for ev in item.evidence:
            assert ev.start is not None and ev.end is not None
            assert SHORT[ev.start : ev.end] == ev.quote
    # The model is loaded once per process and reused.
    assert LocalBackend(settings).llm is backend.llm


@pytest.mark.slow
def test_record_then_replay_makes_no_model_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = resolve_settings(max_tokens=512)
    store = ResponseStore(tmp_path / "store.sqlite")
    item = PromptInput(SHORT, None, date(2023, 2, 14))
    recorded = LocalBackend(settings, store=store, store_mode="record").extract(item)
    assert len(store) == 1

    def no_model(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("replay must not call the model")

    monkeypatch.setattr(LocalBackend, "_complete", no_model)
    replayed = LocalBackend(settings, store=store, store_mode="replay").extract(item)
    assert replayed.replayed and replayed.draft == recorded.draft
    with pytest.raises(ReplayMissError, match="no recorded response"):
        LocalBackend(settings, store=store, store_mode="replay").extract(
            # Another opening is another question for the model (the rest goes to the rules).
            PromptInput("Talks ended late. " + SHORT, None, None)
        )


@pytest.mark.slow
def test_chat_format_attempts_are_capped_on_the_real_model() -> None:
    # Forced chat format on a base model with a tiny token budget: the answer is cut off,
    # re-asked once, and then reported, never retried without end.
    settings = resolve_settings(prompt_format="chat", max_tokens=24, max_reasks=1, n_ctx=2048)
    backend = LocalBackend(settings)
    with pytest.raises(ModelOutputError) as info:
        backend.extract(PromptInput(SHORT, None, None))
    assert info.value.attempts == 2
    assert "max-tokens" in str(info.value)
    json.dumps({"attempts": info.value.attempts})


@pytest.mark.slow
def test_top_k_grammar_sampling_equals_full_greedy_decoding() -> None:
    from llama_cpp.llama_grammar import LlamaGrammar

    from summarizer.backends._grammar_sampling import generate

    llm = local.load_model(local.default_model_path(), 4096, None)
    schema = {
        "type": "object",
        "properties": {"city": {"enum": ["Osla", "Dalmor", "Kestria"]}, "count": {"type": "integer"}, "note": {"type": "string", "maxLength": 30}},
        "required": ["city", "count", "note"],
    }
    prompt = f"Article:\n{SHORT}\nJSON: "

    def grammar() -> LlamaGrammar:
        return LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)

    fast = generate(llm, prompt, grammar(), max_tokens=60, repeat_penalty=1.0)
    full = llm.create_completion(prompt, grammar=grammar(), max_tokens=60, temperature=0, repeat_penalty=1.0)
    assert fast["text"] == full["choices"][0]["text"]
    assert fast["tokens_out"] == full["usage"]["completion_tokens"]
    assert json.loads(fast["text"])["city"] in ("Osla", "Dalmor", "Kestria")


def test_a_broken_summary_choice_costs_only_the_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    def canned(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"text": "", "finish_reason": "length", "tokens_in": 10, "tokens_out": 0}

    monkeypatch.setattr(LocalBackend, "_complete", canned)
    monkeypatch.setattr(LocalBackend, "prompt_format", property(lambda _self: "completion"))
    result = LocalBackend(resolve_settings()).extract(PromptInput(SHORT, None, date(2023, 2, 14)))
    assert result.draft.summary == SHORT.split("\n\n")[0]
    assert result.warnings == ["embedded model gave no summary choice: used the first sentence"]
    assert result.draft.meetings and result.draft.statements


def test_raw_control_characters_in_strings_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    # llama.cpp's JSON grammar lets a raw newline into a string; strict JSON would reject it.
    answer = (
        '{"summary": "Vold met Aren.", "meetings": [{"participants": [{"name": "Anna Vold", "kind": "person"}], '
        '"location": "Osla", "time": "on Tuesday", "topics": ["grain\nexports"], "format": "in_person", '
        '"evidence": ["Anna Vold met"]}], "statements": [], "planned_events": []}'
    )

    def canned(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"text": answer, "finish_reason": "stop", "tokens_in": 10, "tokens_out": 5}

    monkeypatch.setattr(LocalBackend, "_chat", canned)
    result = LocalBackend(resolve_settings(prompt_format="chat")).extract(PromptInput(SHORT, None, None))
    assert result.draft.meetings[0].topics == ["grain\nexports"]
    assert result.attempts == 1
