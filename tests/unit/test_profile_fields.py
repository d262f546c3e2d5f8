"""domain/profile.py: the first profile item, the fields a user may change, and the settings document."""

from __future__ import annotations

from typing import Any

import pytest

from parley.domain import profile, user_settings
from parley.errors import BadRequest


def test_profile_new_item_is_keyed_by_user_and_findable_by_lower_case_email() -> None:
    item = profile.new_profile("u-1", " Ann@Example.com ", None, "2030-01-01T00:00:00Z")
    assert item == {
        "PK": "USER#u-1",
        "SK": "PROFILE",
        "GSI1PK": "EMAIL#ann@example.com",
        "GSI1SK": "USER#u-1",
        "user_id": "u-1",
        "email": "ann@example.com",
        "display_name": "ann",
        "created_at": "2030-01-01T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("email", "name", "shown"),
    [
        ("ann@example.com", "  Ann Lee ", "Ann Lee"),
        ("ann@example.com", "   ", "ann"),
        ("ann@example.com", "", "ann"),
        ("no-at-sign", None, "no-at-sign"),
        ("a@b@c", None, "a"),
        ("ann@example.com", "x" * 150, "x" * 100),
    ],
)
def test_profile_display_name_is_the_given_name_else_the_email_local_part(email: str, name: Any, shown: str) -> None:
    assert profile.display_name(email, name) == shown


def test_profile_changes_accept_own_uploads_as_avatar() -> None:
    body = {"display_name": "A", "avatar_key": f"users/u-1/{UPLOAD}/a.png"}
    assert profile.profile_changes(body, "u-1") == body


UPLOAD = "0123456789abcdef0123456789abcdef"  # an upload id as upload_request makes them


@pytest.mark.parametrize(
    "avatar",
    [
        f"users/u-2/{UPLOAD}/a.png",
        f"users/u-1/../u-2/{UPLOAD}/a.png",
        "u-1/a.png",
        f"users/u-10/{UPLOAD}/a.png",
        f"users/u-1/{UPLOAD}/../a.png",
        "users/u-1/up1/a.png",
    ],
)
def test_profile_changes_refuse_an_avatar_outside_own_uploads(avatar: str) -> None:
    with pytest.raises(BadRequest) as refused:
        profile.profile_changes({"avatar_key": avatar}, "u-1")
    assert (refused.value.code, refused.value.message) == (
        "invalid_field",
        "avatar_key must be one of your upload keys (users/u-1/...)",
    )


def test_profile_settings_document_fills_the_defaults() -> None:
    assert user_settings.settings_document(
        {"theme": "dark", "language": "pt-BR", "time_zone": "America/Sao_Paulo"}
    ) == {
        "theme": "dark",
        "language": "pt-BR",
        "time_zone": "America/Sao_Paulo",
        "notifications_enabled": True,
        "email_reminders": False,
    }
    assert user_settings.settings_document({}) == {
        "theme": "system",
        "language": "en",
        "time_zone": "UTC",
        "notifications_enabled": True,
        "email_reminders": False,
    }
