"""Reminder creation through the live API path (POST /reminders), and recurrence arithmetic."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain import keys
from parley.domain.reminders import rules
from tests.unit.api_helpers import API_ENV, call, set_api_env

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
SHARDS = int(API_ENV["REMINDER_SHARD_COUNT"])


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def create(**body: Any) -> tuple[int, Any]:
    request = {"text": "stand-up", "due_at": stamp(datetime.now(UTC) + timedelta(hours=2))} | body
    status, out, _ = call("POST", "/reminders", request)
    return status, out


def test_reminders_create_builds_the_documented_item(table: Any) -> None:
    # Given a due time given with an offset
    due = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    offset = due.astimezone(rules.zone("Europe/Berlin")).isoformat()
    # When alice schedules a daily push reminder
    status, body = create(due_at=offset, channel="push", recurrence="daily", timezone="Europe/Berlin")
    # Then the stored item is the documented one, due in UTC, in the shard crc32(id) % shard count
    assert status == 201
    rid = body["reminder_id"]
    item = table.get_item(Key={"PK": "USER#alice", "SK": f"REMINDER#{rid}"})["Item"]
    assert item["due_at"] == stamp(due)
    shard = zlib.crc32(rid.encode()) % SHARDS
    assert (item["GSI1PK"], item["GSI1SK"], item["shard"]) == (f"DUE#{shard}", f"{stamp(due)}#{rid}", shard)
    assert (item["status"], item["attempts"], item["channel"], item["recurrence"]) == ("pending", 0, "push", "daily")
    assert body["due_at"] == stamp(due) and "PK" not in body and "GSI1SK" not in body


def test_reminders_create_defaults_to_in_app_once_in_utc(table: Any) -> None:
    status, body = create()
    assert status == 201
    assert (body["channel"], body["recurrence"], body["timezone"]) == ("in_app", "none", "UTC")


def _in(delta: timedelta) -> str:
    return stamp(datetime.now(UTC) + delta)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"due_at": _in(-timedelta(minutes=1))}, "invalid_field"),
        ({"due_at": _in(timedelta(seconds=10))}, "invalid_field"),  # under the minimum lead time
        ({"due_at": _in(timedelta(days=368))}, "invalid_field"),
        ({"due_at": "tomorrow"}, "invalid_field"),
        ({"due_at": "2026-11-23T08:00:00"}, "invalid_field"),  # no zone
        ({"due_at": 1795000000}, "invalid_field"),
        ({"channel": "sms"}, "invalid_field"),
        ({"recurrence": "hourly"}, "invalid_field"),
        ({"timezone": "Mars/Olympus"}, "invalid_field"),
        ({"timezone": "../../etc/passwd"}, "invalid_field"),
        ({"text": "x" * 501}, "invalid_field"),
        ({"text": "   "}, "invalid_field"),
        ({"text": " \n\t "}, "invalid_field"),
        ({"text": "bell\x07"}, "invalid_field"),
        ({"text": None}, "missing_field"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_reminders_create_rejects_bad_input(table: Any, body: dict[str, Any], code: str) -> None:
    status, out = create(**body)
    assert (status, out["error"]) == (400, code)
    assert call("GET", "/reminders")[1]["items"] == []


def test_reminders_create_accepts_the_longest_text_and_the_farthest_due_time(table: Any) -> None:
    status, body = create(text="x" * 500, due_at=_in(timedelta(days=365, hours=23)))
    assert status == 201 and len(body["text"]) == 500


def test_reminders_daily_recurrence_keeps_wall_clock_time_across_dst() -> None:
    # 09:00 in Berlin is 08:00Z in summer time and 09:00Z once clocks go back (2026-10-25)
    due = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)
    upcoming = rules.next_occurrence(due, "daily", "Europe/Berlin", due)
    assert upcoming == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_reminders_recurrence_skips_missed_occurrences_and_weekly_steps_seven_days() -> None:
    due = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert rules.next_occurrence(due, "daily", "UTC", NOW) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert rules.next_occurrence(due, "weekly", "UTC", due) == datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
    assert rules.next_occurrence(due, "none", "UTC", due) is None


def test_reminders_shards_follow_crc32_and_cover_every_shard() -> None:
    assert [keys.shard_of(f"r{i}", 8) for i in range(50)] == [zlib.crc32(f"r{i}".encode()) % 8 for i in range(50)]
    assert {keys.shard_of(f"r{i}", 8) for i in range(200)} == set(range(8))


def test_devices_register_validates_the_expo_token(table: Any) -> None:
    token = "ExponentPushToken[abcdefghij1234]"
    status, body, _ = call("POST", "/devices", {"token": token, "platform": "android"})
    assert status == 201 and body["id"] == hashlib.sha256(token.encode()).hexdigest()[:32]
    item = table.get_item(Key={"PK": "USER#alice", "SK": f"DEVICE#{body['id']}"})["Item"]
    assert item["token"] == token
    status, out, _ = call("POST", "/devices", {"token": "not-a-token", "platform": "ios"})
    assert (status, out["error"]) == (400, "invalid_field")
