"""DynamoDB access for the real-time features: connections, room presence, messages, relays.

Every read is a key or GSI1 query (no scan). Writes that must go together are
transactions with conditions, so a refused action leaves no partial state.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import keys
from parley.domain.realtime import new_pairing_code
from parley.errors import Conflict, Forbidden, NotFound

CONNECTION_TTL_SECONDS = keys.DAY_SECONDS
RELAY_TTL_SECONDS = keys.DAY_SECONDS
MAX_RELAY_PEERS = 2


def _cancellation_codes(exc: ClientError) -> list[str]:
    """Per-item reasons of a cancelled transaction ('ConditionalCheckFailed', 'None', ...)."""
    return [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]


def _is_cancelled(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == "TransactionCanceledException")


@dataclass(frozen=True)
class Dropped:
    """What a removed connection left: its user, and the rooms and relays it was in."""

    user_id: str
    rooms: frozenset[str]
    relays: frozenset[str]


class RealtimeStore:
    """Items of the single table used by the WebSocket functions."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.table = aws.table(table_name)

    @property
    def _client(self) -> Any:
        """The low-level client (typed attribute values), for transactions."""
        return aws.client("dynamodb")

    def _query(self, pk: str, sk_prefix: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(sk_prefix)}
        while True:
            page = self.table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # Connections -------------------------------------------------------------

    def put_connection(self, connection_id: str, user_id: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.table.put_item(
            Item={
                "PK": keys.conn(connection_id),
                "SK": keys.META,
                "GSI1PK": keys.user(user_id),
                "GSI1SK": keys.conn(connection_id),
                "connection_id": connection_id,
                "user_id": user_id,
                "connected_at": int(now),
                "TTL": keys.ttl_in(CONNECTION_TTL_SECONDS, now),
            }
        )

    def get_connection(self, connection_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.table.get_item(Key={"PK": keys.conn(connection_id), "SK": keys.META}).get(
            "Item"
        )
        return item

    def user_connections(self, user_id: str) -> list[str]:
        """Live connection ids of a user (GSI1)."""
        kwargs: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": Key("GSI1PK").eq(keys.user(user_id))
            & Key("GSI1SK").begins_with(keys.CONN_PREFIX),
        }
        found: list[str] = []
        while True:
            page = self.table.query(**kwargs)
            found += [keys.strip(item["GSI1SK"]) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def drop_connection(self, connection_id: str) -> Dropped | None:
        """Remove a connection, its room presence and its relay peer slots; None if unknown."""
        item = self.get_connection(connection_id)
        if item is None:
            return None
        rooms = frozenset(item.get("rooms", set()))
        relays = frozenset(item.get("relays", set()))
        for room_id in rooms:
            self.table.delete_item(Key={"PK": keys.room(room_id), "SK": keys.presence(connection_id)})
        for relay_id in relays:
            self._leave_relay(relay_id, connection_id)
        self.table.delete_item(Key={"PK": keys.conn(connection_id), "SK": keys.META})
        return Dropped(user_id=str(item.get("user_id", "")), rooms=rooms, relays=relays)

    # Rooms -------------------------------------------------------------------

    def is_member(self, room_id: str, user_id: str) -> bool:
        key = {"PK": keys.room(room_id), "SK": keys.member(user_id)}
        return "Item" in self.table.get_item(Key=key, ProjectionExpression="PK")

    def is_present(self, room_id: str, connection_id: str) -> bool:
        key = {"PK": keys.room(room_id), "SK": keys.presence(connection_id)}
        return "Item" in self.table.get_item(Key=key, ProjectionExpression="PK")

    def join_room(self, room_id: str, connection_id: str, user_id: str, now: float | None = None) -> None:
        """Record live presence; the room membership and the connection must exist."""
        now = time.time() if now is None else now
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.room(room_id)}, "SK": {"S": keys.member(user_id)}},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {
                                "PK": {"S": keys.room(room_id)},
                                "SK": {"S": keys.presence(connection_id)},
                                "user_id": {"S": user_id},
                                "joined_at": {"N": str(int(now))},
                                "TTL": {"N": str(keys.ttl_in(CONNECTION_TTL_SECONDS, now))},
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.conn(connection_id)}, "SK": {"S": keys.META}},
                            "UpdateExpression": "ADD rooms :room",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":room": {"SS": [room_id]}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if not _is_cancelled(exc):
                raise
            codes = _cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise Forbidden("you are not a member of this room", code="not_a_member") from None
            raise NotFound("this connection is not registered", code="unknown_connection") from None

    def leave_room(self, room_id: str, connection_id: str) -> None:
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.room(room_id)}, "SK": {"S": keys.presence(connection_id)}},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.conn(connection_id)}, "SK": {"S": keys.META}},
                            "UpdateExpression": "DELETE rooms :room",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":room": {"SS": [room_id]}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if not _is_cancelled(exc):
                raise
            raise Conflict("this connection has not joined the room", code="not_joined") from None

    def room_connections(self, room_id: str) -> list[str]:
        """Live connection ids in a room: one key query, never a scan."""
        return [keys.strip(item["SK"]) for item in self._query(keys.room(room_id), keys.CONN_PREFIX)]

    def put_message(
        self, room_id: str, user_id: str, text: str, now: float | None = None, ttl_days: int = 0
    ) -> dict[str, Any]:
        """Persist a chat message as the message history stores it; the message as delivered."""
        now = time.time() if now is None else now
        ts_ms = int(now * 1000)
        message_id = uuid.uuid4().hex
        item: dict[str, Any] = {
            "PK": keys.room(room_id),
            "SK": keys.message(ts_ms, message_id),
            "message_id": message_id,
            "room_id": room_id,
            "sender_id": user_id,
            "text": text,
            "created_at": ts_ms,
        }
        if ttl_days > 0:
            item["TTL"] = keys.ttl_in(ttl_days * keys.DAY_SECONDS, now)
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")
        return {"id": message_id, "room": room_id, "sender": user_id, "text": text, "ts": ts_ms}

    # Relays ------------------------------------------------------------------

    def open_relay(self, connection_id: str, user_id: str, now: float | None = None) -> tuple[str, str, int]:
        """A new relay session with this connection as its first peer: (relay id, pairing code, expiry)."""
        now = time.time() if now is None else now
        expires = keys.ttl_in(RELAY_TTL_SECONDS, now)
        for _ in range(5):  # a code collision is rare; try a fresh code
            relay_id, code = secrets.token_hex(12), new_pairing_code()
            try:
                self._client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": {
                                    "PK": {"S": keys.relay(relay_id)},
                                    "SK": {"S": keys.META},
                                    "GSI1PK": {"S": keys.user(user_id)},
                                    "GSI1SK": {"S": keys.relay(relay_id)},
                                    "relay_id": {"S": relay_id},
                                    "code": {"S": code},
                                    "owner_id": {"S": user_id},
                                    "peer_count": {"N": "1"},
                                    "created_at": {"N": str(int(now))},
                                    "TTL": {"N": str(expires)},
                                },
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": {
                                    "PK": {"S": keys.relay_code(code)},
                                    "SK": {"S": keys.META},
                                    "relay_id": {"S": relay_id},
                                    "TTL": {"N": str(expires)},
                                },
                                "ConditionExpression": "attribute_not_exists(PK) OR #ttl < :now",
                                "ExpressionAttributeNames": {"#ttl": "TTL"},
                                "ExpressionAttributeValues": {":now": {"N": str(int(now))}},
                            }
                        },
                        self._peer_put(relay_id, connection_id, user_id, now, expires),
                        self._connection_add("relays", relay_id, connection_id),
                    ]
                )
            except ClientError as exc:
                if not _is_cancelled(exc):
                    raise
                codes = _cancellation_codes(exc)
                if len(codes) > 3 and codes[3] == "ConditionalCheckFailed":
                    raise NotFound("this connection is not registered", code="unknown_connection") from None
                continue
            return relay_id, code, expires
        raise Conflict("no free pairing code, try again", code="try_again")

    def relay_by_code(self, code: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        item = self.table.get_item(Key={"PK": keys.relay_code(code), "SK": keys.META}).get("Item")
        if item is None or int(item.get("TTL", 0)) < now:
            raise NotFound("no relay with this code", code="relay_not_found")
        return str(item["relay_id"])

    def join_relay(self, relay_id: str, connection_id: str, user_id: str, now: float | None = None) -> None:
        """Add this connection as a peer; at most two live peers per relay."""
        now = time.time() if now is None else now
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.relay(relay_id)}, "SK": {"S": keys.META}},
                            "UpdateExpression": "SET peer_count = peer_count + :one",
                            "ConditionExpression": "attribute_exists(PK) AND #ttl >= :now AND peer_count < :max",
                            "ExpressionAttributeNames": {"#ttl": "TTL"},
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"},
                                ":now": {"N": str(int(now))},
                                ":max": {"N": str(MAX_RELAY_PEERS)},
                            },
                        }
                    },
                    self._peer_put(relay_id, connection_id, user_id, now, keys.ttl_in(RELAY_TTL_SECONDS, now)),
                    self._connection_add("relays", relay_id, connection_id),
                ]
            )
        except ClientError as exc:
            if not _is_cancelled(exc):
                raise
            codes = _cancellation_codes(exc)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise Conflict("this connection already joined the relay", code="already_joined") from None
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                raise NotFound("this connection is not registered", code="unknown_connection") from None
            raise Conflict("the relay already has two peers", code="relay_full") from None

    def relay_peers(self, relay_id: str) -> list[str]:
        return [keys.strip(item["SK"]) for item in self._query(keys.relay(relay_id), keys.PEER_PREFIX)]

    def cache_relay_data(
        self, relay_id: str, sender: str, data: str, ttl_seconds: int, now: float | None = None
    ) -> str:
        """Keep an undelivered payload (still ciphertext) for a late peer; its sort key."""
        now = time.time() if now is None else now
        sort_key = keys.relay_data(int(now * 1000), uuid.uuid4().hex)
        self.table.put_item(
            Item={
                "PK": keys.relay(relay_id),
                "SK": sort_key,
                "sender": sender,
                "data": data,
                "TTL": keys.ttl_in(ttl_seconds, now),
            }
        )
        return sort_key

    def cached_relay_data(self, relay_id: str, now: float | None = None) -> list[dict[str, Any]]:
        """Cached payloads, oldest first, leaving out expired ones TTL has not removed yet."""
        now = time.time() if now is None else now
        return [item for item in self._query(keys.relay(relay_id), keys.DATA_PREFIX) if int(item.get("TTL", 0)) >= now]

    def delete_relay_data(self, relay_id: str, sort_key: str) -> None:
        self.table.delete_item(Key={"PK": keys.relay(relay_id), "SK": sort_key})

    def _leave_relay(self, relay_id: str, connection_id: str) -> None:
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.relay(relay_id)}, "SK": {"S": keys.relay_peer(connection_id)}},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"PK": {"S": keys.relay(relay_id)}, "SK": {"S": keys.META}},
                            "UpdateExpression": "SET peer_count = peer_count - :one",
                            "ConditionExpression": "attribute_exists(PK) AND peer_count > :zero",
                            "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if not _is_cancelled(exc):
                raise
            # Already left (or the relay expired): nothing to undo.

    def _peer_put(self, relay_id: str, connection_id: str, user_id: str, now: float, expires: int) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    "PK": {"S": keys.relay(relay_id)},
                    "SK": {"S": keys.relay_peer(connection_id)},
                    "user_id": {"S": user_id},
                    "joined_at": {"N": str(int(now))},
                    "TTL": {"N": str(expires)},
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _connection_add(self, attribute: str, value: str, connection_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": {"PK": {"S": keys.conn(connection_id)}, "SK": {"S": keys.META}},
                "UpdateExpression": "ADD #set :value",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#set": attribute},
                "ExpressionAttributeValues": {":value": {"SS": [value]}},
            }
        }
