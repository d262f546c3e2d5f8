"""The connections repository: live WebSocket connections, and what removing one takes with it.

A connection is ``CONN#{id}`` / ``META`` (indexed ``USER#{user}`` / ``CONN#{id}``)
holding the sets of rooms and relays it joined, so dropping it removes exactly
its room presence and relay peer slots without a scan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from parley.adapters.relays import Relays
from parley.adapters.table import GSI1, ConditionFailed, Delete, Item, Put, Table, Update, exists, key
from parley.domain import keys
from parley.errors import Conflict

CONNECTION_TTL_SECONDS = keys.DAY_SECONDS


@dataclass(frozen=True)
class Dropped:
    """What a removed connection left: its user, and the rooms and relays it was in."""

    user_id: str
    rooms: frozenset[str]
    relays: frozenset[str]


class Connections:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, connection_id: str, user_id: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        item = {
            "PK": keys.conn(connection_id),
            "SK": keys.META,
            "GSI1PK": keys.user(user_id),
            "GSI1SK": keys.conn(connection_id),
            "connection_id": connection_id,
            "user_id": user_id,
            "connected_at": int(now),
            "TTL": keys.ttl_in(CONNECTION_TTL_SECONDS, now),
        }
        self.table.write(Put(item))

    def get(self, connection_id: str) -> Item | None:
        return self.table.get(keys.conn(connection_id), keys.META, consistent=False)

    def of_user(self, user_id: str) -> list[str]:
        """Live connection ids of a user (GSI1)."""
        items = self.table.query_all(keys.user(user_id), prefix=keys.CONN_PREFIX, index=GSI1)
        return [keys.strip(str(item["GSI1SK"])) for item in items]

    def leave_room(self, connection_id: str, room_id: str) -> None:
        """Remove the connection's presence in a room; Conflict ``not_joined`` when it had none."""
        try:
            self.table.transact(
                [
                    Delete(key(keys.room(room_id), keys.presence(connection_id)), exists()),
                    Update(key(keys.conn(connection_id), keys.META), discard={"rooms": {room_id}}, condition=exists()),
                ]
            )
        except ConditionFailed:
            raise Conflict("this connection has not joined the room", code="not_joined") from None

    def drop(self, connection_id: str) -> Dropped | None:
        """Remove a connection, its room presence and its relay peer slots; None if unknown."""
        item = self.get(connection_id)
        if item is None:
            return None
        rooms = frozenset(item.get("rooms", set()))
        relays = frozenset(item.get("relays", set()))
        self.table.batch_write(deletes=[key(keys.room(room_id), keys.presence(connection_id)) for room_id in rooms])
        for relay_id in relays:
            Relays(self.table).leave(relay_id, connection_id)
        self.table.write(Delete(key(keys.conn(connection_id), keys.META)))
        return Dropped(user_id=str(item.get("user_id", "")), rooms=rooms, relays=relays)
