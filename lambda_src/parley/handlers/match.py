"""The match function: join/status/leave and hanging up over HTTP, the caller's call history, and the pairing
worker on the SQS FIFO queue."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import publisher, websocket
from parley.adapters.calls import Calls, PutResult
from parley.adapters.connections import Connections
from parley.adapters.points import Points
from parley.adapters.sessions import Sessions
from parley.adapters.table import Table
from parley.domain import calls, keys, matchmaking, points
from parley.domain.matchmaking import Ticket, TicketMessage, TicketStatus
from parley.domain.validation import ID_PATTERN
from parley.errors import Conflict, NotFound
from parley.handlers.http import caller_id, logger, make_resolver, optional_json_body, page, page_request
from parley.settings import BaseSettings, env, load, parse_list, positive_int, settings_class

app = make_resolver()

MAX_PAIRS_PER_RECORD = 25


@settings_class
class MatchSettings(BaseSettings):
    topic_arn: str = env("MATCH_TOPIC_ARN")
    pools: tuple[str, ...] = env("MATCH_POOLS", default=("default",), parse=parse_list)
    # Message groups per pool (1: one group, strict per-pool order).
    pool_shards: int = env("MATCH_POOL_SHARDS", default=1, parse=positive_int)
    daily_points: int = env("DAILY_POINTS", default=5, parse=int)
    ticket_ttl_seconds: int = env("TICKET_TTL_SECONDS", default=600, parse=int)
    session_ttl_seconds: int = env("SESSION_TTL_SECONDS", default=86_400, parse=int)
    ws_management_endpoint: str = env("WS_MANAGEMENT_ENDPOINT", default="")
    points_timezone: str = env("POINTS_TIMEZONE", default="UTC")


def _settings() -> MatchSettings:
    settings: MatchSettings = load(MatchSettings)
    return settings


def _table() -> Table:
    return Table(_settings().table_name)


def _store() -> Calls:
    return Calls(_table())


def _caller() -> str:
    return caller_id(app)


# --- HTTP ---------------------------------------------------------------------


@app.post("/match/join")
def join() -> tuple[dict[str, Any], int]:
    settings, store, user_id, now = _settings(), _store(), _caller(), time.time()
    pool = matchmaking.choose_pool(optional_json_body(app), settings.pools)
    balance = Points(store.table).balance(user_id, settings.daily_points)
    if balance is None:
        raise NotFound("no profile for this user", code="profile_not_found")
    matchmaking.check_can_join(balance, store.ticket(user_id), now)
    ticket = matchmaking.new_ticket(user_id, pool, now, settings.ticket_ttl_seconds)
    if store.add_ticket(ticket, now) is PutResult.TAKEN:
        raise Conflict("already waiting for a match or in a call", code="already_waiting")
    message = TicketMessage(ticket.ticket_id, user_id, pool)
    group = matchmaking.message_group(pool, ticket.ticket_id, settings.pool_shards)
    try:
        publisher.publish_fifo(settings.topic_arn, message.to_json(), group_id=group, deduplication_id=ticket.ticket_id)
    except Exception:
        # Not queued means not waiting: give the user their place back, then fail.
        store.remove_ticket(user_id, ticket.ticket_id)
        raise
    logger.info("ticket queued", extra={"pool": pool, "ticket_id": ticket.ticket_id})
    return ticket.view(now), 202


@app.get("/match/status")
def status() -> dict[str, Any]:
    now, user_id = time.time(), _caller()
    ticket = _store().ticket(user_id)
    wanted = app.current_event.get_query_string_value("ticket_id")
    # Only the caller's own ticket is ever visible: another id reads as absent.
    if ticket is None or (wanted is not None and wanted != ticket.ticket_id):
        raise NotFound("no ticket", code="no_ticket")
    return ticket.view(now)


@app.delete("/match/ticket")
def leave() -> tuple[dict[str, Any], int]:
    """Leave the queue; after a match, also hang up the call if it is still live."""
    user_id, store = _caller(), _store()
    ticket = store.ticket(user_id)
    if ticket is None or not store.remove_ticket(user_id, ticket.ticket_id):
        raise NotFound("no ticket", code="no_ticket")
    body: dict[str, Any] = {"status": "left"}
    if ticket.status is TicketStatus.MATCHED and ticket.session_id:
        session = Sessions(store.table).get(ticket.session_id, consistent=True)
        if session is not None and session.ended_at is None and session.expires_at > time.time():
            with contextlib.suppress(Conflict):  # the peer hung up at the same moment: the call is over anyway
                body["call"] = _hang_up(store, session, user_id)
    return body, 200


# --- calls --------------------------------------------------------------------


def _hang_up(store: Calls, session: calls.CallSession, user_id: str) -> dict[str, Any]:
    """End the call for both participants, free their tickets and tell the peer."""
    ended = Sessions(store.table).end(session, user_id, int(time.time()))
    for participant in ended.participants:
        store.release_ticket(participant, ended.session_id)
    frame = {"type": "call.ended", "session_id": ended.session_id, "ended_by": user_id, "ended_at": ended.ended_at}
    notify(Connections(store.table), _settings().ws_management_endpoint, ended.peer_of(user_id), frame)
    logger.info("call ended", extra={"session_id": ended.session_id})
    return {"session_id": ended.session_id, "ended_at": ended.ended_at, "duration_seconds": ended.duration_seconds}


@app.post("/calls/<session_id>/end")
def end_call(session_id: str) -> dict[str, Any]:
    user_id, store = _caller(), _store()
    valid = ID_PATTERN.fullmatch(session_id) is not None
    session = Sessions(store.table).get(session_id, consistent=True) if valid else None
    if session is None:
        raise NotFound("no such call", code="session_not_found")
    calls.check_participant(session, user_id, time.time())
    return _hang_up(store, session, user_id)


@app.get("/calls")
def call_history() -> dict[str, Any]:
    user_id = _caller()
    limit, start = page_request(app, ("GSI1PK", keys.user(user_id)), keys.CALL_PREFIX)
    items, last = Sessions(_table()).history(user_id, limit, start)
    return page([calls.history_entry(item) for item in items], last)


# --- worker -------------------------------------------------------------------


def notify(connections: Connections, endpoint: str, user_id: str, frame: dict[str, Any]) -> None:
    """Tell a user over each of their open WebSocket connections; forget gone connections."""
    if not endpoint:
        return
    for connection_id in connections.of_user(user_id):
        if websocket.post(endpoint, connection_id, frame) is websocket.Delivery.GONE:
            connections.drop(connection_id)


def pair_pool(store: Calls, settings: MatchSettings, pool: str, now: float) -> int:
    """Pair the pool's waiting tickets oldest-first, one transaction per pair; returns pairs made."""
    made = 0
    skipped: set[str] = set()
    for _ in range(MAX_PAIRS_PER_RECORD * 2):
        waiting = [t for t in store.waiting(pool, now) if t.ticket_id not in skipped]
        pair = matchmaking.next_pair(waiting, now)
        if pair is None:
            break
        a, b = pair
        session_id = matchmaking.new_session_id()
        result = store.pair(
            a,
            b,
            session_id=session_id,
            now=now,
            session_ttl_seconds=settings.session_ttl_seconds,
            default_points=settings.daily_points,
            points_day=points.day_of(datetime.fromtimestamp(now, UTC), settings.points_timezone),
        )
        if result.paired:
            made += 1
            logger.info("paired", extra={"pool": pool, "session_id": session_id})
            _announce(Connections(store.table), settings, a, b, session_id)
            if made >= MAX_PAIRS_PER_RECORD:
                break
            continue
        skipped |= result.stale
        for ticket in (a, b):
            if ticket.ticket_id in result.out_of_points:
                store.expire_ticket(ticket, reason="no_points")
                skipped.add(ticket.ticket_id)
    return made


def _announce(connections: Connections, settings: MatchSettings, a: Ticket, b: Ticket, session_id: str) -> None:
    for me, peer in ((a, b), (b, a)):
        frame = {"type": "match.found", "session_id": session_id, "peer_id": peer.user_id, "pool": me.pool}
        notify(connections, settings.ws_management_endpoint, me.user_id, frame)


def record_handler(record: SQSRecord) -> None:
    settings = _settings()
    message = matchmaking.parse_message(record.body, settings.pools)
    pair_pool(_store(), settings, message.pool, time.time())


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        # Only failed records, and the ones after them in the same pool, are retried.
        processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        # A batch whose every record failed is reported like any other, not raised.
        processor.raise_on_entire_batch_failure = False
        return dict(
            process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
        )
    return app.resolve(event, context)
