"""The call_token function: LiveKit access tokens and TURN credentials for a call's participants."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest

from parley.adapters import aws, secrets
from parley.domain import keys
from parley.handlers import call_token
from tests.unit.conftest import http_event, response_json

API_KEY = "APIkey123"
API_SECRET = "livekit-secret-of-at-least-32-characters"
TURN_SECRET = "turn-shared-secret"


@pytest.fixture
def media(table: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    sm = aws.client("secretsmanager")
    livekit = sm.create_secret(
        Name="parley-test/livekit", SecretString=json.dumps({"api_key": API_KEY, "api_secret": API_SECRET})
    )
    turn = sm.create_secret(Name="parley-test/turn", SecretString=TURN_SECRET)
    secrets.reset()
    values = {
        "LIVEKIT_SECRET_ARN": livekit["ARN"],
        "TURN_SECRET_ARN": turn["ARN"],
        "LIVEKIT_URL": "wss://livekit.example.com",
        "TURN_HOST": "203.0.113.10",
        "LIVEKIT_TOKEN_TTL_SECONDS": "900",
        "TURN_CREDENTIAL_TTL_SECONDS": "1800",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    yield values
    secrets.reset()


def call(table: Any, session_id: str = "s1", participants: tuple[str, ...] = ("u1", "u2"), ttl: int = 3600) -> None:
    expires_at = int(time.time()) + ttl
    table.put_item(Item={
        "PK": keys.session(session_id), "SK": keys.META, "session_id": session_id,
        "participants": list(participants), "expires_at": expires_at, "TTL": expires_at,
    })  # fmt: skip


def request(user_id: str, session_id: str = "s1", body: Any = None, ctx: Any = None) -> dict[str, Any]:
    path = f"/calls/{session_id}/token"
    event = http_event("POST", path, body, sub=user_id)
    event["routeKey"] = "POST /calls/{sessionId}/token"
    event["pathParameters"] = {"sessionId": session_id}
    return call_token.handler(event, ctx)


def test_call_token_livekit_token_carries_the_video_grant_for_the_session(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a call between u1 and u2
    call(table)
    before = int(time.time())
    # When u1 asks for a token with a display name
    response = request("u1", body={"name": "Ada"}, ctx=lambda_context)
    # Then the token is an HS256 JWT signed with the API secret, for u1 in room s1
    assert response["statusCode"] == 200
    body = response_json(response)
    token = body["livekit"]["token"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, API_SECRET, algorithms=["HS256"])
    assert claims["iss"] == API_KEY and claims["sub"] == "u1" and claims["name"] == "Ada"
    assert before <= claims["nbf"] <= int(time.time())
    assert claims["exp"] - claims["nbf"] == 900 and body["livekit"]["expires_at"] == claims["exp"]
    assert claims["video"] == {
        "roomJoin": True, "room": "s1", "canPublish": True, "canSubscribe": True, "canPublishData": True,
    }  # fmt: skip
    assert body["livekit"]["url"] == "wss://livekit.example.com"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-at-least-32-characters", algorithms=["HS256"])


def test_call_token_turn_credentials_verify_against_the_shared_secret(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    call(table)
    body = response_json(request("u2", ctx=lambda_context))
    turn = body["turn"]
    expiry, user = turn["username"].split(":", 1)
    assert user == "u2" and int(expiry) == turn["expires_at"]
    assert 0 < int(expiry) - int(time.time()) <= 1800 and turn["ttl_seconds"] == 1800
    # coturn's check (use-auth-secret): base64(HMAC-SHA1(secret, username))
    expected = base64.b64encode(
        hmac.new(TURN_SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["password"] == expected


def test_call_token_lists_turn_udp_tcp_and_tls_ice_servers(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    call(table)
    body = response_json(request("u1", ctx=lambda_context))
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:203.0.113.10:3478"]}
    assert turn["urls"] == [
        "turn:203.0.113.10:3478?transport=udp",
        "turn:203.0.113.10:3478?transport=tcp",
        "turns:203.0.113.10:5349?transport=tcp",
    ]
    assert (turn["username"], turn["credential"]) == (body["turn"]["username"], body["turn"]["password"])


def test_call_token_without_media_servers_still_issues_credentials(table, media, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIVEKIT_URL", "")
    monkeypatch.setenv("TURN_HOST", "")
    call(table)
    body = response_json(request("u1", ctx=lambda_context))
    assert body["ice_servers"] == [] and body["livekit"]["url"] is None and body["livekit"]["token"]


def test_call_token_for_someone_elses_call_is_forbidden(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    call(table)
    response = request("intruder", ctx=lambda_context)
    assert response["statusCode"] == 403 and response_json(response)["error"] == "not_a_participant"
    assert "token" not in json.dumps(response_json(response))


def test_call_token_for_an_unknown_or_ended_call_is_refused(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    missing = request("u1", session_id="nope", ctx=lambda_context)
    assert missing["statusCode"] == 404 and response_json(missing)["error"] == "session_not_found"
    call(table, session_id="old", ttl=-10)
    expired = request("u1", session_id="old", ctx=lambda_context)
    assert expired["statusCode"] == 409 and response_json(expired)["error"] == "call_ended"


def test_call_token_after_a_hang_up_is_a_conflict(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a live call that one participant hung up (the end time the match function records)
    call(table, session_id="s1")
    table.update_item(
        Key={"PK": keys.session("s1"), "SK": keys.META},
        UpdateExpression="SET ended_at = :t",
        ExpressionAttributeValues={":t": int(time.time())},
    )
    # Then neither participant gets credentials any more
    for user in ("u1", "u2"):
        refused = request(user, ctx=lambda_context)
        assert refused["statusCode"] == 409 and response_json(refused)["error"] == "call_ended"


def test_call_token_lifetimes_never_outlive_the_session(table, media, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a session that ends in 10 minutes, shorter than both configured lifetimes (15 and 30 minutes)
    call(table, session_id="s1", ttl=600)
    expires_at = int(table.get_item(Key={"PK": keys.session("s1"), "SK": keys.META})["Item"]["expires_at"])
    body = response_json(request("u1", ctx=lambda_context))
    claims = jwt.decode(body["livekit"]["token"], API_SECRET, algorithms=["HS256"], audience=None)
    # Then the LiveKit token and the TURN credentials both expire with the session, not later
    assert claims["exp"] == body["livekit"]["expires_at"] == expires_at
    assert body["turn"]["expires_at"] == expires_at
    assert int(body["turn"]["username"].split(":", 1)[0]) == expires_at
    assert 590 <= body["turn"]["ttl_seconds"] <= 600


@pytest.mark.parametrize(
    ("body", "code"),
    [("{bad", "invalid_json"), ({"name": ""}, "invalid_name"), ({"name": "x" * 65}, "invalid_name"),
     ({"name": 5}, "invalid_name"), ({"room": "other"}, "invalid_body")],
)  # fmt: skip
def test_call_token_rejects_malformed_bodies(table, media, lambda_context, body, code) -> None:  # type: ignore[no-untyped-def]
    call(table)
    response = request("u1", body=body, ctx=lambda_context)
    assert response["statusCode"] == 400 and response_json(response)["error"] == code
