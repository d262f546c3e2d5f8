"""The ws function: connect/disconnect, rooms, fan-out and every bad-input case (moto table)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from parley.adapters import aws
from parley.adapters.connections import Connections
from parley.adapters.relays import Relays
from parley.adapters.table import Table
from parley.domain import clock, keys
from parley.domain.realtime import MAX_FRAME_BYTES, MAX_TEXT_CHARS
from parley.handlers import api_public, ws
from tests.unit.api_helpers import API_ENV, BUCKET, set_api_env
from tests.unit.api_helpers import call as api_call
from tests.unit.conftest import http_event, response_json
from tests.unit.ws_support import FakeManagementApi, add_member, all_items, install_management, ws_event

ENDPOINT = "http://127.0.0.1:4566"


@pytest.fixture
def ws_env(table: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, FakeManagementApi]:
    management = install_management(monkeypatch)
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", ENDPOINT)
    ws.load.cache_clear()
    return table, management


def call(
    lambda_context: Any, route: str, connection_id: str, body: Any = None, *, sub: str | None = "u-alice"
) -> dict[str, Any]:
    return ws.handler(ws_event(route, connection_id, body, sub=sub), lambda_context)


def connect(lambda_context: Any, connection_id: str, sub: str) -> None:
    assert call(lambda_context, "$connect", connection_id, sub=sub)["statusCode"] == 200


def in_room(lambda_context: Any, table: Any, room: str, members: dict[str, str]) -> None:
    """Given connections (id -> user) of room members who joined the room."""
    for connection_id, user in members.items():
        add_member(table, room, user)
        connect(lambda_context, connection_id, user)
        call(lambda_context, "join", connection_id, {"action": "join", "room": room}, sub=user)


# Connect / disconnect --------------------------------------------------------


def test_ws_connect_stores_the_connection_with_ttl_and_user_index(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, _ = ws_env
    # When alice connects
    connect(lambda_context, "c1", "u-alice")
    # Then the connection is stored for 24 h and indexed by user
    item = table.get_item(Key={"PK": "CONN#c1", "SK": "META"})["Item"]
    assert item["GSI1PK"] == "USER#u-alice" and item["GSI1SK"] == "CONN#c1"
    assert abs(int(item["TTL"]) - (time.time() + 86_400)) < 120
    assert Connections(Table(table.name)).of_user("u-alice") == ["c1"]


def test_ws_connect_without_identity_is_refused_and_stores_nothing(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, _ = ws_env
    assert call(lambda_context, "$connect", "c1", sub=None)["statusCode"] == 401
    assert all_items(table) == []


def test_ws_disconnect_removes_the_connection_and_its_presence(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob"})
    # When bob disconnects
    call(lambda_context, "$disconnect", "c2", sub="u-bob")
    # Then his connection and presence are gone, alice's stay, and alice sees him leave
    assert "Item" not in table.get_item(Key={"PK": "CONN#c2", "SK": "META"})
    assert "Item" not in table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c2"})
    assert "Item" in table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c1"})
    assert api.last("c1") == {"type": "presence", "room": "r1", "user": "u-bob", "state": "left"}


# Rooms -----------------------------------------------------------------------


def test_ws_join_records_presence_and_tells_the_others(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice"})
    add_member(table, "r1", "u-bob")
    connect(lambda_context, "c2", "u-bob")
    # When bob joins with a ref
    call(lambda_context, "join", "c2", {"action": "join", "room": "r1", "ref": "j1"}, sub="u-bob")
    # Then he gets a joined reply echoing the ref and naming who is there, is present, and alice is told
    assert api.last("c2") == {"type": "joined", "room": "r1", "present": ["u-alice", "u-bob"], "ref": "j1"}
    assert table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c2"})["Item"]["user_id"] == "u-bob"
    assert table.get_item(Key={"PK": "CONN#c2", "SK": "META"})["Item"]["rooms"] == {"r1"}
    assert api.last("c1") == {"type": "presence", "room": "r1", "user": "u-bob", "state": "joined"}


def test_ws_join_a_room_of_which_you_are_not_a_member_is_refused(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    connect(lambda_context, "c1", "u-mallory")
    before = all_items(table)
    call(lambda_context, "join", "c1", {"action": "join", "room": "r1"}, sub="u-mallory")
    assert api.last("c1")["error"] == "not_a_member"
    assert all_items(table) == before


def test_ws_leave_removes_presence_and_leaving_twice_is_an_error(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice"})
    call(lambda_context, "leave", "c1", {"action": "leave", "room": "r1"})
    assert api.last("c1") == {"type": "left", "room": "r1"}
    assert "Item" not in table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c1"})
    before = all_items(table)
    call(lambda_context, "leave", "c1", {"action": "leave", "room": "r1"})
    assert api.last("c1")["error"] == "not_joined"
    assert all_items(table) == before


def test_ws_send_persists_the_message_and_fans_out_to_the_room_only(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob", "c3": "u-carol"})
    in_room(lambda_context, table, "r2", {"c9": "u-dave"})
    # When alice sends a message
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "hello"})
    # Then it is stored as room history
    stored = [i for i in all_items(table) if i["PK"] == "ROOM#r1" and i["SK"].startswith("MSG#")]
    assert len(stored) == 1 and stored[0]["text"] == "hello" and stored[0]["sender_id"] == "u-alice"
    # And bob and carol get it, alice gets an ack (not her own message), dave nothing
    for other in ("c2", "c3"):
        frame = api.last(other)
        assert frame["type"] == "message" and frame["text"] == "hello" and frame["sender"] == "u-alice"
        assert frame["id"] == stored[0]["message_id"]
    assert api.of_type("c1", "message") == []
    assert api.last("c1")["type"] == "sent" and api.last("c1")["delivered"] == 2
    assert api.of_type("c9", "message") == []


def test_ws_fan_out_deletes_exactly_the_connection_that_answers_410(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob", "c3": "u-carol"})
    # Given bob's connection went away without a $disconnect
    api.gone.add("c2")
    # When alice sends
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "anyone?"})
    # Then bob's connection and presence are deleted, alice's and carol's are not, and carol got the message
    assert "Item" not in table.get_item(Key={"PK": "CONN#c2", "SK": "META"})
    assert "Item" not in table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c2"})
    for kept in ("c1", "c3"):
        assert "Item" in table.get_item(Key={"PK": f"CONN#{kept}", "SK": "META"})
        assert "Item" in table.get_item(Key={"PK": "ROOM#r1", "SK": f"CONN#{kept}"})
    assert api.last("c3")["text"] == "anyone?"
    assert api.last("c1")["delivered"] == 1


def test_ws_fan_out_retries_a_throttled_connection(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob"})
    api.throttle_first["c2"] = 2
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "hi"})
    assert api.last("c2")["text"] == "hi"
    assert api.attempts["c2"] >= 3
    assert "Item" in table.get_item(Key={"PK": "CONN#c2", "SK": "META"})


def test_ws_send_to_a_room_not_joined_is_refused_and_not_stored(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    add_member(table, "r1", "u-alice")
    connect(lambda_context, "c1", "u-alice")
    before = all_items(table)
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "hello"})
    assert api.last("c1")["error"] == "not_joined"
    assert all_items(table) == before


def test_ws_typing_reaches_the_others_and_stores_nothing(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob"})
    before = all_items(table)
    call(lambda_context, "typing", "c1", {"action": "typing", "room": "r1"})
    assert api.last("c2") == {"type": "typing", "room": "r1", "user": "u-alice"}
    assert api.of_type("c1", "typing") == []
    assert all_items(table) == before


def test_ws_ping_answers_pong(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    _, api = ws_env
    connect(lambda_context, "c1", "u-alice")
    call(lambda_context, "ping", "c1", {"action": "ping", "ref": "p1"})
    frame = api.last("c1")
    assert frame["type"] == "pong" and frame["ref"] == "p1" and isinstance(frame["ts"], int)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ({"room": "r1"}, "missing_field"),
        ({"action": "dance"}, "unknown_action"),
        ({"action": 7}, "unknown_action"),
        ({"action": "join"}, "missing_field"),
        ({"action": "join", "room": "../etc"}, "invalid_field"),
        ({"action": "send", "room": "r1"}, "missing_field"),
        ({"action": "send", "room": "r1", "text": "   "}, "invalid_field"),
        ({"action": "send", "room": "r1", "text": "x" * (MAX_TEXT_CHARS + 1)}, "invalid_field"),
        ({"action": "send", "room": "r1", "text": "x" * MAX_FRAME_BYTES}, "frame_too_large"),
        ({"action": "ping", "ref": 12}, "invalid_field"),
        ({"action": "relay.join", "code": "nope"}, "invalid_field"),
        ({"action": "relay.send", "relay": "x1"}, "missing_field"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_ws_bad_frames_get_an_error_frame_and_change_nothing(ws_env, lambda_context, body, code) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice"})
    before = all_items(table)
    response = call(lambda_context, "$default", "c1", body)
    assert response["statusCode"] == 200
    assert api.last("c1")["type"] == "error" and api.last("c1")["error"] == code
    assert all_items(table) == before


def test_ws_unexpected_failure_is_logged_and_reported_without_internals(ws_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, api = ws_env
    connect(lambda_context, "c1", "u-alice")

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Relays, "open", explode)
    response = call(lambda_context, "relay.open", "c1", {"action": "relay.open", "ref": "r9"})
    assert response["statusCode"] == 500
    # The error frame answers the frame it is about: it carries that frame's ref, like every reply
    assert api.last("c1") == {"type": "error", "error": "internal", "message": "internal error", "ref": "r9"}


def test_ws_management_endpoint_comes_from_the_event_when_not_set(table, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    management = install_management(monkeypatch)
    seen: list[str] = []
    monkeypatch.delenv("WS_MANAGEMENT_ENDPOINT", raising=False)
    monkeypatch.setattr(ws.websocket, "management_client", lambda endpoint: seen.append(endpoint) or management)
    ws.load.cache_clear()
    ws.handler(ws_event("ping", "c1", {"action": "ping"}), lambda_context)
    assert seen == ["https://abc123.execute-api.us-east-1.amazonaws.com/live"]


def test_ws_message_item_uses_the_shared_key_format(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, _ = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice"})
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "x"})
    item = next(i for i in all_items(table) if i["SK"].startswith("MSG#"))
    assert item["SK"] == keys.message(int(item["created_at"]), item["message_id"])


def test_ws_anonymous_connection_is_stored_but_joins_no_room(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    event = ws_event("$connect", "c1", sub=None)
    event["requestContext"]["authorizer"] = {"principalId": "anonymous", "sub": "", "anonymous": "true"}
    assert ws.handler(event, lambda_context)["statusCode"] == 200
    assert table.get_item(Key={"PK": "CONN#c1", "SK": "META"})["Item"]["user_id"] == "anonymous-c1"
    add_member(table, "r1", "u-alice")
    frame = ws_event("join", "c1", {"action": "join", "room": "r1"}, sub=None)
    frame["requestContext"]["authorizer"] = {"principalId": "anonymous", "sub": "", "anonymous": "true"}
    ws.handler(frame, lambda_context)
    assert api.last("c1")["error"] == "not_a_member"


def test_ws_disconnect_of_an_unknown_connection_is_a_no_op(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    assert call(lambda_context, "$disconnect", "ghost")["statusCode"] == 200
    assert all_items(table) == [] and dict(api.frames) == {}


# Leaving a room ends live delivery -------------------------------------------------


def test_ws_leaving_a_room_over_http_ends_live_delivery(ws_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    set_api_env(monkeypatch)
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob", "c3": "u-bob"})
    table.put_item(Item={"PK": "ROOM#r1", "SK": "META", "id": "r1", "member_count": 2})
    # When bob leaves the room over HTTP while two of his connections are in it
    assert api_call("DELETE", "/rooms/r1/members/me", sub="u-bob")[0] == 204
    # Then his live presence there is gone, and his connections no longer list the room
    for connection in ("c2", "c3"):
        assert "Item" not in table.get_item(Key={"PK": "ROOM#r1", "SK": f"CONN#{connection}"})
        assert "r1" not in table.get_item(Key={"PK": f"CONN#{connection}", "SK": "META"})["Item"].get("rooms", set())
    received = {c: len(api.frames[c]) for c in ("c2", "c3")}
    # And nothing alice does in the room reaches him any more
    call(lambda_context, "typing", "c1", {"action": "typing", "room": "r1"})
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "still there?"})
    call(lambda_context, "leave", "c1", {"action": "leave", "room": "r1"})
    call(lambda_context, "join", "c1", {"action": "join", "room": "r1"})
    assert {c: len(api.frames[c]) for c in ("c2", "c3")} == received
    assert api.of_type("c1", "sent")[-1]["delivered"] == 0
    # And bob's connections can neither send nor type there
    call(lambda_context, "send", "c2", {"action": "send", "room": "r1", "text": "hi"}, sub="u-bob")
    assert api.last("c2")["error"] == "not_joined"


def test_ws_fan_out_never_reaches_a_user_who_is_no_longer_a_member(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob", "c3": "u-carol"})
    # Given bob's membership ended while his presence item stayed behind
    table.delete_item(Key={"PK": "ROOM#r1", "SK": "MEMBER#u-bob"})
    received = len(api.frames["c2"])
    # When alice sends, types and carol joins again
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "members only"})
    call(lambda_context, "typing", "c1", {"action": "typing", "room": "r1"})
    # Then carol gets the message, bob gets no frame, and his stale presence is removed
    assert api.last("c1")["delivered"] == 1
    assert api.of_type("c3", "message")[-1]["text"] == "members only"
    assert len(api.frames["c2"]) == received
    assert "Item" not in table.get_item(Key={"PK": "ROOM#r1", "SK": "CONN#c2"})


# Richer messages and last seen ------------------------------------------------------

UPLOADS = BUCKET
UPLOAD_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def uploads(ws_env, monkeypatch: pytest.MonkeyPatch) -> Any:  # type: ignore[no-untyped-def]
    """The uploads bucket the ws function checks attachments in (1 MB limit), with two of alice's uploads."""
    assert API_ENV["UPLOAD_MAX_BYTES"] == str(1024 * 1024)
    set_api_env(monkeypatch)  # the same bucket and limit for the ws and api functions
    ws.load.cache_clear()
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=UPLOADS)
    s3.put_object(Bucket=UPLOADS, Key=f"users/u-alice/{UPLOAD_ID}/cat.png", Body=b"p" * 2048, ContentType="image/png")
    s3.put_object(Bucket=UPLOADS, Key=f"users/u-alice/{'f' * 32}/big.pdf", Body=b"x" * (1024 * 1024 + 1))
    return s3


