"""The WebSocket function: `$connect`, `$disconnect`, `$default` and every action route.

Client frames are ``{"action": ..., ...}`` (see docs/websocket.md). Replies and
errors go back to the sender through the management API; a client mistake is an
``{"type": "error", "error": code}`` frame and changes nothing. Fan-out queries the
room's live connections by key, keeps those whose users are still members, posts
with a bounded pool and deletes exactly the connections that answer 410. Beyond
``WS_FANOUT_BATCH_SIZE`` connections, the first batch is posted here and the rest
is queued in batches for the ``fanout`` function (handlers/fanout.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import fanout_queue, websocket
from parley.adapters import files as s3files
from parley.adapters.connections import Connections
from parley.adapters.relays import Relays
from parley.adapters.rooms import Rooms
from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.adapters.websocket import Delivery, FanOutResult
from parley.domain import clock, fanout, files, realtime
from parley.domain.realtime import Frame
from parley.errors import AppError, Forbidden, MalformedEvent
from parley.settings import BaseSettings, env, load, positive_int, settings_class

logger = Logger(service="parley")

OK = {"statusCode": 200}


@settings_class
class WsSettings(BaseSettings):
    # Empty: derive https://{domainName}/{stage} from the event (AWS); the emulator needs its root URL.
    management_endpoint: str = env("WS_MANAGEMENT_ENDPOINT", default="")
    fanout_concurrency: int = env("WS_FANOUT_CONCURRENCY", default=websocket.DEFAULT_CONCURRENCY, parse=int)
    # Audiences beyond this many connections are posted in batches of this size; all but the
    # first through the fan-out queue (empty: no queue, every post from this function).
    fanout_batch_size: int = env("WS_FANOUT_BATCH_SIZE", default=500, parse=positive_int)
    fanout_queue: str = env("WS_FANOUT_QUEUE", default="")
    relay_cache_ttl_seconds: int = env("WS_RELAY_CACHE_TTL_SECONDS", default=3600, parse=int)
    message_ttl_days: int = env("MESSAGE_TTL_DAYS", default=0, parse=int)
    # Message attachments: the uploads bucket and the largest object a message may carry.
    uploads_bucket: str = env("UPLOADS_BUCKET", default="")
    upload_max_bytes: int = env("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024, parse=int)


@dataclass
class Session:
    """One invocation: who sent the frame, and where replies go."""

    connection_id: str
    authorizer: dict[str, Any]
    endpoint: str
    table: Table
    settings: WsSettings
    ref: str | None = None
    _user_id: str | None = None

    @property
    def connections(self) -> Connections:
        return Connections(self.table)

    @property
    def rooms(self) -> Rooms:
        return Rooms(self.table)

    @property
    def relays(self) -> Relays:
        return Relays(self.table)

    @property
    def user_id(self) -> str:
        """The caller's user id: from the authorizer context, else the stored connection."""
        if self._user_id is None:
            sub = str(self.authorizer.get("sub") or "")
            if not sub:
                item = self.connections.get(self.connection_id)
                sub = str(item["user_id"]) if item else ""
            if not sub:
                raise realtime.unknown_connection()
            self._user_id = sub
        return self._user_id

    def reply(self, frame: dict[str, Any]) -> None:
        if self.ref is not None:
            frame = {**frame, "ref": self.ref}
        if websocket.post(self.endpoint, self.connection_id, frame) is Delivery.GONE:
            self.connections.drop(self.connection_id)

    def broadcast(self, targets: Iterable[str], frame: dict[str, Any]) -> FanOutResult:
        """Fan a frame out to other connections; delete the ones that are gone. Beyond one batch, the
        first is posted here and the others are queued (``result.queued``; ``failed`` if SQS refused them)."""
        audience = list(dict.fromkeys(targets))
        size = self.settings.fanout_batch_size
        later = audience[size:] if self.settings.fanout_queue else []
        result = websocket.fan_out(
            self.endpoint, audience[: len(audience) - len(later)], frame, self.settings.fanout_concurrency
        )
        if later:
            batches = fanout.split(websocket.encode(frame).decode(), later, size)
            refused = {
                target
                for batch in fanout_queue.enqueue(self.settings.fanout_queue, batches)
                for target in batch.targets
            }
            result.queued = [target for target in later if target not in refused]
            result.failed += [target for target in later if target in refused]
        for stale in result.gone:
            self.connections.drop(stale)
        if result.gone or result.failed or result.queued:
            logger.info(
                "fan-out",
                extra={
                    "sent": len(result.sent),
                    "gone": len(result.gone),
                    "failed": len(result.failed),
                    "queued": len(result.queued),
                },
            )
        return result

    def tell_room(self, room: str, frame: dict[str, Any], *, include_self: bool = False) -> FanOutResult:
        """Fan a frame out to the room's live connections whose users are still members."""
        audience = self.rooms.audience(room)
        return self.broadcast([c for c in audience if include_self or c != self.connection_id], frame)


