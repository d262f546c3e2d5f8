"""domain/reminders/delivery.py against in-memory ports: each channel's outcome, each transition, the bounded run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from parley.domain.reminders import delivery
from parley.domain.reminders.delivery import Outcome, Result, RunLimits, RunReport
from parley.domain.reminders.ports import EmailStatus, PushRejected, PushTicket, PushUnavailable, WsStatus

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)  # epoch 1893499200
LIMITS = RunLimits(shard_count=3, max_items=100, max_attempts=3, retry_delay_seconds=60, lease_seconds=120, page_size=2)
REMINDER = {
    "reminder_id": "r1",
    "user_id": "u-1",
    "text": "call mum",
    "due_at": "2030-01-01T11:59:00Z",
    "channel": "in_app",
    "recurrence": "none",
    "timezone": "UTC",
}


class Ports:
    """Every port of a run, in memory, recording what the run did."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict[str, Any]] = {"u-1": {"email": "ann@example.com"}}
        self.live: dict[str, list[str]] = {}
        self.post_status: dict[str, WsStatus] = {}
        self.posted: list[tuple[str, dict[str, Any]]] = []
        self.dropped_connections: list[str] = []
        self.notifications: list[dict[str, Any]] = []
        self.email_status = EmailStatus.SENT
        self.emails: list[tuple[str, str, str]] = []
        self.device_list: dict[str, list[tuple[str, str]]] = {}
        self.push_answer: list[PushTicket] | Exception = []
        self.pushed: list[list[dict[str, Any]]] = []
        self.dropped_devices: list[tuple[str, str]] = []
        self.shards: dict[int, list[dict[str, Any]]] = {}
        self.due_calls: list[tuple[int, str, int, Any]] = []
        self.refuse_claims: set[str] = set()
        self.lose_claims: set[str] = set()
        self.claims: list[tuple[str, str, str]] = []
        self.finished: list[tuple[str, dict[str, Any], list[str]]] = []
        self.kept_receipts: list[tuple[int, list[tuple[str, str, str]]]] = []
        self.receipts_asked: list[int] = []

    def due(self, shard: int, now_iso: str, limit: int, cursor: dict[str, Any] | None) -> Any:
        self.due_calls.append((shard, now_iso, limit, cursor))
        start = 0 if cursor is None else cursor["at"]
        items = self.shards.get(shard, [])
        page = items[start : start + limit]
        end = start + len(page)
        return page, ({"at": end} if end < len(items) else None)

    def claim(self, item: Mapping[str, Any], token: str, now_iso: str, lease_until_iso: str) -> dict[str, Any] | None:
        self.claims.append((str(item["reminder_id"]), now_iso, lease_until_iso))
        return None if item["reminder_id"] in self.refuse_claims else dict(item)

    def finish(self, item: Mapping[str, Any], token: str, set_fields: dict[str, Any], remove: Iterable[str]) -> bool:
        self.finished.append((str(item["reminder_id"]), set_fields, list(remove)))
        return item["reminder_id"] not in self.lose_claims

    def profile(self, user_id: str) -> dict[str, Any] | None:
        return self.profiles.get(user_id)

    def connections(self, user_id: str) -> list[str]:
        return self.live.get(user_id, [])

    def post(self, connection_id: str, frame: dict[str, Any]) -> WsStatus:
        self.posted.append((connection_id, frame))
        return self.post_status.get(connection_id, WsStatus.SENT)

    def drop_connection(self, connection_id: str) -> None:
        self.dropped_connections.append(connection_id)

    def put_notification(self, item: dict[str, Any]) -> None:
        self.notifications.append(item)

    def send_email(self, to: str, subject: str, text: str) -> EmailStatus:
        self.emails.append((to, subject, text))
        return self.email_status

    def devices(self, user_id: str) -> list[tuple[str, str]]:
        return self.device_list.get(user_id, [])

    def push(self, messages: list[dict[str, Any]]) -> list[PushTicket]:
        self.pushed.append(messages)
        if isinstance(self.push_answer, Exception):
            raise self.push_answer
        return self.push_answer

    def drop_device(self, user_id: str, device_id: str) -> None:
        self.dropped_devices.append((user_id, device_id))

    # Push receipts (checked in test_reminders_run.py): none pending here, so a run reads nothing more.
    def keep_receipts(self, shard: int, sent: list[tuple[str, str, str]], now_iso: str) -> None:
        self.kept_receipts.append((shard, sent))

    def pending_receipts(self, shard: int, limit: int) -> list[Any]:
        self.receipts_asked.append(shard)
        return []

    def receipts(self, ticket_ids: list[str]) -> dict[str, Any]:
        raise AssertionError("no receipt is pending, none may be read")

    def forget_receipts(self, pending: Iterable[Any]) -> None:
        raise AssertionError("no receipt is pending, none may be forgotten")


