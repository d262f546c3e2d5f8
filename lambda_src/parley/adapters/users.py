"""The users repository: profiles, settings, the sign-in code send window, and a user's records for export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parley.adapters.table import GSI1, ConditionFailed, IfAbsent, Item, Put, Table, Update, absent, eq, exists, key
from parley.domain import keys
from parley.domain.otp import SEND_WINDOW_SECONDS, SendWindow, next_send_window

# Record types of an export and where each lives under the user's partition (True: in GSI1, for room
# memberships, the messages the user sent and their calls).
EXPORTED_RANGES = (
    ("room", keys.ROOM_PREFIX, True),
    ("message", keys.MESSAGE_PREFIX, True),
    ("call", keys.CALL_PREFIX, True),
    ("reminder", keys.REMINDER_PREFIX, False),
    ("notification", keys.NOTIFICATION_PREFIX, False),
)


class Users:
    def __init__(self, table: Table) -> None:
        self.table = table

    def profile(self, user_id: str) -> Item | None:
        return self.table.get(keys.user(user_id), keys.PROFILE)

    def create_profile(self, item: Item) -> bool:
        """Put the profile unless it exists; True when this call created it."""
        try:
            self.table.write(Put(item, absent()))
        except ConditionFailed:
            return False
        return True

    def update_profile(self, user_id: str, changes: dict[str, Any], created: dict[str, Any]) -> Item:
        """Set ``changes`` (and ``created`` where absent, for a profile not made yet); the new profile."""
        values = {**changes, **{name: IfAbsent(value) for name, value in created.items()}}
        return self.table.write(Update(key(keys.user(user_id), keys.PROFILE), set=values))

    def mark_seen(self, user_id: str, seen_at: str) -> None:
        """Set the profile's ``last_seen``; a user without a profile (anonymous, deleted) is left alone."""
        try:
            self.table.write(
                Update(key(keys.user(user_id), keys.PROFILE), set={"last_seen": seen_at}, condition=exists())
            )
        except ConditionFailed:
            return

    def settings(self, user_id: str) -> Item | None:
        return self.table.get(keys.user(user_id), keys.SETTINGS)

    def put_settings(self, user_id: str, document: dict[str, Any]) -> None:
        self.table.write(Put({"PK": keys.user(user_id), "SK": keys.SETTINGS, **document}))

    def reserve_send(self, user_id: str, now: int) -> bool:
        """Count one more code mail for the user; False when the send limit is reached.

        Optimistic concurrency: the window is written only if nobody changed it
        since it was read, so two parallel sends cannot both take the last slot.
        """
        item = self.table.get(keys.user(user_id), keys.OTP_SENDS)
        current = SendWindow(int(item["started_at"]), int(item["sends"])) if item else None
        following = next_send_window(current, now)
        if following is None:
            return False
        unchanged = absent() if current is None else eq("started_at", current.started_at) & eq("sends", current.sends)
        window = {
            "PK": keys.user(user_id),
            "SK": keys.OTP_SENDS,
            "started_at": following.started_at,
            "sends": following.sends,
            "TTL": following.started_at + SEND_WINDOW_SECONDS,  # the item goes when its window ends
        }
        try:
            self.table.write(Put(window, unchanged))
        except ConditionFailed:
            return False
        return True

    def records(self, user_id: str) -> Iterator[tuple[str, Item]]:
        """Everything stored for the user, as (record type, item): the export's rows."""
        for record_type, item in (("profile", self.profile(user_id)), ("settings", self.settings(user_id))):
            if item is not None:
                yield record_type, item
        for record_type, prefix, by_user in EXPORTED_RANGES:
            index = GSI1 if by_user else None
            for item in self.table.query_all(keys.user(user_id), prefix=prefix, index=index, limit=100):
                yield record_type, item
        for item in self.table.query_all(keys.user(user_id), prefix=keys.DEVICE_PREFIX, limit=100):
            yield "device", {k: v for k, v in item.items() if k != "token"}
