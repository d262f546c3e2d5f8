"""App secrets: any function reads only the secrets Terraform listed for it (APP_SECRETS, a BaseSettings field)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parley.adapters import aws, secrets
from parley.errors import NotFound
from parley.handlers.reminders import RemindersSettings
from parley.handlers.ws import WsSettings


def test_app_secret_reads_a_listed_secret_and_refuses_others(aws_mock: Any) -> None:
    # Given one app secret listed for this function
    aws.client("secretsmanager").create_secret(Name="parley-test/app/maps_api_key", SecretString="k-123")
    listed = {"maps_api_key": "parley-test/app/maps_api_key"}
    # When read by name / Then its value; an unlisted name is refused
    assert secrets.app_secret(listed, "maps_api_key") == "k-123"
    with pytest.raises(NotFound):
        secrets.app_secret(listed, "other")


@pytest.mark.parametrize("settings_class", [WsSettings, RemindersSettings])
def test_app_secrets_reach_any_function_through_its_settings(
    aws_mock: Any, monkeypatch: pytest.MonkeyPatch, settings_class: Any
) -> None:
    # Given a function other than api that Terraform lists as a reader of one secret
    aws.client("secretsmanager").create_secret(Name="parley-test/app/webhook_salt", SecretString="s-456")
    secrets.reset()
    monkeypatch.setenv("APP_SECRETS", json.dumps({"webhook_salt": "parley-test/app/webhook_salt"}))
    monkeypatch.setenv("REMINDER_SHARD_COUNT", "4")
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "http://127.0.0.1:1")
    settings = settings_class.from_env()
    # Then it reads the secret by name, and nothing else
    assert secrets.app_secret(settings.app_secrets, "webhook_salt") == "s-456"
    with pytest.raises(NotFound):
        secrets.app_secret(settings.app_secrets, "maps_api_key")
    secrets.reset()


def test_app_secrets_default_to_none_listed(app_env: Any) -> None:
    assert WsSettings.from_env().app_secrets == {}


class _Provider:
    """A Powertools provider answering one value and recording how it was asked."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def get(self, secret_id: str, **options: Any) -> Any:
        self.asked.append((secret_id, options))
        return self.value


def test_secrets_json_objects_are_cached_five_minutes_and_must_be_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = _Provider({"client_id": "c"})
    monkeypatch.setattr(secrets, "_provider", lambda: provider)
    assert secrets.json_object("parley/oauth") == {"client_id": "c"}
    assert secrets.text("parley/key") == "{'client_id': 'c'}"
    assert provider.asked == [("parley/oauth", {"max_age": 300, "transform": "json"}), ("parley/key", {"max_age": 300})]
    provider.value = ["not", "an", "object"]
    with pytest.raises(ValueError) as refused:
        secrets.json_object("parley/oauth")
    assert str(refused.value) == "secret parley/oauth is not a JSON object"
