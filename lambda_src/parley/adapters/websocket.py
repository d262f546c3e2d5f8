"""Posting frames to WebSocket connections through the API Gateway management API.

The endpoint is a setting: ``https://{api}.execute-api.{region}.amazonaws.com/{stage}``
on AWS, the emulator's root URL locally (it answers only there).

``fan_out`` posts one frame to many connections concurrently with a bounded
pool: a 410 marks that connection gone (the caller deletes it), throttling is
retried with exponential backoff and full jitter, and one bad connection never
stops the others.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import hmac
import http.client
import json
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

DEFAULT_CONCURRENCY = 64
MAX_CONCURRENCY = 128
THROTTLE_ATTEMPTS = 4
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 10


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 410: the connection no longer exists; delete it
    THROTTLED = "throttled"  # 429: try again later
    FAILED = "failed"


class ManagementApi:
    """A lean client of the management API: SigV4-signed requests over a pool of kept-alive connections.

    boto3's client spends about 2 ms of CPU on each call (events, validation, endpoint rules,
    user agent), so under the GIL a fan-out to 1,000 connections took about 2 s however wide
    its pool; a signed request built here takes a small fraction of that (see bench/fanout.py).
    Failures raise botocore's ``ClientError`` (status and error code) or a ``BotoCoreError``
    (the endpoint could not be reached), like a boto3 client's.
    """

    def __init__(self, endpoint: str) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"management endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint
        self.secure = parts.scheme == "https"
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        session = boto3.session.Session()
        match = _EXECUTE_API_HOST.fullmatch(parts.hostname)
        self.region = match.group(1) if match else (session.region_name or "us-east-1")
        self.credentials = session.get_credentials()
        self._idle: list[http.client.HTTPConnection] = []  # kept alive between calls and fan-outs
        self._lock = threading.Lock()

    def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> None:
        self._call("POST", ConnectionId, Data)

    def delete_connection(self, *, ConnectionId: str) -> None:
        self._call("DELETE", ConnectionId, b"")

    def _call(self, method: str, connection_id: str, body: bytes) -> None:
        path = f"{self.base_path}/@connections/{urllib.parse.quote(connection_id, safe='')}"
        headers = self._signed_headers(method, path, body)
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        try:
            if connection is not None:
                try:
                    outcome = self._send(connection, method, path, body, headers)
                except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                    connection = None  # the server closed an idle kept-alive connection: one more try on a new one
            if connection is None:
                connection = self._connect()
                outcome = self._send(connection, method, path, body, headers)
        except (OSError, http.client.HTTPException):
            raise EndpointConnectionError(endpoint_url=self.endpoint) from None
        status, reason, error_type, payload = outcome
        if status >= 300:
            code = error_type.split(":", 1)[0] or reason
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": payload.decode(errors="replace")[:200]},
                    "ResponseMetadata": {"HTTPStatusCode": status},
                },
                "PostToConnection" if method == "POST" else "DeleteConnection",
            )

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
        return kind(self.host, timeout=READ_TIMEOUT_SECONDS)

    def _send(
        self, connection: http.client.HTTPConnection, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, str, bytes]:
        """One request; the connection goes back to the pool unless it failed or the server closes it."""
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            with self._lock:
                self._idle.append(connection)
        return response.status, response.reason, response.getheader("x-amzn-ErrorType", ""), payload

    def _signed_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        """AWS Signature Version 4 for service ``execute-api``."""
        if self.credentials is None:
            raise NoCredentialsError()
        credentials = self.credentials.get_frozen_credentials()
        now = datetime.datetime.now(datetime.UTC)
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        headers = {"host": self.host, "x-amz-date": stamp}
        if credentials.token:
            headers["x-amz-security-token"] = credentials.token
        names = sorted(headers)
        canonical = "\n".join(
            [
                method,
                urllib.parse.quote(path, safe="/~"),
                "",
                *(f"{name}:{headers[name]}" for name in names),
                "",
                ";".join(names),
                hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{day}/{self.region}/execute-api/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = f"AWS4{credentials.secret_key}".encode()
        for part in (day, self.region, "execute-api", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        headers["Content-Type"] = "application/json"
        return headers


_EXECUTE_API_HOST = re.compile(r"[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")


@functools.cache
def management_client(endpoint: str) -> ManagementApi:
    """One client per endpoint; each fan-out thread keeps its own connection alive."""
    return ManagementApi(endpoint)


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