def _now_ms() -> int:
    return int(time.time() * 1000)


# Actions ---------------------------------------------------------------------


def on_ping(frame: Frame, session: Session) -> None:
    session.reply({"type": "pong", "ts": _now_ms()})


def on_join(frame: Frame, session: Session) -> None:
    room = realtime.identifier(frame, "room")
    session.rooms.join(room, session.connection_id, session.user_id)
    live = session.rooms.presence(room)
    session.reply({"type": "joined", "room": room, "present": sorted(set(live.values()))})
    others = [connection for connection in live if connection != session.connection_id]
    session.broadcast(others, {"type": "presence", "room": room, "user": session.user_id, "state": "joined"})


def on_leave(frame: Frame, session: Session) -> None:
    room = realtime.identifier(frame, "room")
    session.connections.leave_room(session.connection_id, room)
    session.reply({"type": "left", "room": room})
    session.tell_room(room, {"type": "presence", "room": room, "user": session.user_id, "state": "left"})


def _require_joined(session: Session, room: str) -> None:
    present, member = session.rooms.standing(room, session.connection_id, session.user_id)
    if not present:
        raise Forbidden("join the room first", code="not_joined")
    if not member:
        raise Forbidden("you are not a member of this room", code="not_a_member")


def _attachment(session: Session, key: str, name: str) -> dict[str, Any]:
    """An uploaded object as a message carries it: key, size and content type (it must exist, within the limit)."""
    settings = session.settings
    if not settings.uploads_bucket:
        raise Forbidden("attachments are not enabled", code="attachments_disabled")
    size, content_type = files.check_uploaded(
        name, s3files.head(settings.uploads_bucket, key), settings.upload_max_bytes
    )
    return {"key": key, "size_bytes": size, "content_type": content_type}


def on_send(frame: Frame, session: Session) -> None:
    room = realtime.identifier(frame, "room")
    content = realtime.message_content(frame, session.user_id)
    _require_joined(session, room)
    attachments = [_attachment(session, key, f"attachments[{i}]") for i, key in enumerate(content.attachments)]
    message = session.rooms.add_message(
        room,
        session.user_id,
        content.text,
        kind=content.type,
        attachments=attachments,
        ttl_days=session.settings.message_ttl_days,
    )
    # Only members receive the frame, so its attachments carry their read URLs; so does the sender's reply.
    readable = s3files.with_read_urls(session.settings.uploads_bucket, session.user_id, attachments)
    result = session.tell_room(room, {"type": "message", **message, "attachments": readable})
    session.reply(
        {
            "type": "sent",
            "room": room,
            "id": message["id"],
            "ts": message["ts"],
            "delivered": result.delivered,
            "attachments": readable,
            "queued": len(result.queued),
        }
    )


def on_typing(frame: Frame, session: Session) -> None:
    room = realtime.identifier(frame, "room")
    _require_joined(session, room)
    session.tell_room(room, {"type": "typing", "room": room, "user": session.user_id})


def on_relay_open(frame: Frame, session: Session) -> None:
    relay_id, code, expires = session.relays.open(session.connection_id, session.user_id)
    session.reply(
        {"type": "relay.opened", "relay": relay_id, "code": realtime.format_code(code), "expires_at": expires}
    )


def on_relay_join(frame: Frame, session: Session) -> None:
    code = realtime.pairing_code(frame)
    relay_id = session.relays.by_code(code)
    session.relays.join(relay_id, session.connection_id, session.user_id)
    session.reply({"type": "relay.joined", "relay": relay_id})
    others = [c for c in session.relays.peers(relay_id) if c != session.connection_id]
    session.broadcast(others, {"type": "relay.peer_joined", "relay": relay_id})
    # What the late peer missed: payloads cached while nobody else was there, never its own.
    for item in session.relays.cached(relay_id):
        if item.get("sender") == session.connection_id:
            continue
        frame_out = {"type": "relay.data", "relay": relay_id, "data": item["data"], "cached": True}
        if websocket.post(session.endpoint, session.connection_id, frame_out) is Delivery.SENT:
            session.relays.forget(relay_id, str(item["SK"]))


