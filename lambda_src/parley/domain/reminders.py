"""Reminders: the rules for creating one, its item shape, and what a delivery run does with it.

A reminder is one item, ``USER#{user}`` / ``REMINDER#{id}``. While it waits for
delivery it sits in GSI1 under ``DUE#{shard}`` / ``{when}#{id}``, ``when`` being
the next attempt time as fixed-width UTC ISO text, so a run reads each shard's
due reminders with one range query. Final states (sent, failed) leave the
index. The delivery run (``run``) talks to the world only through the
``ReminderPorts`` it is given.

Item attributes:

- ``reminder_id``, ``user_id``, ``text`` (1-500 characters), ``channel``
  (``in_app``: WebSocket to every live connection, else a notification item;
  ``email``: SES to the profile's address; ``push``: Expo to the user's devices)
- ``due_at``: the occurrence being delivered (``YYYY-MM-DDTHH:MM:SSZ``)
- ``recurrence`` (``none``, ``daily``, ``weekly``) and ``timezone`` (IANA name:
  a daily reminder keeps its wall-clock time across daylight-saving changes)
- ``status``: ``pending`` -> ``sending`` (claimed by one run, until
  ``claim_expires_at``) -> ``sent`` or ``failed`` (``failed_reason``); a
  recurring reminder goes back to ``pending`` with its next ``due_at``
- ``attempts`` (of the current occurrence), ``last_error``, ``occurrences``
  (delivered so far), ``sent_via``, ``shard``, ``created_at``, ``updated_at``
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parley.domain import keys
from parley.errors import BadRequest

CHANNELS = ("in_app", "email", "push")
RECURRENCES = ("none", "daily", "weekly")
MAX_TEXT_CHARS = 500
MAX_AHEAD_DAYS = 366
MIN_LEAD_SECONDS = 30
NOTIFICATION_TTL_SECONDS = 30 * keys.DAY_SECONDS

Page = tuple[list[dict[str, Any]], dict[str, Any] | None]  # items, cursor of the next page

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

# Failures no retry or next occurrence can fix: the reminder stops for good.
TERMINAL_REASONS = frozenset({"user_deleted", "invalid_item"})


# --- time ------------------------------------------------------------------


def iso(moment: datetime) -> str:
    """Fixed-width UTC text, whole seconds: sorts like the time it names."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with a zone or offset, as an aware UTC datetime (whole seconds)."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("due_at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z", code="invalid_due_at")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise BadRequest("due_at must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z", code="invalid_due_at") from None
    if moment.tzinfo is None:
        raise BadRequest("due_at needs a time zone offset or Z", code="invalid_due_at")
    return moment.astimezone(UTC).replace(microsecond=0)


def zone(name: Any) -> ZoneInfo:
    if not isinstance(name, str) or not name or len(name) > 64 or ".." in name or name.startswith("/"):
        raise BadRequest("timezone must be an IANA time zone name, e.g. Europe/Berlin", code="invalid_timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(
            "timezone must be an IANA time zone name, e.g. Europe/Berlin", code="invalid_timezone"
        ) from None


def shard_of(reminder_id: str, shard_count: int) -> int:
    """A stable shard for an id, so the item always lives in one ``DUE#`` partition."""
    return zlib.crc32(reminder_id.encode()) % shard_count


def next_occurrence(due: datetime, recurrence: str, timezone: str, now: datetime) -> datetime | None:
    """The first occurrence after ``now`` (missed ones are skipped), same wall-clock time in ``timezone``."""
    if recurrence == "none":
        return None
    step = timedelta(days=1 if recurrence == "daily" else 7)
    tz = zone(timezone)
    local = due.astimezone(tz).replace(tzinfo=None)  # wall-clock arithmetic, then back to the zone
    candidate = local
    while True:
        candidate += step
        moment = candidate.replace(tzinfo=tz).astimezone(UTC)
        if moment > now:
            return moment


# --- creation (called by the HTTP API: POST /reminders) -----------------------


