"""The devices and notifications repositories: push devices and the notifications a user reads later."""

from __future__ import annotations

from parley.adapters.table import ConditionFailed, Delete, Item, Put, Table, Update, exists, key
from parley.domain import keys
from parley.domain.pagination import Page
from parley.errors import NotFound


class Devices:
    """``USER#{user}`` / ``DEVICE#{id}``: one item per push token; the same token rewrites the same item."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, item: Item) -> None:
        self.table.write(Put(item))

    def remove(self, user_id: str, device_id: str) -> None:
        """Forget a device; NotFound when the user has no such device."""
        try:
            self.table.write(Delete(key(keys.user(user_id), keys.device(device_id)), exists()))
        except ConditionFailed:
            raise NotFound("no such device") from None

    def forget(self, user_id: str, device_id: str) -> None:
        """Forget a device the push service no longer knows (it may be gone already)."""
        self.table.write(Delete(key(keys.user(user_id), keys.device(device_id))))

    def tokens(self, user_id: str) -> list[tuple[str, str]]:
        """(device id, push token) of every device of the user."""
        items = self.table.query_all(keys.user(user_id), prefix=keys.DEVICE_PREFIX)
        return [(keys.strip(str(item["SK"])), str(item["token"])) for item in items if item.get("token")]


class Notifications:
    """``USER#{user}`` / ``NOTIF#{ts}#{id}``: newest last in the partition, read newest first."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, item: Item) -> None:
        self.table.write(Put(item))

    def page(self, user_id: str, limit: int, start: Item | None) -> Page:
        return self.table.query(
            keys.user(user_id), prefix=keys.NOTIFICATION_PREFIX, limit=limit, start=start, newest_first=True
        )

    def mark_read(self, user_id: str, sort_key: str, read_at: str) -> Item:
        """Mark one notification read; NotFound when the user has no such notification."""
        try:
            return self.table.write(
                Update(key(keys.user(user_id), sort_key), set={"read": True, "read_at": read_at}, condition=exists())
            )
        except ConditionFailed:
            raise NotFound("no such notification") from None
