"""The relays repository: relay sessions, their pairing codes, peers and the payloads cached for a late peer.

A relay is ``RELAY#{id}`` / ``META`` with one ``PEER#{conn}`` item per live
peer and one ``DATA#...`` item per cached payload; ``RELAYCODE#{code}`` /
``META`` finds it by its pairing code. Joining and leaving are transactions
that keep ``peer_count`` and the connection's ``relays`` set in step.
"""

from __future__ import annotations

import secrets
import time
import uuid

from parley.adapters.table import (
    ConditionFailed,
    Delete,
    Increment,
    Item,
    Put,
    Table,
    TransactionConflict,
    Update,
    absent,
    exists,
    ge,
    gt,
    key,
    lt,
)
from parley.domain import keys
from parley.domain.realtime import new_pairing_code, unknown_connection
from parley.errors import Conflict, NotFound

RELAY_TTL_SECONDS = keys.DAY_SECONDS
MAX_RELAY_PEERS = 2
CODE_ATTEMPTS = 5


class Relays:
    def __init__(self, table: Table) -> None:
        self.table = table

    def _peer(self, relay_id: str, connection_id: str, user_id: str, now: float, expires: int) -> Put:
        item = {
            "PK": keys.relay(relay_id),
            "SK": keys.relay_peer(connection_id),
            "user_id": user_id,
            "joined_at": int(now),
            "TTL": expires,
        }
        return Put(item, absent())

    @staticmethod
    def _in_connection(relay_id: str, connection_id: str) -> Update:
        return Update(key(keys.conn(connection_id), keys.META), add={"relays": {relay_id}}, condition=exists())

    def open(self, connection_id: str, user_id: str, now: float | None = None) -> tuple[str, str, int]:
        """A new relay session with this connection as its first peer: (relay id, pairing code, expiry)."""
        now = time.time() if now is None else now
        expires = keys.ttl_in(RELAY_TTL_SECONDS, now)
        for _ in range(CODE_ATTEMPTS):  # a code collision is rare; try a fresh code
            relay_id, code = secrets.token_hex(12), new_pairing_code()
            meta = {
                "PK": keys.relay(relay_id),
                "SK": keys.META,
                "GSI1PK": keys.user(user_id),
                "GSI1SK": keys.relay(relay_id),
                "relay_id": relay_id,
                "code": code,
                "owner_id": user_id,
                "peer_count": 1,
                "created_at": int(now),
                "TTL": expires,
            }
            code_item = {"PK": keys.relay_code(code), "SK": keys.META, "relay_id": relay_id, "TTL": expires}
            try:
                self.table.transact(
                    [
                        Put(meta, absent()),
                        Put(code_item, absent() | lt("TTL", int(now))),  # an expired code may be reused
                        self._peer(relay_id, connection_id, user_id, now, expires),
                        self._in_connection(relay_id, connection_id),
                    ]
                )
            except ConditionFailed as refused:
                if refused.failed(3):
                    raise unknown_connection() from None
                continue
            except TransactionConflict:
                continue
            return relay_id, code, expires
        raise Conflict("no free pairing code, try again", code="try_again")

    def by_code(self, code: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        item = self.table.get(keys.relay_code(code), keys.META, consistent=False)
        if item is None or int(item.get("TTL", 0)) < now:
            raise NotFound("no relay with this code", code="relay_not_found")
        return str(item["relay_id"])

    def join(self, relay_id: str, connection_id: str, user_id: str, now: float | None = None) -> None:
        """Add this connection as a peer; at most two live peers per relay."""
        now = time.time() if now is None else now
        try:
            self.table.transact(
                [
                    Update(
                        key(keys.relay(relay_id), keys.META),
                        set={"peer_count": Increment(1)},
                        condition=exists() & ge("TTL", int(now)) & lt("peer_count", MAX_RELAY_PEERS),
                    ),
                    self._peer(relay_id, connection_id, user_id, now, keys.ttl_in(RELAY_TTL_SECONDS, now)),
                    self._in_connection(relay_id, connection_id),
                ]
            )
        except ConditionFailed as refused:
            if refused.failed(1):
                raise Conflict("this connection already joined the relay", code="already_joined") from None
            if refused.failed(2):
                raise unknown_connection() from None
            raise Conflict("the relay already has two peers", code="relay_full") from None

    def leave(self, relay_id: str, connection_id: str) -> None:
        """Free the connection's peer slot; nothing to undo when it already left or the relay expired."""
        try:
            self.table.transact(
                [
                    Delete(key(keys.relay(relay_id), keys.relay_peer(connection_id)), exists()),
                    Update(
                        key(keys.relay(relay_id), keys.META),
                        set={"peer_count": Increment(-1)},
                        condition=exists() & gt("peer_count", 0),
                    ),
                ]
            )
        except ConditionFailed:
            return

    def peers(self, relay_id: str) -> list[str]:
        items = self.table.query_all(keys.relay(relay_id), prefix=keys.PEER_PREFIX)
        return [keys.strip(str(item["SK"])) for item in items]

    def cache(self, relay_id: str, sender: str, data: str, ttl_seconds: int, now: float | None = None) -> str:
        """Keep an undelivered payload (still ciphertext) for a late peer; its sort key."""
        now = time.time() if now is None else now
        sort_key = keys.relay_data(int(now * 1000), uuid.uuid4().hex)
        item = {
            "PK": keys.relay(relay_id),
            "SK": sort_key,
            "sender": sender,
            "data": data,
            "TTL": keys.ttl_in(ttl_seconds, now),
        }
        self.table.write(Put(item))
        return sort_key

    def cached(self, relay_id: str, now: float | None = None) -> list[Item]:
        """Cached payloads, oldest first, leaving out expired ones TTL has not removed yet."""
        now = time.time() if now is None else now
        items = self.table.query_all(keys.relay(relay_id), prefix=keys.DATA_PREFIX)
        return [item for item in items if int(item.get("TTL", 0)) >= now]

    def forget(self, relay_id: str, sort_key: str) -> None:
        self.table.write(Delete(key(keys.relay(relay_id), sort_key)))
