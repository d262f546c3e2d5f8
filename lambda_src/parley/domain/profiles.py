"""The user profile item (DESIGN.md section 4): created once, when a user is confirmed."""

from __future__ import annotations

from typing import Any

from parley.domain import keys

MAX_NAME_LENGTH = 100


def display_name(email: str, name: str | None) -> str:
    """The name to show: the given name, else the local part of the email."""
    chosen = (name or "").strip() or email.split("@", 1)[0]
    return chosen[:MAX_NAME_LENGTH]


def new_profile(user_id: str, email: str, name: str | None, now_iso: str) -> dict[str, Any]:
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
