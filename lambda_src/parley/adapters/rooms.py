"""The rooms repository: rooms, memberships, message history and live presence.

A room is ``ROOM#{id}`` / ``META``; its memberships ``MEMBER#{user}`` (indexed
``USER#{user}`` / ``ROOM#{id}``), its messages ``MSG#{ts}#{id}`` and the live
presence of WebSocket connections ``CONN#{conn}`` share its partition.
Membership changes are transactions that keep ``member_count`` exact; leaving
also ends the user's live presence, so a member who left receives nothing more.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from parley.adapters.connections import CONNECTION_TTL_SECONDS, Connections
from parley.adapters.table import (
    GSI1,
    Check,
    ConditionFailed,
    Delete,
    Item,
    Put,
    Table,
    Update,
    absent,
    exists,
    key,
)
from parley.domain import keys
from parley.domain.pagination import Page
from parley.domain.realtime import unknown_connection
from parley.errors import Conflict, Forbidden, NotFound

# Reading memberships: a read unit covers 4 KB of a query but one item of a batch read; a membership item
# (domain/rooms.py) is at most about 400 bytes. Below MEMBER_QUERY_FROM users the batch read is always cheap.
READ_UNIT_BYTES = 4096
MEMBER_ITEM_BYTES = 400
MEMBER_QUERY_FROM = 16


def _no_room() -> NotFound:
    return NotFound("no such room")


class Rooms:
    def __init__(self, table: Table) -> None:
        self.table = table

    # --- rooms and memberships -------------------------------------------------

    def create(self, meta: Item, owner: Item) -> None:
        """Write a new room and its owner's membership together."""
        try:
            self.table.transact([Put(meta, absent()), Put(owner, absent())])
        except ConditionFailed:
            raise Conflict("room id collision; try again") from None

    def meta(self, room_id: str) -> Item | None:
        return self.table.get(keys.room(room_id), keys.META)

    def membership(self, room_id: str, user_id: str) -> Item | None:
        return self.table.get(keys.room(room_id), keys.member(user_id))

    def members(self, room_id: str, limit: int) -> list[Item]:
        items, _ = self.table.query(keys.room(room_id), prefix=keys.MEMBER_PREFIX, limit=limit)
        return items

    def of_user(self, user_id: str, limit: int, start: Item | None) -> Page:
        """One page of the user's memberships (GSI1 ``USER#{user}`` / ``ROOM#{id}``)."""
        return self.table.query(keys.user(user_id), prefix=keys.ROOM_PREFIX, index=GSI1, limit=limit, start=start)

    def add_member(self, member: Item, added_by: str) -> None:
        """Add a membership if ``added_by`` is a member of the room; Conflict when already there."""
        room_id = str(member["room_id"])
        try:
            self.table.transact(
                [
                    Put(member, absent()),
                    Update(key(keys.room(room_id), keys.META), add={"member_count": 1}, condition=exists()),
                    Check(key(keys.room(room_id), keys.member(added_by)), exists()),
                ]
            )
        except ConditionFailed as refused:
            if refused.index == 0:
                raise Conflict("already a member") from None
            raise _no_room() from None

    def remove_member(self, room_id: str, user_id: str) -> None:
        """End a membership, then the user's live presence in the room; NotFound when not a member."""
        try:
            self.table.transact(
                [
                    Delete(key(keys.room(room_id), keys.member(user_id)), exists()),
                    Update(key(keys.room(room_id), keys.META), add={"member_count": -1}, condition=exists()),
                ]
            )
        except ConditionFailed:
            raise _no_room() from None
        connections = Connections(self.table)
        for connection_id in connections.of_user(user_id):
            try:
                connections.leave_room(connection_id, room_id)
            except Conflict:
                continue  # that connection was not in the room

    # --- messages ----------------------------------------------------------------

    def messages(self, room_id: str, limit: int, start: Item | None = None) -> Page:
        """One page of the room's history, newest first."""
        return self.table.query(
            keys.room(room_id), prefix=keys.MESSAGE_PREFIX, limit=limit, start=start, newest_first=True
        )

    def add_message(
        self,
        room_id: str,
        user_id: str,
        text: str,
        now: float | None = None,
        ttl_days: int = 0,
        *,
        kind: str = "text",
        attachments: Sequence[dict[str, Any]] = (),
    ) -> dict[str, object]:
        """Persist a chat message as the history stores it (indexed by sender for the export); the message as
        delivered."""
        now = time.time() if now is None else now
        ts_ms = int(now * 1000)
        message_id = uuid.uuid4().hex
        sort_key = keys.message(ts_ms, message_id)
        item: Item = {
            "PK": keys.room(room_id),
            "SK": sort_key,
            "GSI1PK": keys.user(user_id),
            "GSI1SK": sort_key,
            "message_id": message_id,
            "room_id": room_id,
            "sender_id": user_id,
            "type": kind,
            "text": text,
            "attachments": list(attachments),
            "created_at": ts_ms,
        }
        if ttl_days > 0:
            item["TTL"] = keys.ttl_in(ttl_days * keys.DAY_SECONDS, now)
        self.table.write(Put(item, absent()))
        # In a frame "type" names the frame, so the message's own type travels as message_type.
        return {
            "id": message_id,
            "room": room_id,
            "sender": user_id,
            "message_type": kind,
            "text": text,
            "attachments": list(attachments),
            "ts": ts_ms,
        }

    # --- live presence -------------------------------------------------------------

    def join(self, room_id: str, connection_id: str, user_id: str, now: float | None = None) -> None:
        """Record live presence; the room membership and the connection must exist."""
        now = time.time() if now is None else now
        presence = {
            "PK": keys.room(room_id),
            "SK": keys.presence(connection_id),
            "user_id": user_id,
            "joined_at": int(now),
            "TTL": keys.ttl_in(CONNECTION_TTL_SECONDS, now),
        }
        try:
            self.table.transact(
                [
                    Check(key(keys.room(room_id), keys.member(user_id)), exists()),
                    Put(presence),
                    Update(key(keys.conn(connection_id), keys.META), add={"rooms": {room_id}}, condition=exists()),
                ]
            )
        except ConditionFailed as refused:
            if refused.index == 0:
                raise Forbidden("you are not a member of this room", code="not_a_member") from None
            raise unknown_connection() from None

    def is_member(self, room_id: str, user_id: str) -> bool:
        return self.membership(room_id, user_id) is not None

    def standing(self, room_id: str, connection_id: str, user_id: str) -> tuple[bool, bool]:
        """(the connection is present in the room, the user is a member), read in one batch request."""
        presence, member = keys.presence(connection_id), keys.member(user_id)
        found = {
            str(item["SK"])
            for item in self.table.batch_get([key(keys.room(room_id), presence), key(keys.room(room_id), member)])
        }
        return presence in found, member in found

    def audience(self, room_id: str) -> list[str]:
        """The room's live connections whose users are still members (see ``presence``)."""
        return list(self.presence(room_id))

    def presence(self, room_id: str) -> dict[str, str]:
        """Connection id -> user id of the room's live connections whose users are still members.

        One key query over the presence and one membership read (``_members_among``).
        Presence left behind by a user who is no longer a member is removed here, so it
        can never receive the room's frames.
        """
        presence = list(self.table.query_all(keys.room(room_id), prefix=keys.CONN_PREFIX))
        users = {str(item.get("user_id", "")) for item in presence}
        current = self._members_among(room_id, users)
        stale = [item for item in presence if item.get("user_id") not in current]
        if stale:
            self.table.batch_write(deletes=stale)
        return {
            keys.strip(str(item["SK"])): str(item["user_id"]) for item in presence if item.get("user_id") in current
        }

    def _members_among(self, room_id: str, users: set[str]) -> set[str]:
        """Which of ``users`` are members of the room, read strongly consistent in the cheaper of two ways.

        A batch read costs one read unit per user, however small the item; a key query over the room's
        memberships costs one unit per 4 KB read. Every send reads this (docs/scale.md, "Presence and
        messages"), so for a big audience the room's ``member_count`` picks the query when it reads less.
        """
        if len(users) >= MEMBER_QUERY_FROM:
            meta = self.meta(room_id) or {}
            if int(meta.get("member_count", 0)) * MEMBER_ITEM_BYTES < len(users) * READ_UNIT_BYTES:
                items = self.table.query_all(keys.room(room_id), prefix=keys.MEMBER_PREFIX, consistent=True)
                return {str(item.get("user_id", "")) for item in items} & users
        members = self.table.batch_get(key(keys.room(room_id), keys.member(user)) for user in users)
        return {str(item["SK"]).removeprefix(keys.MEMBER_PREFIX) for item in members}
