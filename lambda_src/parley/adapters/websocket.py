"""Posting frames to WebSocket connections through the API Gateway management API.

The endpoint is a setting: ``https://{api}.execute-api.{region}.amazonaws.com/{stage}``
on AWS, the emulator's root URL locally (it answers only there).

``fan_out`` posts one frame to many connections concurrently with a bounded
pool: a 410 marks that connection gone (the caller deletes it), throttling and
5xx answers are retried with exponential backoff and full jitter, and one bad
connection never stops the others. The posts are asyncio coroutines over a pool
of kept-alive HTTP/1.1 connections, run on one private event loop per process,
so the pool costs no threads and the interpreter lock is never contended.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import hashlib
import hmac
import json
import random
import re
import ssl
import threading
import urllib.parse
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

DEFAULT_CONCURRENCY = 64
MAX_CONCURRENCY = 128
THROTTLE_ATTEMPTS = 4
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 10

T = TypeVar("T")


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 410: the connection no longer exists; delete it
    THROTTLED = "throttled"  # 429: try again later
    UNAVAILABLE = "unavailable"  # 5xx: the service failed this post; try again later
    FAILED = "failed"


RETRIED = frozenset({Delivery.THROTTLED, Delivery.UNAVAILABLE})


class _Loop:
    """The process's private event loop: every post runs on it, from whichever thread posts (one at a time).

    Kept-alive connections belong to the loop that opened them, so it outlives each call
    (and a warm Lambda invocation reuses both)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(coroutine)


_LOOP = _Loop()
run = _LOOP.run


@dataclass
class _Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


class _Stale(Exception):
    """A kept-alive connection the server had closed before the request was answered."""


class ManagementApi:
    """A lean client of the management API: SigV4-signed requests over a pool of kept-alive connections.

    boto3's client spends about 2 ms of CPU on each call (events, validation, endpoint rules,
    user agent), so under the GIL a fan-out to 1,000 connections took about 2 s however wide
    its pool; a request built and parsed here takes a small fraction of that (see bench/fanout.py).
    Its methods are coroutines for the module's event loop (``run``). Failures raise botocore's
    ``ClientError`` (status and error code) or a ``BotoCoreError`` (the endpoint could not be
    reached), like a boto3 client's.
    """

    def __init__(self, endpoint: str) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"management endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint
        self.secure = parts.scheme == "https"
        self.host = parts.netloc
        self.hostname = parts.hostname
        self.port = parts.port or (443 if self.secure else 80)
        self.base_path = parts.path.rstrip("/")
        session = boto3.session.Session()
        match = _EXECUTE_API_HOST.fullmatch(parts.hostname)
        self.region = match.group(1) if match else (session.region_name or "us-east-1")
        self.credentials = session.get_credentials()
        self._ssl = ssl.create_default_context() if self.secure else None
        self._keys: dict[tuple[str, str], bytes] = {}  # (day, secret key) -> SigV4 signing key
        self._last_hash = (b"", hashlib.sha256(b"").hexdigest())
        # Kept alive between calls and fan-outs, on the module's event loop.
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> None:
        await self._call("POST", ConnectionId, Data)

    async def delete_connection(self, *, ConnectionId: str) -> None:
        await self._call("DELETE", ConnectionId, b"")

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()

    async def _call(self, method: str, connection_id: str, body: bytes) -> None:
        path = f"{self.base_path}/@connections/{urllib.parse.quote(connection_id, safe='')}"
        request = self._request(method, path, body)
        try:
            async with asyncio.timeout(READ_TIMEOUT_SECONDS):
                response = await self._exchange(request)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            raise EndpointConnectionError(endpoint_url=self.endpoint) from None
        if response.status >= 300:
            code = response.headers.get("x-amzn-errortype", "").split(":", 1)[0] or response.reason
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": response.body.decode(errors="replace")[:200]},
                    "ResponseMetadata": {"HTTPStatusCode": response.status},
                },
                "PostToConnection" if method == "POST" else "DeleteConnection",
            )

    async def _exchange(self, request: bytes) -> _Response:
        """One request on an idle connection, or on a new one when the server had closed it."""
        while self._idle:
            reader, writer = self._idle.pop()
            if reader.at_eof() or writer.is_closing():
                writer.close()
                continue
            try:
                return await self._send(reader, writer, request, reused=True)
            except _Stale:
                continue
        reader, writer = await asyncio.open_connection(
            self.hostname, self.port, ssl=self._ssl, server_hostname=self.hostname if self._ssl else None
        )
        return await self._send(reader, writer, request, reused=False)

    async def _send(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes, *, reused: bool
    ) -> _Response:
        """Write the request and read the answer; the connection goes back to the pool unless it is to close."""
        try:
            writer.write(request)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as error:
                if reused and not getattr(error, "partial", b""):
                    raise _Stale from None  # closed while idle: nothing was answered
                raise
            status_line, *lines = head.decode("latin-1").split("\r\n")
            _, status, reason = [*status_line.split(" ", 2), ""][:3]
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            code = int(status)
            if code in {204, 304} or code < 200:
                body = b""
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await _read_chunked(reader)
            else:
                body = await reader.readexactly(int(headers.get("content-length", "0")))
        except BaseException:
            writer.close()
            raise
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append((reader, writer))
        return _Response(code, reason, headers, body)

    def _request(self, method: str, path: str, body: bytes) -> bytes:
        headers = self._signed_headers(method, path, body)
        lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def _signed_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        """AWS Signature Version 4 for service ``execute-api``."""
        if self.credentials is None:
            raise NoCredentialsError()
        credentials = self.credentials.get_frozen_credentials()
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        day = stamp[:8]
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
                self._payload_hash(body),
            ]
        )
        scope = f"{day}/{self.region}/execute-api/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = self._keys.get((day, credentials.secret_key))
        if key is None:  # derived once a day (and per key): four HMACs less per post
            key = f"AWS4{credentials.secret_key}".encode()
            for part in (day, self.region, "execute-api", "aws4_request"):
                key = hmac.digest(key, part.encode(), "sha256")
            self._keys = {(day, credentials.secret_key): key}
        signature = hmac.digest(key, to_sign.encode(), "sha256").hex()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        headers["Content-Type"] = "application/json"
        return headers

    def _payload_hash(self, body: bytes) -> str:
        """SHA-256 of a request body, kept for the last one: a fan-out posts the same frame to every connection."""
        if self._last_hash[0] != body:
            self._last_hash = (body, hashlib.sha256(body).hexdigest())
        return self._last_hash[1]


