"""Public read-only view of rooms their owners marked public (no sign-in)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from parley.adapters.store import Store
from parley.domain import keys, rooms
from parley.domain.validation import path_id
from parley.errors import NotFound
from parley.settings import BaseSettings, load

RECENT_MESSAGES = 20

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


@router.get("/public/rooms/<room_id>")
def public_room(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    db = Store(load(BaseSettings).table_name)
    meta = db.get(keys.room(room_id), keys.META)
    # A private room and a missing one look the same.
    if meta is None or meta.get("public") is not True:
        raise NotFound("no such room")
    messages, _ = db.query(keys.room(room_id), "MSG#", limit=RECENT_MESSAGES, newest_first=True)
    return {**rooms.public_room_view(meta), "recent_messages": [rooms.message_view(m) for m in messages]}
