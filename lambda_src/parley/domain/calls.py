"""Call credentials: the LiveKit access token claims, TURN REST credentials and the ICE server list.

LiveKit access tokens are HS256 JWTs signed with the API secret: ``iss`` is the
API key, ``sub`` the participant identity and ``video`` the grant. TURN
credentials follow the TURN REST scheme coturn checks with ``use-auth-secret``:
the username is ``<expiry>:<user>`` and the password the base64 HMAC-SHA1 of
the username keyed with the shared secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from parley.errors import BadRequest, Forbidden, Gone

TURN_PORT = 3478
TURNS_PORT = 5349
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class CallSession:
    session_id: str
    participants: tuple[str, ...]
    expires_at: int


def check_participant(session: CallSession, user_id: str, now: float) -> None:
    if user_id not in session.participants:
        raise Forbidden("not a participant of this call", code="not_a_participant")
    if session.expires_at <= now:
        raise Gone("this call has ended", code="session_ended")


def display_name(body: dict[str, Any]) -> str | None:
    """The optional display name of a token request."""
    unknown = set(body) - {"name"}
    if unknown:
        raise BadRequest(f"unknown fields: {', '.join(sorted(unknown))}", code="invalid_body")
    name = body.get("name")
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise BadRequest(f"name must be 1-{MAX_NAME_LENGTH} characters", code="invalid_name")
    return name.strip()


def livekit_claims(
    api_key: str, identity: str, room: str, *, now: int, ttl_seconds: int, name: str | None = None
) -> dict[str, Any]:
    """Claims of a LiveKit access token that lets ``identity`` join ``room`` and publish/subscribe."""
    claims: dict[str, Any] = {
        "iss": api_key,
        "sub": identity,
        "nbf": now,
        "exp": now + ttl_seconds,
        "video": {
            "roomJoin": True,
            "room": room,
            "canPublish": True,
            "canSubscribe": True,
            "canPublishData": True,
        },
    }
    if name:
        claims["name"] = name
    return claims


def turn_credentials(secret: str, user_id: str, now: int, ttl_seconds: int) -> dict[str, Any]:
    """Ephemeral TURN REST credentials for ``user_id``, valid ``ttl_seconds``."""
    expires_at = now + ttl_seconds
    username = f"{expires_at}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {
        "username": username,
        "password": base64.b64encode(digest).decode(),
        "ttl_seconds": ttl_seconds,
        "expires_at": expires_at,
    }


def ice_servers(turn_host: str, username: str, password: str) -> list[dict[str, Any]]:
    """The ICE servers a client configures: STUN, TURN over UDP and TCP on 3478, TURN over TLS on 5349."""
    if not turn_host:
        return []
    return [
        {"urls": [f"stun:{turn_host}:{TURN_PORT}"]},
        {
            "urls": [
                f"turn:{turn_host}:{TURN_PORT}?transport=udp",
                f"turn:{turn_host}:{TURN_PORT}?transport=tcp",
                f"turns:{turn_host}:{TURNS_PORT}?transport=tcp",
            ],
            "username": username,
            "credential": password,
        },
    ]
