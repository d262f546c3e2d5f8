"""The daily points reset: no scan, bounded pages, idempotent per day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from parley.adapters.points import Points
from parley.adapters.table import ConditionFailed, Table
from parley.domain import keys, points
from parley.errors import Conflict
from parley.handlers import points_reset as handler_module
from tests.unit.conftest import TABLE_NAME

ALLOWANCE = 100
YESTERDAY, TODAY = "2026-11-21", "2026-11-22"


def profile(table: Any, user: str) -> None:
    table.put_item(Item={"PK": keys.user(user), "SK": keys.PROFILE})


def spend(table: Any, user: str, cost: int, day: str) -> None:
    intent = points.spend(user, cost, allowance=ALLOWANCE, day=day)
    Table(TABLE_NAME).transact(Points.spend_operations(intent))


def balance(table: Any, user: str) -> int:
    return int(table.get_item(Key={"PK": keys.user(user), "SK": keys.PROFILE})["Item"]["points"])


def run(table: Any, today: str = TODAY, **overrides: Any) -> points.ResetReport:
    options: dict[str, Any] = {"lookback_days": 7, "page_size": 100, "max_items": 1000} | overrides
    return points.reset(Points(Table(TABLE_NAME)), today, **options)


def test_points_spend_deducts_and_refuses_an_overdraft(table: Any) -> None:
    profile(table, "u1")
    spend(table, "u1", 30, YESTERDAY)
    spend(table, "u1", 50, YESTERDAY)
    assert balance(table, "u1") == 20
    with pytest.raises(ConditionFailed) as refused:
        spend(table, "u1", 21, YESTERDAY)
    assert refused.value.index == 0  # the deduction, not the marker
    with pytest.raises(Conflict):
        points.spend("u1", ALLOWANCE + 1, allowance=ALLOWANCE, day=YESTERDAY)
    marker = table.get_item(Key={"PK": keys.spent(YESTERDAY), "SK": keys.user("u1")})["Item"]
    assert marker["spent"] == 80


def test_points_reset_gives_back_past_spends_and_keeps_todays(table: Any) -> None:
    # Given two users who spent yesterday, one of whom spent again after midnight
    for user in ("u1", "u2"):
        profile(table, user)
    spend(table, "u1", 40, YESTERDAY)
    spend(table, "u2", 70, YESTERDAY)
    spend(table, "u2", 10, TODAY)
    # When the reset runs today
    report = run(table)
    # Then yesterday's spends are back and today's spend still counts
    assert (report.reset, balance(table, "u1"), balance(table, "u2")) == (2, 100, 90)
    assert (
        table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.spent(YESTERDAY)})[
            "Items"
        ]
        == []
    )


def test_points_reset_twice_on_the_same_day_changes_nothing(table: Any) -> None:
    profile(table, "u1")
    spend(table, "u1", 40, YESTERDAY)
    run(table)
    before = table.scan()["Items"]  # a test may scan; the function never does
    again = run(table)
    assert (again.reset, again.no_user) == (0, 0)
    assert table.scan()["Items"] == before


def test_points_reset_reads_in_bounded_pages_and_continues_next_run(table: Any) -> None:
    for i in range(5):
        profile(table, f"u{i}")
        spend(table, f"u{i}", 10, YESTERDAY)
    first = run(table, page_size=2, max_items=3)
    assert (first.reset, first.exhausted) == (3, True)
    second = run(table, page_size=2, max_items=3)
    assert (second.reset, second.exhausted) == (2, False)
    assert all(balance(table, f"u{i}") == ALLOWANCE for i in range(5))


def test_points_reset_of_a_deleted_user_just_drops_the_marker(table: Any) -> None:
    profile(table, "gone")
    spend(table, "gone", 10, YESTERDAY)
    table.delete_item(Key={"PK": keys.user("gone"), "SK": keys.PROFILE})
    report = run(table)
    assert (report.no_user, report.reset) == (1, 0)
    assert "Item" not in table.get_item(Key={"PK": keys.spent(YESTERDAY), "SK": keys.user("gone")})
    assert "Item" not in table.get_item(Key={"PK": keys.user("gone"), "SK": keys.PROFILE})  # not re-created


def test_points_reset_day_follows_the_configured_time_zone() -> None:
    late_evening_utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert points.day_of(late_evening_utc, "UTC") == "2026-11-21"
    assert points.day_of(late_evening_utc, "Europe/Berlin") == "2026-11-22"
    assert points.days_to_reset("2026-11-22", 2) == ["2026-11-20", "2026-11-21"]


def test_points_reset_handler_ignores_malformed_input(
    table: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POINTS_TIMEZONE", "UTC")
    profile(table, "u1")
    spend(table, "u1", 25, YESTERDAY)
    result = handler_module.handler({"today": "next tuesday"}, lambda_context)
    assert "today must be" in result["input_error"]
    backfill = handler_module.handler({"today": TODAY}, lambda_context)
    assert backfill["today"] == TODAY and backfill["reset"] + result["reset"] == 1
    assert balance(table, "u1") == ALLOWANCE


def test_points_reset_handler_continues_in_a_new_invocation_when_bounded(
    table: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POINTS_MAX_PER_RUN", "1")
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(handler_module, "continue_later", lambda arn, payload: calls.append((arn, payload)))
    for user in ("u1", "u2", "u3"):
        profile(table, user)
        spend(table, user, 5, YESTERDAY)
    first = handler_module.handler({"today": TODAY}, lambda_context)
    assert first.get("continued") is True, first
    assert calls == [(lambda_context.invoked_function_arn, {"today": TODAY, "continuation": 1})]
    last = handler_module.handler({"today": TODAY, "continuation": 10}, lambda_context)
    assert last["exhausted"] is True and "continued" not in last and len(calls) == 1  # the chain is bounded
