"""api routes of the notifications area: the caller's notifications, newest first, and marking one read."""

from __future__ import annotations

from typing import Any

from parley.adapters.devices import Notifications
from parley.domain import clock, device_requests, keys
from parley.domain.validation import public_item
from parley.handlers.api_common import table
from parley.handlers.http import caller_id, new_router, page, page_request

router = new_router()


@router.get("/notifications")
def list_notifications() -> dict[str, Any]:
    user_id = caller_id(router)
    limit, start = page_request(router, ("PK", keys.user(user_id)), keys.NOTIFICATION_PREFIX)
    items, last = Notifications(table()).page(user_id, limit, start)
    return page([{**public_item(i), "id": device_requests.notification_id(i["SK"])} for i in items], last)


@router.post("/notifications/<notification_id>/read")
def read_notification(notification_id: str) -> dict[str, Any]:
    user_id = caller_id(router)
    sort_key = device_requests.notification_sort_key(notification_id)
    item = Notifications(table()).mark_read(user_id, sort_key, clock.now_iso())
    return {**public_item(item), "id": notification_id}
