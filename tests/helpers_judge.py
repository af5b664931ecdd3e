"""Shared judge test helpers: read the pairs back out of a judge request, and a fake judge
backend that grades them by a rule, so tests know what every score must be."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from summarizer.backends.base import Backend, ModelResult, StructuredResult
from summarizer.draft_schema import QuoteCheck
from summarizer.errors import ModelError
from summarizer.prompts import PromptInput

_M = TypeVar("_M", bound=BaseModel)
_PAIR = re.compile(r"^Pair (p\d+):\n  reference: (.*)\n  prediction: (.*)$", re.MULTILINE)


def pairs_in(messages: list[dict[str, Any]]) -> dict[str, tuple[list[str], str]]:
    """Pair id -> (reference alternatives, prediction), from a judge request's user message."""
    user = next(m["content"] for m in messages if m["role"] == "user")
    out: dict[str, tuple[list[str], str]] = {}
    for pair_id, refs, pred in _PAIR.findall(user):
        alternatives = [json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', refs)]
        out[pair_id] = (alternatives, json.loads(pred))
    return out


def exact_grade(gold: list[str], pred: str) -> int:
    """The fake judge's rule: 5 for a prediction equal to a reference, 3 for one sharing its
    first word, else 1."""
    if pred in gold:
        return 5
    if any(g.split()[:1] == pred.split()[:1] for g in gold):
        return 3
    return 1


def verdicts_for(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer a rule-following judge gives to a request."""
    return {
        pair_id: {"score": exact_grade(gold, pred), "reason": "by rule"}
        for pair_id, (gold, pred) in pairs_in(messages).items()
    }


class FakeJudgeBackend(Backend):
    """Answers `structured` by `exact_grade`; `fail_when` picks requests that fail instead."""

    name = "fake"
    model = "fake-judge"

    def __init__(self, fail_when: Callable[[dict[str, tuple[list[str], str]]], bool] | None = None) -> None:
        self.calls: list[list[dict[str, str]]] = []
        self.fail_when = fail_when

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        raise AssertionError("a judge never asks for a summary")

    def structured(
        self, response_model: type[_M], messages: list[dict[str, str]], *, max_tokens: int | None = None
    ) -> StructuredResult[_M]:
        self.calls.append(messages)
        if self.fail_when is not None and self.fail_when(pairs_in(messages)):
            raise ModelError("fake-judge: scripted failure", model=self.model, backend=self.name)
        value = response_model.model_validate(verdicts_for(messages))
        return StructuredResult(value=value, tokens_in=10, tokens_out=5, attempts=1)
