"""The management-API adapter: outcome of one post, and the bounded, retrying fan-out."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from parley.adapters import websocket
from parley.adapters.websocket import Delivery


def _error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PostToConnection")


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def post_to_connection(self, **_: Any) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (_error(410, "GoneException"), Delivery.GONE),
        (_error(429, "LimitExceededException"), Delivery.THROTTLED),
        (_error(403, "ForbiddenException"), Delivery.FAILED),
        (_error(500, "InternalServerError"), Delivery.FAILED),
    ],
)
def test_websocket_post_classifies_each_failure(monkeypatch, error, outcome) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websocket, "management_client", lambda endpoint: Raising(error))
    assert websocket.post("http://127.0.0.1:1", "c1", {"type": "x"}) is outcome


def test_websocket_post_reaches_the_emulated_management_api(aws_mock) -> None:  # type: ignore[no-untyped-def]
    websocket.reset()
    try:
        assert (
            websocket.post("https://abc123.execute-api.us-east-1.amazonaws.com/live", "c1", {"type": "pong"})
            is Delivery.SENT
        )
    finally:
        websocket.reset()


def test_websocket_fan_out_bounds_the_posts_in_flight() -> None:
    lock = threading.Lock()
    in_flight, peak = 0, 0

    def poster(connection_id: str, data: bytes) -> Delivery:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.005)
        with lock:
            in_flight -= 1
        return Delivery.SENT

    result = websocket.fan_out_with(poster, [f"c{i}" for i in range(60)], {"type": "m"}, concurrency=4)
    assert len(result.sent) == 60
    assert 1 < peak <= 4


def test_websocket_fan_out_isolates_gone_failed_and_crashing_connections() -> None:
    outcomes = {"gone": Delivery.GONE, "bad": Delivery.FAILED}

    def poster(connection_id: str, data: bytes) -> Delivery:
        if connection_id == "boom":
            raise RuntimeError("socket closed")
        return outcomes.get(connection_id, Delivery.SENT)

    result = websocket.fan_out_with(poster, ["a", "gone", "boom", "bad", "b", "a"], {"type": "m"})
    assert sorted(result.sent) == ["a", "b"]  # duplicates posted once
    assert result.gone == ["gone"]
    assert sorted(result.failed) == ["bad", "boom"]


def test_websocket_fan_out_retries_throttling_with_growing_jittered_backoff() -> None:
    calls: dict[str, int] = {}
    sleeps: list[float] = []

    def poster(connection_id: str, data: bytes) -> Delivery:
        calls[connection_id] = calls.get(connection_id, 0) + 1
        if connection_id == "always" or calls[connection_id] <= 2:
            return Delivery.THROTTLED
        return Delivery.SENT

    result = websocket.fan_out_with(poster, ["slow", "always"], {"type": "m"}, concurrency=1, sleep=sleeps.append)
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
