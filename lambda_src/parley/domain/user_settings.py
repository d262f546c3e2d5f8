"""A user's settings document: the fields a user may set, their defaults and limits."""

from __future__ import annotations

import re
from typing import Any

from parley.domain import zones
from parley.domain.validation import Field, validate

SETTINGS_FIELDS = {
    "theme": Field(str, required=False, choices=frozenset({"light", "dark", "system"})),
    "language": Field(str, required=False, pattern=re.compile(r"[a-z]{2}(-[A-Z]{2})?")),
    "time_zone": Field(str, required=False, max_length=64, check=zones.is_time_zone, check_hint=zones.HINT),
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


def settings_document(body: dict[str, Any]) -> dict[str, Any]:
    """A full settings document from a PUT body: given fields over the defaults."""
    return {**DEFAULT_SETTINGS, **validate(body, SETTINGS_FIELDS)}
