"""Reminder creation rules (the API's POST /reminders calls create_reminder) and recurrence arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain import reminders
from parley.domain.devices import register_device
from parley.errors import BadRequest

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def create(**body: Any) -> dict[str, Any]:
    request = {"text": "stand-up", "due_at": "2026-11-22T11:00:00+01:00"} | body
    return reminders.create_reminder("u1", request, now=NOW, shard_count=8, reminder_id="r1")


def test_reminders_create_builds_the_documented_item() -> None:
    item = create(channel="push", recurrence="daily", timezone="Europe/Berlin")
    assert (item["PK"], item["SK"]) == ("USER#u1", "REMINDER#r1")
    assert item["due_at"] == "2026-11-22T10:00:00Z"  # normalised to UTC
    assert item["GSI1PK"] == f"DUE#{reminders.shard_of('r1', 8)}" and item["GSI1SK"] == "2026-11-22T10:00:00Z#r1"
    assert (item["status"], item["attempts"], item["channel"], item["recurrence"]) == ("pending", 0, "push", "daily")
    assert reminders.public_view(item)["due_at"] == "2026-11-22T10:00:00Z" and "PK" not in reminders.public_view(item)


def test_reminders_create_defaults_to_in_app_once_in_utc() -> None:
    item = create(due_at="2026-11-23T08:00:00Z")
    assert (item["channel"], item["recurrence"], item["timezone"]) == ("in_app", "none", "UTC")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"due_at": "2026-11-22T08:59:00Z"}, "due_in_past"),
        ({"due_at": "2026-11-22T09:00:10Z"}, "due_in_past"),  # under the minimum lead time
        ({"due_at": "2030-01-01T00:00:00Z"}, "due_too_far"),
        ({"due_at": "tomorrow"}, "invalid_due_at"),
        ({"due_at": "2026-11-23T08:00:00"}, "invalid_due_at"),  # no zone
        ({"due_at": 1795000000}, "invalid_due_at"),
        ({"channel": "sms"}, "invalid_channel"),
        ({"recurrence": "hourly"}, "invalid_recurrence"),
        ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
        ({"timezone": "../../etc/passwd"}, "invalid_timezone"),
        ({"text": "x" * 501}, "text_too_long"),
        ({"text": "   "}, "invalid_text"),
        ({"text": "bell\x07"}, "invalid_text"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_reminders_create_rejects_bad_input(body: dict[str, Any], code: str) -> None:
    with pytest.raises(BadRequest) as caught:
        create(**body)
    assert caught.value.code == code


def test_reminders_create_accepts_the_longest_text_and_the_farthest_due_time() -> None:
    item = create(text="x" * 500, due_at=reminders.iso(NOW + timedelta(days=366)))
    assert len(item["text"]) == 500


def test_reminders_daily_recurrence_keeps_wall_clock_time_across_dst() -> None:
    # 09:00 in Berlin is 08:00Z in summer time and 09:00Z once clocks go back (2026-10-25)
    due = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)
    upcoming = reminders.next_occurrence(due, "daily", "Europe/Berlin", due)
    assert upcoming == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_reminders_recurrence_skips_missed_occurrences_and_weekly_steps_seven_days() -> None:
    due = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert reminders.next_occurrence(due, "daily", "UTC", NOW) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert reminders.next_occurrence(due, "weekly", "UTC", due) == datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
    assert reminders.next_occurrence(due, "none", "UTC", due) is None


def test_reminders_shards_are_stable_and_in_range() -> None:
    assert reminders.shard_of("r1", 8) == reminders.shard_of("r1", 8)
    assert {reminders.shard_of(f"r{i}", 8) for i in range(200)} == set(range(8))


def test_devices_register_validates_the_expo_token() -> None:
    item = register_device("u1", {"token": "ExponentPushToken[abcdefghij1234]", "platform": "android"}, now=NOW)
    assert item["SK"].startswith("DEVICE#") and item["token"] == "ExponentPushToken[abcdefghij1234]"
    with pytest.raises(BadRequest) as caught:
        register_device("u1", {"token": "not-a-token"}, now=NOW)
    assert caught.value.code == "invalid_push_token"
