"""Public read-only view of rooms their owners marked public (no sign-in)."""

from __future__ import annotations

from typing import Any

from parley.adapters.rooms import Rooms
from parley.adapters.table import Table
from parley.domain import rooms
from parley.domain.validation import path_id
from parley.errors import NotFound
from parley.handlers.http import new_router
from parley.settings import BaseSettings, load

RECENT_MESSAGES = 20

router = new_router()


@router.get("/public/rooms/<room_id>")
def public_room(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    store = Rooms(Table(load(BaseSettings).table_name))
    meta = store.meta(room_id)
    # A private room and a missing one look the same.
    if meta is None or meta.get("public") is not True:
        raise NotFound("no such room")
    messages, _ = store.messages(room_id, RECENT_MESSAGES)
    return {**rooms.public_room_view(meta), "recent_messages": [rooms.message_view(m) for m in messages]}