def create_reminder(
    user_id: str,
    body: Mapping[str, Any],
    *,
    now: datetime,
    shard_count: int,
    reminder_id: str | None = None,
) -> dict[str, Any]:
    """Validate a request body and return the new reminder item (raises BadRequest with a code).

    Body: ``text``, ``due_at`` (ISO 8601 with offset), optional ``channel``
    (default ``in_app``), ``recurrence`` (default ``none``), ``timezone``
    (default ``UTC``). Write it with ``attribute_not_exists(PK)``.
    """
    if not isinstance(body, Mapping):
        raise BadRequest("body must be a JSON object", code="invalid_json")
    unknown = sorted(set(body) - {"text", "due_at", "channel", "recurrence", "timezone"})
    if unknown:
        raise BadRequest(f"unknown fields: {', '.join(unknown)}", code="unknown_field")

    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text is required", code="invalid_text")
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(f"text must be at most {MAX_TEXT_CHARS} characters", code="text_too_long")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise BadRequest("text must not contain control characters", code="invalid_text")

    channel = body.get("channel", "in_app")
    if channel not in CHANNELS:
        raise BadRequest(f"channel must be one of {', '.join(CHANNELS)}", code="invalid_channel")
    recurrence = body.get("recurrence", "none")
    if recurrence not in RECURRENCES:
        raise BadRequest(f"recurrence must be one of {', '.join(RECURRENCES)}", code="invalid_recurrence")
    timezone = body.get("timezone", "UTC")
    zone(timezone)

    due = parse_time(body.get("due_at"))
    now = now.astimezone(UTC)
    if due < now + timedelta(seconds=MIN_LEAD_SECONDS):
        raise BadRequest(f"due_at must be at least {MIN_LEAD_SECONDS} seconds in the future", code="due_in_past")
    if due > now + timedelta(days=MAX_AHEAD_DAYS):
        raise BadRequest(f"due_at must be within {MAX_AHEAD_DAYS} days", code="due_too_far")
    if shard_count < 1:
        raise ValueError("shard_count must be >= 1")

    rid = reminder_id or uuid.uuid4().hex
    shard = shard_of(rid, shard_count)
    due_iso = iso(due)
    return {
        "PK": keys.user(user_id),
        "SK": keys.reminder(rid),
        "GSI1PK": keys.due_shard(shard),
        "GSI1SK": keys.due_sort(due_iso, rid),
        "type": "reminder",
        "reminder_id": rid,
        "user_id": user_id,
        "text": text,
        "channel": channel,
        "recurrence": recurrence,
        "timezone": timezone,
        "due_at": due_iso,
        "status": PENDING,
        "attempts": 0,
        "occurrences": 0,
        "shard": shard,
        "created_at": iso(now),
        "updated_at": iso(now),
    }


def public_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """The reminder as the API shows it to its owner."""
    fields = ("reminder_id", "text", "channel", "recurrence", "timezone", "due_at", "status", "attempts")
    view = {k: item[k] for k in fields if k in item}
    view["attempts"] = int(view.get("attempts", 0))
    for optional in ("sent_via", "failed_reason", "last_error", "created_at"):
        if item.get(optional):
            view[optional] = item[optional]
    return view


# --- delivery run --------------------------------------------------------------


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # transient: try again later, until max attempts
    FAILED = "failed"  # permanent for this occurrence


@dataclasses.dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str  # the channel used when delivered, else the reason


class EmailStatus(enum.Enum):
    SENT = "sent"
    TRANSIENT = "transient"
    REJECTED = "rejected"


class WsStatus(enum.Enum):
    SENT = "sent"
    GONE = "gone"
    OTHER = "other"


@dataclasses.dataclass(frozen=True)
class PushTicket:
    """Expo's answer for one message: ok, or an error code (DeviceNotRegistered, MessageRateExceeded, ...)."""

    ok: bool
    error: str = ""


class PushUnavailable(Exception):
    """The push service did not take the request (network, 429, 5xx): try later."""


class PushRejected(Exception):
    """The push service refused the whole request (4xx): retrying the same request will not help."""


class ReminderPorts(Protocol):
    """What a delivery run needs from the world (adapters implement it; tests fake it)."""

    def due(self, shard: int, now_iso: str, limit: int, cursor: dict[str, Any] | None) -> Page: ...
    def claim(
        self, item: Mapping[str, Any], token: str, now_iso: str, lease_until_iso: str
    ) -> dict[str, Any] | None: ...
    def finish(
        self, item: Mapping[str, Any], token: str, set_fields: dict[str, Any], remove: Iterable[str]
    ) -> bool: ...
    def profile(self, user_id: str) -> dict[str, Any] | None: ...
    def connections(self, user_id: str) -> list[str]: ...
    def post(self, connection_id: str, frame: dict[str, Any]) -> WsStatus: ...
    def drop_connection(self, connection_id: str) -> None: ...
    def put_notification(self, item: dict[str, Any]) -> None: ...
    def send_email(self, to: str, subject: str, text: str) -> EmailStatus: ...
    def devices(self, user_id: str) -> list[tuple[str, str]]: ...
    def push(self, messages: list[dict[str, Any]]) -> list[PushTicket]: ...
    def drop_device(self, user_id: str, device_id: str) -> None: ...


@dataclasses.dataclass(frozen=True)
class RunLimits:
    shard_count: int
    max_items: int
    max_attempts: int
    retry_delay_seconds: int
    lease_seconds: int
    page_size: int = 25


