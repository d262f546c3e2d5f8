"""The public room view on api_public."""

from __future__ import annotations

from typing import Any

from parley.domain import keys
from parley.handlers import api_public
from tests.unit.conftest import http_event, response_json


def put_room(table: Any, room_id: str, *, public: bool) -> None:
    table.put_item(
        Item={
            "PK": keys.room(room_id),
            "SK": keys.META,
            "id": room_id,
            "name": "Lobby",
            "public": public,
            "owner_id": "alice",
        }
    )
    table.put_item(
        Item={"PK": keys.room(room_id), "SK": keys.message(1_700_000_000_000, "m1"), "id": "m1", "text": "hi"}
    )


def get(path: str, lambda_context: Any) -> tuple[int, Any]:
    response = api_public.handler(http_event("GET", path), lambda_context)
    return response["statusCode"], response_json(response)


def test_public_room_shows_a_public_room_without_owner(table: Any, lambda_context: Any) -> None:
    put_room(table, "r1", public=True)
    status, body = get("/public/rooms/r1", lambda_context)
    assert status == 200 and body["name"] == "Lobby"
    assert "owner_id" not in body and "PK" not in body
    assert [m["text"] for m in body["recent_messages"]] == ["hi"]


def test_public_room_hides_private_and_missing_rooms_alike(table: Any, lambda_context: Any) -> None:
    put_room(table, "r2", public=False)
    private = get("/public/rooms/r2", lambda_context)
    missing = get("/public/rooms/nope", lambda_context)
    assert private == missing and private[0] == 404
    assert get("/public/rooms/%2E%2E", lambda_context)[0] == 404
