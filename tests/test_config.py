"""Tests for summarizer.config: precedence, backend selection, validation, secrets."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from summarizer.config import ENVIRONMENT, Settings, resolve_settings
from summarizer.errors import ConfigError


def test_defaults_without_environment() -> None:
    settings = resolve_settings(env={})
    assert settings == Settings()
    assert settings.backend == "local"
    assert settings.model_label == "gemma-3-270m-q4_k_m"


def test_precedence_explicit_over_environment_over_default() -> None:
    env = {"SUMMARIZER_TIMEOUT": "15", "SUMMARIZER_MAX_REASKS": "5", "SUMMARIZER_GROUNDING": "flag"}
    from_env = resolve_settings(env=env)
    assert (from_env.timeout, from_env.max_reasks, from_env.grounding) == (15.0, 5, "flag")
    assert from_env.max_attempts == Settings().max_attempts  # not in env: default
    explicit = resolve_settings(env=env, timeout=3.0, grounding="keep", max_reasks=None)
    assert (explicit.timeout, explicit.grounding) == (3.0, "keep")
    assert explicit.max_reasks == 5  # None means "not given": the environment still counts


def test_empty_environment_values_are_ignored() -> None:
    assert resolve_settings(env={"SUMMARIZER_TIMEOUT": "", "SUMMARIZER_BACKEND": ""}) == Settings()


def test_openai_api_key_alone_never_selects_openai() -> None:
    settings = resolve_settings(env={"OPENAI_API_KEY": "sk-test-123"})
    assert settings.backend == "local"
    assert isinstance(settings.api_key, SecretStr)
    assert settings.api_key.get_secret_value() == "sk-test-123"
    env_url = resolve_settings(env={"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:1"})
    assert env_url.backend == "local"


@pytest.mark.parametrize(
    "explicit", [{"model": "gpt-4o-mini"}, {"base_url": "http://127.0.0.1:8000/v1"}]
)
def test_explicit_model_or_base_url_selects_openai(explicit: dict[str, str]) -> None:
    settings = resolve_settings(env={}, **explicit)
    assert settings.backend == "openai"


def test_model_label_for_openai() -> None:
    assert resolve_settings(env={}, base_url="http://127.0.0.1:1").model_label == "gpt-4o-mini"
    assert resolve_settings(env={}, model="m-1").model_label == "m-1"


def test_explicit_model_outranks_backend_from_environment() -> None:
    settings = resolve_settings(env={"SUMMARIZER_BACKEND": "local"}, model="gpt-4o-mini")
    assert settings.backend == "openai"
    local = resolve_settings(env={"SUMMARIZER_BACKEND": "openai"}, model_path="/m/x.gguf")
    assert local.backend == "local"
    # Replay answers for either backend: an explicit model does not end it.
    replay = resolve_settings(
        env={"SUMMARIZER_BACKEND": "replay", "SUMMARIZER_STORE": "/tmp/s.sqlite"},
        model="gpt-4o-mini",
    )
    assert replay.backend == "replay"


def test_model_path_selects_local_and_drops_an_environment_model() -> None:
    settings = resolve_settings(env={"SUMMARIZER_MODEL": "gpt-4o"}, model_path="/m/tiny.gguf")
    assert settings.backend == "local"
    assert settings.model is None
    assert settings.model_label == "tiny.gguf"


def test_summarizer_backend_from_environment_and_explicit() -> None:
    assert resolve_settings(env={"SUMMARIZER_BACKEND": "openai"}).backend == "openai"
    explicit = resolve_settings(
        env={"SUMMARIZER_BACKEND": "openai"}, backend="replay", store_path="/tmp/s.sqlite"
    )
    assert explicit.backend == "replay"


def test_replay_needs_a_store() -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(env={"SUMMARIZER_BACKEND": "replay"})
    assert str(exc.value) == (
        "--replay needs a response store: give --store PATH (or set SUMMARIZER_STORE)"
    )


def test_contradicting_selectors() -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(env={}, model_path="/m/x.gguf", model="gpt-4o")
    assert str(exc.value) == (
        "--model-path selects the local backend but --model/--base-url select openai: "
        "give one of them, or name the backend with --backend"
    )
    with pytest.raises(ConfigError) as exc:
        resolve_settings(env={}, backend="openai", model_path="/m/x.gguf")
    assert str(exc.value) == (
        "--model-path is for the local backend: drop it or use --backend local"
    )


@pytest.mark.parametrize(
    "var, raw, message",
    [
        (
            "SUMMARIZER_MAX_REASKS",
            "two",
            "SUMMARIZER_MAX_REASKS='two' is not a number: set it to a number or unset it",
        ),
        (
            "SUMMARIZER_TIMEOUT",
            "1m",
            "SUMMARIZER_TIMEOUT='1m' is not a number: set it to a number or unset it",
        ),
        ("SUMMARIZER_N_CTX", "-5", "SUMMARIZER_N_CTX='-5' must not be negative"),
    ],
)
def test_bad_numbers(var: str, raw: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(env={var: raw})
    assert str(exc.value) == message


@pytest.mark.parametrize(
    "env, explicit, message",
    [
        (
            {"SUMMARIZER_BACKEND": "vllm"},
            {},
            "unknown backend 'vllm': use one of local, openai, replay",
        ),
        (
            {"SUMMARIZER_GROUNDING": "ignore"},
            {},
            "unknown grounding policy 'ignore': use one of drop, flag, keep",
        ),
        (
            {},
            {"instructor_mode": "xml"},
            "unknown instructor mode 'xml': use one of tools, json, json_schema, md_json",
        ),
        (
            {},
            {"prompt_format": "raw"},
            "unknown prompt format 'raw': use one of auto, completion, chat",
        ),
        ({}, {"colour": "blue"}, "unknown setting(s): colour"),
    ],
)
def test_unknown_choices(env: dict[str, str], explicit: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(env=env, **explicit)
    assert str(exc.value) == message


def test_numbers_and_flags_are_typed() -> None:
    settings = resolve_settings(
        env={
            "SUMMARIZER_N_CTX": "8192",
            "SUMMARIZER_THREADS": "2",
            "SUMMARIZER_MAX_RETRY_SECONDS": "2.5",
            "SUMMARIZER_DEBUG": "yes",
        }
    )
    assert (settings.n_ctx, settings.n_threads, settings.max_retry_seconds) == (8192, 2, 2.5)
    assert isinstance(settings.n_ctx, int) and settings.debug is True
    assert resolve_settings(env={"SUMMARIZER_DEBUG": "0"}).debug is False


def test_api_key_is_secret_and_never_in_repr() -> None:
    secret = "sk-very-secret-value-42"
    for settings in (
        resolve_settings(env={"OPENAI_API_KEY": secret}),
        resolve_settings(env={}, api_key=secret, model="m"),
    ):
        assert isinstance(settings.api_key, SecretStr)
        assert secret not in repr(settings)
        assert secret not in str(settings)
        assert secret not in repr(settings.api_key)
        assert settings.api_key.get_secret_value() == secret


def test_with_returns_a_changed_copy() -> None:
    base = resolve_settings(env={})
    changed = base.with_(grounding="flag")
    assert (base.grounding, changed.grounding) == ("drop", "flag")


def test_environment_table_names_real_fields() -> None:
    fields = set(Settings.__dataclass_fields__)
    assert {name for _, name, _ in ENVIRONMENT} <= fields
    assert len({var for var, _, _ in ENVIRONMENT}) == len(ENVIRONMENT)


def test_process_environment_is_read_when_no_mapping_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var, _, _ in ENVIRONMENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUMMARIZER_GROUNDING", "flag")
    assert resolve_settings().grounding == "flag"


def test_quiet_and_which_settings_run_the_embedded_model() -> None:
    assert resolve_settings(env={"SUMMARIZER_QUIET": "1"}).quiet is True
    assert resolve_settings(env={}).quiet is False
    assert resolve_settings(env={}).runs_embedded_model is True
    assert resolve_settings(env={}, model_path="/models/instruct.gguf").runs_embedded_model is False
    assert resolve_settings(env={}, base_url="http://127.0.0.1:9/v1").runs_embedded_model is False
