"""The api function: reminders, notifications and push devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain import device_requests, keys
from tests.unit.api_helpers import call, set_api_env


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_api_reminder_is_stored_for_the_scheduler(table: Any) -> None:
    due = iso(timedelta(hours=2))
    status, body, _ = call("POST", "/reminders", {"due_at": due, "text": "stand-up", "channel": "email"})
    assert status == 201 and body["status"] == "pending"
    rid = body["reminder_id"]
    item = table.get_item(Key={"PK": keys.user("alice"), "SK": keys.reminder(rid)})["Item"]
    assert item["GSI1PK"] == f"DUE#{item['shard']}" and 0 <= item["shard"] < 4
    assert item["GSI1SK"] == f"{due}#{rid}"
    assert item["channel"] == "email" and item["recurrence"] == "none"


@pytest.mark.parametrize(
    "body",
    [
        {"due_at": "2001-01-01T00:00:00Z", "text": "past"},
        {"due_at": "tomorrow", "text": "x"},
        {"due_at": "2099-01-01T00:00:00", "text": "no zone"},
        {"due_at": "2099-01-01T00:00:00Z", "text": "too far"},
        {"due_at": "2030-01-01T00:00:00Z", "text": ""},
        {"due_at": "2030-01-01T00:00:00Z", "text": "x" * 501},
        {"due_at": "2030-01-01T00:00:00Z", "text": "x", "channel": "pigeon"},
        {"due_at": "2030-01-01T00:00:00Z", "text": "x", "recurrence": "hourly"},
        {"due_at": "2030-01-01T00:00:00Z", "text": "x", "timezone": "Mars/Olympus"},
        {"due_at": "2030-01-01T00:00:00Z", "text": "x", "timezone": "../../etc/passwd"},
        {"text": "x"},
    ],
)
def test_api_reminder_refuses_bad_input(table: Any, body: dict[str, Any]) -> None:
    status, out, _ = call("POST", "/reminders", body)
    assert status == 400 and out["error"] in {"invalid_field", "missing_field"}
    _, listed, _ = call("GET", "/reminders")
    assert listed["items"] == []


def test_api_reminders_list_and_delete_are_per_user(table: Any) -> None:
    _, created, _ = call("POST", "/reminders", {"due_at": iso(timedelta(days=1)), "text": "a"})
    _, listed, _ = call("GET", "/reminders")
    assert [r["reminder_id"] for r in listed["items"]] == [created["reminder_id"]]
    assert call("GET", "/reminders", sub="bob")[1]["items"] == []
    # Bob cannot delete alice's reminder
    status, body, _ = call("DELETE", f"/reminders/{created['reminder_id']}", sub="bob")
    assert (status, body) == (404, {"error": "not_found", "message": "no such reminder"})
    assert call("DELETE", f"/reminders/{created['reminder_id']}")[0] == 204
    assert call("DELETE", f"/reminders/{created['reminder_id']}")[0] == 404


def test_api_notifications_newest_first_and_mark_read(table: Any) -> None:
    for i in range(3):
        table.put_item(
            Item={"PK": keys.user("alice"), "SK": keys.notification(1_700_000_000_000 + i, f"n{i}"), "text": f"t{i}"}
        )
    status, body, _ = call("GET", "/notifications", query={"limit": "2"})
    assert status == 200 and [n["text"] for n in body["items"]] == ["t2", "t1"] and body["next_cursor"]
    first = body["items"][0]["id"]
    status, read, _ = call("POST", f"/notifications/{first}/read")
    assert status == 200 and read["read_at"]
    # Someone else's or a malformed id is not found, and writes nothing
    assert call("POST", f"/notifications/{first}/read", sub="bob")[0] == 404
    assert "Item" not in table.get_item(
        Key={"PK": keys.user("bob"), "SK": device_requests.notification_sort_key(first)}
    )
    assert call("POST", "/notifications/garbage/read")[0] == 404


def test_api_devices_register_idempotently_and_delete(table: Any) -> None:
    body = {"token": "ExponentPushToken[abcdefghij]", "platform": "android"}
    status, first, _ = call("POST", "/devices", body)
    status2, second, _ = call("POST", "/devices", body)
    assert status == status2 == 201 and first["id"] == second["id"]
    item = table.get_item(Key={"PK": keys.user("alice"), "SK": keys.device(first["id"])})["Item"]
    assert item["token"] == "ExponentPushToken[abcdefghij]" and item["registered_at"]
    assert call("DELETE", f"/devices/{first['id']}", sub="bob")[0] == 404
    assert call("DELETE", f"/devices/{first['id']}")[0] == 204
    assert "Item" not in table.get_item(Key={"PK": keys.user("alice"), "SK": keys.device(first["id"])})


@pytest.mark.parametrize(
    "body",
    [
        {"token": "has space", "platform": "ios"},
        {"token": "ExponentPushToken[abcdefghij]", "platform": "symbian"},
        {"token": "ExponentPushToken[abcdefghij]"},
        {"token": "ExponentPushToken[short]", "platform": "ios"},
    ],
)
def test_api_devices_refuse_bad_input(table: Any, body: dict[str, Any]) -> None:
    status, _, _ = call("POST", "/devices", body)
    assert status == 400


def test_api_unknown_route_and_method_are_json_404(table: Any) -> None:
    status, out, _ = call("GET", "/nope")
    assert status == 404 and out["error"] == "not_found"
