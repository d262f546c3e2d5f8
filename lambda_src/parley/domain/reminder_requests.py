"""Reminders as the API creates them: validation and the stored item.

The item is what the scheduled ``reminders`` function delivers: it finds due
reminders through GSI1 ``DUE#{shard}`` / ``{due_at}#{reminder_id}`` and claims
them by ``status``. Attributes: ``reminder_id``, ``user_id``, ``text``,
``channel`` (``in_app``, ``email``, ``push``), ``recurrence`` (``none``,
``daily``, ``weekly``), ``timezone`` (IANA name), ``due_at`` (fixed-width UTC
ISO), ``status`` (``pending``), ``attempts``, ``occurrences``, ``shard``,
``created_at``, ``updated_at``.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parley.domain import keys
from parley.domain.validation import Field, validate
from parley.errors import BadRequest

CHANNELS = frozenset({"in_app", "email", "push"})
RECURRENCES = frozenset({"none", "daily", "weekly"})
MIN_LEAD = timedelta(seconds=30)
MAX_AHEAD = timedelta(days=366)

REMINDER_FIELDS = {
    "due_at": Field(str, max_length=40),
    "text": Field(str, min_length=1, max_length=500),
    "channel": Field(str, required=False, choices=CHANNELS),
    "recurrence": Field(str, required=False, choices=RECURRENCES),
    "timezone": Field(str, required=False, max_length=64),
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shard_of(reminder_id: str, shards: int) -> int:
    """A stable shard for an id, so the item always lives in one ``DUE#`` partition."""
    return zlib.crc32(reminder_id.encode()) % shards


def parse_due(value: str, now: datetime) -> datetime:
    try:
        due = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise BadRequest("due_at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z", code="invalid_field") from None
    if due.tzinfo is None:
        raise BadRequest("due_at needs a time zone (e.g. Z or +02:00)", code="invalid_field")
    due = due.astimezone(UTC).replace(microsecond=0)
    if due < now + MIN_LEAD:
        raise BadRequest(f"due_at must be at least {MIN_LEAD.seconds} seconds ahead", code="invalid_field")
    if due > now + MAX_AHEAD:
        raise BadRequest(f"due_at must be within {MAX_AHEAD.days} days", code="invalid_field")
    return due


def check_zone(name: str) -> str:
    if ".." in name or name.startswith("/"):
        raise BadRequest("timezone must be an IANA time zone name, e.g. Europe/Berlin", code="invalid_field")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest("timezone must be an IANA time zone name, e.g. Europe/Berlin", code="invalid_field") from None
    return name


def new_reminder(body: dict[str, Any], user_id: str, reminder_id: str, now: datetime, shards: int) -> dict[str, Any]:
    fields = validate(body, REMINDER_FIELDS)
    now = now.astimezone(UTC)
    due = iso(parse_due(fields["due_at"], now))
    shard = shard_of(reminder_id, shards)
    return {
        "PK": keys.user(user_id),
        "SK": keys.reminder(reminder_id),
        "GSI1PK": keys.due_shard(shard),
        "GSI1SK": f"{due}#{reminder_id}",
        "type": "reminder",
        "reminder_id": reminder_id,
        "user_id": user_id,
        "text": fields["text"],
        "channel": fields.get("channel", "in_app"),
        "recurrence": fields.get("recurrence", "none"),
        "timezone": check_zone(fields.get("timezone", "UTC")),
        "due_at": due,
        "status": "pending",
        "attempts": 0,
        "occurrences": 0,
        "shard": shard,
        "created_at": iso(now),
        "updated_at": iso(now),
    }