@dataclasses.dataclass
class RunReport:
    examined: int = 0
    claimed: int = 0
    skipped: int = 0  # claimed by another run meanwhile
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    rescheduled: int = 0  # recurring: next occurrence set
    errors: int = 0  # unexpected errors while delivering (the reminder is retried)
    exhausted: bool = False  # stopped by the per-run bound; the next run continues

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def notification_item(reminder: Mapping[str, Any], now: datetime, notification_id: str | None = None) -> dict[str, Any]:
    """The notification item an offline user finds later (30-day TTL)."""
    nid = notification_id or uuid.uuid4().hex
    ts_ms = int(now.timestamp() * 1000)
    return {
        "PK": keys.user(str(reminder["user_id"])),
        "SK": keys.notification(ts_ms, nid),
        "type": "notification",
        "kind": "reminder",
        "notification_id": nid,
        "reminder_id": reminder["reminder_id"],
        "text": reminder["text"],
        "due_at": reminder["due_at"],
        "read": False,
        "created_at": iso(now),
        "TTL": keys.ttl_in(NOTIFICATION_TTL_SECONDS, now.timestamp()),
    }


def _frame(reminder: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "reminder",
        "reminder": {"id": reminder["reminder_id"], "text": reminder["text"], "due_at": reminder["due_at"]},
    }


def deliver(reminder: Mapping[str, Any], ports: ReminderPorts, now: datetime) -> Result:
    """Deliver one claimed reminder on its channel."""
    user_id = str(reminder["user_id"])
    profile = ports.profile(user_id)
    if profile is None:
        return Result(Outcome.FAILED, "user_deleted")
    channel = reminder["channel"]
    if channel == "in_app":
        return _deliver_in_app(reminder, ports, now)
    if channel == "email":
        address = profile.get("email")
        if not isinstance(address, str) or "@" not in address:
            return Result(Outcome.FAILED, "no_email_address")
        status = ports.send_email(address, "Reminder", str(reminder["text"]))
        if status is EmailStatus.SENT:
            return Result(Outcome.DELIVERED, "email")
        if status is EmailStatus.REJECTED:
            return Result(Outcome.FAILED, "email_rejected")
        return Result(Outcome.RETRY, "email_unavailable")
    return _deliver_push(reminder, ports)


def _deliver_in_app(reminder: Mapping[str, Any], ports: ReminderPorts, now: datetime) -> Result:
    frame = _frame(reminder)
    sent = 0
    for connection_id in ports.connections(str(reminder["user_id"])):
        status = ports.post(connection_id, frame)
        if status is WsStatus.SENT:
            sent += 1
        elif status is WsStatus.GONE:
            ports.drop_connection(connection_id)
    if sent:
        return Result(Outcome.DELIVERED, "websocket")
    ports.put_notification(notification_item(reminder, now))
    return Result(Outcome.DELIVERED, "notification")


def _deliver_push(reminder: Mapping[str, Any], ports: ReminderPorts) -> Result:
    user_id = str(reminder["user_id"])
    devices = ports.devices(user_id)
    if not devices:
        return Result(Outcome.FAILED, "no_device")
    messages = [
        {
            "to": token,
            "title": "Reminder",
            "body": reminder["text"],
            "sound": "default",
            "data": {"type": "reminder", "reminder_id": reminder["reminder_id"]},
        }
        for _, token in devices
    ]
    try:
        tickets = ports.push(messages)
    except PushUnavailable:
        return Result(Outcome.RETRY, "push_unavailable")
    except PushRejected:
        return Result(Outcome.FAILED, "push_rejected")
    ok = 0
    transient = False
    for (device_id, _), ticket in zip(devices, tickets, strict=False):
        if ticket.ok:
            ok += 1
        elif ticket.error == "DeviceNotRegistered":
            ports.drop_device(user_id, device_id)
        elif ticket.error == "MessageRateExceeded":
            transient = True
    if ok:
        return Result(Outcome.DELIVERED, "push")
    if transient or len(tickets) < len(devices):
        return Result(Outcome.RETRY, "push_unavailable")
    return Result(Outcome.FAILED, "no_valid_device")


