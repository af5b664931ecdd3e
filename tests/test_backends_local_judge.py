"""`LocalBackend.structured` on the real embedded model: a grammar-constrained answer in the
asked schema, recorded and replayed like every model call."""

from __future__ import annotations

from pathlib import Path

from summarizer.backends.local import LocalBackend, _grammar_friendly
from summarizer.config import resolve_settings
from summarizer.eval.judge import FreeTextPair, PairVerdict, judge_messages, verdict_model
from summarizer.stores.responses import ResponseStore


def test_small_integer_ranges_become_enums_for_the_grammar() -> None:
    schema = verdict_model(("p1",)).model_json_schema()
    friendly = _grammar_friendly(schema)
    score = friendly["$defs"]["PairVerdict"]["properties"]["score"]
    assert score["enum"] == [1, 2, 3, 4, 5]
    assert "minimum" not in score and "type" not in score
    assert friendly["$defs"]["PairVerdict"]["properties"]["reason"]["maxLength"] == 300
    # The schema the openai judge sends is left as it was.
    assert schema["$defs"]["PairVerdict"]["properties"]["score"]["maximum"] == 5
    wide = {"type": "integer", "minimum": 0, "maximum": 1000}
    assert _grammar_friendly(wide) == wide


def test_the_embedded_model_judges_in_the_schema_and_replays_from_the_store(tmp_path: Path) -> None:
    pair = FreeTextPair(
        "f", 0, "statements.content", 0, ("The mayor said the bridge would reopen in spring.",),
        "The mayor promised the bridge reopens by spring.", 0.4,
    )  # fmt: skip
    messages = judge_messages([("p1", pair)])
    model = verdict_model(("p1",))
    store = ResponseStore(tmp_path / "judge.sqlite")
    settings = resolve_settings(backend="local", max_tokens=160)
    recorded = LocalBackend(settings, store=store, store_mode="record").structured(
        model, messages, max_tokens=160
    )
    verdict = recorded.value.p1  # type: ignore[attr-defined]
    assert isinstance(verdict, PairVerdict)
    assert verdict.score in (1, 2, 3, 4, 5)  # what it says is smoke-level; its shape is not
    assert not recorded.replayed and recorded.tokens_out > 0
    assert len(store) == 1
    again = LocalBackend(settings, store=store, store_mode="replay").structured(
        model, messages, max_tokens=160
    )
    assert again.replayed
    assert again.value == recorded.value
