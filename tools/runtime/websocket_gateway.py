"""API Gateway WebSocket API at ``/<stage>`` and its ``@connections`` management API.

- The handshake runs the ``$connect`` REQUEST authorizer: a missing identity
  source refuses it with 401 before any call; a Deny (or no Allow for the
  ``$connect`` method ARN) refuses it with 403; an authorizer failure with
  500. An Allow's ``principalId`` and ``context`` become
  ``requestContext.authorizer`` of every later event of the connection. The
  ``$connect`` route's function runs next; a non-2xx answer refuses the
  handshake with that status.
- Frames are routed on the API's route selection expression
  (``$request.body.action``) to the matching route, else ``$default``; with no
  ``$default`` the client gets API Gateway's ``Forbidden`` message. Binary
  frames reach the function base64-encoded (CONVERT_TO_TEXT). Frames of one
  connection are handled one at a time, in order.
- ``POST|GET|DELETE /<stage>/@connections/{id}`` send a frame, describe and
  close a connection; a connection that is not open answers
  ``410 GoneException``.
- Closing runs ``$disconnect``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fnmatch
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tools.runtime import log
from tools.runtime.config import WebSocketApi
from tools.runtime.http_gateway import ACCOUNT_ID, compact, message, request_id
from tools.runtime.stack import Stack

MAX_FRAME_BYTES = 128 * 1024
_REFUSALS = {401: "Unauthorized", 403: "Forbidden", 500: "Internal Server Error"}


def connection_id() -> str:
    """An id shaped like API Gateway's (12 characters ending in '=')."""
    return base64.urlsafe_b64encode(secrets.token_bytes(9)).decode()[:11] + "="


@dataclass(eq=False)
class Connection:
    connection_id: str
    socket: web.WebSocketResponse
    source_ip: str
    user_agent: str
    authorizer: dict[str, Any] | None = None
    connected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_active: datetime = field(default_factory=lambda: datetime.now(UTC))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, data: bytes) -> None:
        async with self.lock:
            try:
                await self.socket.send_str(data.decode("utf-8"))
            except UnicodeDecodeError:
                await self.socket.send_bytes(data)


def select_route(api: WebSocketApi, body: str) -> str | None:
    """The route key for a frame, by the API's selection expression; ``$default`` or None when nothing matches."""
    path = api.selection_expression.removeprefix("$request.body.").split(".")
    try:
        value: Any = json.loads(body)
    except ValueError:
        value = None
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value) in api.routes:
        return str(value)
    return "$default" if "$default" in api.routes else None


