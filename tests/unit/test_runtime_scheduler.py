"""The local runtime's schedule expressions: rate, cron (AWS syntax) and at, in time zones, with start/end."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tools.runtime.config import Schedule
from tools.runtime.scheduler import ExpressionError, backoff_seconds, context_input, next_fire

CREATED = datetime(2026, 3, 1, 10, 0, 7, tzinfo=UTC)


def schedule(expression: str, timezone: str = "UTC", **extra: object) -> Schedule:
    fields: dict[str, object] = {
        "name": "s", "group": "g", "arn": "arn:aws:scheduler:us-east-1:1:schedule/g/s", "expression": expression,
        "timezone": timezone, "enabled": True, "target_arn": "arn:aws:lambda:us-east-1:1:function:f", "input": None,
        "maximum_retry_attempts": 3, "maximum_event_age_seconds": 3600, "dead_letter_arn": None,
        "start": None, "end": None, "created": CREATED,
    }  # fmt: skip
    fields.update(extra)
    return Schedule(**fields)  # type: ignore[arg-type]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_rate_counts_from_creation() -> None:
    five = schedule("rate(5 minutes)")
    assert next_fire(five, at("2026-03-01T10:03:00+00:00")) == at("2026-03-01T10:05:07+00:00")
    assert next_fire(five, at("2026-03-01T10:05:07+00:00")) == at("2026-03-01T10:10:07+00:00")
    assert next_fire(schedule("rate(1 day)"), at("2026-03-05T00:00:00+00:00")) == at("2026-03-05T10:00:07+00:00")


def test_rate_counts_from_the_start_date_and_stops_at_the_end_date() -> None:
    hourly = schedule("rate(1 hour)", start=at("2026-04-01T08:30:00+00:00"), end=at("2026-04-01T10:00:00+00:00"))
    assert next_fire(hourly, at("2026-03-01T00:00:00+00:00")) == at("2026-04-01T08:30:00+00:00")
    assert next_fire(hourly, at("2026-04-01T08:30:00+00:00")) == at("2026-04-01T09:30:00+00:00")
    assert next_fire(hourly, at("2026-04-01T09:30:00+00:00")) is None


def test_cron_daily_midnight_in_utc_and_in_a_time_zone() -> None:
    daily = "cron(0 0 * * ? *)"
    assert next_fire(schedule(daily), at("2026-03-01T10:00:00+00:00")) == at("2026-03-02T00:00:00+00:00")
    # Midnight in Tokyo is 15:00 UTC the day before.
    assert next_fire(schedule(daily, "Asia/Tokyo"), at("2026-03-01T10:00:00+00:00")) == at("2026-03-01T15:00:00+00:00")


def test_cron_lists_ranges_steps_and_names() -> None:
    weekdays = schedule("cron(0/15 9-10 ? JAN-DEC MON-FRI *)")
    # 2026-03-06 is a Friday: the next slots are 10:45, then Monday 09:00.
    assert next_fire(weekdays, at("2026-03-06T10:31:00+00:00")) == at("2026-03-06T10:45:00+00:00")
    assert next_fire(weekdays, at("2026-03-06T10:45:00+00:00")) == at("2026-03-09T09:00:00+00:00")
    listed = schedule("cron(5,35 12 1,15 * ? 2027)")
    assert next_fire(listed, at("2026-03-01T00:00:00+00:00")) == at("2027-01-01T12:05:00+00:00")


def test_cron_last_day_nearest_weekday_last_friday_and_nth_monday() -> None:
    assert next_fire(schedule("cron(0 18 L * ? *)"), at("2026-02-10T00:00:00+00:00")) == at("2026-02-28T18:00:00+00:00")
    # The 15th of August 2026 is a Saturday: 15W is Friday the 14th.
    assert next_fire(schedule("cron(0 9 15W 8 ? *)"), at("2026-08-01T00:00:00+00:00")) == at(
        "2026-08-14T09:00:00+00:00"
    )
    assert next_fire(schedule("cron(0 9 ? * 6L *)"), at("2026-03-01T00:00:00+00:00")) == at("2026-03-27T09:00:00+00:00")
    assert next_fire(schedule("cron(0 9 ? * 2#2 *)"), at("2026-03-01T00:00:00+00:00")) == at(
        "2026-03-09T09:00:00+00:00"
    )


def test_cron_across_a_daylight_saving_change() -> None:
    # Europe/Paris skips 02:00-03:00 on 2026-03-29: 02:30 runs once the clocks moved (01:30 UTC).
    skipped = schedule("cron(30 2 * * ? *)", "Europe/Paris")
    assert next_fire(skipped, at("2026-03-29T00:00:00+00:00")) == at("2026-03-29T01:30:00+00:00")
    assert next_fire(skipped, at("2026-03-29T01:30:00+00:00")) == at("2026-03-30T00:30:00+00:00")
    # 02:30 happens twice on 2026-10-25: it runs once.
    repeated = schedule("cron(30 2 * * ? *)", "Europe/Paris")
    first = next_fire(repeated, at("2026-10-24T12:00:00+00:00"))
    assert first == at("2026-10-25T00:30:00+00:00")
    assert next_fire(repeated, first) == at("2026-10-26T01:30:00+00:00")  # type: ignore[arg-type]


def test_at_fires_once_in_its_time_zone() -> None:
    once = schedule("at(2026-05-01T09:00:00)", "America/New_York")
    assert next_fire(once, at("2026-04-01T00:00:00+00:00")) == at("2026-05-01T13:00:00+00:00")
    assert next_fire(once, at("2026-05-01T13:00:00+00:00")) is None


@pytest.mark.parametrize(
    "expression",
    ["rate(0 minutes)", "rate(5 weeks)", "cron(0 0 * * * *)", "cron(0 0 ? * ? *)", "cron(61 0 * * ? *)",
     "cron(0 0 * * ?)", "cron(0 0 ? * FUNDAY *)", "every day", "at(2026-13-01T00:00:00)"],
)  # fmt: skip
def test_bad_expressions_are_refused(expression: str) -> None:
    with pytest.raises((ExpressionError, ValueError)):
        next_fire(schedule(expression), CREATED)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ExpressionError, match="time zone"):
        next_fire(schedule("cron(0 0 * * ? *)", "Mars/Olympus"), CREATED)


def test_retry_backoff_doubles_up_to_a_minute() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 7, 20)] == [1, 2, 4, 8, 60, 60]


def test_run_input_gets_schedulers_context_attributes() -> None:
    # Given an input naming every context attribute Scheduler fills in
    template = (
        '{"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>",'
        ' "run": "<aws.scheduler.execution-id>", "try": "<aws.scheduler.attempt-number>", "keep": "<other>"}'
    )
    fired = schedule("rate(5 minutes)", input=template)
    # When a run is attempted for the third time
    payload = json.loads(context_input(fired, "exec-1", at("2026-03-01T11:05:07.250+01:00"), 3))
    # Then each attribute holds the run's value (UTC, whole seconds) and other text is left alone
    assert payload == {
        "arn": "arn:aws:scheduler:us-east-1:1:schedule/g/s",
        "at": "2026-03-01T10:05:07Z",
        "run": "exec-1",
        "try": "3",
        "keep": "<other>",
    }
    assert context_input(schedule("rate(5 minutes)"), "exec-1", CREATED, 1) == ""
