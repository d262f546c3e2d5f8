"""The users, devices, notifications and points repositories against moto: the items they write and read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parley.adapters import aws, points
from parley.adapters.devices import Devices, Notifications
from parley.adapters.points import Points
from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.errors import NotFound
from tests.unit.conftest import TABLE_NAME


@pytest.fixture
def db(table: Any) -> Table:
    return Table(TABLE_NAME)


def test_users_update_profile_sets_changes_and_fills_created_fields_only_once(db: Table) -> None:
    users = Users(db)
    first = users.update_profile("u-1", {"bio": "hi"}, {"email": "a@x.io", "created_at": "t1"})
    assert first == {"PK": "USER#u-1", "SK": "PROFILE", "bio": "hi", "email": "a@x.io", "created_at": "t1"}
    second = users.update_profile("u-1", {"bio": "bye"}, {"email": "b@x.io", "created_at": "t2"})
    assert (second["bio"], second["email"], second["created_at"]) == ("bye", "a@x.io", "t1")


def test_users_create_profile_once_and_settings_round_trip(db: Table) -> None:
    users = Users(db)
    assert users.create_profile({"PK": "USER#u-1", "SK": "PROFILE", "n": 1}) is True
    assert users.create_profile({"PK": "USER#u-1", "SK": "PROFILE", "n": 2}) is False
    assert users.profile("u-1") == {"PK": "USER#u-1", "SK": "PROFILE", "n": 1}
    assert users.settings("u-1") is None
    users.put_settings("u-1", {"theme": "dark"})
    assert users.settings("u-1") == {"PK": "USER#u-1", "SK": "SETTINGS", "theme": "dark"}


def test_users_send_window_item_counts_sends_and_expires_with_its_window(db: Table) -> None:
    users = Users(db)
    assert users.reserve_send("u-1", 1000) is True
    assert users.reserve_send("u-1", 1001) is True
    assert db.get("USER#u-1", "OTP_SENDS") == {
        "PK": "USER#u-1",
        "SK": "OTP_SENDS",
        "started_at": 1000,
        "sends": 2,
        "TTL": 1900,
    }


def test_users_records_are_everything_stored_for_the_user_without_push_tokens(db: Table) -> None:
    users = Users(db)
    users.create_profile({"PK": "USER#u-1", "SK": "PROFILE"})
    users.put_settings("u-1", {"theme": "dark"})
    db.batch_write(
        puts=[
            {"PK": "ROOM#r1", "SK": "MEMBER#u-1", "GSI1PK": "USER#u-1", "GSI1SK": "ROOM#r1"},
            {"PK": "USER#u-1", "SK": "REMINDER#r1"},
            {"PK": "USER#u-1", "SK": "NOTIF#1#n1"},
            {"PK": "USER#u-1", "SK": "DEVICE#d1", "token": "secret", "platform": "ios"},
            {"PK": "USER#u-2", "SK": "REMINDER#r2"},
        ]
    )
    records = list(users.records("u-1"))
    assert [(kind, item["SK"]) for kind, item in records] == [
        ("profile", "PROFILE"),
        ("settings", "SETTINGS"),
        ("room", "MEMBER#u-1"),
        ("reminder", "REMINDER#r1"),
        ("notification", "NOTIF#1#n1"),
        ("device", "DEVICE#d1"),
    ]
    assert records[-1][1] == {"PK": "USER#u-1", "SK": "DEVICE#d1", "platform": "ios"}


def test_devices_remove_forget_and_tokens(db: Table) -> None:
    devices = Devices(db)
    devices.put({"PK": "USER#u-1", "SK": "DEVICE#d1", "token": "t1"})
    devices.put({"PK": "USER#u-1", "SK": "DEVICE#d2", "token": "t2"})
    devices.put({"PK": "USER#u-1", "SK": "DEVICE#d3"})
    assert devices.tokens("u-1") == [("d1", "t1"), ("d2", "t2")]
    devices.remove("u-1", "d1")
    with pytest.raises(NotFound) as missing:
        devices.remove("u-1", "d1")
    assert missing.value.message == "no such device"
    devices.forget("u-1", "d2")
    devices.forget("u-1", "d2")  # already gone: no error
    assert devices.tokens("u-1") == []


def test_notifications_page_newest_first_from_a_start_key_and_mark_read(db: Table) -> None:
    notes = Notifications(db)
    for n in (1, 2, 3):
        notes.put({"PK": "USER#u-1", "SK": f"NOTIF#{n}#n{n}", "read": False})
    db.batch_write(puts=[{"PK": "USER#u-1", "SK": "PROFILE"}, {"PK": "USER#u-1", "SK": "REMINDER#x"}])
    items, last = notes.page("u-1", 2, None)
    assert [i["SK"] for i in items] == ["NOTIF#3#n3", "NOTIF#2#n2"]
    rest, end = notes.page("u-1", 2, last)
    assert [i["SK"] for i in rest] == ["NOTIF#1#n1"] and end is None
    marked = notes.mark_read("u-1", "NOTIF#2#n2", "t9")
    assert (marked["read"], marked["read_at"]) == (True, "t9")
    with pytest.raises(NotFound) as missing:
        notes.mark_read("u-1", "NOTIF#9#n9", "t9")
    assert missing.value.message == "no such notification"
    assert db.get("USER#u-1", "NOTIF#9#n9") is None


def test_points_balance_defaults_to_the_allowance_and_needs_a_profile(db: Table) -> None:
    balances = Points(db)
    assert balances.balance("u-1", 5) is None
    db.batch_write(puts=[{"PK": "USER#u-1", "SK": "PROFILE"}, {"PK": "USER#u-2", "SK": "PROFILE", "points": 2}])
    assert (balances.balance("u-1", 5), balances.balance("u-2", 5)) == (5, 2)


def test_points_continue_later_invokes_the_function_asynchronously(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    class Lambda:
        def invoke(self, **kwargs: Any) -> None:
            calls.append(kwargs)

    monkeypatch.setattr(aws, "client", lambda service: Lambda() if service == "lambda" else None)
    points.continue_later("arn:aws:lambda:us-east-1:1:function:f", {"today": "2030-01-01"})
    [call] = calls
    assert call["FunctionName"] == "arn:aws:lambda:us-east-1:1:function:f" and call["InvocationType"] == "Event"
    assert json.loads(call["Payload"]) == {"today": "2030-01-01"}
