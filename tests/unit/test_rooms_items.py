"""domain/rooms.py: the items a room is made of and the views callers get of them."""

from __future__ import annotations

import pytest

from parley.domain import rooms
from parley.errors import BadRequest

NOW = "2030-01-01T00:00:00Z"


def test_rooms_new_room_is_a_meta_item_and_the_owners_membership() -> None:
    meta, owner = rooms.new_room({"name": "Book club"}, "r1", "u-1", NOW)
    assert meta == {
        "PK": "ROOM#r1",
        "SK": "META",
        "id": "r1",
        "name": "Book club",
        "description": "",
        "public": False,
        "owner_id": "u-1",
        "member_count": 1,
        "created_at": NOW,
    }
    assert owner == {
        "PK": "ROOM#r1",
        "SK": "MEMBER#u-1",
        "GSI1PK": "USER#u-1",
        "GSI1SK": "ROOM#r1",
        "room_id": "r1",
        "user_id": "u-1",
        "room_name": "Book club",
        "role": "owner",
        "joined_at": NOW,
    }


def test_rooms_new_room_keeps_a_given_description_and_visibility() -> None:
    meta, _ = rooms.new_room({"name": "n", "description": "d", "public": True}, "r1", "u-1", NOW)
    assert (meta["description"], meta["public"]) == ("d", True)


def test_rooms_new_room_refuses_a_nameless_room() -> None:
    with pytest.raises(BadRequest, match=r"^name is required$"):
        rooms.new_room({}, "r1", "u-1", NOW)


def test_rooms_views_hide_keys_and_private_fields() -> None:
    meta, member = rooms.new_room({"name": "n", "public": True}, "r1", "u-1", NOW)
    assert "owner_id" in rooms.room_view(meta) and "PK" not in rooms.room_view(meta)
    assert rooms.public_room_view(meta) == {
        "id": "r1",
        "name": "n",
        "description": "",
        "member_count": 1,
        "created_at": NOW,
    }
    assert rooms.member_view(member) == {"room_id": "r1", "user_id": "u-1", "role": "owner", "joined_at": NOW}
    assert rooms.my_room_view(member) == {"id": "r1", "name": "n", "role": "owner", "joined_at": NOW}
    assert rooms.my_room_view({"room_id": "r2"}) == {"id": "r2", "name": "", "role": "member", "joined_at": None}
    # A message stored before types and attachments existed reads back as plain text.
    assert rooms.message_view({"PK": "ROOM#r1", "SK": "MSG#1", "text": "hi"}) == {
        "text": "hi",
        "type": "text",
        "attachments": [],
    }
