"""The matchmaking repository against moto: ticket items, who may replace one, the pool read and the pairing."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters.calls import Calls, PairResult, PutResult
from parley.adapters.table import ConditionFailed, Table
from parley.domain.matchmaking import Ticket, TicketStatus
from tests.unit.conftest import TABLE_NAME

NOW = 1_900_000_000


@pytest.fixture
def db(table: Any) -> Table:
    return Table(TABLE_NAME)


def ticket(
    user: str, tid: str | None = None, created: int = 1, expires: int = NOW + 60, pool: str = "casual"
) -> Ticket:
    return Ticket(tid or f"t-{user}", user, pool, TicketStatus.WAITING, created, expires)


def profile(db: Table, user: str, points: int | None = None) -> None:
    item: dict[str, Any] = {"PK": f"USER#{user}", "SK": "PROFILE"}
    if points is not None:
        item["points"] = points
    db.batch_write(puts=[item])


def test_calls_ticket_item_is_indexed_in_its_pool_and_expires_with_it(db: Table) -> None:
    calls = Calls(db)
    assert calls.add_ticket(ticket("u-1", created=42), NOW) is PutResult.CREATED
    assert db.get("USER#u-1", "TICKET") == {
        "PK": "USER#u-1",
        "SK": "TICKET",
        "GSI1PK": "POOL#casual",
        "GSI1SK": "WAIT#0000000000042",
        "TTL": NOW + 60,
        "ticket_id": "t-u-1",
        "user_id": "u-1",
        "pool": "casual",
        "status": "waiting",
        "created_ms": 42,
        "expires_at": NOW + 60,
    }
    assert calls.ticket("u-1") == ticket("u-1", created=42)
    assert calls.ticket("u-2") is None


def test_calls_a_live_ticket_holds_the_place_until_it_expires(db: Table) -> None:
    calls = Calls(db)
    calls.add_ticket(ticket("u-1", "t1", expires=NOW + 10), NOW)
    assert calls.add_ticket(ticket("u-1", "t2"), NOW + 9) is PutResult.TAKEN
    assert calls.add_ticket(ticket("u-1", "t3"), NOW + 10) is PutResult.CREATED  # expires_at <= now: replaceable
    calls.expire_ticket(ticket("u-1", "t3"), "no_peer")
    assert calls.ticket("u-1").status is TicketStatus.EXPIRED
    assert calls.add_ticket(ticket("u-1", "t4"), NOW) is PutResult.CREATED  # an expired ticket is replaceable


def test_calls_expire_ticket_leaves_the_pool_with_its_reason_only_while_waiting(db: Table) -> None:
    calls = Calls(db)
    calls.add_ticket(ticket("u-1"), NOW)
    calls.expire_ticket(ticket("u-1"), "no_peer")
    item = db.get("USER#u-1", "TICKET")
    assert (item["status"], item["reason"], "GSI1PK" in item, "GSI1SK" in item) == ("expired", "no_peer", False, False)
    calls.expire_ticket(ticket("u-1"), "other")  # no longer waiting: unchanged
    assert db.get("USER#u-1", "TICKET")["reason"] == "no_peer"
    calls.expire_ticket(ticket("u-2"), "none")  # no ticket at all: nothing happens
    assert db.get("USER#u-2", "TICKET") is None


def test_calls_remove_ticket_by_user_or_exact_ticket(db: Table) -> None:
    calls = Calls(db)
    calls.add_ticket(ticket("u-1", "t1"), NOW)
    assert calls.remove_ticket("u-1", "t-other") is False
    assert calls.remove_ticket("u-1", "t1") is True
    assert calls.remove_ticket("u-1") is False
    calls.add_ticket(ticket("u-1", "t2"), NOW)
    assert calls.remove_ticket("u-1") is True and calls.ticket("u-1") is None


def test_calls_waiting_reads_live_tickets_oldest_first_and_cleans_up_the_rest(db: Table) -> None:
    calls = Calls(db)
    calls.add_ticket(ticket("u-1", created=3), NOW - 100)
    calls.add_ticket(ticket("u-2", created=1, expires=NOW), NOW - 100)  # expired exactly now
    calls.add_ticket(ticket("u-3", created=2), NOW - 100)
    calls.add_ticket(ticket("u-4", created=4), NOW - 100)
    calls.add_ticket(ticket("u-5", created=5, pool="ranked"), NOW - 100)
    assert [t.user_id for t in calls.waiting("casual", NOW)] == ["u-3", "u-1", "u-4"]
    assert [t.user_id for t in calls.waiting("casual", NOW, want=2)] == ["u-3", "u-1"]
    expired = db.get("USER#u-2", "TICKET")
    assert expired["status"] == "expired" and "GSI1PK" not in expired and "reason" not in expired


def test_calls_pair_matches_both_tickets_creates_the_session_and_takes_a_point_each(db: Table) -> None:
    calls = Calls(db)
    a, b = ticket("u-1", created=1), ticket("u-2", created=2)
    for t in (a, b):
        profile(db, t.user_id)
        calls.add_ticket(t, NOW)
    result = calls.pair(
        a, b, session_id="s1", now=NOW, session_ttl_seconds=600, default_points=3, points_day="2030-03-01"
    )
    assert result == PairResult(paired=True)
    expires = NOW + 600
    assert db.get("SESSION#s1", "META") == {
        "PK": "SESSION#s1",
        "SK": "META",
        "session_id": "s1",
        "pool": "casual",
        "participants": ["u-1", "u-2"],
        "tickets": ["t-u-1", "t-u-2"],
        "created_at": NOW,
        "expires_at": expires,
        "TTL": expires,
    }
    # Each participant item is that user's record of the call (their history, newest first): it has no TTL.
    assert db.get("SESSION#s1", "USER#u-2") == {
        "PK": "SESSION#s1",
        "SK": "USER#u-2",
        "GSI1PK": "USER#u-2",
        "GSI1SK": f"CALL#{int(NOW)}#s1",
        "session_id": "s1",
        "user_id": "u-2",
        "peer_id": "u-1",
        "pool": "casual",
        "started_at": int(NOW),
    }
    matched = db.get("USER#u-1", "TICKET")
    assert {k: matched[k] for k in ("status", "session_id", "peer_id", "matched_at", "expires_at", "TTL")} == {
        "status": "matched",
        "session_id": "s1",
        "peer_id": "u-2",
        "matched_at": NOW,
        "expires_at": expires,
        "TTL": expires,
    }
    assert "GSI1PK" not in matched and db.get("USER#u-2", "TICKET")["peer_id"] == "u-1"
    assert db.get("USER#u-1", "PROFILE")["points"] == 2
    assert db.get("SPENT#2030-03-01", "USER#u-2")["spent"] == 1


def test_calls_pair_names_stale_tickets_and_users_without_points(db: Table) -> None:
    calls = Calls(db)
    a, b, c = ticket("u-1"), ticket("u-2"), ticket("u-3")
    for t, points in ((a, 0), (b, 1), (c, 1)):
        profile(db, t.user_id, points)
        calls.add_ticket(t, NOW)
    options: dict[str, Any] = {"now": NOW, "session_ttl_seconds": 600, "default_points": 3, "points_day": "2030-03-01"}
    assert calls.pair(a, b, session_id="s1", **options) == PairResult(paired=False, out_of_points=frozenset({"t-u-1"}))
    calls.remove_ticket("u-3")
    assert calls.pair(b, c, session_id="s2", **options) == PairResult(paired=False, stale=frozenset({"t-u-3"}))
    assert db.get("USER#u-2", "TICKET")["status"] == "waiting" and db.get("USER#u-2", "PROFILE")["points"] == 1
    # A ticket past its lifetime cannot be matched either
    late = {**options, "now": NOW + 60}
    calls.add_ticket(c, NOW)
    assert calls.pair(b, c, session_id="s3", **late).stale == frozenset({"t-u-2", "t-u-3"})


def test_calls_pair_with_a_colliding_session_id_raises_for_a_retry(db: Table) -> None:
    calls = Calls(db)
    a, b = ticket("u-1"), ticket("u-2")
    for t in (a, b):
        profile(db, t.user_id)
        calls.add_ticket(t, NOW)
    db.batch_write(puts=[{"PK": "SESSION#s1", "SK": "META"}])
    with pytest.raises(ConditionFailed):
        calls.pair(a, b, session_id="s1", now=NOW, session_ttl_seconds=600, default_points=3, points_day="2030-03-01")
    assert db.get("USER#u-1", "TICKET")["status"] == "waiting"
