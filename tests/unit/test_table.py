"""The persistence core against moto: conditional writes, typed transaction cancellation, batches, query pages."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from parley.adapters import table as core
from parley.adapters.table import (
    Check,
    ConditionFailed,
    Delete,
    IfAbsent,
    Increment,
    Put,
    Table,
    TransactionConflict,
    Update,
    absent,
    eq,
    exists,
    key,
    lt,
)
from tests.unit.conftest import TABLE_NAME


@pytest.fixture
def db(table: Any) -> Table:
    return Table(TABLE_NAME)


def test_table_conditional_put_refuses_an_existing_item(db: Table) -> None:
    db.write(Put({"PK": "A", "SK": "1", "n": 1}, absent()))
    with pytest.raises(ConditionFailed) as refused:
        db.write(Put({"PK": "A", "SK": "1", "n": 2}, absent()))
    assert refused.value.index == 0
    assert db.get("A", "1") == {"PK": "A", "SK": "1", "n": 1}


def test_table_update_sets_if_absent_increments_adds_and_removes(db: Table) -> None:
    db.write(Put({"PK": "A", "SK": "1", "gone": "x", "tags": {"a"}}))
    first = db.write(
        Update(
            key("A", "1"),
            set={"name": "n1", "created": IfAbsent("t1"), "count": Increment(-2, start=10)},
            add={"tags": {"b"}},
            remove=("gone",),
            condition=exists(),
        )
    )
    assert first == {"PK": "A", "SK": "1", "name": "n1", "created": "t1", "count": 8, "tags": {"a", "b"}}
    second = db.write(
        Update(key("A", "1"), set={"created": IfAbsent("t2"), "count": Increment(1)}, discard={"tags": {"a"}})
    )
    assert (second["created"], second["count"], second["tags"]) == ("t1", 9, {"b"})


def test_table_transaction_names_the_refused_operation_and_writes_nothing(db: Table) -> None:
    # Given an existing item and a counter below its limit
    db.write(Put({"PK": "A", "SK": "1", "count": 1}))
    operations = [
        Put({"PK": "B", "SK": "1"}, absent()),
        Update(key("A", "1"), set={"count": Increment(1)}, condition=exists() & lt("count", 1)),
        Check(key("C", "1"), absent()),
    ]
    # When one condition of the transaction fails
    with pytest.raises(ConditionFailed) as refused:
        db.transact(operations)
    # Then the typed error names it, with one reason per operation, and nothing was written
    assert refused.value.index == 1
    assert refused.value.reasons == ("None", "ConditionalCheckFailed", "None")
    assert (refused.value.failed(0), refused.value.failed(1), refused.value.failed(2)) == (False, True, False)
    assert db.get("B", "1") is None and db.get("A", "1") == {"PK": "A", "SK": "1", "count": 1}


def test_table_transaction_cancelled_for_another_reason_is_a_conflict(db: Table, monkeypatch: Any) -> None:
    error = ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
        },
        "TransactWriteItems",
    )

    def cancelled(**_: Any) -> None:
        raise error

    monkeypatch.setattr(db.resource.meta.client, "transact_write_items", cancelled)
    with pytest.raises(TransactionConflict) as conflict:
        db.transact([Put({"PK": "A", "SK": "1"}), Delete(key("A", "2"))])
    assert conflict.value.reasons == ("None", "TransactionConflict")
    assert str(conflict.value) == "transaction cancelled: None, TransactionConflict"


def test_table_transaction_refuses_an_empty_or_oversized_list(db: Table) -> None:
    for operations in ([], [Put({"PK": "A", "SK": str(i)}) for i in range(core.MAX_TRANSACTION_ITEMS + 1)]):
        with pytest.raises(ValueError, match="1-100"):
            db.transact(operations)


def test_table_batches_write_and_read_more_than_one_request(db: Table) -> None:
    db.batch_write(puts=[{"PK": "P", "SK": f"{i:03d}", "i": i} for i in range(130)])
    found = db.batch_get([key("P", f"{i:03d}") for i in range(0, 130, 1)] + [key("P", "missing")])
    assert sorted(int(item["i"]) for item in found) == list(range(130))
    db.batch_write(deletes=[key("P", f"{i:03d}") for i in range(100)])
    assert [int(item["i"]) for item in db.query_all("P")] == list(range(100, 130))


def test_table_query_pages_prefixes_and_bounds(db: Table) -> None:
    for sk in ("A#1", "A#2", "A#3", "B#1", "C#1"):
        db.write(Put({"PK": "Q", "SK": sk, "GSI1PK": "G", "GSI1SK": sk}))
    items, start = db.query("Q", prefix="A#", limit=2)
    assert [i["SK"] for i in items] == ["A#1", "A#2"] and start is not None
    rest, last = db.query("Q", prefix="A#", limit=2, start=start)
    assert [i["SK"] for i in rest] == ["A#3"] and last is None
    assert [i["SK"] for i in db.query_all("Q", before="B#1")] == ["A#1", "A#2", "A#3"]
    assert [i["SK"] for i in db.query_all("Q", after="B#1", newest_first=True)] == ["C#1"]
    assert [i["GSI1SK"] for i in db.query_all("G", prefix="B#", index=core.GSI1)] == ["B#1"]
    with pytest.raises(ValueError, match="at most one"):
        db.query("Q", prefix="A#", before="B")


def test_table_conditions_render_with_placeholders_only() -> None:
    kind, body = core.render(
        Update(key("A", "1"), set={"status": "x"}, condition=(eq("status", "a") | absent("status")) & exists())
    )
    assert kind == "Update"
    assert body["UpdateExpression"] == "SET #n0 = :v0"
    assert body["ConditionExpression"] == "((#n0 = :v1 OR attribute_not_exists(#n0)) AND attribute_exists(#n1))"
    assert body["ExpressionAttributeNames"] == {"#n0": "status", "#n1": "PK"}
    assert body["ExpressionAttributeValues"] == {":v0": "x", ":v1": "a"}
