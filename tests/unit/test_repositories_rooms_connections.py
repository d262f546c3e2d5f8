"""The rooms and connections repositories against moto: exact items, refusals by cause, and what leaving takes along."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters.connections import Connections, Dropped
from parley.adapters.rooms import Rooms
from parley.adapters.table import Table, Update, key
from parley.domain import rooms as room_rules
from parley.errors import AppError, Conflict, Forbidden, NotFound
from tests.unit.conftest import TABLE_NAME

NOW = 1_900_000_000.5


@pytest.fixture
def db(table: Any) -> Table:
    return Table(TABLE_NAME)


def present(repo: Rooms, room_id: str, connection_id: str) -> bool:
    """Whether the connection's presence item is in the room (what standing() reads for send and typing)."""
    return repo.standing(room_id, connection_id, "nobody")[0]


def new_room(db: Table, room_id: str = "r1", owner: str = "u-1") -> Rooms:
    repo = Rooms(db)
    meta, member = room_rules.new_room({"name": "n"}, room_id, owner, "t0")
    repo.create(meta, member)
    return repo


def refusal(call: Any, *args: Any) -> tuple[type[AppError], str, str]:
    with pytest.raises(AppError) as refused:
        call(*args)
    return type(refused.value), refused.value.code, refused.value.message


def test_rooms_create_refuses_an_existing_id(db: Table) -> None:
    repo = new_room(db)
    meta, member = room_rules.new_room({"name": "other"}, "r1", "u-2", "t1")
    assert refusal(repo.create, meta, member) == (Conflict, "conflict", "room id collision; try again")
    assert repo.meta("r1")["name"] == "n" and repo.membership("r1", "u-2") is None


def test_rooms_add_member_counts_and_tells_causes_apart(db: Table) -> None:
    repo = new_room(db)
    bob = room_rules.membership("r1", "u-2", "n", "member", "t1")
    repo.add_member(bob, added_by="u-1")
    assert repo.meta("r1")["member_count"] == 2
    assert refusal(repo.add_member, bob, "u-1") == (Conflict, "conflict", "already a member")
    carol = room_rules.membership("r1", "u-3", "n", "member", "t1")
    assert refusal(repo.add_member, carol, "u-9") == (NotFound, "not_found", "no such room")
    assert refusal(repo.add_member, room_rules.membership("r9", "u-3", "n", "member", "t1"), "u-1")[2] == "no such room"
    assert repo.meta("r1")["member_count"] == 2


def test_rooms_members_are_capped_by_the_limit(db: Table) -> None:
    repo = new_room(db)
    for user in ("u-2", "u-3"):
        repo.add_member(room_rules.membership("r1", user, "n", "member", "t1"), added_by="u-1")
    assert [m["user_id"] for m in repo.members("r1", 2)] == ["u-1", "u-2"]
    assert len(repo.members("r1", 100)) == 3


def test_rooms_of_user_pages_the_users_rooms(db: Table) -> None:
    repo = new_room(db, "r1")
    new_room(db, "r2")
    db.batch_write(puts=[{"PK": "ROOM#r3", "SK": "CONN#c1", "GSI1PK": "USER#u-1", "GSI1SK": "CONN#c1"}])
    first, start = repo.of_user("u-1", 1, None)
    rest, end = repo.of_user("u-1", 5, start)
    assert [i["room_id"] for i in first + rest] == ["r1", "r2"] and end is None


