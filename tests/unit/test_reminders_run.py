"""The reminders function: due boundaries, shards, bounds per run, claims, channels, recurrence."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.adapters import aws, secrets, websocket
from parley.adapters.reminders import DeliveryPorts
from parley.adapters.table import Table
from parley.domain import keys
from parley.domain.clock import iso
from parley.domain.keys import device_id
from parley.domain.reminders import delivery, rules
from parley.handlers import reminders as handler_module
from tests.unit.conftest import TABLE_NAME, load_event
from tests.unit.reminder_helpers import PushStub, RecordingManagementClient, push_server

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
SHARDS = 4
WS = "http://127.0.0.1:1/ws"
TOKEN_A = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"
TOKEN_B = "ExponentPushToken[bbbbbbbbbbbbbbbbbbbbbb]"


def limits(**overrides: Any) -> delivery.RunLimits:
    values: dict[str, Any] = {
        "shard_count": SHARDS, "max_items": 100, "max_attempts": 3, "retry_delay_seconds": 60, "lease_seconds": 600,
    }  # fmt: skip
    values.update(overrides)
    return delivery.RunLimits(**values)


def seed(
    table: Any, user: str = "u1", *, due: datetime = NOW, rid: str | None = None, profile: bool = True, **body: Any
) -> dict[str, Any]:
    """A reminder item as the API writes it (created an hour before it is due)."""
    if profile:
        table.put_item(Item={"PK": keys.user(user), "SK": keys.PROFILE, "email": f"{user}@example.com"})
    request = {"text": f"call mum ({rid or 'x'})", "due_at": iso(due)} | body
    item = rules.new_reminder(request, user, rid or uuid.uuid4().hex, due - timedelta(hours=1), SHARDS)
    table.put_item(Item=item)
    return item


def get(table: Any, item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = table.get_item(Key={"PK": item["PK"], "SK": item["SK"]})["Item"]
    return found


@pytest.fixture
def ws_client(monkeypatch: pytest.MonkeyPatch) -> RecordingManagementClient:
    client = RecordingManagementClient(gone={"c-gone"})
    monkeypatch.setattr(websocket, "management_client", lambda endpoint: client)
    return client


@pytest.fixture
def stub() -> Iterator[PushStub]:
    with push_server() as server:
        yield server


@pytest.fixture
def ports(table: Any, ws_client: RecordingManagementClient, stub: PushStub) -> DeliveryPorts:
    return DeliveryPorts(Table(TABLE_NAME), WS, "reminders@example.com", stub.url, 2.0)


def connect(table: Any, user: str, connection_id: str) -> None:
    table.put_item(
        Item={
            "PK": keys.conn(connection_id),
            "SK": keys.META,
            "GSI1PK": keys.user(user),
            "GSI1SK": keys.conn(connection_id),
        }
    )


def test_reminders_due_at_now_is_delivered_and_one_second_later_is_not(table: Any, ports: DeliveryPorts) -> None:
    # Given one reminder due exactly now and one due a second later
    due_now = seed(table, rid="r-now")
    later = seed(table, rid="r-later", due=NOW + timedelta(seconds=1))
    # When a run happens now
    report = delivery.run(ports, NOW, limits())
    # Then only the first is delivered (as a notification: the user is offline)
    assert report.delivered == 1
    assert get(table, due_now)["status"] == "sent" and get(table, due_now)["sent_via"] == "notification"
    assert get(table, later)["status"] == "pending"
    assert "GSI1PK" not in get(table, due_now) and get(table, later)["GSI1PK"].startswith("DUE#")


def test_reminders_every_shard_is_read_and_input_can_narrow_them(table: Any, ports: DeliveryPorts) -> None:
    items = [seed(table, rid=f"r{i}", due=NOW - timedelta(minutes=i)) for i in range(12)]
    shards = {item["shard"] for item in items}
    assert len(shards) > 1  # the ids spread over several shards
    only = min(shards)
    narrowed = delivery.run(ports, NOW, limits(), shards=[only])
    assert narrowed.delivered == sum(1 for i in items if i["shard"] == only)
    rest = delivery.run(ports, NOW, limits())
    assert narrowed.delivered + rest.delivered == 12
    assert all(get(table, i)["status"] == "sent" for i in items)


def test_reminders_a_run_stops_at_its_bound_and_the_next_run_continues(table: Any, ports: DeliveryPorts) -> None:
    for i in range(7):
        seed(table, rid=f"r{i}", due=NOW - timedelta(minutes=1))
    first = delivery.run(ports, NOW, limits(max_items=3, page_size=2))
    assert (first.delivered, first.exhausted) == (3, True)
    second = delivery.run(ports, NOW, limits(max_items=3, page_size=2))
    third = delivery.run(ports, NOW, limits(max_items=3, page_size=2))
    assert (second.delivered, third.delivered, third.exhausted) == (3, 1, False)


def test_reminders_a_run_stops_when_the_function_is_about_to_time_out(table: Any, ports: DeliveryPorts) -> None:
    seed(table, rid="r1", due=NOW - timedelta(minutes=1))
    report = delivery.run(ports, NOW, limits(), time_left_ms=lambda: 9_000)
    assert (report.examined, report.exhausted) == (0, True)


def test_reminders_two_overlapping_runs_deliver_once(
    table: Any, ports: DeliveryPorts, ws_client: RecordingManagementClient
) -> None:
    # Given a user online and a due reminder that another run has just claimed
    connect(table, "u1", "c1")
    item = seed(table, rid="r1")
    other_run = ports.claim(item, "other-token", iso(NOW), iso(NOW + timedelta(minutes=10)))
    assert other_run is not None and other_run["status"] == "sending"
    # When this run sees it in the index
    report = delivery.run(ports, NOW, limits())
    # Then it skips it: nothing is sent twice
    assert (report.skipped, report.delivered, ws_client.posted) == (1, 0, [])
    # And when the other run's lease has long expired (it crashed), a later run takes over
    later = delivery.run(ports, NOW + timedelta(minutes=11), limits())
    assert later.delivered == 1 and len(ws_client.posted) == 1
    # And the crashed run cannot overwrite the outcome afterwards
    assert ports.finish(item, "other-token", {"status": "failed"}, []) is False
    assert get(table, item)["status"] == "sent"


def test_reminders_in_app_goes_to_every_live_connection_and_prunes_gone_ones(
    table: Any, ports: DeliveryPorts, ws_client: RecordingManagementClient
) -> None:
    connect(table, "u1", "c1")
    connect(table, "u1", "c2")
    connect(table, "u1", "c-gone")
    item = seed(table, rid="r1")
    delivery.run(ports, NOW, limits())
    assert sorted(c for c, _ in ws_client.posted) == ["c1", "c2"]
    assert ws_client.posted[0][1] == {
        "type": "reminder",
        "reminder": {"id": "r1", "text": "call mum (r1)", "due_at": item["due_at"]},
    }
    assert "Item" not in table.get_item(Key={"PK": keys.conn("c-gone"), "SK": keys.META})
    assert get(table, item)["sent_via"] == "websocket"
    notifications = table.query(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :n)",
        ExpressionAttributeValues={":pk": "USER#u1", ":n": "NOTIF#"},
    )
    assert notifications["Items"] == []


def test_reminders_in_app_for_an_offline_user_leaves_a_notification(table: Any, ports: DeliveryPorts) -> None:
    connect(table, "u1", "c-gone")  # the only connection is stale
    seed(table, rid="r1")
    delivery.run(ports, NOW, limits())
    items = table.query(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :n)",
        ExpressionAttributeValues={":pk": "USER#u1", ":n": "NOTIF#"},
    )["Items"]
    assert len(items) == 1
    assert (items[0]["kind"], items[0]["reminder_id"], items[0]["read"]) == ("reminder", "r1", False)
    assert items[0]["TTL"] == int(NOW.timestamp()) + 30 * 86_400


def test_reminders_email_is_sent_through_ses(table: Any, ports: DeliveryPorts) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from parley.adapters import aws

    aws.client("ses").verify_email_identity(EmailAddress="reminders@example.com")
    item = seed(table, rid="r1", channel="email")
    delivery.run(ports, NOW, limits())
    assert get(table, item)["status"] == "sent" and get(table, item)["sent_via"] == "email"
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert [m.destinations["ToAddresses"] for m in sent] == [["u1@example.com"]]


def test_reminders_email_rejected_by_ses_fails_with_a_reason(table: Any, ports: DeliveryPorts) -> None:
    item = seed(table, rid="r1", channel="email")  # sender never verified: SES rejects
    delivery.run(ports, NOW, limits())
    assert (get(table, item)["status"], get(table, item)["failed_reason"]) == ("failed", "email_rejected")


def _register(table: Any, user: str, token: str) -> str:
    did = device_id(token)
    table.put_item(Item={"PK": keys.user(user), "SK": keys.device(did), "token": token})
    return did


def test_reminders_push_goes_to_expo_and_invalid_tokens_are_removed(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    _register(table, "u1", TOKEN_A)
    gone = _register(table, "u1", TOKEN_B)
    stub.errors[TOKEN_B] = "DeviceNotRegistered"
    item = seed(table, rid="r1", channel="push")
    delivery.run(ports, NOW, limits())
    assert get(table, item)["sent_via"] == "push"
    assert sorted(m["to"] for m in stub.requests[0]) == [TOKEN_A, TOKEN_B]
    assert stub.requests[0][0]["body"] == "call mum (r1)"
    assert "Item" not in table.get_item(Key={"PK": "USER#u1", "SK": keys.device(gone)})
    assert "Item" in table.get_item(Key={"PK": "USER#u1", "SK": keys.device(device_id(TOKEN_A))})


def test_reminders_push_with_only_invalid_tokens_or_no_device_fails(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    _register(table, "u1", TOKEN_A)
    stub.errors[TOKEN_A] = "DeviceNotRegistered"
    invalid = seed(table, "u1", rid="r1", channel="push")
    no_device = seed(table, "u2", rid="r2", channel="push")
    delivery.run(ports, NOW, limits())
    assert get(table, invalid)["failed_reason"] == "no_valid_device"
    assert get(table, no_device)["failed_reason"] == "no_device"


def test_reminders_push_outage_is_retried_then_fails_after_max_attempts(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    _register(table, "u1", TOKEN_A)
    stub.status = 503
    item = seed(table, rid="r1", channel="push")
    first = delivery.run(ports, NOW, limits(max_attempts=2))
    state = get(table, item)
    assert (first.retried, state["status"], state["attempts"], state["last_error"]) == (
        1,
        "pending",
        1,
        "push_unavailable",
    )
    assert delivery.run(ports, NOW, limits(max_attempts=2)).examined == 0  # backed off: not due yet
    delivery.run(ports, NOW + timedelta(minutes=5), limits(max_attempts=2))
    state = get(table, item)
    assert (state["status"], state["failed_reason"]) == ("failed", "push_unavailable_after_2_attempts")
    assert len(stub.requests) == 2


def test_reminders_push_receipts_are_read_next_run_and_unregistered_devices_removed(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    # Given a push that Expo accepted for both of u1's devices (two tickets)
    _register(table, "u1", TOKEN_A)
    gone = _register(table, "u1", TOKEN_B)
    seed(table, rid="r1", channel="push")
    delivery.run(ports, NOW, limits())
    tickets = {m["to"]: f"ticket-1-{i}" for i, m in enumerate(stub.requests[0])}
    # When the next run finds a receipt for B only: the platform said DeviceNotRegistered
    stub.receipts = {tickets[TOKEN_B]: {"status": "error", "message": "x", "details": {"error": "DeviceNotRegistered"}}}
    report = delivery.run(ports, NOW + timedelta(minutes=5), limits())
    # Then B's device is removed, A's ticket waits for its receipt, and both tickets were asked about
    assert (report.receipts, report.devices_removed) == (1, 1)
    assert sorted(stub.receipt_requests[0]["ids"]) == sorted(tickets.values())
    assert "Item" not in table.get_item(Key={"PK": "USER#u1", "SK": keys.device(gone)})
    assert "Item" in table.get_item(Key={"PK": "USER#u1", "SK": keys.device(device_id(TOKEN_A))})
    # A's receipt arrives later (ok): it is read once and forgotten, the device stays
    stub.receipts = {tickets[TOKEN_A]: {"status": "ok"}}
    later = delivery.run(ports, NOW + timedelta(minutes=10), limits())
    assert (later.receipts, later.devices_removed) == (1, 0)
    assert delivery.run(ports, NOW + timedelta(minutes=15), limits()).receipts == 0
    assert stub.receipt_requests[1:] == [{"ids": [tickets[TOKEN_A]]}]
    assert "Item" in table.get_item(Key={"PK": "USER#u1", "SK": keys.device(device_id(TOKEN_A))})


def test_reminders_receipts_that_cannot_be_read_are_kept_for_the_next_run(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    _register(table, "u1", TOKEN_A)
    seed(table, rid="r1", channel="push")
    delivery.run(ports, NOW, limits())
    stub.status = 503
    assert delivery.run(ports, NOW + timedelta(minutes=5), limits()).receipts_unavailable == 1
    stub.status = 200
    stub.receipts = {"ticket-1-0": {"status": "ok"}}
    assert delivery.run(ports, NOW + timedelta(minutes=10), limits()).receipts == 1


def test_reminders_push_server_error_fails_at_once_instead_of_retrying(
    table: Any, ports: DeliveryPorts, stub: PushStub
) -> None:
    # Given Expo answering HTTP 200 with a request-level errors array
    _register(table, "u1", TOKEN_A)
    stub.request_errors = [{"code": "PUSH_TOO_MANY_EXPERIENCE_IDS", "message": "x"}]
    item = seed(table, rid="r1", channel="push")
    report = delivery.run(ports, NOW, limits(max_attempts=3))
    # Then the occurrence fails with that reason after one attempt, and later runs do not send it again
    state = get(table, item)
    assert (report.failed, state["status"], state["failed_reason"], state["attempts"]) == (
        1,
        "failed",
        "push_server_error",
        1,
    )
    delivery.run(ports, NOW + timedelta(hours=1), limits(max_attempts=3))
    assert len(stub.requests) == 1  # sent once, never again


def test_reminders_handler_pushes_with_the_expo_access_token_app_secret(
    table: Any, ws_client: RecordingManagementClient, stub: PushStub, monkeypatch: pytest.MonkeyPatch,
    lambda_context: Any,
) -> None:  # fmt: skip
    # Given the app secret expo_access_token given to the reminders function (APP_SECRETS), with a value
    arn = aws.client("secretsmanager").create_secret(Name="parley-test/app/expo_access_token", SecretString="xt-1")
    secrets.reset()
    for name, value in {
        "REMINDER_SHARD_COUNT": str(SHARDS), "WS_MANAGEMENT_ENDPOINT": WS, "PUSH_ENDPOINT": stub.url,
        "APP_SECRETS": json.dumps({"expo_access_token": arn["ARN"]}),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    _register(table, "u1", TOKEN_A)
    seed(table, rid="r1", channel="push", due=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5))
    # When the run pushes, the token goes along as a bearer token
    assert handler_module.handler({}, lambda_context)["delivered"] == 1
    assert stub.headers[0]["authorization"] == "Bearer xt-1"
    # A declared secret without a value yet: pushes go without it, the run goes on
    empty = aws.client("secretsmanager").create_secret(Name="parley-test/app/empty")
    monkeypatch.setenv("APP_SECRETS", json.dumps({"expo_access_token": empty["ARN"]}))
    handler_module.load.cache_clear()
    secrets.reset()
    seed(table, rid="r2", channel="push", due=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5))
    assert handler_module.handler({}, lambda_context)["delivered"] == 1
    assert "authorization" not in stub.headers[-1]


def test_reminders_daily_recurrence_schedules_the_next_occurrence(table: Any, ports: DeliveryPorts) -> None:
    item = seed(table, rid="r1", recurrence="daily")
    delivery.run(ports, NOW + timedelta(minutes=3), limits())
    state = get(table, item)
    assert (state["status"], state["due_at"], state["occurrences"]) == ("pending", "2026-11-23T09:00:00Z", 1)
    assert state["GSI1SK"] == "2026-11-23T09:00:00Z#r1" and "claim_token" not in state


def test_reminders_a_deleted_user_fails_for_good(table: Any, ports: DeliveryPorts) -> None:
    item = seed(table, rid="r1", profile=False, recurrence="weekly")
    delivery.run(ports, NOW, limits())
    state = get(table, item)
    assert (state["status"], state["failed_reason"]) == ("failed", "user_deleted")
    assert "GSI1PK" not in state


def test_reminders_a_corrupt_item_fails_instead_of_crashing(table: Any, ports: DeliveryPorts) -> None:
    item = seed(table, rid="r1")
    table.update_item(
        Key={"PK": item["PK"], "SK": item["SK"]},
        UpdateExpression="SET channel = :c",
        ExpressionAttributeValues={":c": "pigeon"},
    )
    delivery.run(ports, NOW, limits())
    assert get(table, item)["failed_reason"] == "invalid_item"


def test_reminders_handler_runs_with_settings_and_ignores_malformed_input(
    table: Any, ws_client: RecordingManagementClient, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.setenv("REMINDER_SHARD_COUNT", str(SHARDS))
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", WS)
    item = seed(table, rid="r1", due=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5))
    result = handler_module.handler({"shards": "all"}, lambda_context)
    assert result["delivered"] == 1 and "shards must be a list" in result["input_error"]
    assert get(table, item)["status"] == "sent"
    assert handler_module.handler(load_event("schedule_reminders"), lambda_context)["examined"] == 0


def test_reminders_handler_logs_the_schedules_source_metadata(
    table: Any, ws_client: RecordingManagementClient, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.setenv("REMINDER_SHARD_COUNT", str(SHARDS))
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", WS)
    out = io.StringIO()
    monkeypatch.setattr(handler_module.logger.registered_handler, "stream", out)  # the function's JSON log lines

    def lines() -> list[dict[str, Any]]:
        found = [json.loads(line) for line in out.getvalue().splitlines()]
        out.truncate(0)
        out.seek(0)
        return found

    # Given the input the stack's schedule sends, its scheduled time filled in by Scheduler
    source = {
        "source": "parley.schedules",
        "schedule": "parley-test-reminders",
        "scheduled_time": "2026-11-22T09:00:00Z",
    }
    # When the run starts
    result = handler_module.handler({**source, "max_items": 5}, lambda_context)
    # Then it runs with the input's bound, and every log line of the run names the source
    assert result["invoked_by"] == source and "input_error" not in result
    messages = {line["message"]: line for line in lines()}
    for message in ("reminders run started", "reminders run"):
        assert {k: messages[message][k] for k in source} == source
    # A direct invocation without metadata says so, and non-string metadata is not logged
    handler_module.handler({"source": 7}, lambda_context)
    first = lines()[0]
    assert first["message"] == "reminders run started without source metadata" and "source" not in first


def test_reminders_an_unexpected_delivery_error_is_retried_and_the_run_goes_on(
    table: Any, ports: DeliveryPorts, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = seed(table, "u1", rid="r1", channel="email")
    fine = seed(table, "u2", rid="r2")

    def explode(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(ports, "send_email", explode)
    report = delivery.run(ports, NOW, limits(max_attempts=1))
    assert (report.errors, report.delivered, report.failed) == (1, 1, 1)
    assert get(table, broken)["failed_reason"] == "internal_error_RuntimeError_after_1_attempts"
    assert get(table, fine)["status"] == "sent"
