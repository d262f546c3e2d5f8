"""adapters/websocket.py: the management client, frame encoding, each post outcome, retries and the fan-out's bounds."""

from __future__ import annotations

import asyncio
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from parley.adapters import websocket
from parley.adapters.websocket import Delivery, FanOutResult
from tests.conftest import serving

ENDPOINT = "https://abc123.execute-api.us-east-1.amazonaws.com/live"


def error(status: int | None, code: str) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code}}
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "PostToConnection")  # type: ignore[arg-type]


class Client:
    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def post_to_connection(self, **kwargs: Any) -> None:
        self.calls.append(("post", kwargs))
        if self.failure:
            raise self.failure

    async def delete_connection(self, **kwargs: Any) -> None:
        self.calls.append(("delete", kwargs))
        if self.failure:
            raise self.failure


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Client:
    fake = Client()
    endpoints: list[str] = []
    monkeypatch.setattr(websocket, "management_client", lambda endpoint: endpoints.append(endpoint) or fake)
    fake.endpoints = endpoints  # type: ignore[attr-defined]
    return fake


def test_websocket_management_client_is_one_per_endpoint_in_the_endpoint_region() -> None:
    websocket.reset()
    try:
        first = websocket.management_client(ENDPOINT)
        assert websocket.management_client(ENDPOINT) is first
        assert (first.host, first.base_path, first.region, first.secure) == (
            "abc123.execute-api.us-east-1.amazonaws.com",
            "/live",
            "us-east-1",
            True,
        )
        local = websocket.management_client("http://127.0.0.1:4566/")
        assert (local.host, local.base_path, local.secure) == ("127.0.0.1:4566", "", False)
        assert websocket.management_client("https://x.execute-api.eu-west-2.amazonaws.com/s").region == "eu-west-2"
        websocket.reset()
        assert websocket.management_client(ENDPOINT) is not first  # reset forgets every client
    finally:
        websocket.reset()


def test_websocket_management_client_rejects_an_endpoint_that_is_not_a_url() -> None:
    with pytest.raises(ValueError, match="must be an http\\(s\\) URL"):
        websocket.ManagementApi("abc123.execute-api.us-east-1.amazonaws.com/live")


def test_websocket_one_post_is_one_request_even_when_throttled() -> None:
    # Given a management API that answers every post with 429
    requests: list[str] = []

    class Throttling(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"message":"Too Many Requests"}'
            self.send_response(429)
            self.send_header("x-amzn-ErrorType", "LimitExceededException")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    with serving(Throttling) as server:
        websocket.reset()
        try:
            # When one frame is posted
            outcome = websocket.post(f"http://127.0.0.1:{server.server_port}", "c1", {"type": "m"})
        finally:
            websocket.reset()
    # Then it is throttled after exactly one request: retries are fan_out's, with jitter, never the client's
    assert outcome is Delivery.THROTTLED
    assert requests == ["/@connections/c1"]


def test_websocket_frames_are_compact_json_and_bytes_pass_unchanged() -> None:
    assert websocket.encode({"type": "m", "n": [1, 2]}) == b'{"type":"m","n":[1,2]}'
    assert websocket.encode(b"raw") == b"raw"


def test_websocket_post_sends_the_encoded_frame_to_the_connection(client: Client) -> None:
    assert websocket.post(ENDPOINT, "c1", {"type": "pong"}) is Delivery.SENT
    assert client.calls == [("post", {"ConnectionId": "c1", "Data": b'{"type":"pong"}'})]
    assert client.endpoints == [ENDPOINT]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("failure", "outcome"),
    [
        (error(410, "Other"), Delivery.GONE),
        (error(None, "GoneException"), Delivery.GONE),
        (error(429, "Other"), Delivery.THROTTLED),
        (error(400, "LimitExceededException"), Delivery.THROTTLED),
        (error(400, "TooManyRequestsException"), Delivery.THROTTLED),
        (error(None, "ThrottlingException"), Delivery.THROTTLED),
        (error(500, "InternalServerErrorException"), Delivery.UNAVAILABLE),
        (error(503, "Other"), Delivery.UNAVAILABLE),
        (error(403, "ForbiddenException"), Delivery.FAILED),
        (error(None, "Other"), Delivery.FAILED),
        (EndpointConnectionError(endpoint_url=ENDPOINT), Delivery.FAILED),
    ],
)
def test_websocket_post_outcome_by_status_or_code(client: Client, failure: Exception, outcome: Delivery) -> None:
    client.failure = failure
    assert websocket.post(ENDPOINT, "c1", b"x") is outcome