def on_relay_send(frame: Frame, session: Session) -> None:
    relay_id = realtime.identifier(frame, "relay")
    data = realtime.relay_data(frame)
    peers = session.relays.peers(relay_id)
    if session.connection_id not in peers:
        raise Forbidden("this connection has not joined the relay", code="not_a_peer")
    others = [c for c in peers if c != session.connection_id]
    result = session.broadcast(others, {"type": "relay.data", "relay": relay_id, "data": data})
    delivered = result.delivered > 0
    if not delivered:
        session.relays.cache(relay_id, session.connection_id, data, session.settings.relay_cache_ttl_seconds)
    session.reply({"type": "relay.sent", "relay": relay_id, "delivered": delivered})


ACTIONS: dict[str, Callable[[Frame, Session], None]] = {
    "ping": on_ping,
    "join": on_join,
    "leave": on_leave,
    "send": on_send,
    "typing": on_typing,
    "relay.open": on_relay_open,
    "relay.join": on_relay_join,
    "relay.send": on_relay_send,
}


# Routes ----------------------------------------------------------------------


def on_connect(session: Session) -> dict[str, Any]:
    sub = str(session.authorizer.get("sub") or "")
    if not sub:
        if str(session.authorizer.get("anonymous", "")).lower() != "true":
            return {"statusCode": 401}
        sub = f"anonymous-{session.connection_id}"
    session.connections.put(session.connection_id, sub)
    return OK


def on_disconnect(session: Session) -> dict[str, Any]:
    dropped = session.connections.drop(session.connection_id)
    if dropped is None:
        return OK
    if not [c for c in session.connections.of_user(dropped.user_id) if c != session.connection_id]:
        Users(session.table).mark_seen(dropped.user_id, clock.now_iso())  # their last connection closed
    for room in sorted(dropped.rooms):
        session.tell_room(room, {"type": "presence", "room": room, "user": dropped.user_id, "state": "left"})
    for relay_id in sorted(dropped.relays):
        session.broadcast(session.relays.peers(relay_id), {"type": "relay.peer_left", "relay": relay_id})
    return OK


def on_frame(event: dict[str, Any], session: Session) -> dict[str, Any]:
    try:
        frame = realtime.parse_frame(event.get("body"))
        session.ref = frame.ref
        ACTIONS[frame.action](frame, session)
    except AppError as error:
        session.reply(realtime.error_frame(error.code, error.message))  # reply() adds the frame's ref
    return OK


def _ref_of(event: dict[str, Any]) -> str | None:
    """The ``ref`` of the event's frame, for an error reply after an unexpected failure (None if unparsable)."""
    try:
        return realtime.parse_frame(event.get("body")).ref
    except AppError:
        return None


def management_endpoint(settings: WsSettings, request_context: dict[str, Any]) -> str:
    if settings.management_endpoint:
        return settings.management_endpoint
    return f"https://{request_context['domainName']}/{request_context['stage']}"


def platform_context(event: Any) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """(requestContext, connection id, authorizer context) of an API Gateway event, or MalformedEvent."""
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    if not isinstance(request_context, dict):
        raise MalformedEvent("requestContext")
    connection_id = request_context.get("connectionId")
    if not isinstance(connection_id, str) or not connection_id:
        raise MalformedEvent("requestContext.connectionId")
    authorizer = request_context.get("authorizer") or {}
    if not isinstance(authorizer, dict):
        raise MalformedEvent("requestContext.authorizer")
    return request_context, connection_id, authorizer


def route(event: dict[str, Any]) -> dict[str, Any]:
    settings = load(WsSettings)
    request_context, connection_id, authorizer = platform_context(event)
    session = Session(
        connection_id=connection_id,
        authorizer=authorizer,
        endpoint=management_endpoint(settings, request_context),
        table=Table(settings.table_name),
        settings=settings,
    )
    route_key = request_context.get("routeKey")
    if route_key == "$connect":
        return on_connect(session)
    if route_key == "$disconnect":
        return on_disconnect(session)
    return on_frame(event, session)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return route(event)
    except MalformedEvent as error:
        # Only API Gateway writes these fields: nobody to answer, nothing to retry.
        logger.error("malformed platform event", extra={"field": error.field})
        return {"statusCode": 500}
    except Exception:  # outermost guard: log it, tell the sender, never leak internals
        logger.exception("ws invocation failed", extra={"route": (event.get("requestContext") or {}).get("routeKey")})
        request_context = event.get("requestContext") or {}
        if request_context.get("routeKey") not in {"$connect", "$disconnect"} and "connectionId" in request_context:
            try:
                endpoint = management_endpoint(load(WsSettings), request_context)
                frame = realtime.error_frame("internal", "internal error", _ref_of(event))
                websocket.post(endpoint, str(request_context["connectionId"]), frame)
            except Exception:  # the guard itself must not raise
                logger.exception("could not report the failure to the sender")
        return {"statusCode": 500}