def transition(
    reminder: Mapping[str, Any], result: Result, now: datetime, limits: RunLimits
) -> tuple[str, dict[str, Any], list[str]]:
    """What to write after a delivery attempt: (kind, attributes to set, attributes to remove)."""
    rid = str(reminder["reminder_id"])
    stamp = iso(now)
    release = ["claim_token", "claim_expires_at"]
    attempts = int(reminder.get("attempts", 0))
    outcome = result.outcome
    if outcome is Outcome.RETRY and attempts >= limits.max_attempts:
        outcome, reason = Outcome.FAILED, f"{result.detail}_after_{attempts}_attempts"
    else:
        reason = result.detail

    if outcome is Outcome.RETRY:
        retry_at = iso(now + timedelta(seconds=limits.retry_delay_seconds * attempts))
        fields: dict[str, Any] = {
            "status": PENDING,
            "GSI1SK": keys.due_sort(retry_at, rid),
            "last_error": reason,
            "updated_at": stamp,
        }
        return "retried", fields, release

    upcoming = (
        None
        if reason in TERMINAL_REASONS
        else next_occurrence(
            parse_time(reminder["due_at"]),
            str(reminder.get("recurrence", "none")),
            str(reminder.get("timezone", "UTC")),
            now,
        )
    )
    if upcoming is None:  # a one-off reminder, or a failure that ends the series
        if outcome is Outcome.DELIVERED:
            fields = {
                "status": SENT,
                "sent_via": reason,
                "sent_at": stamp,
                "updated_at": stamp,
                "occurrences": int(reminder.get("occurrences", 0)) + 1,
            }
            return "delivered", fields, [*release, "GSI1PK", "GSI1SK"]
        fields = {"status": FAILED, "failed_reason": reason, "failed_at": stamp, "updated_at": stamp}
        return "failed", fields, [*release, "GSI1PK", "GSI1SK"]

    # Recurring: whatever this occurrence's fate, the series goes on.
    due_iso = iso(upcoming)
    fields = {
        "status": PENDING,
        "due_at": due_iso,
        "GSI1SK": keys.due_sort(due_iso, rid),
        "attempts": 0,
        "updated_at": stamp,
    }
    if outcome is Outcome.DELIVERED:
        fields |= {"sent_via": reason, "last_sent_at": stamp, "occurrences": int(reminder.get("occurrences", 0)) + 1}
    else:
        fields["last_error"] = reason
    return ("delivered" if outcome is Outcome.DELIVERED else "failed") + "_rescheduled", fields, release


def _valid(item: Mapping[str, Any]) -> bool:
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


def run(
    ports: ReminderPorts,
    now: datetime,
    limits: RunLimits,
    time_left_ms: Callable[[], int] | None = None,
    shards: Iterable[int] | None = None,
) -> RunReport:
    """One run: claim and deliver due reminders, shard by shard, at most ``limits.max_items``.

    ``time_left_ms`` (a callable) stops the run early when under 10 s remain.
    Shards are visited from a starting point that moves every 5 minutes, so a
    bounded run never starves the last shards.
    """
    report = RunReport()
    now_iso = iso(now)
    order = list(shards) if shards is not None else list(range(limits.shard_count))
    if shards is None and order:
        start = int(now.timestamp() // 300) % len(order)
        order = order[start:] + order[:start]
    lease_until = iso(now + timedelta(seconds=limits.lease_seconds))

    def out_of_budget() -> bool:
        return report.examined >= limits.max_items or (time_left_ms is not None and time_left_ms() < 10_000)

    for shard in order:
        cursor: dict[str, Any] | None = None
        while True:
            if out_of_budget():
                report.exhausted = True
                return report
            page_size = min(limits.page_size, limits.max_items - report.examined)
            items, cursor = ports.due(shard, now_iso, page_size, cursor)
            for item in items:
                if out_of_budget():
                    report.exhausted = True
                    return report
                report.examined += 1
                _handle(item, ports, now=now, now_iso=now_iso, lease_until=lease_until, limits=limits, report=report)
            if cursor is None:
                break
    return report


def _handle(
    item: Mapping[str, Any],
    ports: ReminderPorts,
    *,
    now: datetime,
    now_iso: str,
    lease_until: str,
    limits: RunLimits,
    report: RunReport,
) -> None:
    token = uuid.uuid4().hex
    claimed = ports.claim(item, token, now_iso, lease_until)
    if claimed is None:
        report.skipped += 1
        return
    report.claimed += 1
    if not _valid(claimed):
        result = Result(Outcome.FAILED, "invalid_item")
        claimed = {**claimed, "recurrence": "none"}
    else:
        try:
            result = deliver(claimed, ports, now)
        except Exception as exc:  # noqa: BLE001 - per-reminder guard: one bad reminder must not stop the run
            # Counted as a transient failure: retried, then failed after max attempts.
            result = Result(Outcome.RETRY, f"internal_error_{type(exc).__name__}")
            report.errors += 1
    kind, fields, remove = transition(claimed, result, now, limits)
    if not ports.finish(claimed, token, fields, remove):
        return  # our claim expired and another run took over: it owns the outcome
    if kind.endswith("_rescheduled"):
        report.rescheduled += 1
    if kind.startswith("delivered"):
        report.delivered += 1
    elif kind == "retried":
        report.retried += 1
    else:
        report.failed += 1