@pytest.fixture
def ports() -> Ports:
    return Ports()


def deliver(ports: Ports, **changes: Any) -> Result:
    return delivery.deliver({**REMINDER, **changes}, ports, NOW)


# --- deliver ------------------------------------------------------------------------------------------


def test_reminder_delivery_fails_for_a_deleted_user(ports: Ports) -> None:
    assert deliver(ports, user_id="u-9") == Result(Outcome.FAILED, "user_deleted")


def test_reminder_delivery_in_app_reaches_every_live_connection_and_drops_gone_ones(ports: Ports) -> None:
    ports.live["u-1"] = ["c1", "c2", "c3"]
    ports.post_status = {"c2": WsStatus.GONE, "c3": WsStatus.OTHER}
    assert deliver(ports) == Result(Outcome.DELIVERED, "websocket")
    frame = {"type": "reminder", "reminder": {"id": "r1", "text": "call mum", "due_at": "2030-01-01T11:59:00Z"}}
    assert ports.posted == [("c1", frame), ("c2", frame), ("c3", frame)]
    assert ports.dropped_connections == ["c2"] and ports.notifications == []


def test_reminder_delivery_in_app_leaves_a_notification_when_no_connection_took_it(ports: Ports) -> None:
    ports.live["u-1"] = ["c1"]
    ports.post_status = {"c1": WsStatus.GONE}
    assert deliver(ports) == Result(Outcome.DELIVERED, "notification")
    [item] = ports.notifications
    nid = item["notification_id"]
    assert len(nid) == 32 and item == {
        "PK": "USER#u-1",
        "SK": f"NOTIF#1893499200000#{nid}",
        "type": "notification",
        "kind": "reminder",
        "notification_id": nid,
        "reminder_id": "r1",
        "text": "call mum",
        "due_at": "2030-01-01T11:59:00Z",
        "read": False,
        "created_at": "2030-01-01T12:00:00Z",
        "TTL": 1893499200 + 30 * 86_400,
    }


def test_reminder_delivery_notification_keeps_a_given_id() -> None:
    assert delivery.notification_item(REMINDER, NOW, "n1")["SK"] == "NOTIF#1893499200000#n1"


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (EmailStatus.SENT, Result(Outcome.DELIVERED, "email")),
        (EmailStatus.REJECTED, Result(Outcome.FAILED, "email_rejected")),
        (EmailStatus.TRANSIENT, Result(Outcome.RETRY, "email_unavailable")),
    ],
)
def test_reminder_delivery_email_outcomes(ports: Ports, status: EmailStatus, result: Result) -> None:
    ports.email_status = status
    assert deliver(ports, channel="email") == result
    assert ports.emails == [("ann@example.com", "Reminder", "call mum")]


@pytest.mark.parametrize("profile", [{}, {"email": 5}, {"email": "no-at-sign"}])
def test_reminder_delivery_email_needs_an_address(ports: Ports, profile: dict[str, Any]) -> None:
    ports.profiles["u-1"] = profile
    assert deliver(ports, channel="email") == Result(Outcome.FAILED, "no_email_address")
    assert ports.emails == []


def test_reminder_delivery_push_sends_one_message_per_device(ports: Ports) -> None:
    ports.device_list["u-1"] = [("d1", "tok1"), ("d2", "tok2")]
    ports.push_answer = [PushTicket(False, "DeviceNotRegistered"), PushTicket(True)]
    assert deliver(ports, channel="push") == Result(Outcome.DELIVERED, "push")
    message = {
        "title": "Reminder",
        "body": "call mum",
        "sound": "default",
        "data": {"type": "reminder", "reminder_id": "r1"},
    }
    assert ports.pushed == [[{"to": "tok1", **message}, {"to": "tok2", **message}]]
    assert ports.dropped_devices == [("u-1", "d1")]


