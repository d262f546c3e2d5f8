"""Matchmaking rules: tickets, their states, and who is paired with whom.

A user holds at most one ticket (``USER#{id}`` / ``TICKET``). A waiting ticket is
indexed under its pool (``POOL#{pool}`` / ``WAIT#{ts}``) so the worker reads a
pool oldest-first; pairing turns two waiting tickets into ``matched`` ones and
creates the call session, all in one transaction.

A ticket is published to the FIFO topic in its pool's message group, so a pool's
tickets reach the worker strictly in order, one batch at a time. A pool split
into ``shards`` message groups (``message_group``) has that many batches in
flight at once and keeps order only within each group; pairing stays correct
either way, because a pair is one conditional transaction on both tickets.
"""

from __future__ import annotations

import enum
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from parley.domain import keys
from parley.errors import BadRequest, Conflict, Forbidden

POOL_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
POINTS_PER_CALL = 1


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    MATCHED = "matched"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    user_id: str
    pool: str
    status: TicketStatus
    created_ms: int
    expires_at: int
    session_id: str | None = None
    peer_id: str | None = None
    reason: str | None = None

    def live(self, now: float) -> bool:
        """Still holding the user's place: waiting or in a call, and not past its lifetime."""
        return self.status in (TicketStatus.WAITING, TicketStatus.MATCHED) and self.expires_at > now

    def public_status(self, now: float) -> TicketStatus:
        """What the user sees: a waiting ticket past its lifetime is expired."""
        if self.status is TicketStatus.WAITING and self.expires_at <= now:
            return TicketStatus.EXPIRED
        return self.status

    def view(self, now: float) -> dict[str, Any]:
        status = self.public_status(now)
        body: dict[str, Any] = {
            "ticket_id": self.ticket_id,
            "pool": self.pool,
            "status": str(status),
            "expires_at": self.expires_at,
        }
        if status is TicketStatus.MATCHED:
            body |= {"session_id": self.session_id, "peer_id": self.peer_id}
        if status is TicketStatus.EXPIRED and self.reason:
            body["reason"] = self.reason
        return body


@dataclass(frozen=True)
class TicketMessage:
    """What is published to the matchmaking topic for one ticket."""

    ticket_id: str
    user_id: str
    pool: str

    def to_json(self) -> str:
        return json.dumps(
            {"ticket_id": self.ticket_id, "user_id": self.user_id, "pool": self.pool}, separators=(",", ":")
        )


def choose_pool(body: dict[str, Any], pools: tuple[str, ...]) -> str:
    """The pool a join request asks for (the first configured pool by default)."""
    unknown = set(body) - {"pool"}
    if unknown:
        raise BadRequest(f"unknown fields: {', '.join(sorted(unknown))}", code="invalid_body")
    pool = body.get("pool", pools[0])
    if not isinstance(pool, str) or not POOL_RE.fullmatch(pool):
        raise BadRequest("pool must be a short lowercase name", code="invalid_pool")
    if pool not in pools:
        raise BadRequest(f"no such pool: {pool}", code="invalid_pool")
    return pool


def message_group(pool: str, ticket_id: str, shards: int) -> str:
    """The FIFO message group of a ticket: the pool itself, or one of its ``shards`` groups ``{pool}#{n}``.

    The group follows from the ticket id, so a retried publish of one ticket lands in the same
    group (and deduplicates there). Pool names never contain ``#``, so groups of pools never collide.
    """
    if shards <= 1:
        return pool
    return f"{pool}#{keys.shard_of(ticket_id, shards)}"


def check_can_join(points: int, current: Ticket | None, now: float) -> None:
    """Refuse a join without points, with a ticket already waiting, or while in a call."""
    if current is not None and current.live(now):
        if current.status is TicketStatus.MATCHED:
            raise Conflict("already in a call: leave it first (DELETE /match/ticket)", code="in_call")
        raise Conflict("already waiting for a match", code="already_waiting")
    if points < POINTS_PER_CALL:
        raise Forbidden("no points left today", code="no_points")


def new_ticket(user_id: str, pool: str, now: float, ttl_seconds: int) -> Ticket:
    return Ticket(
        ticket_id=uuid.uuid4().hex,
        user_id=user_id,
        pool=pool,
        status=TicketStatus.WAITING,
        created_ms=int(now * 1000),
        expires_at=int(now) + ttl_seconds,
    )


def parse_message(body: str, pools: tuple[str, ...]) -> TicketMessage:
    """A queued ticket message, or BadRequest for a poisoned one (it goes to the DLQ after retries)."""
    try:
        data = json.loads(body)
    except ValueError:
        raise BadRequest("message is not JSON", code="invalid_message") from None
    if not isinstance(data, dict):
        raise BadRequest("message is not an object", code="invalid_message")
    fields = {name: data.get(name) for name in ("ticket_id", "user_id", "pool")}
    if not all(isinstance(value, str) and value for value in fields.values()):
        raise BadRequest("message needs ticket_id, user_id and pool", code="invalid_message")
    if fields["pool"] not in pools:
        raise BadRequest(f"message names an unknown pool: {fields['pool']}", code="invalid_message")
    return TicketMessage(**fields)  # type: ignore[arg-type]


def next_pair(waiting: list[Ticket], now: float) -> tuple[Ticket, Ticket] | None:
    """The two oldest live waiting tickets of distinct users, or None (odd one out waits)."""
    candidates = sorted(
        (t for t in waiting if t.status is TicketStatus.WAITING and t.expires_at > now),
        key=lambda t: (t.created_ms, t.ticket_id),
    )
    first = next(iter(candidates), None)
    if first is None:
        return None
    second = next((t for t in candidates[1:] if t.user_id != first.user_id), None)
    return None if second is None else (first, second)


def new_session_id() -> str:
    return uuid.uuid4().hex
