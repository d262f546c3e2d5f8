"""Posting frames to WebSocket connections through the API Gateway management API.

The endpoint is a setting: ``https://{api}.execute-api.{region}.amazonaws.com/{stage}``
on AWS, the emulator's root URL locally (it answers only there).

``fan_out`` posts one frame to many connections concurrently with a bounded
pool: a 410 marks that connection gone (the caller deletes it), throttling is
retried with exponential backoff and full jitter, and one bad connection never
stops the others.
"""

from __future__ import annotations

import enum
import functools
import json
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 128
THROTTLE_ATTEMPTS = 4
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 410: the connection no longer exists; delete it
    THROTTLED = "throttled"  # 429: try again later
    FAILED = "failed"


@functools.cache
def management_client(endpoint: str) -> Any:
    """One client per endpoint, keeping as many HTTP connections alive as the largest fan-out pool."""
    config = Config(
        # One request: throttling is retried by fan_out, with jitter.
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=MAX_CONCURRENCY,
    )
    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint, config=config)


def reset() -> None:
    management_client.cache_clear()


def encode(frame: dict[str, Any] | bytes) -> bytes:
    return frame if isinstance(frame, bytes) else json.dumps(frame, separators=(",", ":")).encode()


def post(endpoint: str, connection_id: str, frame: dict[str, Any] | bytes) -> Delivery:
    """Send one frame to one connection; never raises for a per-connection failure."""
    try:
        management_client(endpoint).post_to_connection(ConnectionId=connection_id, Data=encode(frame))
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = exc.response.get("Error", {}).get("Code", "")
        if status == 410 or code == "GoneException":
            return Delivery.GONE
        if status == 429 or code in {"LimitExceededException", "TooManyRequestsException", "ThrottlingException"}:
            return Delivery.THROTTLED
        return Delivery.FAILED
    except BotoCoreError:  # network trouble reaching the endpoint: this post failed, the others go on
        return Delivery.FAILED
    return Delivery.SENT


def backoff_seconds(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Full-jitter exponential backoff before retry number ``attempt`` (1, 2, ...)."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 - jitter, not a secret


@dataclass
class FanOutResult:
    """Connection ids by outcome."""

    sent: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return len(self.sent)


Poster = Callable[[str, bytes], Delivery]


def deliver(
    poster: Poster,
    connection_id: str,
    data: bytes,
    attempts: int = THROTTLE_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Post with retries while throttled; the last outcome."""
    outcome = Delivery.FAILED
    for attempt in range(1, attempts + 1):
        try:
            outcome = poster(connection_id, data)
        except Exception:  # noqa: BLE001 - one bad connection must never stop the others
            return Delivery.FAILED
        if outcome is not Delivery.THROTTLED:
            return outcome
        if attempt < attempts:
            sleep(backoff_seconds(attempt))
    return outcome


def fan_out_with(
    poster: Poster,
    connection_ids: Iterable[str],
    frame: dict[str, Any] | bytes,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    attempts: int = THROTTLE_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> FanOutResult:
    """Post ``frame`` to every connection through ``poster`` with at most ``concurrency`` in flight."""
    targets = list(dict.fromkeys(connection_ids))
    result = FanOutResult()
    if not targets:
        return result
    data = encode(frame)
    workers = max(1, min(concurrency, MAX_CONCURRENCY, len(targets)))
    if workers == 1:
        outcomes = [deliver(poster, target, data, attempts, sleep) for target in targets]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fanout") as pool:
            outcomes = list(pool.map(lambda target: deliver(poster, target, data, attempts, sleep), targets))
    for target, outcome in zip(targets, outcomes, strict=True):
        if outcome is Delivery.SENT:
            result.sent.append(target)
        elif outcome is Delivery.GONE:
            result.gone.append(target)
        else:
            result.failed.append(target)
    return result


def fan_out(
    endpoint: str,
    connection_ids: Iterable[str],
    frame: dict[str, Any] | bytes,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> FanOutResult:
    """Post ``frame`` to every connection through the management API at ``endpoint``."""

    def poster(connection_id: str, data: bytes) -> Delivery:
        return post(endpoint, connection_id, data)

    return fan_out_with(poster, connection_ids, frame, concurrency=concurrency)


def delete_connection(endpoint: str, connection_id: str) -> bool:
    """Close a connection from the server side; False when it was already gone."""
    try:
        management_client(endpoint).delete_connection(ConnectionId=connection_id)
    except ClientError:
        return False
    return True
