"""Call sessions and their credentials: who may get them and for how long, the LiveKit access token
claims, TURN REST credentials, the ICE server list, and a call as the caller's history shows it.

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

from parley.errors import BadRequest, Conflict, Forbidden

TURN_PORT = 3478
TURNS_PORT = 5349
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class CallSession:
    session_id: str
    participants: tuple[str, ...]
    expires_at: int  # the latest the call may last (pairing time + session_ttl_seconds)
    started_at: int = 0
    ended_at: int | None = None  # set when a participant hung up

    @property
    def duration_seconds(self) -> int | None:
        return None if self.ended_at is None else max(0, self.ended_at - self.started_at)

    def peer_of(self, user_id: str) -> str:
        return next((p for p in self.participants if p != user_id), user_id)


def call_ended() -> Conflict:
    return Conflict("this call has ended", code="call_ended")


def check_participant(session: CallSession, user_id: str, now: float) -> None:
    """Refuse a user who is not in the call (403), and everyone once it ended or expired (409 call_ended)."""
    if user_id not in session.participants:
        raise Forbidden("not a participant of this call", code="not_a_participant")
    if session.ended_at is not None or session.expires_at <= now:
        raise call_ended()


def credential_ttl(session: CallSession, configured_seconds: int, now: int) -> int:
    """A credential lifetime that never runs past the session's end (at least 1 s for a live session)."""
    return max(1, min(configured_seconds, session.expires_at - now))


def history_entry(item: dict[str, Any]) -> dict[str, Any]:
    """A participant item as an entry of ``GET /calls``: peer, start, end and duration (epoch seconds)."""
    started, ended = int(item["started_at"]), item.get("ended_at")
    return {
        "session_id": item["session_id"],
        "peer_id": item.get("peer_id"),
        "started_at": started,
        "ended_at": None if ended is None else int(ended),
        "duration_seconds": None if ended is None else max(0, int(ended) - started),
    }


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
