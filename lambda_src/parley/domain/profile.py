"""Profile and settings rules: which fields a user may set and their limits."""

from __future__ import annotations

import re
from typing import Any

from parley.domain.validation import Field, validate
from parley.errors import BadRequest

PROFILE_FIELDS = {
    "display_name": Field(str, min_length=1, max_length=64),
    "bio": Field(str, max_length=280),
    "avatar_key": Field(str, max_length=512),
}

SETTINGS_FIELDS = {
    "theme": Field(str, required=False, choices=frozenset({"light", "dark", "system"})),
    "language": Field(str, required=False, pattern=re.compile(r"[a-z]{2}(-[A-Z]{2})?")),
    "time_zone": Field(str, required=False, max_length=64, pattern=re.compile(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}")),
    "notifications_enabled": Field(bool, required=False),
    "email_reminders": Field(bool, required=False),
}

DEFAULT_SETTINGS: dict[str, Any] = {
    "theme": "system",
    "language": "en",
    "time_zone": "UTC",
    "notifications_enabled": True,
    "email_reminders": False,
}


def profile_changes(body: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The validated fields of a PATCH /me body; an avatar must be one of the user's uploads."""
    changes = validate(body, PROFILE_FIELDS, partial=True)
    avatar = changes.get("avatar_key")
    if avatar is not None and (not avatar.startswith(f"users/{user_id}/") or ".." in avatar):
        raise BadRequest("avatar_key must be one of your uploads", code="invalid_field")
    return changes


def settings_document(body: dict[str, Any]) -> dict[str, Any]:
    """A full settings document from a PUT body: given fields over the defaults."""
    return {**DEFAULT_SETTINGS, **validate(body, SETTINGS_FIELDS)}
