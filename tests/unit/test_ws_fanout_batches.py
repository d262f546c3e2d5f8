"""Big rooms' fan-out through the queue: the ws function's split, and the fanout worker's posts, retries and pruning.

The table and the queues are moto's; the management API is the recording fake of ws_support.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from parley.adapters import aws
from parley.domain import fanout
from parley.domain.fanout import Batch
from parley.handlers import fanout as worker
from parley.handlers import ws
from tests.unit.ws_support import FakeManagementApi, add_member, install_management, ws_event

ENDPOINT = "http://127.0.0.1:4566"
FRAME = '{"type":"message","room":"r1","text":"hi"}'


class Queues:
    """The fan-out queue and its dead-letter queue (moto)."""

    def __init__(self) -> None:
        sqs = aws.client("sqs")
        self.url = sqs.create_queue(QueueName="parley-test-fanout")["QueueUrl"]
        self.dlq_url = sqs.create_queue(QueueName="parley-test-fanout-dlq")["QueueUrl"]

    @staticmethod
    def drain(url: str) -> list[dict[str, Any]]:
        """Every message on a queue, removed from it, as the worker's records."""
        sqs = aws.client("sqs")
        found = []
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append({"messageId": message["MessageId"], "body": message["Body"], "receiptHandle": "r"})
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def queues(table: Any, monkeypatch: pytest.MonkeyPatch) -> Queues:
    made = Queues()
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", ENDPOINT)
    monkeypatch.setenv("WS_FANOUT_QUEUE", "parley-test-fanout")
    monkeypatch.setenv("WS_FANOUT_DLQ", "parley-test-fanout-dlq")
    monkeypatch.setenv("WS_FANOUT_BATCH_SIZE", "2")
    ws.load.cache_clear()
    # Delays are for SQS to keep; moto would hide delayed messages from this test's receive.
    monkeypatch.setattr(Batch, "delay_seconds", property(lambda self: 0))
    return made


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeManagementApi:
    return install_management(monkeypatch)


def room_of(table: Any, lambda_context: Any, queues: Queues, members: dict[str, str]) -> None:
    """Connections (id -> user) of members who joined room r1 (their presence batches drained from the queue)."""
    for connection_id, user in members.items():
        add_member(table, "r1", user)
        assert ws.handler(ws_event("$connect", connection_id, sub=user), lambda_context)["statusCode"] == 200
        ws.handler(ws_event("join", connection_id, {"action": "join", "room": "r1"}, sub=user), lambda_context)
    Queues.drain(queues.url)


def send(lambda_context: Any, text: str = "hi") -> None:
    ws.handler(ws_event("send", "c0", {"action": "send", "room": "r1", "text": text}, sub="u0"), lambda_context)


