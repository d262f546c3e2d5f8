"""Reminders as the API creates them: validation and the stored item.

The item is what the scheduled ``reminders`` function reads: due reminders are
found through GSI1 ``DUE#{shard}`` / ``{due_iso}#{id}`` and claimed by status.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from parley.domain import keys
from parley.domain.validation import Field, validate
from parley.errors import BadRequest

CHANNELS = frozenset({"in_app", "email", "push"})
RECURRENCES = frozenset({"none", "daily", "weekly"})
MAX_AHEAD = timedelta(days=365)
PAST_GRACE = timedelta(seconds=60)

REMINDER_FIELDS = {
    "due_at": Field(str, max_length=40),
    "text": Field(str, min_length=1, max_length=500),
    "channel": Field(str, required=False, choices=CHANNELS),
    "recurrence": Field(str, required=False, choices=RECURRENCES),
}


def shard_of(reminder_id: str, shards: int) -> int:
    return int(hashlib.sha256(reminder_id.encode()).hexdigest(), 16) % shards


def parse_due(value: str, now: datetime) -> datetime:
    try:
        due = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            "due_at must be an ISO 8601 time with a zone, e.g. 2030-01-01T09:00:00Z", code="invalid_field"
        ) from None
    if due.tzinfo is None:
        raise BadRequest("due_at needs a time zone (e.g. Z or +02:00)", code="invalid_field")
    due = due.astimezone(UTC)
    if due < now - PAST_GRACE:
        raise BadRequest("due_at is in the past", code="invalid_field")
    if due > now + MAX_AHEAD:
        raise BadRequest("due_at is more than a year ahead", code="invalid_field")
    return due


def new_reminder(body: dict[str, Any], user_id: str, reminder_id: str, now: datetime, shards: int) -> dict[str, Any]:
    fields = validate(body, REMINDER_FIELDS)
    due = parse_due(fields["due_at"], now).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "PK": keys.user(user_id),
        "SK": keys.reminder(reminder_id),
        "GSI1PK": keys.due_shard(shard_of(reminder_id, shards)),
        "GSI1SK": f"{due}#{reminder_id}",
        "id": reminder_id,
        "user_id": user_id,
        "due_at": due,
        "text": fields["text"],
        "channel": fields.get("channel", "in_app"),
        "recurrence": fields.get("recurrence", "none"),
        "status": "pending",
        "attempts": 0,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
