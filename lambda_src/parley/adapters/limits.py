"""The sign-in limits repository: atomic fixed-window counters and the daily new-account count."""

from __future__ import annotations

from parley.adapters.table import ConditionFailed, Increment, Table, Update, absent, gt, key, lt
from parley.domain import keys
from parley.domain.limits import Limit

NEW_ACCOUNT_DAYS_KEPT = 2  # the day's count outlives the day, so a late release finds it


class Limits:
    def __init__(self, table: Table) -> None:
        self.table = table

    def hit(self, limit: Limit, value: str, now: int) -> bool:
        """Count one request of ``value`` in the current window; False (nothing counted) when it is full."""
        start = limit.window_start(now)
        try:
            self.table.write(
                Update(
                    key(keys.limit(limit.scope, value), keys.limit_window(start)),
                    set={"hits": Increment(1), "TTL": start + limit.window_seconds},
                    condition=absent() | lt("hits", limit.max_hits),
                )
            )
        except ConditionFailed:
            return False
        return True

    def reserve_new_account(self, day: str, cap: int, now: int) -> int | None:
        """Take one of the day's ``cap`` new-account slots: the day's count, or None when none is left."""
        try:
            item = self.table.write(
                Update(
                    key(keys.new_accounts(day), keys.COUNT),
                    set={"accounts": Increment(1), "TTL": now + NEW_ACCOUNT_DAYS_KEPT * keys.DAY_SECONDS},
                    condition=absent() | lt("accounts", cap),
                )
            )
        except ConditionFailed:
            return None
        return int(item["accounts"])

    def release_new_account(self, day: str) -> None:
        """Give a slot back (the address had an account already); never below zero."""
        try:
            self.table.write(
                Update(
                    key(keys.new_accounts(day), keys.COUNT),
                    set={"accounts": Increment(-1)},
                    condition=gt("accounts", 0),
                )
            )
        except ConditionFailed:
            return
