"""api routes of the reminders area: schedule, list and cancel reminders."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.event_handler import Response

from parley.adapters.reminders import Reminders
from parley.domain import clock, keys
from parley.domain.reminders import rules
from parley.domain.validation import path_id, public_item
from parley.handlers.api_common import settings, table
from parley.handlers.http import caller_id, json_body, new_router, page, page_request

router = new_router()


@router.post("/reminders")
def create_reminder() -> tuple[dict[str, Any], int]:
    user_id = caller_id(router)
    item = rules.new_reminder(
        json_body(router), user_id, uuid.uuid4().hex, clock.now(), settings().reminder_shard_count
    )
    Reminders(table()).add(item)
    return public_item(item), 201


@router.get("/reminders")
def list_reminders() -> dict[str, Any]:
    user_id = caller_id(router)
    limit, start = page_request(router, ("PK", keys.user(user_id)), keys.REMINDER_PREFIX)
    items, last = Reminders(table()).page(user_id, limit, start)
    return page([public_item(i) for i in items], last)


@router.delete("/reminders/<reminder_id>")
def delete_reminder(reminder_id: str) -> Response[Any]:
    user_id = caller_id(router)
    Reminders(table()).remove(user_id, path_id(reminder_id, "reminder"))
    return Response(status_code=204)
