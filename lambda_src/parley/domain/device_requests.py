"""Push devices and notifications as the API sees them.

A device is ``USER#{user}`` / ``DEVICE#{sha256(token)[:32]}`` holding the Expo
push token; registering the same token again rewrites the same item. The
scheduled reminders function reads these items to push, and removes the ones
Expo reports as no longer registered.
"""

from __future__ import annotations

import re
from typing import Any

from parley.domain import keys
from parley.domain.validation import Field, validate
from parley.errors import NotFound

DEVICE_FIELDS = {
    "token": Field(str, max_length=256, pattern=re.compile(r"Expo(nent)?PushToken\[[A-Za-z0-9_-]{10,200}\]")),
    "platform": Field(str, choices=frozenset({"ios", "android", "web"})),
}
NOTIFICATION_ID = re.compile(r"([0-9]{13})-([A-Za-z0-9_-]{1,64})")


def new_device(body: dict[str, Any], user_id: str, now_iso: str) -> dict[str, Any]:
    fields = validate(body, DEVICE_FIELDS)
    ident = keys.device_id(fields["token"])
    return {
        "PK": keys.user(user_id),
        "SK": keys.device(ident),
        "type": "device",
        "device_id": ident,
        "token": fields["token"],
        "platform": fields["platform"],
        "registered_at": now_iso,
    }


def notification_id(sort_key: str) -> str:
    """The API id of a notification item: ``NOTIF#{ts}#{id}`` -> ``{ts}-{id}``."""
    return keys.strip(sort_key).replace("#", "-", 1)


def notification_sort_key(api_id: str) -> str:
    match = NOTIFICATION_ID.fullmatch(api_id)
    if match is None:
        raise NotFound("no such notification")
    return keys.notification(int(match.group(1)), match.group(2))