def test_rooms_messages_are_stored_with_an_optional_ttl_and_read_newest_first(db: Table) -> None:
    repo = new_room(db)
    first = repo.add_message("r1", "u-1", "hi", now=NOW)
    second = repo.add_message("r1", "u-1", "again", now=NOW + 1, ttl_days=2)
    assert first == {
        "id": first["id"],
        "room": "r1",
        "sender": "u-1",
        "text": "hi",
        "ts": 1_900_000_000_500,
        "message_type": "text",
        "attachments": [],
    }
    stored = db.get("ROOM#r1", f"MSG#1900000000500#{first['id']}")
    assert stored == {
        "PK": "ROOM#r1",
        "SK": f"MSG#1900000000500#{first['id']}",
        "message_id": first["id"],
        "room_id": "r1",
        "sender_id": "u-1",
        "text": "hi",
        "type": "text",
        "attachments": [],
        "created_at": 1_900_000_000_500,
        # The sender's index: their export lists the messages they sent.
        "GSI1PK": "USER#u-1",
        "GSI1SK": f"MSG#1900000000500#{first['id']}",
    }
    assert db.get("ROOM#r1", f"MSG#1900000001500#{second['id']}")["TTL"] == 1_900_000_001 + 2 * 86_400
    items, start = repo.messages("r1", 1)
    assert [i["text"] for i in items] == ["again"]
    assert [i["text"] for i in repo.messages("r1", 5, start)[0]] == ["hi"]


def test_rooms_join_records_presence_on_the_connection_or_says_why_not(db: Table) -> None:
    repo = new_room(db)
    connections = Connections(db)
    connections.put("c1", "u-1", now=NOW)
    repo.join("r1", "c1", "u-1", now=NOW)
    assert db.get("ROOM#r1", "CONN#c1") == {
        "PK": "ROOM#r1",
        "SK": "CONN#c1",
        "user_id": "u-1",
        "joined_at": 1_900_000_000,
        "TTL": 1_900_000_000 + 86_400,
    }
    assert connections.get("c1")["rooms"] == {"r1"}
    assert present(repo, "r1", "c1") and not present(repo, "r1", "c2")
    assert refusal(repo.join, "r1", "c2", "u-2") == (Forbidden, "not_a_member", "you are not a member of this room")
    assert refusal(repo.join, "r1", "c2", "u-1")[1:] == ("unknown_connection", "this connection is not registered")


def test_rooms_leaving_ends_membership_count_and_presence_on_every_connection(db: Table) -> None:
    repo = new_room(db)
    repo.add_member(room_rules.membership("r1", "u-2", "n", "member", "t1"), added_by="u-1")
    connections = Connections(db)
    for cid in ("c1", "c2", "c3"):
        connections.put(cid, "u-2", now=NOW)
    repo.join("r1", "c1", "u-2")
    repo.join("r1", "c2", "u-2")
    repo.remove_member("r1", "u-2")
    assert repo.meta("r1")["member_count"] == 1 and not repo.is_member("r1", "u-2")
    assert not present(repo, "r1", "c1") and not present(repo, "r1", "c2")
    assert "rooms" not in connections.get("c1") or connections.get("c1")["rooms"] == set()
    assert refusal(repo.remove_member, "r1", "u-2") == (NotFound, "not_found", "no such room")


def test_rooms_audience_is_live_members_only_and_clears_stale_presence(db: Table) -> None:
    repo = new_room(db)
    db.batch_write(
        puts=[
            {"PK": "ROOM#r1", "SK": "CONN#c1", "user_id": "u-1"},
            {"PK": "ROOM#r1", "SK": "CONN#c2", "user_id": "u-gone"},
            {"PK": "ROOM#r1", "SK": "CONN#c3"},
        ]
    )
    assert repo.audience("r1") == ["c1"]
    assert db.get("ROOM#r1", "CONN#c2") is None and db.get("ROOM#r1", "CONN#c3") is None


