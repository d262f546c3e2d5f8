"""domain/reminders/rules.py: due times, time zones, the reminder item, recurrence and what a run can deliver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain.reminders import rules
from parley.errors import BadRequest

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
ITEM = {
    "due_at": "2030-01-01T12:00:00Z",
    "reminder_id": "r1",
    "user_id": "u-1",
    "text": "call mum",
    "channel": "email",
    "recurrence": "daily",
    "timezone": "Europe/Berlin",
}


def message_of(call: Any, *args: Any) -> str:
    with pytest.raises(BadRequest) as refused:
        call(*args)
    assert refused.value.code == "invalid_field"
    return refused.value.message


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2030-01-31T09:00:00Z", datetime(2030, 1, 31, 9, tzinfo=UTC)),
        (" 2030-01-31T09:00:00z ", datetime(2030, 1, 31, 9, tzinfo=UTC)),
        ("2030-01-31T10:00:00.900+01:00", datetime(2030, 1, 31, 9, tzinfo=UTC)),
    ],
)
def test_reminder_rules_times_become_utc_whole_seconds(text: str, moment: datetime) -> None:
    parsed = rules.parse_time(text)
    assert parsed == moment and parsed.tzinfo is UTC and parsed.microsecond == 0


def test_reminder_rules_refuse_unreadable_or_zoneless_times() -> None:
    for value in ("tomorrow", 5, ""):
        assert message_of(rules.parse_time, value) == "due_at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z"
    assert message_of(rules.parse_time, "2030-01-31T09:00:00") == "due_at needs a time zone (e.g. Z or +02:00)"


def test_reminder_rules_zone_accepts_iana_names_only() -> None:
    assert str(rules.zone("America/Sao_Paulo")) == "America/Sao_Paulo"
    expected = "timezone must be an IANA time zone name, e.g. Europe/Berlin"
    for name in ("", "Mars/Olympus", "/etc/passwd", "Europe/../UTC", "x" * 65, 5, None):
        assert message_of(rules.zone, name) == expected


def test_reminder_rules_item_is_the_documented_reminder() -> None:
    body = {
        "due_at": "2030-01-02T12:00:00+01:00",
        "text": "call mum",
        "channel": "email",
        "recurrence": "weekly",
        "timezone": "Europe/Berlin",
    }
    # crc32(b"r1") % 4 == 1
    assert rules.new_reminder(body, "u-1", "r1", NOW, 4) == {
        "PK": "USER#u-1",
        "SK": "REMINDER#r1",
        "GSI1PK": "DUE#1",
        "GSI1SK": "2030-01-02T11:00:00Z#r1",
        "type": "reminder",
        "reminder_id": "r1",
        "user_id": "u-1",
        "text": "call mum",
        "channel": "email",
        "recurrence": "weekly",
        "timezone": "Europe/Berlin",
        "due_at": "2030-01-02T11:00:00Z",
        "status": "pending",
        "attempts": 0,
        "occurrences": 0,
        "shard": 1,
        "created_at": "2030-01-01T12:00:00Z",
        "updated_at": "2030-01-01T12:00:00Z",
    }


def test_reminder_rules_item_defaults_to_in_app_once_in_utc() -> None:
    item = rules.new_reminder({"due_at": "2030-01-01T12:00:30Z", "text": "t"}, "u-1", "r1", NOW, 1)
    assert (item["channel"], item["recurrence"], item["timezone"], item["shard"]) == ("in_app", "none", "UTC", 0)


def test_reminder_rules_due_time_is_30_seconds_to_366_days_ahead() -> None:
    def new(due: datetime, now: datetime = NOW) -> dict[str, Any]:
        return rules.new_reminder({"due_at": due.isoformat(), "text": "t"}, "u-1", "r1", now, 1)

    assert new(NOW + timedelta(seconds=30))["due_at"] == "2030-01-01T12:00:30Z"
    assert new(NOW + timedelta(days=366))["due_at"] == "2031-01-02T12:00:00Z"
    assert message_of(new, NOW + timedelta(seconds=29)) == "due_at must be at least 30 seconds ahead"
    assert message_of(new, NOW + timedelta(days=366, seconds=1)) == "due_at must be within 366 days"
    # "now" given in another zone is the same instant
    berlin_now = NOW.astimezone(rules.zone("Europe/Berlin"))
    assert new(NOW + timedelta(seconds=30), berlin_now)["created_at"] == "2030-01-01T12:00:00Z"


def test_reminder_rules_refuse_blank_text_and_unknown_zones() -> None:
    body = {"due_at": "2030-01-02T00:00:00Z", "text": "   "}
    assert message_of(rules.new_reminder, body, "u-1", "r1", NOW, 1) == "text must not be blank"
    zoned = {"due_at": "2030-01-02T00:00:00Z", "text": "t", "timezone": "Nowhere/City"}
    assert message_of(rules.new_reminder, zoned, "u-1", "r1", NOW, 1).startswith("timezone must be an IANA")


def test_reminder_rules_next_occurrence_steps_a_day_or_a_week_past_now() -> None:
    due = datetime(2030, 1, 1, 8, tzinfo=UTC)
    assert rules.next_occurrence(due, "none", "UTC", NOW) is None
    assert rules.next_occurrence(due, "daily", "UTC", NOW) == datetime(2030, 1, 2, 8, tzinfo=UTC)
    assert rules.next_occurrence(due, "weekly", "UTC", NOW) == datetime(2030, 1, 8, 8, tzinfo=UTC)
    # An occurrence exactly at "now" is not after it
    assert rules.next_occurrence(due, "daily", "UTC", datetime(2030, 1, 2, 8, tzinfo=UTC)) == datetime(
        2030, 1, 3, 8, tzinfo=UTC
    )


def test_reminder_rules_deliverable_needs_every_field_a_delivery_reads() -> None:
    assert rules.deliverable(ITEM)
    assert rules.deliverable({k: v for k, v in ITEM.items() if k not in ("timezone", "recurrence")})
    for broken in (
        {"due_at": "soon"},
        {"timezone": "Nowhere/City"},
        {"reminder_id": 1},
        {"user_id": None},
        {"text": 5},
        {"channel": "fax"},
        {"recurrence": "hourly"},
    ):
        assert not rules.deliverable({**ITEM, **broken}), broken