def run_worker(lambda_context: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = worker.handler({"Records": [sqs_record(r) for r in records]}, lambda_context)
    return result


def sqs_record(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": record["messageId"],
        "receiptHandle": record["receiptHandle"],
        "body": record["body"],
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:parley-test-fanout",
        "awsRegion": "us-east-1",
    }


def message(body: str, identifier: str = "m1") -> dict[str, Any]:
    return {"messageId": identifier, "body": body, "receiptHandle": "r"}


def connection_exists(table: Any, connection_id: str) -> bool:
    return "Item" in table.get_item(Key={"PK": f"CONN#{connection_id}", "SK": "META"})


def presence_exists(table: Any, connection_id: str) -> bool:
    return "Item" in table.get_item(Key={"PK": "ROOM#r1", "SK": f"CONN#{connection_id}"})


# The ws function's split ----------------------------------------------------------------


def test_fanout_a_room_above_the_batch_size_posts_one_batch_and_queues_the_rest_in_batches(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any
) -> None:
    # Given a room of eight connections with batches of two
    members = {f"c{i}": f"u{i}" for i in range(8)}
    room_of(table, lambda_context, queues, members)
    others = [f"c{i}" for i in range(1, 8)]
    before = {c: len(api.of_type(c, "message")) for c in others}
    # When c0 sends a message
    send(lambda_context)
    # Then two others got it from the ws function, and five are queued in batches of 2, 2 and 1
    posted = [c for c in others if len(api.of_type(c, "message")) > before[c]]
    assert len(posted) == 2
    batches = [fanout.parse_batch(m["body"]) for m in Queues.drain(queues.url)]
    assert sorted(len(b.targets) for b in batches) == [1, 2, 2]
    queued = [t for b in batches for t in b.targets]
    assert sorted(queued + posted) == others and not set(queued) & set(posted)
    # Each batch carries the very frame the inline batch was sent, at its first attempt
    frame = api.of_type(posted[0], "message")[-1]
    assert {json.loads(b.frame)["id"] for b in batches} == {frame["id"]}
    assert all(json.loads(b.frame) == frame and b.attempt == 1 for b in batches)
    assert api.last("c0") | {"id": "-", "ts": 0} == {
        "type": "sent", "room": "r1", "id": "-", "ts": 0, "delivered": 2, "queued": 5, "attachments": [],
    }  # fmt: skip


def test_fanout_a_room_within_the_batch_size_is_posted_inline_and_queues_nothing(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any
) -> None:
    room_of(table, lambda_context, queues, {"c0": "u0", "c1": "u1", "c2": "u2"})
    send(lambda_context)
    assert [api.last(c)["type"] for c in ("c1", "c2")] == ["message", "message"]
    assert api.last("c0")["delivered"] == 2 and api.last("c0")["queued"] == 0
    assert Queues.drain(queues.url) == []


def test_fanout_without_a_queue_every_connection_is_posted_inline(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WS_FANOUT_QUEUE", "")
    ws.load.cache_clear()
    room_of(table, lambda_context, queues, {f"c{i}": f"u{i}" for i in range(5)})
    send(lambda_context)
    assert api.last("c0")["delivered"] == 4 and api.last("c0")["queued"] == 0
    assert Queues.drain(queues.url) == []


def test_fanout_batches_sqs_refuses_count_as_failed(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WS_FANOUT_QUEUE", "no-such-queue")
    ws.load.cache_clear()
    room_of(table, lambda_context, queues, {f"c{i}": f"u{i}" for i in range(5)})
    send(lambda_context)
    assert api.last("c0")["delivered"] == 2 and api.last("c0")["queued"] == 0


# The fanout worker ------------------------------------------------------------------------


def test_fanout_worker_posts_its_batch_and_queues_only_the_failed_connections_again(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any
) -> None:
    # Given a batch of three where c2 stays throttled through every in-call retry
    api.throttle_first["c2"] = 4
    batch = Batch(FRAME, ("c1", "c2", "c3"))
    # When the worker handles it
    assert run_worker(lambda_context, [message(batch.to_json())]) == {"batchItemFailures": []}
    # Then c1 and c3 got the frame once, and only c2 is queued again, for attempt 2
    assert {c: len(api.frames[c]) for c in ("c1", "c2", "c3")} == {"c1": 1, "c2": 0, "c3": 1}
    [retry] = Queues.drain(queues.url)
    assert fanout.parse_batch(retry["body"]) == Batch(FRAME, ("c2",), 2)
    # When the retry is handled and c2 now answers
    assert run_worker(lambda_context, [retry]) == {"batchItemFailures": []}
    # Then c2 got it, and nobody got it twice
    assert {c: len(api.frames[c]) for c in ("c1", "c2", "c3")} == {"c1": 1, "c2": 1, "c3": 1}
    assert Queues.drain(queues.url) == [] and Queues.drain(queues.dlq_url) == []


def test_fanout_worker_sends_what_still_fails_at_the_last_attempt_to_the_dead_letter_queue(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any
) -> None:
    api.throttle_first["c2"] = 100
    last = Batch(FRAME, ("c1", "c2"), fanout.MAX_ATTEMPTS)
    assert run_worker(lambda_context, [message(last.to_json())]) == {"batchItemFailures": []}
    assert Queues.drain(queues.url) == []
    [dead] = Queues.drain(queues.dlq_url)
    assert fanout.parse_batch(dead["body"]) == Batch(FRAME, ("c2",), fanout.MAX_ATTEMPTS)


def test_fanout_worker_prunes_gone_connections_whichever_batch_they_were_in(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any
) -> None:
    # Given a room of seven whose message went out in batches, with one gone connection in two of them
    room_of(table, lambda_context, queues, {f"c{i}": f"u{i}" for i in range(7)})
    send(lambda_context)
    records = Queues.drain(queues.url)
    batches = [fanout.parse_batch(r["body"]) for r in records]
    gone = [batches[0].targets[0], batches[-1].targets[-1]]
    api.gone.update(gone)
    # When the worker handles both batches in one invocation
    assert run_worker(lambda_context, records) == {"batchItemFailures": []}
    # Then exactly the gone connections are deleted, with their presence, and nothing is queued again
    for connection in (f"c{i}" for i in range(7)):
        assert connection_exists(table, connection) is (connection not in gone), connection
        assert presence_exists(table, connection) is (connection not in gone), connection
    assert Queues.drain(queues.url) == []
    delivered = [t for b in batches for t in b.targets if t not in gone]
    assert all(api.last(c)["type"] == "message" for c in delivered)


def test_fanout_worker_reports_only_the_records_it_could_not_handle(
    table: Any, queues: Queues, api: FakeManagementApi, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.throttle_first["c3"] = 4
    good = message(Batch(FRAME, ("c1",)).to_json(), "good")
    malformed = message('{"frame": "x", "targets": []}', "malformed")
    unqueued = message(Batch(FRAME, ("c2", "c3")).to_json(), "unqueued")
    # The retry of "unqueued" cannot be sent: SQS is unreachable for it
    monkeypatch.setenv("WS_FANOUT_QUEUE", "no-such-queue")
    worker.load.cache_clear()
    result = run_worker(lambda_context, [good, malformed, unqueued])
    assert result == {"batchItemFailures": [{"itemIdentifier": "malformed"}, {"itemIdentifier": "unqueued"}]}
    assert [len(api.frames[c]) for c in ("c1", "c2", "c3")] == [1, 1, 0]


# Batches ----------------------------------------------------------------------------------


def test_fanout_split_makes_batches_of_the_size_and_halves_one_sqs_would_refuse() -> None:
    targets = [f"c{i:04d}" for i in range(7)]
    assert [b.targets for b in fanout.split(FRAME, targets, 3)] == [
        tuple(targets[0:3]), tuple(targets[3:6]), tuple(targets[6:]),
    ]  # fmt: skip
    # A frame of 200 KB and 10,000 connection ids (about 90 KB) is over 256 KB: halved until each fits.
    big = json.dumps({"type": "message", "text": "x" * 200_000})
    many = [f"c{i:05d}" for i in range(10_000)]
    batches = fanout.split(big, many, 10_000)
    assert [len(b.targets) for b in batches] == [5_000, 5_000]
    assert all(len(b.to_json().encode()) <= fanout.MAX_MESSAGE_BYTES for b in batches)
    assert [t for b in batches for t in b.targets] == many
    with pytest.raises(ValueError, match="larger than"):
        fanout.split(json.dumps({"text": "x" * 300_000}), ["c1"], 5)


def test_fanout_calls_hold_at_most_ten_messages_and_256_kb() -> None:
    small = [Batch(FRAME, (f"c{i}",)) for i in range(23)]
    assert [len(group) for group in fanout.calls(small)] == [10, 10, 3]
    big = [Batch("x" * 100_000, (f"c{i}",)) for i in range(5)]
    assert [len(group) for group in fanout.calls(big)] == [2, 2, 1]


def test_fanout_retries_wait_longer_each_time() -> None:
    assert [Batch(FRAME, ("c1",), n).delay_seconds for n in range(1, 6)] == [0, 2, 4, 8, 16]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not JSON"),
        ("[]", "not an object"),
        ('{"targets": ["c1"], "attempt": 1}', "needs a frame"),
        ('{"frame": "{}", "targets": [], "attempt": 1}', "needs targets"),
        ('{"frame": "{}", "targets": ["c1", 2], "attempt": 1}', "needs targets"),
        ('{"frame": "{}", "targets": ["c1"], "attempt": 0}', "attempt must be 1-5"),
        ('{"frame": "{}", "targets": ["c1"], "attempt": true}', "attempt must be 1-5"),
        ('{"frame": "{}", "targets": ["c1"], "attempt": 6}', "attempt must be 1-5"),
    ],
)
def test_fanout_malformed_batches_are_refused_with_the_reason(body: str, problem: str) -> None:
    with pytest.raises(Exception, match=problem) as refused:
        fanout.parse_batch(body)
    assert getattr(refused.value, "code", None) == "invalid_batch"
