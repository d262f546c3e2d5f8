"""Push devices: one item per Expo push token, ``USER#{user}`` / ``DEVICE#{hash of token}``.

Registering the same token twice writes the same item. The reminders run
deletes a device when Expo answers ``DeviceNotRegistered``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parley.domain import keys
from parley.domain.reminders import iso
from parley.errors import BadRequest

PLATFORMS = ("ios", "android", "web")
_EXPO_TOKEN = re.compile(r"^Expo(nent)?PushToken\[[A-Za-z0-9_-]{10,200}\]$")


def device_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def register_device(user_id: str, body: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """Validate ``{"token": "ExponentPushToken[...]", "platform": "ios"}`` and return the device item."""
    token = body.get("token")
    if not isinstance(token, str) or not _EXPO_TOKEN.match(token):
        raise BadRequest("token must be an Expo push token, ExponentPushToken[...]", code="invalid_push_token")
    platform = body.get("platform", "ios")
    if platform not in PLATFORMS:
        raise BadRequest(f"platform must be one of {', '.join(PLATFORMS)}", code="invalid_platform")
    did = device_id(token)
    return {
        "PK": keys.user(user_id),
        "SK": keys.device(did),
        "type": "device",
        "device_id": did,
        "token": token,
        "platform": platform,
        "registered_at": iso(now),
    }
