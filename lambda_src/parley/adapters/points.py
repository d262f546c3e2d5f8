"""The points repository: a user's balance, the writes of a spend, one day's spenders and the give-back.

The balance is the ``points`` attribute of the profile (absent: the full
allowance); a spend also adds to the marker ``SPENT#{day}`` / ``USER#{user}``
that the daily reset reads instead of scanning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from parley.adapters import aws
from parley.adapters.table import (
    ConditionFailed,
    Delete,
    Increment,
    Item,
    Operation,
    Table,
    Update,
    absent,
    eq,
    exists,
    ge,
    key,
)
from parley.domain import keys
from parley.domain.pagination import Page
from parley.domain.points import POINTS_ATTRIBUTE, Spend


class Points:
    def __init__(self, table: Table) -> None:
        self.table = table

    def balance(self, user_id: str, default: int) -> int | None:
        """The user's points left today (``default`` if never spent), or None without a profile."""
        item = self.table.get(keys.user(user_id), keys.PROFILE, consistent=False)
        if item is None:
            return None
        return int(item.get(POINTS_ATTRIBUTE, default))

    @staticmethod
    def spend_operations(spend: Spend, also_set: Mapping[str, Any] | None = None) -> list[Operation]:
        """Transaction operations for a spend: the deduction (refused when short, also setting ``also_set`` on
        the profile) and the day's marker."""
        return [
            Update(
                key(keys.user(spend.user_id), keys.PROFILE),
                set={POINTS_ATTRIBUTE: Increment(-spend.cost, start=spend.allowance), **(also_set or {})},
                condition=exists() & (absent(POINTS_ATTRIBUTE) | ge(POINTS_ATTRIBUTE, spend.cost)),
            ),
            Update(
                key(keys.spent(spend.day), keys.user(spend.user_id)),
                set={"user_id": spend.user_id, "TTL": spend.marker_expires_at},
                add={"spent": spend.cost},
            ),
        ]

    def spenders(self, day: str, limit: int, cursor: Item | None) -> Page:
        return self.table.query(keys.spent(day), limit=limit, start=cursor, consistent=True)

    def give_back(self, marker: Item) -> str:
        """Return the day's spend to the user and delete the marker, atomically.

        ``"reset"``; ``"no_user"`` (profile gone: marker deleted); ``"changed"``
        (the marker moved meanwhile: read it again next page or run).
        """
        spent = marker.get("spent", 0)
        marker_delete = Delete(key(marker["PK"], marker["SK"]), eq("spent", spent))
        try:
            self.table.transact(
                [
                    Update(
                        key(marker["SK"], keys.PROFILE),
                        add={POINTS_ATTRIBUTE: spent},
                        condition=exists() & exists(POINTS_ATTRIBUTE),
                    ),
                    marker_delete,
                ]
            )
        except ConditionFailed as refused:
            if refused.failed(1):
                return "changed"
            try:
                self.table.write(marker_delete)
            except ConditionFailed:
                return "changed"
            return "no_user"
        return "reset"


def continue_later(function_arn: str, payload: dict[str, Any]) -> None:
    """Invoke the reset again, asynchronously, to finish what a bounded run left."""
    aws.client("lambda").invoke(FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode())