def big_audience(db: Table, monkeypatch: pytest.MonkeyPatch) -> tuple[Rooms, list[str]]:
    """Room r1 with 40 members, 30 of them live on one connection each, plus two connections of a non-member;
    returns the repository and a log of how memberships were read ("batch" or "query")."""
    repo = new_room(db)
    for index in range(2, 41):
        repo.add_member(room_rules.membership("r1", f"u-{index}", "n", "member", "t1"), added_by="u-1")
    live = [{"PK": "ROOM#r1", "SK": f"CONN#c{i}", "user_id": f"u-{i}"} for i in range(1, 31)]
    db.batch_write(puts=[*live, *({"PK": "ROOM#r1", "SK": f"CONN#x{i}", "user_id": "u-gone"} for i in range(2))])
    reads: list[str] = []
    batch_get, query = db.batch_get, db.query

    def logged_batch_get(keys: Any) -> list[Any]:
        wanted = list(keys)
        if any(k["SK"].startswith("MEMBER#") for k in wanted):
            reads.append("batch")
        return batch_get(wanted)

    def logged_query(pk: str, **kwargs: Any) -> Any:
        if kwargs.get("prefix") == "MEMBER#":
            reads.append("query" if kwargs.get("consistent") else "query (eventually consistent)")
        return query(pk, **kwargs)

    monkeypatch.setattr(db, "batch_get", logged_batch_get)
    monkeypatch.setattr(db, "query", logged_query)
    return repo, reads


EXPECTED_LIVE = {f"c{i}": f"u-{i}" for i in range(1, 31)}


def test_rooms_presence_of_a_big_audience_reads_memberships_by_one_consistent_key_query(
    db: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 31 live users in a room of 40 members: 31 point reads would cost 31 read units, the query one
    repo, reads = big_audience(db, monkeypatch)
    # When the audience is read
    live = repo.presence("r1")
    # Then the memberships came from one strongly consistent query, and the answer is the same as ever
    assert reads == ["query"]
    assert live == EXPECTED_LIVE
    assert db.get("ROOM#r1", "CONN#x0") is None and db.get("ROOM#r1", "CONN#x1") is None


def test_rooms_presence_reads_memberships_one_by_one_when_the_room_is_far_bigger_than_its_audience(
    db: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the same audience in a room of 100,000 members: a query would read ~10,000 units, point reads 31
    repo, reads = big_audience(db, monkeypatch)
    db.write(Update(key("ROOM#r1", "META"), add={"member_count": 100_000 - 40}))
    live = repo.presence("r1")
    assert reads == ["batch"]
    assert live == EXPECTED_LIVE
    assert db.get("ROOM#r1", "CONN#x0") is None


def test_rooms_presence_of_a_small_audience_reads_its_memberships_by_key(
    db: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, reads = big_audience(db, monkeypatch)
    db.batch_write(deletes=[{"PK": "ROOM#r1", "SK": f"CONN#c{i}"} for i in range(10, 31)])
    assert repo.presence("r1") == {f"c{i}": f"u-{i}" for i in range(1, 10)}
    assert reads == ["batch"]  # 10 users: below the size where a query can be worth its META read


def test_connections_put_indexes_by_user_and_expires_in_a_day(db: Table) -> None:
    connections = Connections(db)
    connections.put("c1", "u-1", now=NOW)
    connections.put("c2", "u-1", now=NOW)
    assert connections.get("c1") == {
        "PK": "CONN#c1",
        "SK": "META",
        "GSI1PK": "USER#u-1",
        "GSI1SK": "CONN#c1",
        "connection_id": "c1",
        "user_id": "u-1",
        "connected_at": 1_900_000_000,
        "TTL": 1_900_000_000 + 86_400,
    }
    assert sorted(connections.of_user("u-1")) == ["c1", "c2"] and connections.of_user("u-2") == []


def test_connections_leave_room_needs_presence(db: Table) -> None:
    connections = Connections(db)
    connections.put("c1", "u-1", now=NOW)
    assert refusal(connections.leave_room, "c1", "r1") == (
        Conflict,
        "not_joined",
        "this connection has not joined the room",
    )


def test_connections_drop_removes_presence_relays_and_the_connection(db: Table) -> None:
    repo = new_room(db)
    connections = Connections(db)
    connections.put("c1", "u-1", now=NOW)
    repo.join("r1", "c1", "u-1")
    assert connections.drop("c1") == Dropped(user_id="u-1", rooms=frozenset({"r1"}), relays=frozenset())
    assert connections.get("c1") is None and not present(repo, "r1", "c1")
    assert connections.drop("c1") is None
