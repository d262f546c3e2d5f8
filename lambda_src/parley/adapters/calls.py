"""The matchmaking repository: match tickets and the pairing transaction that creates a call session.

A user holds at most one ticket (``USER#{id}`` / ``TICKET``); a waiting one is
indexed ``POOL#{pool}`` / ``WAIT#{ts}``. Pairing is one transaction per pair:
both tickets must still be the same waiting tickets, both users must have a
point left, and the session must be new, so a redelivered or concurrent batch
can never pair a user twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime

from parley.adapters.points import Points
from parley.adapters.table import (
    GSI1,
    Condition,
    ConditionFailed,
    Delete,
    Item,
    Operation,
    Put,
    Table,
    Update,
    absent,
    eq,
    exists,
    gt,
    key,
    le,
)
from parley.domain import keys
from parley.domain.clock import iso
from parley.domain.matchmaking import POINTS_PER_CALL, Ticket, TicketStatus
from parley.domain.points import spend

POOL_PAGE_SIZE = 50
MAX_POOL_PAGES = 20  # at most this many pages of tickets read (and expired ones cleaned up) per pairing round


class PutResult(enum.Enum):
    CREATED = "created"
    TAKEN = "taken"  # another live ticket holds the user's place


@dataclass(frozen=True)
class PairResult:
    paired: bool
    stale: frozenset[str] = field(default_factory=frozenset)  # ticket ids no longer waiting
    out_of_points: frozenset[str] = field(default_factory=frozenset)  # ticket ids whose user has no point left


def _ticket(item: Item) -> Ticket:
    return Ticket(
        ticket_id=item["ticket_id"],
        user_id=item["user_id"],
        pool=item["pool"],
        status=TicketStatus(item["status"]),
        created_ms=int(item["created_ms"]),
        expires_at=int(item["expires_at"]),
        session_id=item.get("session_id"),
        peer_id=item.get("peer_id"),
        reason=item.get("reason"),
    )


def _ticket_key(user_id: str) -> Item:
    return key(keys.user(user_id), keys.TICKET)


class Calls:
    def __init__(self, table: Table) -> None:
        self.table = table

    # --- tickets -------------------------------------------------------------------

    def ticket(self, user_id: str) -> Ticket | None:
        item = self.table.get(keys.user(user_id), keys.TICKET)
        return None if item is None else _ticket(item)

    def add_ticket(self, ticket: Ticket, now: float) -> PutResult:
        """Write a waiting ticket unless the user already holds a live one."""
        item = {
            "PK": keys.user(ticket.user_id),
            "SK": keys.TICKET,
            "GSI1PK": keys.pool(ticket.pool),
            "GSI1SK": keys.waiting(ticket.created_ms),
            "TTL": ticket.expires_at,
            "ticket_id": ticket.ticket_id,
            "user_id": ticket.user_id,
            "pool": ticket.pool,
            "status": str(ticket.status),
            "created_ms": ticket.created_ms,
            "expires_at": ticket.expires_at,
        }
        replaceable = absent() | le("expires_at", int(now)) | eq("status", str(TicketStatus.EXPIRED))
        try:
            self.table.write(Put(item, replaceable))
        except ConditionFailed:
            return PutResult.TAKEN
        return PutResult.CREATED

    def remove_ticket(self, user_id: str, ticket_id: str | None = None) -> bool:
        """Remove the user's ticket (only ``ticket_id`` when given); False if there was none."""
        condition = exists() if ticket_id is None else eq("ticket_id", ticket_id)
        try:
            self.table.write(Delete(_ticket_key(user_id), condition))
        except ConditionFailed:
            return False
        return True

    def release_ticket(self, user_id: str, session_id: str) -> None:
        """Delete the user's ticket of a call that ended (if it is still that one), so they may join again."""
        try:
            self.table.write(Delete(_ticket_key(user_id), eq("session_id", session_id)))
        except ConditionFailed:
            return  # left already, or a newer ticket: not this call's

    def waiting(self, pool: str, now: float, want: int = POOL_PAGE_SIZE) -> list[Ticket]:
        """Up to ``want`` live waiting tickets of a pool, oldest first.

        Tickets past their lifetime that TTL has not deleted yet are paged past
        and taken out of the pool, so any number of them never stalls pairing.
        """
        found: list[Ticket] = []
        start: Item | None = None
        for _ in range(MAX_POOL_PAGES):
            items, start = self.table.query(
                keys.pool(pool), prefix=keys.WAIT_PREFIX, index=GSI1, limit=POOL_PAGE_SIZE, start=start
            )
            for ticket in map(_ticket, items):
                if ticket.status is TicketStatus.WAITING and ticket.expires_at > now:
                    found.append(ticket)
                else:
                    self._leave_pool(ticket, eq("status", str(TicketStatus.WAITING)) & le("expires_at", int(now)))
            if len(found) >= want or not start:
                break
        return found[:want]

    def expire_ticket(self, ticket: Ticket, reason: str) -> None:
        """Take a waiting ticket out of its pool, keeping it readable as expired with ``reason``."""
        self._leave_pool(ticket, eq("status", str(TicketStatus.WAITING)), reason)

    def _leave_pool(self, ticket: Ticket, condition: Condition, reason: str | None = None) -> None:
        values = {"status": str(TicketStatus.EXPIRED)} | ({"reason": reason} if reason else {})
        update = Update(
            _ticket_key(ticket.user_id),
            set=values,
            remove=("GSI1PK", "GSI1SK"),
            condition=eq("ticket_id", ticket.ticket_id) & condition,
        )
        try:
            self.table.write(update)
        except ConditionFailed:
            return  # taken, left or replaced meanwhile: nothing to clean up

    # --- pairing -------------------------------------------------------------------

    def pair(
        self,
        a: Ticket,
        b: Ticket,
        *,
        session_id: str,
        now: float,
        session_ttl_seconds: int,
        default_points: int,
        points_day: str,
    ) -> PairResult:
        """Match two waiting tickets, create their session and deduct a point from each, atomically."""
        expires_at = int(now) + session_ttl_seconds

        def matched(ticket: Ticket, peer: Ticket) -> Update:
            return Update(
                _ticket_key(ticket.user_id),
                set={
                    "status": str(TicketStatus.MATCHED),
                    "session_id": session_id,
                    "peer_id": peer.user_id,
                    "matched_at": int(now),
                    "expires_at": expires_at,
                    "TTL": expires_at,
                },
                remove=("GSI1PK", "GSI1SK"),
                condition=eq("status", str(TicketStatus.WAITING))
                & eq("ticket_id", ticket.ticket_id)
                & gt("expires_at", int(now)),
            )

        def spends(ticket: Ticket) -> list[Operation]:
            cost = spend(ticket.user_id, POINTS_PER_CALL, allowance=default_points, day=points_day)
            # The profile keeps the time of the user's last call, written with the point it cost.
            return Points.spend_operations(cost, also_set={"last_call_at": iso(datetime.fromtimestamp(now, UTC))})

        session_item = {
            "PK": keys.session(session_id),
            "SK": keys.META,
            "session_id": session_id,
            "pool": a.pool,
            "participants": [a.user_id, b.user_id],
            "tickets": [a.ticket_id, b.ticket_id],
            "created_at": int(now),
            "expires_at": expires_at,
            "TTL": expires_at,
        }
        # The participant items are the users' call history: no TTL, unlike the session.
        participants = [
            {
                "PK": keys.session(session_id),
                "SK": keys.user(t.user_id),
                "GSI1PK": keys.user(t.user_id),
                "GSI1SK": keys.call(int(now), session_id),
                "session_id": session_id,
                "user_id": t.user_id,
                "peer_id": peer.user_id,
                "pool": t.pool,
                "started_at": int(now),
            }
            for t, peer in ((a, b), (b, a))
        ]
        # Each operation is tagged with what its refused condition means, so the
        # cancellation reasons (in operation order) say which ticket to drop.
        tagged: list[tuple[str, Ticket | None, Operation]] = [
            ("ticket", a, matched(a, b)),
            ("ticket", b, matched(b, a)),
            *(("points", a, op) for op in spends(a)),
            *(("points", b, op) for op in spends(b)),
            *(("session", None, Put(item, absent())) for item in (session_item, *participants)),
        ]
        try:
            self.table.transact([op for _, _, op in tagged])
        except ConditionFailed as refused:
            failed = [(role, t) for i, (role, t, _) in enumerate(tagged) if refused.failed(i)]
            stale = frozenset(t.ticket_id for role, t in failed if role == "ticket" and t is not None)
            broke = frozenset(t.ticket_id for role, t in failed if role == "points" and t is not None) - stale
            if not stale and not broke:
                raise  # only the session id collided: the record is retried with a new one
            return PairResult(paired=False, stale=stale, out_of_points=broke)
        return PairResult(paired=True)
