"""domain/points.py: reset days, spend intents and the bounded reset run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from parley.domain import points
from parley.domain.points import ResetReport, Spend
from parley.errors import AppError


def test_points_day_is_the_date_in_the_reset_time_zone() -> None:
    moment = datetime(2030, 1, 1, 3, 30, tzinfo=UTC)
    assert points.day_of(moment, "UTC") == "2030-01-01"
    assert points.day_of(moment, "America/New_York") == "2029-12-31"


def test_points_days_to_reset_are_the_past_days_oldest_first() -> None:
    assert points.days_to_reset("2030-03-01", 3) == ["2030-02-26", "2030-02-27", "2030-02-28"]
    assert points.days_to_reset("2030-03-01", 0) == []


def test_points_spend_records_the_day_with_an_eight_day_marker() -> None:
    # 2030-01-01T00:00:00Z is 1893456000; the marker lives 8 days past the day's start
    assert points.spend("u-1", 2, allowance=2, day="2030-01-01") == Spend("u-1", 2, 2, "2030-01-01", 1894147200)


@pytest.mark.parametrize(("cost", "code", "message"), [
    (0, "invalid_cost", "cost must be a positive whole number"),
    (True, "invalid_cost", "cost must be a positive whole number"),
    (1.5, "invalid_cost", "cost must be a positive whole number"),
    (4, "insufficient_points", "not enough points"),
])  # fmt: skip
def test_points_spend_refusals(cost: Any, code: str, message: str) -> None:
    with pytest.raises(AppError) as refused:
        points.spend("u-1", cost, allowance=3, day="2030-01-01")
    assert (refused.value.code, refused.value.message) == (code, message)


class Store:
    """Markers per day, served in pages; give_back answers from a script."""

    def __init__(self, markers: dict[str, list[str]], outcomes: dict[str, str]) -> None:
        self.markers = markers
        self.outcomes = outcomes
        self.calls: list[tuple[str, int, Any]] = []
        self.given: list[str] = []

    def spenders(self, day: str, limit: int, cursor: dict[str, Any] | None) -> tuple[list[dict[str, Any]], Any]:
        self.calls.append((day, limit, cursor))
        start = 0 if cursor is None else cursor["at"]
        users = self.markers.get(day, [])[start : start + limit]
        end = start + len(users)
        return [{"user": u} for u in users], ({"at": end} if end < len(self.markers.get(day, [])) else None)

    def give_back(self, marker: dict[str, Any]) -> str:
        self.given.append(marker["user"])
        return self.outcomes.get(marker["user"], "reset")


def test_points_reset_pages_every_past_day_and_counts_outcomes() -> None:
    store = Store({"2030-01-01": ["a", "b", "c"], "2030-01-02": ["d"]}, {"b": "no_user", "c": "changed"})
    report = points.reset(store, "2030-01-03", lookback_days=2, page_size=2, max_items=100)
    assert report == ResetReport("2030-01-03", ["2030-01-01", "2030-01-02"], reset=2, no_user=1, changed=1, pages=3)
    assert store.calls == [("2030-01-01", 2, None), ("2030-01-01", 2, {"at": 2}), ("2030-01-02", 2, None)]
    assert report.as_dict()["pages"] == 3 and report.as_dict()["exhausted"] is False


def test_points_reset_stops_at_its_item_bound_and_asks_only_for_what_is_left() -> None:
    store = Store({"2030-01-01": ["a", "b", "c"]}, {})
    report = points.reset(store, "2030-01-02", lookback_days=1, page_size=2, max_items=3)
    assert store.calls == [("2030-01-01", 2, None), ("2030-01-01", 1, {"at": 2})]
    assert (report.reset, report.exhausted) == (3, False)
    bounded = points.reset(
        Store({"2030-01-01": ["a", "b", "c"]}, {}), "2030-01-02", lookback_days=1, page_size=5, max_items=2
    )
    assert (bounded.reset, bounded.pages, bounded.exhausted) == (2, 1, True)


def test_points_reset_stops_when_less_than_ten_seconds_are_left() -> None:
    store = Store({"2030-01-01": ["a"]}, {})
    assert points.reset(
        store, "2030-01-02", lookback_days=1, page_size=5, max_items=5, time_left_ms=lambda: 9_999
    ).exhausted
    assert store.calls == []
    done = points.reset(store, "2030-01-02", lookback_days=1, page_size=5, max_items=5, time_left_ms=lambda: 10_000)
    assert (done.reset, done.exhausted) == (1, False)