def signed(url: str) -> tuple[str, dict[str, str]]:
    """The object path a presigned GET URL reads and its query (one value per name)."""
    parts = urlparse(url)
    return parts.path, {name: values[0] for name, values in parse_qs(parts.query).items()}


def expires_ms(query: dict[str, str]) -> int:
    """When a SigV4 presigned URL stops working: its signing time plus its lifetime, in epoch ms."""
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return int(signed_at.timestamp() + int(query["X-Amz-Expires"])) * 1000


def test_ws_send_an_image_stores_and_fans_out_its_attachments(ws_env, uploads, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob"})
    key = f"users/u-alice/{UPLOAD_ID}/cat.png"
    # When alice sends an image message with a caption
    frame = {"action": "send", "room": "r1", "type": "image", "text": "look", "attachments": [key], "ref": "m1"}
    before_ms = int(time.time()) * 1000
    call(lambda_context, "send", "c1", frame)
    # Then it is acknowledged, stored and fanned out with its type and the attachment's size and content type
    assert api.last("c1")["type"] == "sent" and api.last("c1")["ref"] == "m1"
    attachment = {"key": key, "size_bytes": 2048, "content_type": "image/png"}
    received = api.last("c2")
    assert (received["type"], received["message_type"], received["text"]) == ("message", "image", "look")
    (readable,) = received["attachments"]
    assert {name: readable[name] for name in attachment} == attachment
    # And a read URL of exactly that object, shown inline as the type it was uploaded with, for 10 minutes
    path, query = signed(readable["url"])
    assert path == f"/users/u-alice/{UPLOAD_ID}/cat.png" and query["X-Amz-Expires"] == "600"
    assert query["response-content-type"] == "image/png"
    assert query["response-content-disposition"] == 'inline; filename="cat.png"'
    assert before_ms + 600_000 <= readable["url_expires_at"] <= expires_ms(query)
    assert requests.get(readable["url"], timeout=10).content == b"p" * 2048
    # The sender's reply carries the same, the stored message only the attachment
    assert api.last("c1")["attachments"] == [readable]
    (stored,) = [i for i in all_items(table) if i["SK"].startswith("MSG#")]
    assert stored["type"] == "image" and stored["attachments"] == [attachment]
    # And the history returns it as sent, with a fresh read URL; a plain send is a text message without attachments
    status, history, _ = api_call("GET", "/rooms/r1/messages", sub="u-bob")
    (listed,) = history["items"][0]["attachments"]
    assert status == 200 and {name: listed[name] for name in attachment} == attachment
    assert signed(listed["url"])[0] == path and requests.get(listed["url"], timeout=10).content == b"p" * 2048
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", "text": "hi"})
    assert (api.last("c2")["message_type"], api.last("c2")["attachments"]) == ("text", [])
    assert api.last("c1")["attachments"] == []
    assert [i["type"] for i in all_items(table) if i["SK"].startswith("MSG#")].count("text") == 1


def test_ws_attachment_urls_reach_members_only(ws_env, uploads, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob", "c3": "u-carol"})
    # Given carol's membership ended while her presence stayed behind, and the room is public
    table.delete_item(Key={"PK": "ROOM#r1", "SK": "MEMBER#u-carol"})
    table.put_item(Item={"PK": "ROOM#r1", "SK": "META", "id": "r1", "name": "Photos", "public": True})
    received = len(api.frames["c3"])
    # When alice sends an image
    image = {"action": "send", "room": "r1", "type": "image", "attachments": [f"users/u-alice/{UPLOAD_ID}/cat.png"]}
    call(lambda_context, "send", "c1", image)
    # Then bob's frame has a read URL; carol gets no frame, her history read is refused
    assert "url" in api.last("c2")["attachments"][0] and len(api.frames["c3"]) == received
    status, body, _ = api_call("GET", "/rooms/r1/messages", sub="u-carol")
    assert (status, body["error"]) == (404, "not_found")
    # And the public view anyone may read shows the attachment without one
    response = api_public.handler(http_event("GET", "/public/rooms/r1"), lambda_context)
    assert response["statusCode"] == 200
    assert response_json(response)["recent_messages"][0]["attachments"] == [
        {"key": f"users/u-alice/{UPLOAD_ID}/cat.png", "size_bytes": 2048, "content_type": "image/png"}
    ]


def test_ws_history_gives_no_url_for_an_attachment_outside_the_senders_uploads(ws_env, uploads) -> None:  # type: ignore[no-untyped-def]
    table, _ = ws_env
    add_member(table, "r1", "u-alice")
    add_member(table, "r1", "u-bob")
    # Given a stored message of bob's whose attachment names alice's upload (send never stores one)
    foreign = {"key": f"users/u-alice/{UPLOAD_ID}/cat.png", "size_bytes": 2048, "content_type": "image/png"}
    table.put_item(
        Item={
            "PK": "ROOM#r1", "SK": keys.message(1_700_000_000_000, "m1"), "message_id": "m1", "room_id": "r1",
            "sender_id": "u-bob", "type": "image", "text": "", "attachments": [foreign],
        }
    )  # fmt: skip
    # When alice reads the history, the attachment comes as stored, without a URL
    status, history, _ = api_call("GET", "/rooms/r1/messages", sub="u-alice")
    assert status == 200 and history["items"][0]["attachments"] == [foreign]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"type": "system", "text": "I am the server"}, "invalid_field"),
        ({"type": "video", "text": "x"}, "invalid_field"),
        ({"type": "image"}, "missing_field"),
        ({"type": "file", "text": "no file"}, "missing_field"),
        ({"text": "x", "attachments": "users/u-alice/a"}, "invalid_field"),
        ({"text": "x", "attachments": [f"users/u-alice/{UPLOAD_ID}/cat.png"] * 2}, "invalid_field"),
        ({"text": "x", "attachments": [f"users/u-alice/{i:032x}/a.png" for i in range(5)]}, "invalid_field"),
        ({"text": "x", "attachments": [f"users/u-bob/{UPLOAD_ID}/cat.png"]}, "invalid_field"),
        ({"text": "x", "attachments": [f"users/u-alice/{UPLOAD_ID}/../../u-bob/x.png"]}, "invalid_field"),
        ({"text": "x", "attachments": [7]}, "invalid_field"),
        ({"type": "file", "attachments": [f"users/u-alice/{'e' * 32}/gone.pdf"]}, "upload_not_found"),
        ({"type": "file", "attachments": [f"users/u-alice/{'f' * 32}/big.pdf"]}, "upload_too_large"),
    ],
)
def test_ws_send_refuses_bad_types_and_attachments(ws_env, uploads, lambda_context, fields, code) -> None:  # type: ignore[no-untyped-def]
    table, api = ws_env
    in_room(lambda_context, table, "r1", {"c1": "u-alice", "c2": "u-bob"})
    before = all_items(table)
    call(lambda_context, "send", "c1", {"action": "send", "room": "r1", **fields})
    assert api.last("c1")["type"] == "error" and api.last("c1")["error"] == code
    assert all_items(table) == before and api.of_type("c2", "message") == []


def test_ws_last_connection_closing_sets_last_seen(ws_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, _ = ws_env
    table.put_item(Item={"PK": keys.user("u-alice"), "SK": keys.PROFILE, "email": "a@example.com"})
    connect(lambda_context, "c1", "u-alice")
    connect(lambda_context, "c2", "u-alice")
    # When one of two connections closes, alice is still online: no last_seen yet
    call(lambda_context, "$disconnect", "c1", sub="u-alice")
    profile = table.get_item(Key={"PK": keys.user("u-alice"), "SK": keys.PROFILE})["Item"]
    assert "last_seen" not in profile
    # When the last one closes, last_seen is now
    call(lambda_context, "$disconnect", "c2", sub="u-alice")
    profile = table.get_item(Key={"PK": keys.user("u-alice"), "SK": keys.PROFILE})["Item"]
    assert clock.iso(clock.now() - timedelta(seconds=10)) <= profile["last_seen"] <= clock.now_iso()
    # A user without a profile (anonymous) gets none created
    connect(lambda_context, "c3", "u-nobody")
    call(lambda_context, "$disconnect", "c3", sub="u-nobody")
    assert "Item" not in table.get_item(Key={"PK": keys.user("u-nobody"), "SK": keys.PROFILE})
