"""DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS / DISCORD_MEMBERS_INTENT are read and checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bots.settings import HearthSettings


def settings(**env: str) -> HearthSettings:
    return HearthSettings(_env_file=None, **env)  # type: ignore[call-arg]


def test_no_shard_settings_run_every_shard() -> None:
    plain = settings()
    assert plain.discord_shard_count is None
    assert plain.discord_shards() is None
    assert plain.discord_members_intent is True


def test_shard_ids_are_a_comma_list_within_the_count() -> None:
    split = settings(DISCORD_SHARD_COUNT="4", DISCORD_SHARD_IDS=" 2, 3 ,")
    assert split.discord_shard_count == 4
    assert split.discord_shards() == [2, 3]


def test_blank_shard_settings_are_unset() -> None:
    blank = settings(DISCORD_SHARD_COUNT="", DISCORD_SHARD_IDS=" ")
    assert blank.discord_shard_count is None
    assert blank.discord_shards() is None


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1,2"}, "[2] are not below"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0;1"}, "comma-separated shard"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "-1"}, "comma-separated shard"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1,1"}, "lists a shard twice"),
        ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT"),
    ],
)
def test_bad_shard_settings_are_refused_clearly(env: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError) as error:
        settings(**env)
    assert says in str(error.value)


def test_the_members_intent_can_be_turned_off() -> None:
    assert settings(DISCORD_MEMBERS_INTENT="false").discord_members_intent is False


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """compose.yaml passes every setting, empty when the operator left it out."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "EMBEDDING_DIMENSION",
        "LLM_TEMPERATURE",
        "HEARTH_TWIN_MIN_CONFIDENCE",
        "DISCORD_SHARD_COUNT",
        "HEARTH_EMBEDDING_BATCH",
    ):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "discord-token")
    loaded = HearthSettings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.telegram_bot_token is None
    assert loaded.discord_bot_token is not None
    assert loaded.embedding_dimension is None
    assert loaded.llm_temperature is None
    assert loaded.twin_min_confidence is None
    assert loaded.embedding_batch_size == 32
