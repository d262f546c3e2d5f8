"""Daily call points: spending them, and the daily reset that gives them back.

The balance is the ``points`` attribute of the user's ``PROFILE`` item (absent
means a full ``allowance``). Every spend also adds the amount to a marker item
``SPENT#{day}`` / ``USER#{user}`` in the same transaction, ``day`` being the
date in the reset time zone. The reset therefore never scans: for each past
day it queries that day's partition and, per user, gives back exactly what was
spent that day and deletes the marker, both in one transaction. A second run
the same day finds no markers and changes nothing; a spend made after midnight
lands in today's marker and is not undone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from parley.domain import keys
from parley.domain.pagination import Page
from parley.errors import BadRequest, Conflict

MARKER_TTL_DAYS = 8
# The profile attribute (USER#{id} / PROFILE) holding the points left today;
# absent means the configured daily allowance.
POINTS_ATTRIBUTE = "points"


def day_of(moment: datetime, timezone: str) -> str:
    """The reset day (YYYY-MM-DD) ``moment`` falls on in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def days_to_reset(today: str, lookback_days: int) -> list[str]:
    """The past days whose spends a run gives back, oldest first (today's stay spent)."""
    first = date.fromisoformat(today)
    return [(first - timedelta(days=n)).isoformat() for n in range(lookback_days, 0, -1)]


@dataclasses.dataclass(frozen=True)
class Spend:
    """The intent to deduct ``cost`` points from a user and record it under ``day`` for the reset.

    The store writes it in the same transaction as the work that costs points,
    refused when the balance (``allowance`` while never spent) is short.
    """

    user_id: str
    cost: int
    allowance: int
    day: str
    marker_expires_at: int


def spend(user_id: str, cost: int, *, allowance: int, day: str) -> Spend:
    if not isinstance(cost, int) or isinstance(cost, bool) or cost <= 0:
        raise BadRequest("cost must be a positive whole number", code="invalid_cost")
    if cost > allowance:
        raise Conflict("not enough points", code="insufficient_points")
    expires = (
        int(datetime.combine(date.fromisoformat(day), datetime.min.time()).timestamp())
        + MARKER_TTL_DAYS * keys.DAY_SECONDS
    )
    return Spend(user_id=user_id, cost=cost, allowance=allowance, day=day, marker_expires_at=expires)


class PointsStore(Protocol):
    def spenders(self, day: str, limit: int, cursor: dict[str, Any] | None) -> Page: ...
    def give_back(self, marker: dict[str, Any]) -> str: ...


@dataclasses.dataclass
class ResetReport:
    today: str
    days: list[str]
    reset: int = 0
    no_user: int = 0
    changed: int = 0
    pages: int = 0
    exhausted: bool = False  # stopped by the per-run bound; the next run continues

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def reset(
    store: PointsStore,
    today: str,
    *,
    lookback_days: int,
    page_size: int,
    max_items: int,
    time_left_ms: Callable[[], int] | None = None,
) -> ResetReport:
    """Give back every past day's spends (no scan: one partition per day, page by page), bounded per run."""
    report = ResetReport(today=today, days=days_to_reset(today, lookback_days))
    handled = 0
    for day in report.days:
        cursor: dict[str, Any] | None = None
        while True:
            if handled >= max_items or (time_left_ms is not None and time_left_ms() < 10_000):
                report.exhausted = True
                return report
            markers, cursor = store.spenders(day, min(page_size, max_items - handled), cursor)
            report.pages += 1
            for marker in markers:
                handled += 1
                outcome = store.give_back(marker)
                if outcome == "reset":
                    report.reset += 1
                elif outcome == "no_user":
                    report.no_user += 1
                else:
                    report.changed += 1
            if cursor is None:
                break
    return report
