"""The user profile item (created once, when a user is confirmed), and which profile fields a user may set,
with their limits (settings: domain/user_settings.py)."""

from __future__ import annotations

from typing import Any

from parley.domain import keys
from parley.domain.files import upload_key_of
from parley.domain.validation import Field, validate

MAX_NAME_LENGTH = 100

PROFILE_FIELDS = {
    "display_name": Field(str, min_length=1, max_length=64),
    "bio": Field(str, max_length=280),
    "avatar_key": Field(str, max_length=512),
}


def profile_changes(body: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The validated fields of a PATCH /me body; an avatar key must have the form of one of the user's uploads
    (the handler checks that the object exists)."""
    changes = validate(body, PROFILE_FIELDS, partial=True)
    if "avatar_key" in changes:
        upload_key_of(changes["avatar_key"], user_id, "avatar_key")
    return changes


def display_name(email: str, name: str | None) -> str:
    """The name to show at first: the given name, else the local part of the email."""
    chosen = (name or "").strip() or email.split("@", 1)[0]
    return chosen[:MAX_NAME_LENGTH]


def new_profile(user_id: str, email: str, name: str | None, now_iso: str) -> dict[str, Any]:
    """The profile item of a new user (``USER#{id}`` / ``PROFILE``, findable by email in GSI1)."""
    address = email.strip().lower()
    return {
        "PK": keys.user(user_id),
        "SK": keys.PROFILE,
        "GSI1PK": keys.email(address),
        "GSI1SK": keys.user(user_id),
        "user_id": user_id,
        "email": address,
        "display_name": display_name(address, name),
        "created_at": now_iso,
    }
