"""The rules of a reminder: what a valid request is, the item it becomes, and when it recurs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from parley.domain import keys, zones
from parley.domain.clock import iso
from parley.domain.validation import Field, validate
from parley.errors import BadRequest

CHANNELS = frozenset({"in_app", "email", "push"})
RECURRENCES = frozenset({"none", "daily", "weekly"})
MAX_TEXT_CHARS = 500
MIN_LEAD = timedelta(seconds=30)
MAX_AHEAD = timedelta(days=366)
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

REMINDER_FIELDS = {
    "due_at": Field(str, max_length=40),
    "text": Field(str, min_length=1, max_length=MAX_TEXT_CHARS, nonblank=True),
    "channel": Field(str, required=False, choices=CHANNELS),
    "recurrence": Field(str, required=False, choices=RECURRENCES),
    "timezone": Field(str, required=False, max_length=64),
}


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with a zone or offset, as an aware UTC datetime (whole seconds)."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise BadRequest("due_at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z", code="invalid_field") from None
    if moment.tzinfo is None:
        raise BadRequest("due_at needs a time zone (e.g. Z or +02:00)", code="invalid_field")
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # the first or last day of the calendar with an offset that leaves it
        raise BadRequest("due_at is outside the calendar once converted to UTC", code="invalid_field") from None


def zone(name: Any) -> ZoneInfo:
    """The IANA time zone ``name``."""
    if not zones.is_time_zone(name):
        raise BadRequest(f"timezone {zones.HINT}", code="invalid_field")
    return ZoneInfo(name)


def new_reminder(body: dict[str, Any], user_id: str, reminder_id: str, now: datetime, shards: int) -> dict[str, Any]:
    """The item of a POST /reminders body (BadRequest when invalid); write it only where none exists."""
    fields = validate(body, REMINDER_FIELDS)
    now = now.astimezone(UTC)
    due = parse_time(fields["due_at"])
    if due < now + MIN_LEAD:
        raise BadRequest(f"due_at must be at least {MIN_LEAD.seconds} seconds ahead", code="invalid_field")
    if due > now + MAX_AHEAD:
        raise BadRequest(f"due_at must be within {MAX_AHEAD.days} days", code="invalid_field")
    timezone = fields.get("timezone", "UTC")
    zone(timezone)
    shard = keys.shard_of(reminder_id, shards)
    due_iso = iso(due)
    return {
        "PK": keys.user(user_id),
        "SK": keys.reminder(reminder_id),
        "GSI1PK": keys.due_shard(shard),
        "GSI1SK": keys.due_sort(due_iso, reminder_id),
        "type": "reminder",
        "reminder_id": reminder_id,
        "user_id": user_id,
        "text": fields["text"],
        "channel": fields.get("channel", "in_app"),
        "recurrence": fields.get("recurrence", "none"),
        "timezone": timezone,
        "due_at": due_iso,
        "status": PENDING,
        "attempts": 0,
        "occurrences": 0,
        "shard": shard,
        "created_at": iso(now),
        "updated_at": iso(now),
    }


def next_occurrence(due: datetime, recurrence: str, timezone: str, now: datetime) -> datetime | None:
    """The first occurrence after ``now`` (missed ones are skipped), same wall-clock time in ``timezone``."""
    if recurrence == "none":
        return None
    step = timedelta(days=1 if recurrence == "daily" else 7)
    tz = zone(timezone)
    candidate = due.astimezone(tz).replace(tzinfo=None)  # wall-clock arithmetic, then back to the zone
    while True:
        candidate += step
        moment = candidate.replace(tzinfo=tz).astimezone(UTC)
        if moment > now:
            return moment


def deliverable(item: Mapping[str, Any]) -> bool:
    """Whether a stored item has what a delivery needs (a corrupt one fails instead of crashing the run)."""
    try:
        parse_time(item.get("due_at"))
        zone(item.get("timezone", "UTC"))
    except BadRequest:
        return False
    return (
        isinstance(item.get("reminder_id"), str)
        and isinstance(item.get("user_id"), str)
        and isinstance(item.get("text"), str)
        and item.get("channel") in CHANNELS
        and item.get("recurrence", "none") in RECURRENCES
    )
