"""A delivery run: claim due reminders shard by shard, deliver each on its channel, and record the outcome.

The run talks to the world only through the ``ReminderPorts`` it is given
(``parley.domain.reminders.ports``); the rules of an item are in
``parley.domain.reminders.rules``.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from parley.domain import keys
from parley.domain.clock import iso
from parley.domain.reminders import rules
from parley.domain.reminders.ports import (
    EmailStatus,
    PushRejected,
    PushServerError,
    PushUnavailable,
    ReminderPorts,
    WsStatus,
)

NOTIFICATION_TTL_SECONDS = 30 * keys.DAY_SECONDS

# Failures no retry or next occurrence can fix: the reminder stops for good.
TERMINAL_REASONS = frozenset({"user_deleted", "invalid_item"})
# Receipts read per shard and run (Expo's getReceipts takes up to 1000 ids).
RECEIPTS_PER_SHARD = 1000


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # transient: try again later, until max attempts
    FAILED = "failed"  # permanent for this occurrence


@dataclasses.dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str  # the channel used when delivered, else the reason


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
    receipts: int = 0  # push receipts read (tickets of earlier runs)
    devices_removed: int = 0  # devices whose receipt said DeviceNotRegistered
    receipts_unavailable: int = 0  # shards whose receipts could not be read (kept for the next run)

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
    return _deliver_push(reminder, ports, now)


def push_message(token: str, reminder: Mapping[str, Any]) -> dict[str, Any]:
    """One Expo push message (the ``PushMessage`` format of Expo's server SDK) for a reminder."""
    return {
        "to": token,
        "title": "Reminder",
        "body": str(reminder["text"]),
        "sound": "default",
        "data": {"type": "reminder", "reminder_id": str(reminder["reminder_id"])},
    }


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


def _deliver_push(reminder: Mapping[str, Any], ports: ReminderPorts, now: datetime) -> Result:
    user_id = str(reminder["user_id"])
    devices = ports.devices(user_id)
    if not devices:
        return Result(Outcome.FAILED, "no_device")
    messages = [push_message(token, reminder) for _, token in devices]
    try:
        tickets = ports.push(messages)
    except PushUnavailable:
        return Result(Outcome.RETRY, "push_unavailable")
    except PushServerError:
        return Result(Outcome.FAILED, "push_server_error")
    except PushRejected:
        return Result(Outcome.FAILED, "push_rejected")
    ok = 0
    transient = False
    sent: list[tuple[str, str, str]] = []  # (ticket id, user, device): receipts the next run reads
    for (device_id, _), ticket in zip(devices, tickets, strict=False):
        if ticket.ok:
            ok += 1
            if ticket.ticket_id:
                sent.append((ticket.ticket_id, user_id, device_id))
        elif ticket.error == "DeviceNotRegistered":
            ports.drop_device(user_id, device_id)
        elif ticket.error == "MessageRateExceeded":
            transient = True
    if sent:
        ports.keep_receipts(int(reminder.get("shard", 0)), sent, iso(now))
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
            "status": rules.PENDING,
            "GSI1SK": keys.due_sort(retry_at, rid),
            "last_error": reason,
            "updated_at": stamp,
        }
        return "retried", fields, release

    upcoming = (
        None
        if reason in TERMINAL_REASONS
        else rules.next_occurrence(
            rules.parse_time(reminder["due_at"]),
            str(reminder.get("recurrence", "none")),
            str(reminder.get("timezone", "UTC")),
            now,
        )
    )
    if upcoming is None:  # a one-off reminder, or a failure that ends the series
        if outcome is Outcome.DELIVERED:
            fields = {
                "status": rules.SENT,
                "sent_via": reason,
                "sent_at": stamp,
                "updated_at": stamp,
                "occurrences": int(reminder.get("occurrences", 0)) + 1,
            }
            return "delivered", fields, [*release, "GSI1PK", "GSI1SK"]
        fields = {"status": rules.FAILED, "failed_reason": reason, "failed_at": stamp, "updated_at": stamp}
        return "failed", fields, [*release, "GSI1PK", "GSI1SK"]

    # Recurring: whatever this occurrence's fate, the series goes on.
    due_iso = iso(upcoming)
    fields = {
        "status": rules.PENDING,
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
        if out_of_budget():
            report.exhausted = True
            return report
        check_receipts(ports, shard, report)
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


def check_receipts(ports: ReminderPorts, shard: int, report: RunReport) -> None:
    """Read the receipts of the shard's earlier push tickets; a device Expo calls DeviceNotRegistered is removed.

    A ticket without a receipt yet stays for the next run (its record expires after a day, as Expo's receipts do).
    """
    pending = ports.pending_receipts(shard, RECEIPTS_PER_SHARD)
    if not pending:
        return
    try:
        receipts = ports.receipts([p.ticket_id for p in pending])
    except (PushUnavailable, PushRejected):
        report.receipts_unavailable += 1
        return
    done = [p for p in pending if p.ticket_id in receipts]
    for item in done:
        if receipts[item.ticket_id].error == "DeviceNotRegistered":
            ports.drop_device(item.user_id, item.device_id)
            report.devices_removed += 1
    ports.forget_receipts(done)
    report.receipts += len(done)


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
    if not rules.deliverable(claimed):
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
