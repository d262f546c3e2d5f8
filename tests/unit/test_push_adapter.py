"""The Expo push client against a local stub server: tickets, batching, and HTTP failures."""

from __future__ import annotations

import socket

import pytest

from parley.adapters import push
from parley.domain.reminders.ports import PushRejected, PushTicket, PushUnavailable
from tests.unit.reminder_helpers import push_server


def _messages(count: int) -> list[dict[str, str]]:
    return [{"to": f"ExponentPushToken[token{i:04d}xxxxxx]", "body": "hi"} for i in range(count)]


def test_push_returns_one_ticket_per_message_in_batches_of_100() -> None:
    with push_server() as stub:
        stub.errors["ExponentPushToken[token0101xxxxxx]"] = "DeviceNotRegistered"
        tickets = push.send(stub.url, _messages(150))
    assert [len(r) for r in stub.requests] == [100, 50]
    assert len(tickets) == 150 and tickets[0] == PushTicket(ok=True)
    assert tickets[101] == PushTicket(ok=False, error="DeviceNotRegistered")


@pytest.mark.parametrize(("status", "error"), [(429, PushUnavailable), (503, PushUnavailable), (400, PushRejected)])
def test_push_http_errors_are_transient_or_permanent(status: int, error: type[Exception]) -> None:
    with push_server() as stub:
        stub.status = status
        with pytest.raises(error):
            push.send(stub.url, _messages(1))


def test_push_unreachable_endpoint_is_transient_and_other_schemes_are_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    with pytest.raises(PushUnavailable):
        push.send(f"http://127.0.0.1:{port}/send", _messages(1), timeout_seconds=1)
    with pytest.raises(PushRejected):
        push.send("file:///etc/passwd", _messages(1))
