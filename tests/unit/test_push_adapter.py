"""The Expo push client against a local stub server: tickets, batching, receipts, HTTP failures, and the
message format of Expo's official server SDK (exponent-server-sdk)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from exponent_server_sdk import PushClient, PushMessage, PushServerError
from exponent_server_sdk import PushTicket as SdkTicket

from parley.adapters import push
from parley.domain.reminders import delivery
from parley.domain.reminders.ports import PushReceipt, PushRejected, PushTicket, PushUnavailable
from parley.domain.reminders.ports import PushServerError as OurServerError
from tests.unit.reminder_helpers import push_server


def _messages(count: int) -> list[dict[str, str]]:
    return [{"to": f"ExponentPushToken[token{i:04d}xxxxxx]", "body": "hi"} for i in range(count)]


def test_push_returns_one_ticket_per_message_in_batches_of_100() -> None:
    with push_server() as stub:
        stub.errors["ExponentPushToken[token0101xxxxxx]"] = "DeviceNotRegistered"
        tickets = push.send(stub.url, _messages(150))
    assert [len(r) for r in stub.requests] == [100, 50]
    assert len(tickets) == 150 and tickets[0] == PushTicket(ok=True, ticket_id="ticket-1-0")
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


def _sdk_client(url: str) -> PushClient:
    """Expo's SDK client aimed at the stub (its send URL is host + api_url + /push/send)."""
    parts = urlsplit(url)
    return PushClient(host=f"{parts.scheme}://{parts.netloc}", api_url=parts.path.removesuffix("/push/send"))


def test_push_messages_are_in_the_expo_sdk_message_format() -> None:
    # Given the message a reminder's push delivery builds
    reminder = {"reminder_id": "r1", "text": "Grüße: call mum"}
    ours = delivery.push_message("ExponentPushToken[abcdefghijklmnopqrstuv]", reminder)
    # Then the SDK's PushMessage takes exactly these fields (it raises on unknown ones) and sends the same payload
    assert PushMessage(**ours).get_payload() == ours
    with push_server() as stub:
        _sdk_client(stub.url).publish_multiple([PushMessage(**ours)])
        push.send(stub.url, [ours])
    assert stub.requests[0] == stub.requests[1] == [ours]


def test_push_receipts_are_read_as_the_sdk_reads_them() -> None:
    with push_server() as stub:
        stub.receipts = {
            "t-ok": {"status": "ok"},
            "t-gone": {"status": "error", "message": "gone", "details": {"error": "DeviceNotRegistered"}},
        }
        ids = ["t-ok", "t-gone", "t-not-yet"]
        ours = push.receipts(push.receipts_endpoint(stub.url), ids)
        sdk = _sdk_client(stub.url).check_receipts_multiple([SdkTicket(None, "ok", "", None, i) for i in ids])
    # The same request, and the same reading: ok, an error code, and no receipt yet for the third
    assert stub.receipt_requests[0] == stub.receipt_requests[1] == {"ids": ids}
    assert ours == {"t-ok": PushReceipt(ok=True), "t-gone": PushReceipt(ok=False, error="DeviceNotRegistered")}
    assert {r.id: (r.is_success(), (r.details or {}).get("error", "")) for r in sdk} == {
        tid: (r.ok, r.error) for tid, r in ours.items()
    }
    assert (
        push.receipts_endpoint("https://exp.host/--/api/v2/push/send") == "https://exp.host/--/api/v2/push/getReceipts"
    )


def test_push_a_200_with_request_errors_is_a_server_error_as_in_the_sdk() -> None:
    message = delivery.push_message("ExponentPushToken[abcdefghijklmnopqrstuv]", {"reminder_id": "r1", "text": "x"})
    with push_server() as stub:
        stub.request_errors = [{"code": "PUSH_TOO_MANY_EXPERIENCE_IDS", "message": "mixed projects"}]
        with pytest.raises(PushServerError):
            _sdk_client(stub.url).publish_multiple([PushMessage(**message)])
        with pytest.raises(OurServerError) as raised:
            push.send(stub.url, [message])
        with pytest.raises(OurServerError):
            push.receipts(push.receipts_endpoint(stub.url), ["t1"])
    assert raised.value.codes == ("PUSH_TOO_MANY_EXPERIENCE_IDS",)


def test_push_sends_the_expo_access_token_only_when_given() -> None:
    with push_server() as stub:
        push.send(stub.url, _messages(1))
        push.send(stub.url, _messages(1), access_token="expo-token-1")
        push.receipts(push.receipts_endpoint(stub.url), ["t1"], access_token="expo-token-1")
    assert "authorization" not in stub.headers[0]
    assert stub.headers[1]["authorization"] == stub.headers[2]["authorization"] == "Bearer expo-token-1"
