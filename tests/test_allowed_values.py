"""Each set of allowed values has one definition (a Literal); the CLI's choices, the config's
checks and the API's types all come from it."""

from __future__ import annotations

import argparse
from typing import get_args, get_type_hints

from summarizer import api, config
from summarizer.cli import build_parser
from summarizer.engines import ENGINES, EngineName
from summarizer.engines.options import BatchOptions
from summarizer.progress import PROGRESS_MODES, ProgressMode


def _choices(parser: argparse.ArgumentParser, command: str, flag: str) -> tuple[str, ...]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices[command]
            for option in sub._actions:
                if flag in option.option_strings:
                    return tuple(option.choices or ())
    raise AssertionError(f"{command} {flag} not found")


def test_cli_choices_are_the_literals() -> None:
    parser = build_parser()
    assert _choices(parser, "batch", "--backend") == get_args(config.BackendName)
    assert _choices(parser, "batch", "--grounding") == get_args(config.GroundingPolicy)
    assert _choices(parser, "batch", "--instructor-mode") == get_args(config.InstructorModeName)
    assert _choices(parser, "batch", "--prompt-format") == get_args(config.PromptFormat)
    assert _choices(parser, "batch", "--engine") == get_args(EngineName) == ENGINES
    assert _choices(parser, "batch", "--progress") == get_args(ProgressMode) == PROGRESS_MODES


def test_config_and_api_use_the_same_literals() -> None:
    assert get_args(config.BackendName) == config.BACKENDS
    assert get_args(config.GroundingPolicy) == config.POLICIES
    hints = get_type_hints(api.summarize)
    assert set(get_args(hints["backend"])) == {config.BackendName, type(None)}
    option_hints = get_type_hints(BatchOptions)
    assert option_hints["engine"] == EngineName and option_hints["progress"] == ProgressMode
