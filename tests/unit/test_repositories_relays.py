"""The relays repository against moto: opening with a pairing code, two peers at most, leaving, cached payloads."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters import relays as relays_module
from parley.adapters.connections import Connections
from parley.adapters.relays import Relays
from parley.adapters.table import Table
from parley.errors import AppError
from tests.unit.conftest import TABLE_NAME

NOW = 1_900_000_000.5
DAY = 86_400


@pytest.fixture
def db(table: Any) -> Table:
    return Table(TABLE_NAME)


@pytest.fixture
def relays(db: Table) -> Relays:
    for cid, user in (("c1", "u-1"), ("c2", "u-2"), ("c3", "u-3")):
        Connections(db).put(cid, user, now=NOW)
    return Relays(db)


def refusal(call: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(AppError) as refused:
        call(*args)
    return refused.value.code, refused.value.message


def test_relays_open_writes_the_relay_its_code_and_its_first_peer(db: Table, relays: Relays) -> None:
    relay_id, code, expires = relays.open("c1", "u-1", now=NOW)
    assert expires == 1_900_000_000 + DAY and len(relay_id) == 24 and len(code) == 8
    assert db.get(f"RELAY#{relay_id}", "META") == {
        "PK": f"RELAY#{relay_id}",
        "SK": "META",
        "GSI1PK": "USER#u-1",
        "GSI1SK": f"RELAY#{relay_id}",
        "relay_id": relay_id,
        "code": code,
        "owner_id": "u-1",
        "peer_count": 1,
        "created_at": 1_900_000_000,
        "TTL": expires,
    }
    assert db.get(f"RELAYCODE#{code}", "META") == {
        "PK": f"RELAYCODE#{code}",
        "SK": "META",
        "relay_id": relay_id,
        "TTL": expires,
    }
    assert db.get(f"RELAY#{relay_id}", "PEER#c1") == {
        "PK": f"RELAY#{relay_id}",
        "SK": "PEER#c1",
        "user_id": "u-1",
        "joined_at": 1_900_000_000,
        "TTL": expires,
    }
    assert Connections(db).get("c1")["relays"] == {relay_id}
    assert relays.by_code(code, now=expires) == relay_id
    assert refusal(relays.by_code, code, expires + 1) == ("relay_not_found", "no relay with this code")
    assert refusal(relays.by_code, "ZZZZZZZZ", NOW) == ("relay_not_found", "no relay with this code")


def test_relays_open_retries_a_taken_code_and_gives_up_after_five(
    db: Table, relays: Relays, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["AAAAAAAA", "AAAAAAAA", "BBBBBBBB"])
    monkeypatch.setattr(relays_module, "new_pairing_code", lambda: next(codes))
    first = relays.open("c1", "u-1", now=NOW)[1]
    second = relays.open("c2", "u-2", now=NOW)[1]
    assert (first, second) == ("AAAAAAAA", "BBBBBBBB")
    # A code whose relay expired may be handed out again
    monkeypatch.setattr(relays_module, "new_pairing_code", lambda: "AAAAAAAA")
    reused_id, reused, _ = relays.open("c3", "u-3", now=NOW + DAY + 1)
    assert reused == "AAAAAAAA" and relays.by_code("AAAAAAAA", NOW + DAY + 1) == reused_id
    attempts: list[int] = []
    monkeypatch.setattr(relays_module, "new_pairing_code", lambda: attempts.append(1) or "AAAAAAAA")
    assert refusal(relays.open, "c1", "u-1", NOW + DAY + 1) == ("try_again", "no free pairing code, try again")
    assert len(attempts) == 5


def test_relays_open_on_an_unknown_connection_is_refused(relays: Relays) -> None:
    assert refusal(relays.open, "c9", "u-9", NOW) == ("unknown_connection", "this connection is not registered")


def test_relays_join_up_to_two_peers(db: Table, relays: Relays) -> None:
    relay_id, _, _ = relays.open("c1", "u-1", now=NOW)
    assert refusal(relays.join, relay_id, "c1", "u-1", NOW) == (
        "already_joined",
        "this connection already joined the relay",
    )
    relays.join(relay_id, "c2", "u-2", now=NOW + 5)
    assert db.get(f"RELAY#{relay_id}", "META")["peer_count"] == 2
    assert db.get(f"RELAY#{relay_id}", "PEER#c2")["TTL"] == 1_900_000_005 + DAY
    assert sorted(relays.peers(relay_id)) == ["c1", "c2"]
    assert refusal(relays.join, relay_id, "c3", "u-3", NOW) == ("relay_full", "the relay already has two peers")


def test_relays_join_refuses_unknown_connections_and_expired_relays(db: Table, relays: Relays) -> None:
    relay_id, _, expires = relays.open("c1", "u-1", now=NOW)
    assert refusal(relays.join, relay_id, "c9", "u-9", NOW) == (
        "unknown_connection",
        "this connection is not registered",
    )
    relays.join(relay_id, "c2", "u-2", now=expires)  # still valid at its expiry second
    relays.leave(relay_id, "c2")
    assert refusal(relays.join, relay_id, "c3", "u-3", expires + 1)[0] == "relay_full"


def test_relays_leave_frees_the_slot_once(db: Table, relays: Relays) -> None:
    relay_id, _, _ = relays.open("c1", "u-1", now=NOW)
    relays.join(relay_id, "c2", "u-2", now=NOW)
    relays.leave(relay_id, "c2")
    relays.leave(relay_id, "c2")
    assert db.get(f"RELAY#{relay_id}", "META")["peer_count"] == 1 and relays.peers(relay_id) == ["c1"]
    relays.leave(relay_id, "c1")
    relays.leave("nope", "c1")
    assert db.get(f"RELAY#{relay_id}", "META")["peer_count"] == 0


def test_relays_cache_keeps_payloads_until_their_ttl_then_forgets(db: Table, relays: Relays) -> None:
    first = relays.cache("r1", "c1", "aGk=", ttl_seconds=60, now=NOW)
    second = relays.cache("r1", "c1", "aGk9", ttl_seconds=120, now=NOW + 1)
    assert first.startswith("DATA#1900000000500#") and second.startswith("DATA#1900000001500#")
    assert db.get("RELAY#r1", first) == {
        "PK": "RELAY#r1",
        "SK": first,
        "sender": "c1",
        "data": "aGk=",
        "TTL": 1_900_000_060,
    }
    assert [i["data"] for i in relays.cached("r1", now=1_900_000_060)] == ["aGk=", "aGk9"]
    assert [i["data"] for i in relays.cached("r1", now=1_900_000_061)] == ["aGk9"]
    relays.forget("r1", second)
    assert relays.cached("r1", now=NOW) == [db.get("RELAY#r1", first)]
