"""The api function: rooms, membership and message history, between two users."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from parley.domain import keys
from tests.unit.api_helpers import add_profile, call, set_api_env


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)
    add_profile(table, "alice")
    add_profile(table, "bob")


def new_room(name: str = "General", **extra: Any) -> str:
    status, body, _ = call("POST", "/rooms", {"name": name, **extra})
    assert status == 201
    return str(body["id"])


def add_messages(table: Any, room_id: str, count: int) -> None:
    for i in range(count):
        table.put_item(
            Item={
                "PK": keys.room(room_id),
                "SK": keys.message(1_700_000_000_000 + i, f"m{i}"),
                "id": f"m{i}",
                "text": f"hello {i}",
            }
        )


def test_api_create_room_writes_room_and_owner_membership(table: Any) -> None:
    room_id = new_room(description="chat", public=True)
    meta = table.get_item(Key={"PK": keys.room(room_id), "SK": keys.META})["Item"]
    member = table.get_item(Key={"PK": keys.room(room_id), "SK": keys.member("alice")})["Item"]
    assert meta["owner_id"] == "alice" and meta["public"] is True and meta["member_count"] == 1
    assert member["role"] == "owner" and member["GSI1PK"] == keys.user("alice")


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 81}, {"name": "a", "public": "yes"}, {"name": "a", "owner": "bob"}]
)
def test_api_create_room_refuses_bad_input_without_writing(table: Any, body: dict[str, Any]) -> None:
    status, out, _ = call("POST", "/rooms", body)
    assert status == 400 and out["error"] in {"missing_field", "invalid_field", "unknown_field"}
    _, mine, _ = call("GET", "/rooms")
    assert mine["items"] == []


def test_api_list_rooms_is_mine_only_and_paginated(table: Any) -> None:
    ids = {new_room(f"room {i}") for i in range(3)}
    _, body, _ = call("GET", "/rooms", query={"limit": "2"})
    assert len(body["items"]) == 2 and body["next_cursor"]
    _, rest, _ = call("GET", "/rooms", query={"limit": "2", "cursor": body["next_cursor"]})
    assert {r["id"] for r in body["items"] + rest["items"]} == ids
    _, bobs, _ = call("GET", "/rooms", sub="bob")
    assert bobs["items"] == []


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", base64.urlsafe_b64encode(b'{"PK":"x"}').decode()])
def test_api_list_rooms_refuses_bad_cursors(table: Any, cursor: str) -> None:
    status, out, _ = call("GET", "/rooms", query={"cursor": cursor})
    assert status == 400 and out["error"] == "invalid_cursor"


def test_api_cursor_of_another_user_is_refused(table: Any) -> None:
    forged = {"PK": "ROOM#x", "SK": "MEMBER#bob", "GSI1PK": "USER#bob", "GSI1SK": "ROOM#x"}
    cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    status, out, _ = call("GET", "/rooms", query={"cursor": cursor})
    assert status == 400 and out["error"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_api_bad_limits_are_400(table: Any, limit: str) -> None:
    status, out, _ = call("GET", "/rooms", query={"limit": limit})
    assert status == 400 and out["error"] == "invalid_limit"


def test_api_room_is_invisible_to_non_members(table: Any) -> None:
    room_id = new_room()
    status, body, _ = call("GET", f"/rooms/{room_id}")
    assert status == 200 and [m["user_id"] for m in body["members"]] == ["alice"]
    # Bob is not a member: the room looks exactly like a missing one
    not_member = call("GET", f"/rooms/{room_id}", sub="bob")
    missing = call("GET", "/rooms/doesnotexist", sub="bob")
    assert not_member[0] == missing[0] == 404
    assert not_member[1] == missing[1]
    assert call("GET", f"/rooms/{room_id}/messages", sub="bob")[0] == 404
    assert call("GET", "/rooms/..%2F..%2Fetc", sub="bob")[0] == 404


def test_api_add_member_then_conflict_then_leave(table: Any) -> None:
    room_id = new_room()
    status, body, _ = call("POST", f"/rooms/{room_id}/members", {"user_id": "bob"})
    assert status == 201 and body["role"] == "member"
    assert table.get_item(Key={"PK": keys.room(room_id), "SK": keys.META})["Item"]["member_count"] == 2
    # Adding bob twice is a conflict and changes nothing
    status, out, _ = call("POST", f"/rooms/{room_id}/members", {"user_id": "bob"})
    assert status == 409 and out["error"] == "conflict"
    assert table.get_item(Key={"PK": keys.room(room_id), "SK": keys.META})["Item"]["member_count"] == 2
    # Bob now sees the room, then leaves it
    _, bobs, _ = call("GET", "/rooms", sub="bob")
    assert [r["id"] for r in bobs["items"]] == [room_id]
    assert call("DELETE", f"/rooms/{room_id}/members/me", sub="bob")[0] == 204
    assert table.get_item(Key={"PK": keys.room(room_id), "SK": keys.META})["Item"]["member_count"] == 1
    assert call("DELETE", f"/rooms/{room_id}/members/me", sub="bob")[0] == 404


def test_api_non_member_cannot_add_members(table: Any) -> None:
    room_id = new_room()
    add_profile(table, "carol")
    status, out, _ = call("POST", f"/rooms/{room_id}/members", {"user_id": "carol"}, sub="bob")
    assert status == 404 and out["error"] == "not_found"
    assert "Item" not in table.get_item(Key={"PK": keys.room(room_id), "SK": keys.member("carol")})


@pytest.mark.parametrize(
    ("body", "status"), [({"user_id": "nobody"}, 404), ({"user_id": "a/b"}, 400), ({"user_id": 7}, 400), ({}, 400)]
)
def test_api_add_member_refuses_unknown_or_malformed_users(table: Any, body: dict[str, Any], status: int) -> None:
    room_id = new_room()
    assert call("POST", f"/rooms/{room_id}/members", body)[0] == status
    assert table.get_item(Key={"PK": keys.room(room_id), "SK": keys.META})["Item"]["member_count"] == 1


def test_api_messages_newest_first_and_paginated(table: Any) -> None:
    room_id = new_room()
    add_messages(table, room_id, 5)
    _, first, _ = call("GET", f"/rooms/{room_id}/messages", query={"limit": "3"})
    assert [m["id"] for m in first["items"]] == ["m4", "m3", "m2"]
    _, second, _ = call("GET", f"/rooms/{room_id}/messages", query={"limit": "3", "cursor": first["next_cursor"]})
    assert [m["id"] for m in second["items"]] == ["m1", "m0"] and second["next_cursor"] is None
    # Messages stored before messages had types read as text messages without attachments
    assert {(m["type"], tuple(m["attachments"])) for m in first["items"]} == {("text", ())}


def test_api_message_cursor_from_another_room_is_refused(table: Any) -> None:
    mine, other = new_room("a"), new_room("b")
    add_messages(table, other, 3)
    _, page, _ = call("GET", f"/rooms/{other}/messages", query={"limit": "1"})
    status, out, _ = call("GET", f"/rooms/{mine}/messages", query={"cursor": page["next_cursor"]})
    assert status == 400 and out["error"] == "invalid_cursor"
