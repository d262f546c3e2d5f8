"""Rooms and membership: the items a room is made of, and what callers may see."""

from __future__ import annotations

from typing import Any

from parley.domain import keys
from parley.domain.validation import USER_ID, Field, public_item, validate

ROOM_FIELDS = {
    "name": Field(str, min_length=1, max_length=80),
    "description": Field(str, required=False, max_length=500),
    "public": Field(bool, required=False),
}
MEMBER_FIELDS = {"user_id": Field(str, pattern=USER_ID)}

OWNER = "owner"
MEMBER = "member"


def new_room(body: dict[str, Any], room_id: str, owner_id: str, now_iso: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The room's META item and its owner's membership item, written together."""
    fields = validate(body, ROOM_FIELDS)
    meta = {
        "PK": keys.room(room_id),
        "SK": keys.META,
        "id": room_id,
        "name": fields["name"],
        "description": fields.get("description", ""),
        "public": fields.get("public", False),
        "owner_id": owner_id,
        "member_count": 1,
        "created_at": now_iso,
    }
    return meta, membership(room_id, owner_id, fields["name"], OWNER, now_iso)


def membership(room_id: str, user_id: str, room_name: str, role: str, now_iso: str) -> dict[str, Any]:
    return {
        "PK": keys.room(room_id),
        "SK": keys.member(user_id),
        "GSI1PK": keys.user(user_id),
        "GSI1SK": keys.room(room_id),
        "room_id": room_id,
        "user_id": user_id,
        "room_name": room_name,
        "role": role,
        "joined_at": now_iso,
    }


def room_view(meta: dict[str, Any]) -> dict[str, Any]:
    return public_item(meta)


def public_room_view(meta: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of a public room: no owner or member ids."""
    return public_item(meta, hide=frozenset({"owner_id", "public"}))


def member_view(item: dict[str, Any]) -> dict[str, Any]:
    return public_item(item, hide=frozenset({"room_name"}))


def my_room_view(item: dict[str, Any]) -> dict[str, Any]:
    """A membership item as an entry of the caller's room list."""
    return {
        "id": item["room_id"],
        "name": item.get("room_name", ""),
        "role": item.get("role", MEMBER),
        "joined_at": item.get("joined_at"),
    }


def message_view(item: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the history shows it; one stored before messages had types is a text message."""
    return {"type": "text", "attachments": [], **public_item(item)}
