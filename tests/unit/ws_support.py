"""Test doubles for the WebSocket function: events, a recording management API, seeded rooms."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from botocore.exceptions import ClientError

from parley.adapters import websocket
from parley.domain import keys
from tests.unit.conftest import load_event


class FakeManagementApi:
    """Records every frame posted per connection; some connections answer 410 or 429."""

    def __init__(self) -> None:
        self.frames: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.gone: set[str] = set()
        self.throttle_first: dict[str, int] = {}
        self.attempts: dict[str, int] = defaultdict(int)

    async def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:
        self.attempts[ConnectionId] += 1
        if ConnectionId in self.gone:
            raise ClientError(
                {"Error": {"Code": "GoneException"}, "ResponseMetadata": {"HTTPStatusCode": 410}},
                "PostToConnection",
            )
        if self.throttle_first.get(ConnectionId, 0) > 0:
            self.throttle_first[ConnectionId] -= 1
            raise ClientError(
                {"Error": {"Code": "LimitExceededException"}, "ResponseMetadata": {"HTTPStatusCode": 429}},
                "PostToConnection",
            )
        self.frames[ConnectionId].append(json.loads(Data))
        return {}

    def of_type(self, connection_id: str, frame_type: str) -> list[dict[str, Any]]:
        return [f for f in self.frames[connection_id] if f.get("type") == frame_type]

    def last(self, connection_id: str) -> dict[str, Any]:
        assert self.frames[connection_id], f"nothing was posted to {connection_id}"
        return self.frames[connection_id][-1]


def install_management(monkeypatch: pytest.MonkeyPatch) -> FakeManagementApi:
    """Route the adapter's management client to a recording fake; no backoff sleeps."""
    fake = FakeManagementApi()
    monkeypatch.setattr(websocket, "management_client", lambda endpoint: fake)
    monkeypatch.setattr(websocket, "backoff_seconds", lambda attempt: 0.0)
    return fake


def ws_event(route: str, connection_id: str, body: Any = None, *, sub: str | None = "u-alice") -> dict[str, Any]:
    """A WebSocket API event for ``route`` on ``connection_id``; ``body`` is sent as JSON unless a str."""
    event = load_event("ws_connect" if route == "$connect" else "ws_message")
    context = event["requestContext"]
    context["routeKey"] = route
    context["connectionId"] = connection_id
    context["eventType"] = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    if sub is None:
        context.pop("authorizer", None)
    else:
        context["authorizer"] = {"principalId": sub, "sub": sub, "anonymous": "false"}
    if route in {"$connect", "$disconnect"}:
        event.pop("body", None)
    elif body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def add_member(table: Any, room_id: str, user_id: str) -> None:
    table.put_item(
        Item={
            "PK": keys.room(room_id),
            "SK": keys.member(user_id),
            "GSI1PK": keys.user(user_id),
            "GSI1SK": keys.room(room_id),
        }
    )


def all_items(table: Any) -> list[dict[str, Any]]:
    """Every item (tests only: the function itself never scans)."""
    return sorted(table.scan()["Items"], key=lambda item: (item["PK"], item["SK"]))
