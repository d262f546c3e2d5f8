"""Settings: read once, typed, loud when incomplete."""

from __future__ import annotations

import pytest

from parley.settings import BaseSettings, SettingsError, env, parse_bool, settings_class


@settings_class
class Example(BaseSettings):
    enabled: bool = env("FEATURE_ENABLED", parse=parse_bool)
    limit: int = env("LIMIT", default=10, parse=int)


def test_settings_reads_typed_values() -> None:
    loaded = Example.from_env({"TABLE_NAME": "t", "FEATURE_ENABLED": "true", "LIMIT": "3"})
    assert (loaded.table_name, loaded.enabled, loaded.limit, loaded.app_stage) == ("t", True, 3, "local")


def test_settings_names_every_missing_or_malformed_variable() -> None:
    with pytest.raises(SettingsError) as raised:
        Example.from_env({"LIMIT": "many"})
    message = str(raised.value)
    assert "TABLE_NAME is not set" in message and "FEATURE_ENABLED is not set" in message and "LIMIT" in message


def test_settings_env_names_marks_required() -> None:
    assert Example.env_names() == {
        "TABLE_NAME": True,
        "APP_STAGE": False,
        "LOG_LEVEL": False,
        "APP_SECRETS": False,
        "FEATURE_ENABLED": True,
        "LIMIT": False,
    }