def policy_allows(result: Any, method_arn: str) -> bool:
    """Whether an authorizer's IAM policy allows invoking ``method_arn`` (an explicit Deny wins)."""
    statements = ((result.get("policyDocument") or {}) if isinstance(result, dict) else {}).get("Statement") or []
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(a in {"*", "execute-api:*", "execute-api:Invoke"} for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, str(r)) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _multi(items: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in items:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


class WebSocketGateway:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.connections: dict[str, Connection] = {}

    def stage_path(self) -> str | None:
        api = self.stack.config.websocket
        return f"/{api.stage}" if api else None

    @staticmethod
    def _context(
        api: WebSocketApi, route: str, event_type: str, request: web.Request, connection: Connection
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        context: dict[str, Any] = {
            "routeKey": route,
            "eventType": event_type,
            "extendedRequestId": request_id(),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "messageDirection": "IN",
            "stage": api.stage,
            "connectedAt": int(connection.connected_at.timestamp() * 1000),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
            "requestId": request_id(),
            "domainName": request.host,
            "connectionId": connection.connection_id,
            "apiId": api.api_id,
        }
        if connection.authorizer is not None:
            context["authorizer"] = connection.authorizer
        return context

    async def _authorize(self, api: WebSocketApi, request: web.Request, connection: Connection) -> int:
        """0 to go on (with the authorizer's context on the connection), or the status refusing the handshake."""
        authorizer = api.connect_authorizer
        if authorizer is None:
            return 0
        headers, multi_headers = _multi(list(request.headers.items()))
        query, multi_query = _multi(list(request.query.items()))
        for source in authorizer.identity_sources:
            kind, _, name = source.removeprefix("route.request.").partition(".")
            present = query.get(name) if kind == "querystring" else request.headers.get(name)
            if not present:
                return 401
        method_arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api.api_id}/{api.stage}/$connect"
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "stageVariables": {},
            "requestContext": self._context(api, "$connect", "CONNECT", request, connection),
        }
        outcome = await self.stack.invoke(authorizer.function, event)
        function = authorizer.function or "-"
        if not outcome.ok or not isinstance(outcome.result, dict):
            log.output(function, f"{outcome.error_type or 'not a policy'}: {outcome.error_message}")
            log.invocation(function, "$connect authorizer", 500, outcome.duration_ms)
            return 500
        allowed = policy_allows(outcome.result, method_arn)
        log.invocation(function, "$connect authorizer", "allow" if allowed else "deny", outcome.duration_ms)
        if not allowed:
            return 403
        context = outcome.result.get("context")
        connection.authorizer = {
            **(context if isinstance(context, dict) else {}),
            "principalId": str(outcome.result.get("principalId", "")),
            "integrationLatency": int(outcome.duration_ms),
        }
        return 0

    async def _connect(self, api: WebSocketApi, request: web.Request, connection: Connection) -> int:
        """0 when the $connect route accepts the connection, else the status refusing the handshake."""
        route = api.routes.get("$connect")
        if route is None:
            return 0
        single, multi = _multi(list(request.headers.items()))
        query, multi_query = _multi(list(request.query.items()))
        event = {
            "headers": single,
            "multiValueHeaders": multi,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "requestContext": self._context(api, "$connect", "CONNECT", request, connection),
            "isBase64Encoded": False,
        }
        outcome = await self.stack.invoke(route.function, event)
        status = outcome.result.get("statusCode", 200) if outcome.ok and isinstance(outcome.result, dict) else 500
        status = status if isinstance(status, int) and 100 <= status <= 599 else 500
        if not outcome.ok:
            log.output(route.function or "-", f"{outcome.error_type}: {outcome.error_message}")
        log.invocation(route.function or "-", "$connect", status, outcome.duration_ms)
        return 0 if 200 <= status < 300 else max(status, 400)

    async def handle_upgrade(self, request: web.Request) -> web.StreamResponse:
        api = self.stack.config.websocket
        if api is None:
            return message(404, "Not Found")
        socket = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True)
        connection = Connection(connection_id(), socket, request.remote or "", request.headers.get("User-Agent", ""))
        refused = await self._authorize(api, request, connection) or await self._connect(api, request, connection)
        if refused:
            return message(refused, _REFUSALS.get(refused, "Forbidden"))
        await socket.prepare(request)
        self.connections[connection.connection_id] = connection
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    await self._frame(request, connection, str(frame.data), binary=False)
                elif frame.type == WSMsgType.BINARY:
                    await self._frame(request, connection, base64.b64encode(frame.data).decode(), binary=True)
        finally:
            self.connections.pop(connection.connection_id, None)
            await self._disconnect(request, connection, socket.close_code)
        return socket

    @staticmethod
    async def _gateway_message(connection: Connection, text: str, context: dict[str, Any]) -> None:
        """API Gateway's own frame to the client (no route, or the integration failed)."""
        frame = {"message": text, "connectionId": connection.connection_id, "requestId": context["requestId"]}
        with contextlib.suppress(ConnectionError):
            await connection.send(compact(frame).encode())

    async def _frame(self, request: web.Request, connection: Connection, body: str, *, binary: bool) -> None:
        api = self.stack.config.websocket
        if api is None:
            return
        connection.last_active = datetime.now(UTC)
        route_key = select_route(api, "" if binary else body)
        context = self._context(api, route_key or "$default", "MESSAGE", request, connection)
        context["messageId"] = request_id()
        if route_key is None:
            await self._gateway_message(connection, "Forbidden", context)
            return
        route = api.routes[route_key]
        event = {"requestContext": context, "body": body, "isBase64Encoded": False}
        outcome = await self.stack.invoke(route.function, event)
        status: int | str = "error"
        if outcome.ok:
            result = outcome.result if isinstance(outcome.result, dict) else {}
            status = result.get("statusCode", 200)
            if route.two_way and isinstance(result.get("body"), str):
                with contextlib.suppress(ConnectionError):
                    await connection.send(result["body"].encode())
        else:
            log.output(route.function or "-", f"{outcome.error_type}: {outcome.error_message}")
            await self._gateway_message(connection, "Internal server error", context)
        log.invocation(route.function or "-", route_key, status, outcome.duration_ms)

    async def _disconnect(self, request: web.Request, connection: Connection, code: int | None) -> None:
        api = self.stack.config.websocket
        route = api.routes.get("$disconnect") if api else None
        if api is None or route is None:
            return
        context = self._context(api, "$disconnect", "DISCONNECT", request, connection)
        context["disconnectStatusCode"] = code or 1005
        context["disconnectReason"] = ""
        outcome = await self.stack.invoke(
            route.function, {"headers": {}, "requestContext": context, "isBase64Encoded": False}
        )
        if not outcome.ok:
            log.output(route.function or "-", f"{outcome.error_type}: {outcome.error_message}")
        log.invocation(route.function or "-", "$disconnect", "ok" if outcome.ok else "error", outcome.duration_ms)

    # -- @connections ---------------------------------------------------------------------------

    async def manage(self, request: web.Request, raw_id: str) -> web.Response:
        conn_id = urllib.parse.unquote(raw_id)
        connection = self.connections.get(conn_id)
        if connection is None or connection.socket.closed:
            return self._error(410, "GoneException", f"connection {conn_id} is gone")
        if request.method == "POST":
            data = await request.read()
            if len(data) > MAX_FRAME_BYTES:
                return self._error(413, "PayloadTooLargeException", "frames are at most 128 KB")
            try:
                await connection.send(data)
            except ConnectionError:
                return self._error(410, "GoneException", f"connection {conn_id} is gone")
            return web.Response(status=200)
        if request.method == "GET":
            return web.json_response(
                {
                    "connectedAt": connection.connected_at.isoformat().replace("+00:00", "Z"),
                    "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                    "lastActiveAt": connection.last_active.isoformat().replace("+00:00", "Z"),
                },
                dumps=compact,
            )
        if request.method == "DELETE":
            await connection.socket.close(code=1000)
            return web.Response(status=204)
        return self._error(405, "MethodNotAllowed", "use POST, GET or DELETE")

    @staticmethod
    def _error(status: int, code: str, text: str) -> web.Response:
        return web.json_response({"message": text}, status=status, headers={"x-amzn-ErrorType": code}, dumps=compact)

    async def close(self) -> None:
        for connection in list(self.connections.values()):
            with contextlib.suppress(ConnectionError):
                await connection.socket.close(code=1001, message=b"server going away")
