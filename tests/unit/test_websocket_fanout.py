"""The management-API adapter: outcome of one post, and the bounded, retrying fan-out."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from parley.adapters import websocket
from parley.adapters.websocket import Delivery
from tests.conftest import serving


def _error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PostToConnection")


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def post_to_connection(self, **_: Any) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (_error(410, "GoneException"), Delivery.GONE),
        (_error(429, "LimitExceededException"), Delivery.THROTTLED),
        (_error(403, "ForbiddenException"), Delivery.FAILED),
        (_error(500, "InternalServerError"), Delivery.UNAVAILABLE),
    ],
)
def test_websocket_post_classifies_each_failure(monkeypatch, error, outcome) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websocket, "management_client", lambda endpoint: Raising(error))
    assert websocket.post("http://127.0.0.1:1", "c1", {"type": "x"}) is outcome


class Recording(BaseHTTPRequestHandler):
    """A management API on 127.0.0.1 that records each request; the connection id says how it answers:
    ``gone-*`` 410, ``busy-*`` 503 the first time, ``chunked-*`` a chunked 200, ``close-*`` a 200 that
    closes the connection as HTTP says, ``quiet-*`` a 200 after which it closes without saying so."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        target = self.path.rsplit("/", 1)[1]
        kind = target.split("-", 1)[0]
        busy = kind == "busy" and [p for _, p, _, _ in self.seen].count(self.path) == 1
        self.send_response(410 if kind == "gone" else 503 if busy else 200)
        if kind == "gone":
            self.send_header("x-amzn-ErrorType", "GoneException:http://internal.amazon.com/coral/")
        if kind == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"2\r\n{}\r\n0\r\n\r\n")
            return
        if kind == "close":
            self.send_header("Connection", "close")
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = kind in {"close", "quiet"}

    do_POST = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def recording() -> Iterator[str]:
    Recording.seen = []
    with serving(Recording) as server:
        websocket.reset()
        try:
            yield f"http://127.0.0.1:{server.server_port}/live"
        finally:
            websocket.reset()


def test_websocket_post_is_a_sigv4_request_botocore_would_sign_the_same(recording: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert websocket.post(recording, "Ab1=", {"type": "pong"}) is Delivery.SENT
    [(method, path, headers, body)] = Recording.seen
    assert (method, path, body) == ("POST", "/live/@connections/Ab1%3D", b'{"type":"pong"}')
    assert headers["x-amz-security-token"] == "token"
    # Independent expectation: botocore's own signer, given the same request and timestamp.
    expected = AWSRequest(
        method="POST",
        url=f"{recording.removesuffix('/live')}{path}",
        data=body,
        headers={"X-Amz-Date": headers["x-amz-date"], "X-Amz-Security-Token": "token"},
    )
    signer = SigV4Auth(Credentials("AKIDEXAMPLE", "secret", "token"), "execute-api", "eu-west-1")
    signer._timestamp = lambda: headers["x-amz-date"]  # type: ignore[method-assign]
    signer.add_auth(expected)
    assert headers["authorization"] == expected.headers["Authorization"]


def test_websocket_fan_out_over_http_keeps_connections_alive_and_reports_gone(recording: str) -> None:
    targets = [f"c{i}" for i in range(40)] + ["gone-1", "gone-2"]
    result = websocket.fan_out(recording, targets, {"type": "m"}, concurrency=4)
    assert (sorted(result.sent), sorted(result.gone), result.failed) == (sorted(targets[:40]), ["gone-1", "gone-2"], [])
    assert len(Recording.seen) == 42
    # At most four connections were opened for 42 posts, and they stay pooled for the next fan-out.
    assert 1 <= len(websocket.management_client(recording)._idle) <= 4
    assert websocket.delete_connection(recording, "c1") is True
    assert websocket.delete_connection(recording, "gone-3") is False
    assert [m for m, *_ in Recording.seen[-2:]] == ["DELETE", "DELETE"]


def test_websocket_posts_over_http_retry_5xx_read_chunked_answers_and_reconnect_when_the_server_closes(
    recording: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket, "backoff_seconds", lambda attempt: 0.0)
    targets = ["busy-1", "chunked-1", "close-1", "quiet-1"]
    result = websocket.fan_out(recording, targets, {"type": "m"}, concurrency=1)
    assert (result.sent, result.gone, result.failed) == (targets, [], [])
    assert [p.rsplit("/", 1)[1] for _, p, _, _ in Recording.seen] == ["busy-1", *targets]
    # The connection "quiet-1" left in the pool was closed by the server: the next posts open new ones.
    assert [websocket.post(recording, f"c{i}", b"x") for i in range(3)] == [Delivery.SENT] * 3
    assert len(Recording.seen) == 8


def test_websocket_post_to_an_endpoint_nobody_listens_on_fails_without_raising() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    websocket.reset()
    try:
        assert websocket.post(f"http://127.0.0.1:{port}", "c1", b"x") is Delivery.FAILED
    finally:
        websocket.reset()


def test_websocket_fan_out_bounds_the_posts_in_flight() -> None:
    in_flight, peak = 0, 0

    async def poster(connection_id: str, data: bytes) -> Delivery:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.002)
        in_flight -= 1
        return Delivery.SENT

    result = websocket.run(websocket.fan_out_async(poster, [f"c{i}" for i in range(60)], {"type": "m"}, concurrency=4))
    assert len(result.sent) == 60
    assert peak == 4


def test_websocket_fan_out_isolates_gone_failed_and_crashing_connections() -> None:
    outcomes = {"gone": Delivery.GONE, "bad": Delivery.FAILED}

    async def poster(connection_id: str, data: bytes) -> Delivery:
        if connection_id == "boom":
            raise RuntimeError("socket closed")
        return outcomes.get(connection_id, Delivery.SENT)

    result = websocket.run(websocket.fan_out_async(poster, ["a", "gone", "boom", "bad", "b", "a"], {"type": "m"}))
    assert sorted(result.sent) == ["a", "b"]  # duplicates posted once
    assert result.gone == ["gone"]
    assert sorted(result.failed) == ["bad", "boom"]


def test_websocket_fan_out_retries_throttling_with_growing_jittered_backoff() -> None:
    calls: dict[str, int] = {}
    sleeps: list[float] = []

    async def poster(connection_id: str, data: bytes) -> Delivery:
        calls[connection_id] = calls.get(connection_id, 0) + 1
        if connection_id == "always" or calls[connection_id] <= 2:
            return Delivery.THROTTLED
        return Delivery.SENT

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    result = websocket.run(
        websocket.fan_out_async(poster, ["slow", "always"], {"type": "m"}, concurrency=1, sleep=sleep)
    )
    assert result.sent == ["slow"] and result.failed == ["always"]
    assert calls == {"slow": 3, "always": websocket.THROTTLE_ATTEMPTS}
    assert len(sleeps) == 2 + (websocket.THROTTLE_ATTEMPTS - 1)
    assert all(0 <= s <= websocket.BACKOFF_CAP_SECONDS for s in sleeps)


def test_websocket_backoff_is_bounded_by_the_exponential_cap() -> None:
    for attempt in range(1, 10):
        bound = min(websocket.BACKOFF_CAP_SECONDS, websocket.BACKOFF_BASE_SECONDS * 2**attempt)
        samples = [websocket.backoff_seconds(attempt) for _ in range(50)]
        assert all(0 <= s <= bound for s in samples)
    assert len({websocket.backoff_seconds(3) for _ in range(20)}) > 1  # jittered, not fixed
