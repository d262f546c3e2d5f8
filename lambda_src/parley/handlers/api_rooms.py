"""api routes of the rooms area: rooms, members and message history."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.event_handler import Response

from parley.adapters import files as s3files
from parley.adapters.rooms import Rooms
from parley.adapters.users import Users
from parley.domain import clock, keys, rooms
from parley.domain.validation import path_id, validate
from parley.errors import NotFound
from parley.handlers.api_common import settings, table
from parley.handlers.http import caller_id, json_body, new_router, page, page_request

router = new_router()
MEMBERS_SHOWN = 100


def membership_of(store: Rooms, room_id: str, user_id: str) -> dict[str, Any]:
    """The caller's membership; a room they are not in does not exist for them."""
    item = store.membership(room_id, user_id)
    if item is None:
        raise NotFound("no such room")
    return item


@router.post("/rooms")
def create_room() -> tuple[dict[str, Any], int]:
    user_id = caller_id(router)
    meta, owner = rooms.new_room(json_body(router), uuid.uuid4().hex, user_id, clock.now_iso())
    Rooms(table()).create(meta, owner)
    return rooms.room_view(meta), 201


@router.get("/rooms")
def list_rooms() -> dict[str, Any]:
    user_id = caller_id(router)
    limit, start = page_request(router, ("GSI1PK", keys.user(user_id)), keys.ROOM_PREFIX)
    items, last = Rooms(table()).of_user(user_id, limit, start)
    return page([rooms.my_room_view(i) for i in items], last)


@router.get("/rooms/<room_id>")
def get_room(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    store = Rooms(table())
    membership_of(store, room_id, caller_id(router))
    meta = store.meta(room_id)
    if meta is None:
        raise NotFound("no such room")
    members = store.members(room_id, MEMBERS_SHOWN)
    return {**rooms.room_view(meta), "members": [rooms.member_view(m) for m in members]}


@router.post("/rooms/<room_id>/members")
def add_member(room_id: str) -> tuple[dict[str, Any], int]:
    user_id = caller_id(router)
    room_id = path_id(room_id, "room")
    store = Rooms(table())
    mine = membership_of(store, room_id, user_id)
    target = validate(json_body(router), rooms.MEMBER_FIELDS)["user_id"]
    if Users(store.table).profile(target) is None:
        raise NotFound("no such user")
    member = rooms.membership(room_id, target, mine.get("room_name", ""), rooms.MEMBER, clock.now_iso())
    store.add_member(member, added_by=user_id)
    return rooms.member_view(member), 201


@router.delete("/rooms/<room_id>/members/me")
def leave_room(room_id: str) -> Response[Any]:
    user_id = caller_id(router)
    Rooms(table()).remove_member(path_id(room_id, "room"), user_id)
    return Response(status_code=204)


@router.get("/rooms/<room_id>/messages")
def room_messages(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    store = Rooms(table())
    membership_of(store, room_id, caller_id(router))
    limit, start = page_request(router, ("PK", keys.room(room_id)), keys.MESSAGE_PREFIX)
    items, last = store.messages(room_id, limit, start)
    return page([readable_message(rooms.message_view(i)) for i in items], last)


def readable_message(message: dict[str, Any]) -> dict[str, Any]:
    """A history message for a member: its attachments carry their read URLs (the public view has none)."""
    sender = str(message.get("sender_id", ""))
    return {**message, "attachments": s3files.with_read_urls(settings().uploads_bucket, sender, message["attachments"])}