@pytest.mark.parametrize(
    ("devices", "answer", "result"),
    [
        ([], [], Result(Outcome.FAILED, "no_device")),
        ([("d1", "t1")], PushUnavailable(), Result(Outcome.RETRY, "push_unavailable")),
        ([("d1", "t1")], PushRejected(), Result(Outcome.FAILED, "push_rejected")),
        ([("d1", "t1")], [PushTicket(False, "MessageRateExceeded")], Result(Outcome.RETRY, "push_unavailable")),
        (
            [("d1", "t1"), ("d2", "t2")],
            [PushTicket(False, "InvalidCredentials")],
            Result(Outcome.RETRY, "push_unavailable"),
        ),
        ([("d1", "t1")], [PushTicket(False, "DeviceNotRegistered")], Result(Outcome.FAILED, "no_valid_device")),
        ([("d1", "t1")], [PushTicket(False, "InvalidCredentials")], Result(Outcome.FAILED, "no_valid_device")),
    ],
)
def test_reminder_delivery_push_outcomes(ports: Ports, devices: Any, answer: Any, result: Result) -> None:
    ports.device_list["u-1"] = devices
    ports.push_answer = answer
    assert deliver(ports, channel="push") == result
    assert ports.dropped_devices == (
        [("u-1", "d1")] if result.detail == "no_valid_device" and answer[0].error == "DeviceNotRegistered" else []
    )


# --- transition ---------------------------------------------------------------------------------------

RELEASE = ["claim_token", "claim_expires_at"]


def test_reminder_transition_retry_is_pushed_back_by_attempts_times_the_delay() -> None:
    kind, fields, remove = delivery.transition({**REMINDER, "attempts": 2}, Result(Outcome.RETRY, "x"), NOW, LIMITS)
    assert (kind, remove) == ("retried", RELEASE)
    assert fields == {
        "status": "pending",
        "GSI1SK": "2030-01-01T12:02:00Z#r1",
        "last_error": "x",
        "updated_at": "2030-01-01T12:00:00Z",
    }
    _, first, _ = delivery.transition(REMINDER, Result(Outcome.RETRY, "x"), NOW, LIMITS)
    assert first["GSI1SK"] == "2030-01-01T12:00:00Z#r1"


def test_reminder_transition_retry_fails_after_max_attempts() -> None:
    kind, fields, remove = delivery.transition(
        {**REMINDER, "attempts": 3}, Result(Outcome.RETRY, "email_unavailable"), NOW, LIMITS
    )
    assert kind == "failed" and remove == [*RELEASE, "GSI1PK", "GSI1SK"]
    assert fields == {
        "status": "failed",
        "failed_reason": "email_unavailable_after_3_attempts",
        "failed_at": "2030-01-01T12:00:00Z",
        "updated_at": "2030-01-01T12:00:00Z",
    }


def test_reminder_transition_one_off_delivery_leaves_the_index() -> None:
    kind, fields, remove = delivery.transition(
        {**REMINDER, "occurrences": 4}, Result(Outcome.DELIVERED, "email"), NOW, LIMITS
    )
    assert (kind, remove) == ("delivered", [*RELEASE, "GSI1PK", "GSI1SK"])
    stamp = "2030-01-01T12:00:00Z"
    assert fields == {"status": "sent", "sent_via": "email", "sent_at": stamp, "updated_at": stamp, "occurrences": 5}
    assert delivery.transition(REMINDER, Result(Outcome.DELIVERED, "email"), NOW, LIMITS)[1]["occurrences"] == 1


def test_reminder_transition_recurring_goes_on_after_delivery_or_failure() -> None:
    daily = {**REMINDER, "recurrence": "daily", "occurrences": 1, "attempts": 2}
    kind, fields, remove = delivery.transition(daily, Result(Outcome.DELIVERED, "push"), NOW, LIMITS)
    stamp = "2030-01-01T12:00:00Z"
    assert (kind, remove) == ("delivered_rescheduled", RELEASE)
    assert fields == {
        "status": "pending",
        "due_at": "2030-01-02T11:59:00Z",
        "GSI1SK": "2030-01-02T11:59:00Z#r1",
        "attempts": 0,
        "updated_at": stamp,
        "sent_via": "push",
        "last_sent_at": stamp,
        "occurrences": 2,
    }
    kind, fields, _ = delivery.transition(daily, Result(Outcome.FAILED, "no_device"), NOW, LIMITS)
    assert kind == "failed_rescheduled" and fields["last_error"] == "no_device" and "sent_via" not in fields
    never_sent = {k: v for k, v in daily.items() if k != "occurrences"}
    assert delivery.transition(never_sent, Result(Outcome.DELIVERED, "push"), NOW, LIMITS)[1]["occurrences"] == 1


