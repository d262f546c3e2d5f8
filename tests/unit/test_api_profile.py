"""The api function: profile and settings routes."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters import aws
from parley.domain import keys
from tests.unit.api_helpers import BUCKET, add_profile, call, create_bucket, set_api_env

UPLOAD_ID = "0123456789abcdef0123456789abcdef"  # the form POST /uploads gives upload ids


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)
    create_bucket()


def test_api_me_returns_the_profile_without_keys(table: Any) -> None:
    # Given alice's profile
    add_profile(table, "alice")
    # When she asks for /me
    status, body, _ = call("GET", "/me")
    # Then she gets her id and email, no table keys
    assert status == 200
    assert body["id"] == "alice" and body["email"] == "alice@example.com"
    assert "PK" not in body and "GSI1PK" not in body


def test_api_patch_me_updates_only_given_fields(table: Any) -> None:
    add_profile(table, "alice")
    status, body, _ = call("PATCH", "/me", {"display_name": "Alice", "bio": "hi"})
    assert status == 200 and body["display_name"] == "Alice"
    stored = table.get_item(Key={"PK": keys.user("alice"), "SK": keys.PROFILE})["Item"]
    assert stored["bio"] == "hi" and stored["email"] == "alice@example.com"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ({"display_name": 5}, "invalid_field"),
        ({"display_name": ""}, "invalid_field"),
        ({"display_name": "x" * 65}, "invalid_field"),
        ({"nickname": "x"}, "unknown_field"),
        ({}, "missing_field"),
        ({"avatar_key": "users/bob/1/a.png"}, "invalid_field"),
        ({"avatar_key": "users/alice/../bob/a.png"}, "invalid_field"),
        ({"avatar_key": f"users/alice/{UPLOAD_ID}/../../bob/{UPLOAD_ID}/a.png"}, "invalid_field"),
        ({"avatar_key": f"users/alice/{UPLOAD_ID}/.."}, "invalid_field"),
        ({"avatar_key": f"users/alice//{UPLOAD_ID}/a.png"}, "invalid_field"),
        ({"avatar_key": f"users/alice/{UPLOAD_ID}/sub/a.png"}, "invalid_field"),
        ({"avatar_key": f"users/alice/{UPLOAD_ID}/a..png"}, "invalid_field"),
        ({"avatar_key": f"users/alice/{UPLOAD_ID}/never-uploaded.png"}, "upload_not_found"),
    ],
)
def test_api_patch_me_refuses_bad_input(table: Any, body: Any, code: str) -> None:
    add_profile(table, "alice")
    status, out, _ = call("PATCH", "/me", body)
    assert status == 400 and out["error"] == code
    assert "display_name" not in table.get_item(Key={"PK": keys.user("alice"), "SK": keys.PROFILE})["Item"]


def test_api_patch_me_keeps_an_avatar_that_i_uploaded(table: Any) -> None:
    # Given alice's upload, as her presigned PUT would store it
    add_profile(table, "alice")
    key = f"users/alice/{UPLOAD_ID}/me.png"
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"png" * 10, ContentType="image/png")
    # When she makes it her avatar
    status, body, _ = call("PATCH", "/me", {"avatar_key": key})
    # Then it is kept; the same key under bob's name is refused
    assert status == 200 and body["avatar_key"] == key
    status, out, _ = call("PATCH", "/me", {"avatar_key": key}, sub="bob")
    assert status == 400 and out["error"] == "invalid_field"


def test_api_patch_me_refuses_an_avatar_over_the_upload_limit(table: Any) -> None:
    add_profile(table, "alice")
    key = f"users/alice/{UPLOAD_ID}/huge.png"
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"x" * (1024 * 1024 + 1), ContentType="image/png")
    status, out, _ = call("PATCH", "/me", {"avatar_key": key})
    assert status == 413 and out["error"] == "upload_too_large"
    assert "avatar_key" not in table.get_item(Key={"PK": keys.user("alice"), "SK": keys.PROFILE})["Item"]


def test_api_oversized_body_is_413(table: Any) -> None:
    status, out, _ = call("PATCH", "/me", {"bio": "x" * 70_000})
    assert status == 413 and out["error"] == "payload_too_large"


def test_api_without_claims_is_401(table: Any) -> None:
    status, out, _ = call("GET", "/me", sub=None)
    assert status == 401 and out["error"] == "unauthorized"


def test_api_settings_default_then_replace(table: Any) -> None:
    status, body, _ = call("GET", "/me/settings")
    assert status == 200 and body["theme"] == "system" and body["notifications_enabled"] is True
    status, body, _ = call("PUT", "/me/settings", {"theme": "dark", "language": "fr-FR", "email_reminders": True})
    assert status == 200 and body["theme"] == "dark"
    _, body, _ = call("GET", "/me/settings")
    assert body["language"] == "fr-FR" and body["email_reminders"] is True and body["time_zone"] == "UTC"


@pytest.mark.parametrize(
    "body",
    [
        {"theme": "neon"},
        {"language": "french"},
        {"notifications_enabled": "yes"},
        {"extra": 1},
        {"time_zone": "../etc"},
    ],
)
def test_api_settings_refuse_bad_values(table: Any, body: dict[str, Any]) -> None:
    status, out, _ = call("PUT", "/me/settings", body)
    assert status == 400 and out["error"] in {"invalid_field", "unknown_field"}
    assert "Item" not in table.get_item(Key={"PK": keys.user("alice"), "SK": keys.SETTINGS})