_EXECUTE_API_HOST = re.compile(r"[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
        body += (await reader.readexactly(size + 2))[:-2]
    await reader.readuntil(b"\r\n")  # the empty trailer
    return body


_clients: dict[str, ManagementApi] = {}


def management_client(endpoint: str) -> ManagementApi:
    """One client per endpoint, with its own pool of kept-alive connections."""
    client = _clients.get(endpoint)
    if client is None:
        client = _clients.setdefault(endpoint, ManagementApi(endpoint))
    return client


def reset() -> None:
    """Forget every client, closing its kept-alive connections."""
    clients = list(_clients.values())
    _clients.clear()

    async def close() -> None:
        for client in clients:
            await client.close()

    run(close())


def encode(frame: dict[str, Any] | bytes) -> bytes:
    return frame if isinstance(frame, bytes) else json.dumps(frame, separators=(",", ":")).encode()


def classify(error: ClientError | BotoCoreError) -> Delivery:
    """The outcome of a post that raised."""
    if isinstance(error, BotoCoreError):  # network trouble reaching the endpoint: this post failed, the others go on
        return Delivery.FAILED
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    code = error.response.get("Error", {}).get("Code", "")
    if status == 410 or code == "GoneException":
        return Delivery.GONE
    if status == 429 or code in {"LimitExceededException", "TooManyRequestsException", "ThrottlingException"}:
        return Delivery.THROTTLED
    if status >= 500:
        return Delivery.UNAVAILABLE
    return Delivery.FAILED


async def post_async(endpoint: str, connection_id: str, data: bytes) -> Delivery:
    """Send one encoded frame to one connection (one request); never raises for a per-connection failure."""
    try:
        await management_client(endpoint).post_to_connection(ConnectionId=connection_id, Data=data)
    except (ClientError, BotoCoreError) as error:
        return classify(error)
    return Delivery.SENT


def post(endpoint: str, connection_id: str, frame: dict[str, Any] | bytes) -> Delivery:
    """Send one frame to one connection; never raises for a per-connection failure."""
    return run(post_async(endpoint, connection_id, encode(frame)))


def backoff_seconds(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Full-jitter exponential backoff before retry number ``attempt`` (1, 2, ...)."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 - jitter, not a secret


@dataclass
class FanOutResult:
    """Connection ids by outcome; ``queued``: handed to the fan-out queue in batches (handlers/fanout.py posts them)."""

    sent: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return len(self.sent)


Poster = Callable[[str, bytes], Awaitable[Delivery]]
Sleep = Callable[[float], Awaitable[None]]


async def deliver(
    poster: Poster, connection_id: str, data: bytes, attempts: int = THROTTLE_ATTEMPTS, sleep: Sleep = asyncio.sleep
) -> Delivery:
    """Post with retries while throttled or unavailable; the last outcome (a retried one ends as FAILED)."""
    for attempt in range(1, attempts + 1):
        try:
            outcome = await poster(connection_id, data)
        except Exception:  # noqa: BLE001 - one bad connection must never stop the others
            return Delivery.FAILED
        if outcome not in RETRIED:
            return outcome
        if attempt < attempts:
            await sleep(backoff_seconds(attempt))
    return Delivery.FAILED


async def fan_out_async(
    poster: Poster,
    connection_ids: Iterable[str],
    frame: dict[str, Any] | bytes,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    attempts: int = THROTTLE_ATTEMPTS,
    sleep: Sleep = asyncio.sleep,
) -> FanOutResult:
    """Post ``frame`` to every connection through ``poster`` with at most ``concurrency`` posts in flight."""
    targets = list(dict.fromkeys(connection_ids))
    data = encode(frame)
    outcomes = [Delivery.FAILED] * len(targets)
    pending = iter(range(len(targets)))  # shared by the workers: each index is taken once

    async def worker() -> None:
        for index in pending:
            outcomes[index] = await deliver(poster, targets[index], data, attempts, sleep)

    workers = max(1, min(concurrency, MAX_CONCURRENCY, len(targets)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    result = FanOutResult()
    for target, outcome in zip(targets, outcomes, strict=True):
        {Delivery.SENT: result.sent, Delivery.GONE: result.gone}.get(outcome, result.failed).append(target)
    return result


def fan_out(
    endpoint: str,
    connection_ids: Iterable[str],
    frame: dict[str, Any] | bytes,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> FanOutResult:
    """Post ``frame`` to every connection through the management API at ``endpoint``."""

    def poster(connection_id: str, data: bytes) -> Awaitable[Delivery]:
        return post_async(endpoint, connection_id, data)

    return run(fan_out_async(poster, connection_ids, frame, concurrency=concurrency))


def delete_connection(endpoint: str, connection_id: str) -> bool:
    """Close a connection from the server side; False when it was already gone."""

    async def delete() -> bool:
        try:
            await management_client(endpoint).delete_connection(ConnectionId=connection_id)
        except ClientError:
            return False
        return True

    return run(delete())