@pytest.mark.parametrize("reason", ["user_deleted", "invalid_item"])
def test_reminder_transition_terminal_failures_end_a_series(reason: str) -> None:
    kind, fields, _ = delivery.transition(
        {**REMINDER, "recurrence": "weekly"}, Result(Outcome.FAILED, reason), NOW, LIMITS
    )
    assert kind == "failed" and fields["failed_reason"] == reason


# --- run ----------------------------------------------------------------------------------------------


def reminders(*ids: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**REMINDER, "reminder_id": rid, **changes} for rid in ids]


def test_reminder_run_claims_delivers_and_counts_each_outcome(ports: Ports) -> None:
    ports.shards = {
        0: reminders("a", "b", "c"),
        1: reminders("d", channel="email") + reminders("e", recurrence="daily") + reminders("f", user_id="u-9"),
        2: reminders("g", channel="fax") + reminders("h"),
    }
    ports.refuse_claims = {"b"}
    ports.lose_claims = {"h"}
    ports.email_status = EmailStatus.TRANSIENT
    report = delivery.run(ports, NOW, LIMITS, shards=[0, 1, 2])
    assert report == RunReport(
        examined=8, claimed=7, skipped=1, delivered=3, retried=1, failed=2, rescheduled=1, errors=0
    )
    assert [c[0] for c in ports.claims] == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert ports.claims[0][1:] == ("2030-01-01T12:00:00Z", "2030-01-01T12:02:00Z")
    # A corrupt reminder fails for good, even if it claimed to recur
    invalid = next(f for f in ports.finished if f[0] == "g")
    assert invalid[1]["failed_reason"] == "invalid_item"
    assert ports.due_calls[:2] == [(0, "2030-01-01T12:00:00Z", 2, None), (0, "2030-01-01T12:00:00Z", 2, {"at": 2})]


def test_reminder_run_counts_an_unexpected_error_as_a_retry(ports: Ports) -> None:
    ports.shards = {0: reminders("a", channel="push")}
    ports.device_list["u-1"] = [("d1", "t1")]
    ports.push_answer = RuntimeError("boom")
    report = delivery.run(ports, NOW, LIMITS, shards=[0])
    assert (report.errors, report.retried, report.delivered) == (1, 1, 0)
    assert ports.finished[0][1]["last_error"] == "internal_error_RuntimeError"


def test_reminder_run_stops_at_its_item_bound_mid_page(ports: Ports) -> None:
    ports.shards = {0: reminders("a", "b", "c")}
    limits = RunLimits(
        shard_count=1, max_items=2, max_attempts=3, retry_delay_seconds=60, lease_seconds=120, page_size=5
    )
    report = delivery.run(ports, NOW, limits, shards=[0])
    assert (report.examined, report.exhausted) == (2, True)
    assert ports.due_calls == [(0, "2030-01-01T12:00:00Z", 2, None)]


def test_reminder_run_stops_mid_page_when_time_runs_out(ports: Ports) -> None:
    ports.shards = {0: reminders("a", "b")}
    left = iter([20_000, 20_000, 20_000, 9_999])  # before the shard, the page, item a, item b
    report = delivery.run(ports, NOW, LIMITS, time_left_ms=lambda: next(left), shards=[0])
    assert (report.examined, report.exhausted) == (1, True)
    assert delivery.run(Ports(), NOW, LIMITS, time_left_ms=lambda: 10_000, shards=[0]).exhausted is False


def test_reminder_run_starts_at_a_shard_that_moves_every_five_minutes(ports: Ports) -> None:
    # NOW is 1893499200 s: 6311664 five-minute slots, 6311664 % 3 == 0; five minutes later the start is shard 1
    delivery.run(ports, NOW, LIMITS)
    assert [c[0] for c in ports.due_calls] == [0, 1, 2]
    later = Ports()
    delivery.run(later, datetime(2030, 1, 1, 12, 5, tzinfo=UTC), LIMITS)
    assert [c[0] for c in later.due_calls] == [1, 2, 0]
    assert delivery.run(Ports(), NOW, LIMITS, shards=[]).as_dict()["examined"] == 0
