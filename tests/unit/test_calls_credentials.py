"""domain/calls.py: who may join a call, the LiveKit claims, TURN REST credentials and the ICE server list."""

from __future__ import annotations

from typing import Any

import pytest

from parley.domain import calls
from parley.domain.calls import CallSession
from parley.errors import AppError

SESSION = CallSession("s1", ("u-1", "u-2"), expires_at=1000)


def test_calls_participant_check_refuses_strangers_and_ended_calls() -> None:
    calls.check_participant(SESSION, "u-1", now=999)
    with pytest.raises(AppError) as stranger:
        calls.check_participant(SESSION, "u-3", now=0)
    assert (stranger.value.code, stranger.value.message) == ("not_a_participant", "not a participant of this call")
    with pytest.raises(AppError) as ended:
        calls.check_participant(SESSION, "u-2", now=1000)
    assert (ended.value.code, ended.value.message) == ("call_ended", "this call has ended")


@pytest.mark.parametrize(
    ("body", "result"),
    [({}, None), ({"name": None}, None), ({"name": "  Ann "}, "Ann"), ({"name": "x" * 64}, "x" * 64)],
)
def test_calls_display_name_is_optional_and_trimmed(body: dict[str, Any], result: str | None) -> None:
    assert calls.display_name(body) == result


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"name": "a", "x": 1, "b": 2}, "invalid_body", "unknown fields: b, x"),
        ({"name": "   "}, "invalid_name", "name must be 1-64 characters"),
        ({"name": "x" * 65}, "invalid_name", "name must be 1-64 characters"),
        ({"name": 5}, "invalid_name", "name must be 1-64 characters"),
    ],
)
def test_calls_display_name_refusals(body: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(AppError) as refused:
        calls.display_name(body)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_calls_livekit_claims_grant_one_room_for_the_ttl() -> None:
    video = {"roomJoin": True, "room": "s1", "canPublish": True, "canSubscribe": True, "canPublishData": True}
    assert calls.livekit_claims("key", "u-1", "s1", now=100, ttl_seconds=600) == {
        "iss": "key",
        "sub": "u-1",
        "nbf": 100,
        "exp": 700,
        "video": video,
    }
    named = calls.livekit_claims("key", "u-1", "s1", now=100, ttl_seconds=600, name="Ann")
    assert named["name"] == "Ann"
    assert "name" not in calls.livekit_claims("key", "u-1", "s1", now=100, ttl_seconds=600, name="")


def test_calls_turn_credentials_follow_the_turn_rest_scheme() -> None:
    # HMAC-SHA1("1100:u-1", key "s3cret"), base64: a fixed vector
    assert calls.turn_credentials("s3cret", "u-1", now=100, ttl_seconds=1000) == {
        "username": "1100:u-1",
        "password": "RBYsb+leogOszqVnVXttZDJzI2U=",
        "ttl_seconds": 1000,
        "expires_at": 1100,
    }


def test_calls_ice_servers_list_stun_turn_and_turns() -> None:
    assert calls.ice_servers("", "u", "p") == []
    assert calls.ice_servers("turn.example.com", "u", "p") == [
        {"urls": ["stun:turn.example.com:3478"]},
        {
            "urls": [
                "turn:turn.example.com:3478?transport=udp",
                "turn:turn.example.com:3478?transport=tcp",
                "turns:turn.example.com:5349?transport=tcp",
            ],
            "username": "u",
            "credential": "p",
        },
    ]


def test_calls_credentials_last_the_configured_time_but_never_past_the_session() -> None:
    assert calls.credential_ttl(SESSION, 600, 100) == 600
    assert calls.credential_ttl(SESSION, 600, 999) == 1
    assert calls.credential_ttl(SESSION, 600, 998) == 2
    assert calls.credential_ttl(SESSION, 600, 1000) == 1