def test_websocket_delete_connection_reports_whether_it_closed_one(client: Client) -> None:
    assert websocket.delete_connection(ENDPOINT, "c1") is True
    assert client.calls == [("delete", {"ConnectionId": "c1"})]
    assert client.endpoints == [ENDPOINT]  # type: ignore[attr-defined]
    client.failure = error(410, "GoneException")
    assert websocket.delete_connection(ENDPOINT, "c1") is False


def test_websocket_backoff_draws_between_zero_and_the_capped_exponential(monkeypatch: pytest.MonkeyPatch) -> None:
    draws: list[tuple[float, float]] = []
    monkeypatch.setattr(websocket.random, "uniform", lambda low, high: draws.append((low, high)) or high)
    assert [websocket.backoff_seconds(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.4]
    assert websocket.backoff_seconds(6) == 1.0  # 0.05 * 64 = 3.2, capped at 1 s
    assert websocket.backoff_seconds(2, base=1.0, cap=10.0) == 4.0
    assert draws[0] == (0, 0.1)


def test_websocket_deliver_makes_the_given_number_of_attempts_and_sleeps_between_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(websocket, "backoff_seconds", lambda attempt: attempt / 10)
    sleeps: list[float] = []
    posts: list[str] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def retried(outcome: Delivery) -> websocket.Poster:
        async def poster(connection_id: str, data: bytes) -> Delivery:
            posts.append(connection_id)
            return outcome

        return poster

    def deliver(poster: websocket.Poster, attempts: int) -> Delivery:
        return websocket.run(websocket.deliver(poster, "c1", b"x", attempts=attempts, sleep=sleep))

    # Throttled and unavailable are retried, then end as failed; the others are final at once.
    assert deliver(retried(Delivery.THROTTLED), 3) is Delivery.FAILED
    assert (posts, sleeps) == (["c1"] * 3, [0.1, 0.2])
    posts.clear()
    assert deliver(retried(Delivery.UNAVAILABLE), 2) is Delivery.FAILED and posts == ["c1"] * 2
    posts.clear()
    assert [deliver(retried(d), 3) for d in (Delivery.GONE, Delivery.FAILED)] == [Delivery.GONE, Delivery.FAILED]
    assert posts == ["c1", "c1"]
    assert deliver(retried(Delivery.THROTTLED), 0) is Delivery.FAILED


def test_websocket_fan_out_posts_through_the_endpoint_once_per_connection(client: Client) -> None:
    result = websocket.fan_out(ENDPOINT, ["c1", "c2", "c1"], {"type": "m"}, concurrency=1)
    assert result == FanOutResult(sent=["c1", "c2"]) and result.delivered == 2
    assert [call[1]["ConnectionId"] for call in client.calls] == ["c1", "c2"]
    assert set(client.endpoints) == {ENDPOINT}  # type: ignore[attr-defined]
    assert websocket.fan_out(ENDPOINT, [], {"type": "m"}) == FanOutResult()


@pytest.mark.parametrize(
    ("targets", "concurrency", "peak"), [(3, 32, 3), (200, 500, 128), (10, 4, 4), (1, 64, 1), (2, 0, 1)]
)
def test_websocket_fan_out_has_one_post_in_flight_per_connection_up_to_the_limits(
    targets: int, concurrency: int, peak: int
) -> None:
    in_flight, seen = 0, 0

    async def poster(connection_id: str, data: bytes) -> Delivery:
        nonlocal in_flight, seen
        in_flight += 1
        seen = max(seen, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return Delivery.SENT

    ids = [f"c{i}" for i in range(targets)]
    result = websocket.run(websocket.fan_out_async(poster, ids, b"x", concurrency=concurrency))
    assert sorted(result.sent) == sorted(ids)
    assert seen == peak
