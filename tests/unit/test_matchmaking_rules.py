"""domain/matchmaking.py: tickets and what users see of them, joining rules, queued messages and pairing order."""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

import pytest

from parley.domain import matchmaking as mm
from parley.domain.matchmaking import Ticket, TicketMessage, TicketStatus
from parley.errors import AppError

POOLS = ("casual", "ranked")


def ticket(
    tid: str = "t1",
    user: str = "u-1",
    *,
    status: TicketStatus = TicketStatus.WAITING,
    created: int = 1,
    expires: int = 100,
    **extra: Any,
) -> Ticket:
    return Ticket(tid, user, "casual", status, created, expires, **extra)


def refusal(call: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(AppError) as refused:
        call(*args)
    return refused.value.code, refused.value.message


def test_matchmaking_ticket_is_live_while_waiting_or_matched_before_it_expires() -> None:
    assert ticket().live(99) and not ticket().live(100)
    assert ticket(status=TicketStatus.MATCHED).live(99)
    assert not ticket(status=TicketStatus.EXPIRED).live(0)


def test_matchmaking_ticket_view_shows_the_session_once_matched_and_the_reason_once_expired() -> None:
    assert ticket().view(50) == {"ticket_id": "t1", "pool": "casual", "status": "waiting", "expires_at": 100}
    assert ticket(reason="no_peer").view(100) == {
        "ticket_id": "t1",
        "pool": "casual",
        "status": "expired",
        "expires_at": 100,
        "reason": "no_peer",
    }
    assert "reason" not in ticket().view(100)
    matched = ticket(status=TicketStatus.MATCHED, session_id="s1", peer_id="u-2")
    assert matched.view(500) == {
        "ticket_id": "t1",
        "pool": "casual",
        "status": "matched",
        "expires_at": 100,
        "session_id": "s1",
        "peer_id": "u-2",
    }
    assert matched.public_status(500) is TicketStatus.MATCHED


def test_matchmaking_message_is_compact_json() -> None:
    assert TicketMessage("t1", "u-1", "casual").to_json() == '{"ticket_id":"t1","user_id":"u-1","pool":"casual"}'


def test_matchmaking_one_shard_keeps_the_pool_as_its_only_message_group() -> None:
    assert {mm.message_group("casual", f"t{i}", 1) for i in range(50)} == {"casual"}


def test_matchmaking_sharded_pool_spreads_tickets_over_its_groups_by_ticket_id() -> None:
    ids = [f"{i:032x}" for i in range(400)]
    groups = [mm.message_group("casual", tid, 4) for tid in ids]
    # Each ticket's group is its id's CRC-32 modulo the shard count: stable across retries
    assert groups == [f"casual#{zlib.crc32(tid.encode()) % 4}" for tid in ids]
    assert groups == [mm.message_group("casual", tid, 4) for tid in ids]
    # and every group carries a fair share
    counts = Counter(groups)
    assert set(counts) == {"casual#0", "casual#1", "casual#2", "casual#3"}
    assert min(counts.values()) >= 60


def test_matchmaking_pool_defaults_to_the_first_configured() -> None:
    assert mm.choose_pool({}, POOLS) == "casual"
    assert mm.choose_pool({"pool": "ranked"}, POOLS) == "ranked"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"pool": "casual", "z": 1, "a": 2}, "invalid_body", "unknown fields: a, z"),
        ({"pool": "Casual"}, "invalid_pool", "pool must be a short lowercase name"),
        ({"pool": 5}, "invalid_pool", "pool must be a short lowercase name"),
        ({"pool": "x" * 33}, "invalid_pool", "pool must be a short lowercase name"),
        ({"pool": "blitz"}, "invalid_pool", "no such pool: blitz"),
    ],
)
def test_matchmaking_pool_refusals(body: dict[str, Any], code: str, message: str) -> None:
    assert refusal(mm.choose_pool, body, POOLS) == (code, message)


def test_matchmaking_join_needs_a_point_and_no_live_ticket() -> None:
    mm.check_can_join(1, None, 0)
    mm.check_can_join(1, ticket(expires=10), 10)  # an expired ticket does not hold the place
    assert refusal(mm.check_can_join, 0, None, 0) == ("no_points", "no points left today")
    assert refusal(mm.check_can_join, 5, ticket(), 0) == ("already_waiting", "already waiting for a match")
    assert refusal(mm.check_can_join, 5, ticket(status=TicketStatus.MATCHED), 0) == (
        "in_call",
        "already in a call: leave it first (DELETE /match/ticket)",
    )


def test_matchmaking_new_ticket_waits_from_now_for_its_lifetime() -> None:
    new = mm.new_ticket("u-1", "casual", 1000.75, 60)
    assert (new.user_id, new.pool, new.status, new.created_ms, new.expires_at) == (
        "u-1",
        "casual",
        "waiting",
        1_000_750,
        1060,
    )
    assert len(new.ticket_id) == 32 and new.ticket_id != mm.new_ticket("u-1", "casual", 0, 1).ticket_id
    assert len(mm.new_session_id()) == 32


def test_matchmaking_parse_message_reads_a_queued_ticket() -> None:
    assert mm.parse_message('{"ticket_id":"t1","user_id":"u-1","pool":"ranked","x":1}', POOLS) == TicketMessage(
        "t1", "u-1", "ranked"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nope", "message is not JSON"),
        ("[]", "message is not an object"),
        ('{"ticket_id":"t1","user_id":"u-1"}', "message needs ticket_id, user_id and pool"),
        ('{"ticket_id":"","user_id":"u-1","pool":"casual"}', "message needs ticket_id, user_id and pool"),
        ('{"ticket_id":1,"user_id":"u-1","pool":"casual"}', "message needs ticket_id, user_id and pool"),
        ('{"ticket_id":"t1","user_id":"u-1","pool":"blitz"}', "message names an unknown pool: blitz"),
    ],
)
def test_matchmaking_poisoned_messages_are_refused(body: str, message: str) -> None:
    assert refusal(mm.parse_message, body, POOLS) == ("invalid_message", message)


def test_matchmaking_pairs_the_two_oldest_live_tickets_of_distinct_users() -> None:
    old = ticket("t3", "u-1", created=1)
    same_user = ticket("t4", "u-1", created=2)
    expired = ticket("t5", "u-2", created=3, expires=50)
    matched = ticket("t6", "u-3", created=3, status=TicketStatus.MATCHED)
    second = ticket("t2", "u-4", created=4)
    third = ticket("t1", "u-5", created=4)
    assert mm.next_pair([third, second, matched, expired, same_user, old], now=50) == (old, third)
    assert mm.next_pair([old, same_user], now=0) is None
    assert mm.next_pair([expired], now=50) is None
    assert mm.next_pair([], now=0) is None
