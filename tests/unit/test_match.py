"""The match function: joining, status, leaving, and the pairing worker."""

from __future__ import annotations

import copy
import json
import time
import uuid
import zlib
from typing import Any

import pytest

from parley.adapters import aws, websocket
from parley.adapters.calls import Calls
from parley.adapters.connections import Connections
from parley.adapters.table import Table
from parley.domain import keys
from parley.handlers import match
from tests.unit.conftest import TABLE_NAME, http_event, load_event, response_json

POOLS = "default,english"


@pytest.fixture
def topic(table: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The matchmaking topic delivering raw to a FIFO queue, as modules/matchmaking builds it."""
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic_arn = sns.create_topic(
        Name="parley-test-match.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    queue_url = sqs.create_queue(QueueName="parley-test-match.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("MATCH_TOPIC_ARN", topic_arn)
    monkeypatch.setenv("MATCH_POOLS", POOLS)
    monkeypatch.setenv("DAILY_POINTS", "3")
    monkeypatch.setenv("TICKET_TTL_SECONDS", "600")
    monkeypatch.setenv("SESSION_TTL_SECONDS", "86400")
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "https://ws.example.com/live")
    return {"topic_arn": topic_arn, "queue_url": queue_url}


@pytest.fixture
def posted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Frames sent over WebSocket (connection id, frame); connection 'gone-*' answers 410."""
    frames: list[tuple[str, dict[str, Any]]] = []

    def fake_post(endpoint: str, connection_id: str, frame: Any) -> websocket.Delivery:
        frames.append((connection_id, frame))
        return websocket.Delivery.GONE if connection_id.startswith("gone-") else websocket.Delivery.SENT

    monkeypatch.setattr(websocket, "post", fake_post)
    return frames


def profile(table: Any, user_id: str, points: int | None = None) -> None:
    item: dict[str, Any] = {"PK": keys.user(user_id), "SK": keys.PROFILE, "email": f"{user_id}@example.com"}
    if points is not None:
        item["points"] = points
    table.put_item(Item=item)


def points_of(table: Any, user_id: str) -> int | None:
    item = table.get_item(Key={"PK": keys.user(user_id), "SK": keys.PROFILE})["Item"]
    return None if "points" not in item else int(item["points"])


def join(user_id: str, body: Any = None, ctx: Any = None) -> dict[str, Any]:
    return match.handler(http_event("POST", "/match/join", body, sub=user_id), ctx)


def queued(topic: dict[str, str]) -> list[dict[str, Any]]:
    messages = (
        aws.client("sqs")
        .receive_message(QueueUrl=topic["queue_url"], MaxNumberOfMessages=10, AttributeNames=["All"])
        .get("Messages", [])
    )
    return messages


def sqs_event(*bodies: tuple[str, str]) -> dict[str, Any]:
    """An SQS FIFO batch: one record per (group id, body)."""
    template = load_event("sqs_fifo")["Records"][0]
    records = []
    for group, body in bodies:
        record = copy.deepcopy(template)
        record["messageId"] = str(uuid.uuid4())
        record["body"] = body
        record["attributes"]["MessageGroupId"] = group
        records.append(record)
    return {"Records": records}


def ticket_body(user_id: str, pool: str = "default") -> tuple[str, str]:
    ticket = Calls(Table(TABLE_NAME)).ticket(user_id)
    ticket_id = ticket.ticket_id if ticket else "missing"
    return pool, json.dumps({"ticket_id": ticket_id, "user_id": user_id, "pool": pool})


def sessions(table: Any) -> dict[str, list[str]]:
    items = table.scan()["Items"]  # tests only: the handlers never scan
    return {
        i["session_id"]: list(i["participants"]) for i in items if i["PK"].startswith("SESSION#") and i["SK"] == "META"
    }


# --- joining -------------------------------------------------------------------


def test_match_join_writes_a_waiting_ticket_and_publishes_it_to_the_fifo_topic(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a user with points
    profile(table, "u1")
    # When they join the english pool
    before = int(time.time())
    response = join("u1", {"pool": "english"}, lambda_context)
    after = int(time.time())
    # Then a waiting ticket is returned and stored, indexed under its pool
    assert response["statusCode"] == 202
    body = response_json(response)
    assert body["status"] == "waiting" and body["pool"] == "english"
    item = table.get_item(Key={"PK": "USER#u1", "SK": "TICKET"})["Item"]
    assert item["GSI1PK"] == "POOL#english" and item["GSI1SK"].startswith("WAIT#")
    # And it lives the configured ticket lifetime (TICKET_TTL_SECONDS=600), which TTL enforces too
    assert before + 600 <= body["expires_at"] <= after + 600
    assert item["TTL"] == item["expires_at"] == body["expires_at"]
    # And the ticket reached the FIFO queue raw, grouped by pool, deduplicated by ticket id
    (message,) = queued(topic)
    assert json.loads(message["Body"]) == {"ticket_id": body["ticket_id"], "user_id": "u1", "pool": "english"}
    assert message["Attributes"]["MessageGroupId"] == "english"
    assert message["Attributes"]["MessageDeduplicationId"] == body["ticket_id"]


def test_match_join_defaults_to_the_first_pool_with_an_empty_body(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")
    response = join("u1", None, lambda_context)
    assert response["statusCode"] == 202 and response_json(response)["pool"] == "default"


def test_match_join_twice_is_a_conflict_and_publishes_once(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")
    assert join("u1", {}, lambda_context)["statusCode"] == 202
    second = join("u1", {}, lambda_context)
    assert second["statusCode"] == 409 and response_json(second)["error"] == "already_waiting"
    assert len(queued(topic)) == 1


def test_match_join_without_points_is_refused(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1", points=0)
    response = join("u1", {}, lambda_context)
    assert response["statusCode"] == 403 and response_json(response)["error"] == "no_points"
    assert "Item" not in table.get_item(Key={"PK": "USER#u1", "SK": "TICKET"})
    assert queued(topic) == []


def test_match_join_without_a_profile_is_not_found(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = join("ghost", {}, lambda_context)
    assert response["statusCode"] == 404 and response_json(response)["error"] == "profile_not_found"


@pytest.mark.parametrize(
    ("body", "code"),
    [("{not json", "invalid_json"), ("[1]", "invalid_json"), ({"pool": "nope"}, "invalid_pool"),
     ({"pool": 7}, "invalid_pool"), ({"pool": "default", "x": 1}, "invalid_body")],
)  # fmt: skip
def test_match_join_rejects_malformed_bodies(table, topic, lambda_context, body, code) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")
    response = join("u1", body, lambda_context)
    assert response["statusCode"] == 400 and response_json(response)["error"] == code


def test_match_join_while_in_a_call_is_a_conflict(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    # Given two users paired into a call
    for user in ("u1", "u2"):
        profile(table, user)
        join(user, {}, lambda_context)
    match.handler(sqs_event(ticket_body("u2")), lambda_context)
    # When one of them joins again
    response = join("u1", {}, lambda_context)
    # Then it is refused until they leave the call
    assert response["statusCode"] == 409 and response_json(response)["error"] == "in_call"
    leave = match.handler(http_event("DELETE", "/match/ticket", sub="u1"), lambda_context)
    assert leave["statusCode"] == 200
    assert join("u1", {}, lambda_context)["statusCode"] == 202


def test_match_join_after_the_ticket_expired_is_allowed(table, topic, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")
    first = response_json(join("u1", {}, lambda_context))
    monkeypatch.setattr(time, "time", lambda: first["expires_at"] + 1.0)
    status = match.handler(http_event("GET", "/match/status", sub="u1"), lambda_context)
    assert response_json(status)["status"] == "expired"
    again = join("u1", {}, lambda_context)
    assert again["statusCode"] == 202 and response_json(again)["ticket_id"] != first["ticket_id"]


def test_match_join_rolls_the_ticket_back_when_publishing_fails(table, topic, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("sns down")

    monkeypatch.setattr(match.publisher, "publish_fifo", broken)
    response = join("u1", {}, lambda_context)
    assert response["statusCode"] == 500
    assert "Item" not in table.get_item(Key={"PK": "USER#u1", "SK": "TICKET"})


# --- status and leaving ----------------------------------------------------------


def test_match_status_shows_waiting_then_matched_with_the_session(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    for user in ("u1", "u2"):
        profile(table, user)
        join(user, {}, lambda_context)
    waiting = response_json(match.handler(http_event("GET", "/match/status", sub="u1"), lambda_context))
    assert waiting["status"] == "waiting" and "session_id" not in waiting
    match.handler(sqs_event(ticket_body("u2")), lambda_context)
    matched = response_json(match.handler(http_event("GET", "/match/status", sub="u1"), lambda_context))
    assert matched["status"] == "matched" and matched["peer_id"] == "u2"
    assert matched["session_id"] in sessions(table)


def test_match_status_of_another_users_ticket_is_not_found(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1")
    profile(table, "u2")
    theirs = response_json(join("u2", {}, lambda_context))["ticket_id"]
    join("u1", {}, lambda_context)
    event = http_event("GET", "/match/status", sub="u1", rawQueryString=f"ticket_id={theirs}")
    event["queryStringParameters"] = {"ticket_id": theirs}
    response = match.handler(event, lambda_context)
    assert response["statusCode"] == 404 and response_json(response)["error"] == "no_ticket"
    assert match.handler(http_event("GET", "/match/status", sub="u3"), lambda_context)["statusCode"] == 404


def test_match_leave_removes_the_ticket_from_the_pool(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    for user in ("u1", "u2"):
        profile(table, user)
        join(user, {}, lambda_context)
    assert match.handler(http_event("DELETE", "/match/ticket", sub="u1"), lambda_context)["statusCode"] == 200
    again = match.handler(http_event("DELETE", "/match/ticket", sub="u1"), lambda_context)
    assert again["statusCode"] == 404
    # The queued message of the leaver pairs nobody with them
    match.handler(sqs_event(ticket_body("u2")), lambda_context)
    assert sessions(table) == {}


def test_match_unknown_route_is_a_json_404(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = match.handler(http_event("GET", "/match/nope", sub="u1"), lambda_context)
    assert response["statusCode"] == 404


# --- the worker --------------------------------------------------------------------


def waiting_users(table: Any, *users: str, pool: str = "default", lambda_context: Any = None) -> None:
    for user in users:
        profile(table, user)
        assert join(user, {"pool": pool}, lambda_context)["statusCode"] == 202
        time.sleep(0.002)  # distinct creation times, so "oldest first" is well defined


def test_match_worker_pairs_oldest_first_and_leaves_the_odd_one_waiting(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    waiting_users(table, "u1", "u2", "u3", lambda_context=lambda_context)
    result = match.handler(sqs_event(ticket_body("u3")), lambda_context)
    assert result == {"batchItemFailures": []}
    assert list(sessions(table).values()) == [["u1", "u2"]]
    assert Calls(Table(TABLE_NAME)).ticket("u3").status == "waiting"  # type: ignore[union-attr]
    # A fourth user arrives: the odd one out is paired with them
    waiting_users(table, "u4", lambda_context=lambda_context)
    match.handler(sqs_event(ticket_body("u4")), lambda_context)
    assert sorted(sorted(p) for p in sessions(table).values()) == [["u1", "u2"], ["u3", "u4"]]


def test_match_worker_keeps_pools_apart(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    waiting_users(table, "a1", lambda_context=lambda_context)
    waiting_users(table, "b1", pool="english", lambda_context=lambda_context)
    match.handler(sqs_event(ticket_body("a1"), ticket_body("b1", "english")), lambda_context)
    assert sessions(table) == {}
    waiting_users(table, "b2", pool="english", lambda_context=lambda_context)
    match.handler(sqs_event(ticket_body("b2", "english")), lambda_context)
    assert list(sessions(table).values()) == [["b1", "b2"]]


def test_match_sharded_pool_spreads_tickets_over_groups_and_pairs_each_user_once(  # type: ignore[no-untyped-def]
    table, topic, lambda_context, posted, monkeypatch
) -> None:
    # Given a pool split into 4 message groups and 12 users joining it (ids from a counter, so the spread is known)
    monkeypatch.setenv("MATCH_POOL_SHARDS", "4")
    counter = iter(range(1, 1000))
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))
    users = [f"s{i:02d}" for i in range(12)]
    for user in users:
        profile(table, user)
        assert join(user, {"pool": "english"}, lambda_context)["statusCode"] == 202
    # Then each ticket was published in the group its id names, and the groups share the tickets
    by_group: dict[str, list[tuple[str, str]]] = {}
    sqs = aws.client("sqs")
    for _ in range(12):
        messages = queued(topic)
        if not messages:
            break
        for message in messages:
            ticket_id = json.loads(message["Body"])["ticket_id"]
            group = message["Attributes"]["MessageGroupId"]
            assert group == f"english#{zlib.crc32(ticket_id.encode()) % 4}"
            by_group.setdefault(group, []).append((group, message["Body"]))
            sqs.delete_message(QueueUrl=topic["queue_url"], ReceiptHandle=message["ReceiptHandle"])
    assert sum(map(len, by_group.values())) == 12
    assert len(by_group) > 1
    # When each group's batch is handled by its own worker, in any order
    for group in sorted(by_group, reverse=True):
        batch = by_group[group]
        for start in range(0, len(batch), 10):
            assert match.handler(sqs_event(*batch[start : start + 10]), lambda_context) == {"batchItemFailures": []}
    # Then everyone is in exactly one call, with someone else, and paid one point for it
    pairs = list(sessions(table).values())
    assert len(pairs) == 6
    assert sorted(user for pair in pairs for user in pair) == users
    assert all(len(set(pair)) == 2 for pair in pairs)
    assert all(points_of(table, user) == 2 for user in users)


def test_match_worker_deducts_one_point_from_each_paired_user(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    profile(table, "u1", points=2)
    join("u1", {}, lambda_context)
    waiting_users(table, "u2", lambda_context=lambda_context)  # no points field yet: the default (3) applies
    match.handler(sqs_event(ticket_body("u2")), lambda_context)
    assert (points_of(table, "u1"), points_of(table, "u2")) == (1, 2)


def test_match_worker_redelivery_never_pairs_a_user_twice(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    waiting_users(table, "u1", "u2", lambda_context=lambda_context)
    batch = sqs_event(ticket_body("u1"), ticket_body("u2"))
    for _ in range(3):  # the same batch, delivered again and again
        assert match.handler(copy.deepcopy(batch), lambda_context) == {"batchItemFailures": []}
    assert list(sessions(table).values()) == [["u1", "u2"]]
    assert (points_of(table, "u1"), points_of(table, "u2")) == (2, 2)


def test_match_worker_concurrent_workers_never_share_a_user(table, topic, lambda_context, posted, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # DynamoDB transactions are serializable; moto's are not isolated between threads, so the
    # race is played out step by step: worker A reads the pool, worker B pairs u1 and u2,
    # then A pairs from what it read.
    waiting_users(table, "u1", "u2", "u3", "u4", lambda_context=lambda_context)
    store = Calls(Table(TABLE_NAME))
    settings = match.MatchSettings.from_env()
    real_read = store.waiting
    snapshot = real_read("default", time.time())
    assert [t.user_id for t in snapshot] == ["u1", "u2", "u3", "u4"]
    u1, u2 = snapshot[0], snapshot[1]
    won = store.pair(
        u1,
        u2,
        session_id="b-session",
        now=time.time(),
        session_ttl_seconds=600,
        default_points=3,
        points_day="2026-11-22",
    )
    assert won.paired
    reads = iter([snapshot])
    monkeypatch.setattr(store, "waiting", lambda pool, now: next(reads, None) or real_read(pool, now))
    # When worker A pairs from its stale read
    made = match.pair_pool(store, settings, "default", time.time())
    # Then its transaction for u1+u2 fails as a whole, and it goes on with u3+u4
    assert made == 1
    assert sorted(sorted(p) for p in sessions(table).values()) == [["u1", "u2"], ["u3", "u4"]]
    assert all(points_of(table, u) == 2 for u in ("u1", "u2", "u3", "u4"))


def test_match_worker_pairing_without_points_changes_nothing_for_the_partner(
    table, topic, lambda_context, posted
) -> None:  # type: ignore[no-untyped-def]
    # Given u1 spent their points after joining, and u2, u3 wait behind them
    waiting_users(table, "u1", "u2", "u3", lambda_context=lambda_context)
    table.update_item(
        Key={"PK": "USER#u1", "SK": "PROFILE"},
        UpdateExpression="SET points = :z",
        ExpressionAttributeValues={":z": 0},
    )
    # When the worker runs
    match.handler(sqs_event(ticket_body("u3")), lambda_context)
    # Then u1 is taken out of the pool, u2 keeps their points until paired with u3
    assert list(sessions(table).values()) == [["u2", "u3"]]
    ticket = Calls(Table(TABLE_NAME)).ticket("u1")
    assert ticket is not None and ticket.status == "expired" and ticket.reason == "no_points"
    assert (points_of(table, "u1"), points_of(table, "u2"), points_of(table, "u3")) == (0, 2, 2)


def test_match_worker_reports_poisoned_records_and_the_rest_of_their_group(
    table, topic, lambda_context, posted
) -> None:  # type: ignore[no-untyped-def]
    waiting_users(table, "u1", "u2", lambda_context=lambda_context)
    waiting_users(table, "e1", "e2", pool="english", lambda_context=lambda_context)
    event = sqs_event(("default", "{poison"), ticket_body("u2"), ticket_body("e2", "english"))
    ids = [r["messageId"] for r in event["Records"]]
    result = match.handler(event, lambda_context)
    # The poisoned record and the one after it in its group are retried; the other pool is done
    assert result == {"batchItemFailures": [{"itemIdentifier": ids[0]}, {"itemIdentifier": ids[1]}]}
    assert list(sessions(table).values()) == [["e1", "e2"]]


@pytest.mark.parametrize(
    "body", ["", "[]", '{"ticket_id": "t", "user_id": "u"}', '{"ticket_id": "t", "user_id": "u", "pool": "mars"}']
)
def test_match_worker_refuses_malformed_messages(table, topic, lambda_context, body) -> None:  # type: ignore[no-untyped-def]
    event = sqs_event(("default", body))
    result = match.handler(event, lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_match_worker_notifies_both_users_and_forgets_gone_connections(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    waiting_users(table, "u1", "u2", lambda_context=lambda_context)
    for connection, user in (("c-1", "u1"), ("gone-2", "u2")):
        Connections(Table(TABLE_NAME)).put(connection, user)
    match.handler(sqs_event(ticket_body("u2")), lambda_context)
    (session_id,) = sessions(table)
    assert sorted(posted, key=lambda p: p[0]) == [
        ("c-1", {"type": "match.found", "session_id": session_id, "peer_id": "u2", "pool": "default"}),
        ("gone-2", {"type": "match.found", "session_id": session_id, "peer_id": "u1", "pool": "default"}),
    ]
    assert "Item" not in table.get_item(Key={"PK": "CONN#gone-2", "SK": "META"})
    assert "Item" in table.get_item(Key={"PK": "CONN#c-1", "SK": "META"})


def test_match_without_a_verified_user_is_unauthorized(table, topic, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = match.handler(http_event("POST", "/match/join", {}), lambda_context)
    assert response["statusCode"] == 401 and response_json(response)["error"] == "unauthorized"


def test_match_worker_pages_past_expired_tickets_and_cleans_them_up(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    # Given 60 expired tickets TTL has not deleted yet, at the head of the pool, then two live ones
    now = time.time()
    for i in range(60):
        created = int((now - 3600) * 1000) + i
        table.put_item(
            Item={
                "PK": keys.user(f"old{i}"), "SK": "TICKET", "GSI1PK": "POOL#default", "GSI1SK": f"WAIT#{created:013d}",
                "TTL": int(now) - 60, "ticket_id": f"t-old{i}", "user_id": f"old{i}", "pool": "default",
                "status": "waiting", "created_ms": created, "expires_at": int(now) - 60,
            }
        )  # fmt: skip
    waiting_users(table, "u1", "u2", lambda_context=lambda_context)
    # When the worker runs
    assert match.handler(sqs_event(ticket_body("u2")), lambda_context) == {"batchItemFailures": []}
    # Then the live ones are paired
    assert list(sessions(table).values()) == [["u1", "u2"]]
    # And the expired ones left the pool: expired for whoever reads their status, and out of the index
    pool = table.query(
        IndexName="GSI1", KeyConditionExpression="GSI1PK = :p", ExpressionAttributeValues={":p": "POOL#default"}
    )
    assert pool["Items"] == []
    old = table.get_item(Key={"PK": keys.user("old0"), "SK": "TICKET"})["Item"]
    assert old["status"] == "expired" and "reason" not in old and "GSI1PK" not in old


# --- hanging up and the call history ------------------------------------------------


def paired(table: Any, lambda_context: Any, *users: str) -> str:
    """Two users waiting in the default pool, paired by the worker; their session id."""
    waiting_users(table, *users, lambda_context=lambda_context)
    match.handler(sqs_event(ticket_body(users[-1])), lambda_context)
    (session_id,) = [s for s, p in sessions(table).items() if sorted(p) == sorted(users)]
    return session_id


def connect(table: Any, user_id: str, connection_id: str) -> None:
    Connections(Table(TABLE_NAME)).put(connection_id, user_id)


def end(user_id: str, session_id: str, ctx: Any) -> dict[str, Any]:
    event = http_event("POST", f"/calls/{session_id}/end", sub=user_id)
    return match.handler(event, ctx)


def history(user_id: str, ctx: Any, **query: str) -> dict[str, Any]:
    event = http_event("GET", "/calls", sub=user_id)
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    return match.handler(event, ctx)


def test_match_pairing_records_each_users_last_call_on_the_profile(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    paired(table, lambda_context, "u1", "u2")
    for user in ("u1", "u2"):
        item = table.get_item(Key={"PK": keys.user(user), "SK": keys.PROFILE})["Item"]
        assert before <= item["last_call_at"] <= time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def test_match_end_call_ends_it_for_both_and_tells_the_peer(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    # Given a call between u1 and u2, both online
    session_id = paired(table, lambda_context, "u1", "u2")
    connect(table, "u1", "c-u1")
    connect(table, "u2", "c-u2")
    posted.clear()
    points_before = (points_of(table, "u1"), points_of(table, "u2"))
    # When u1 hangs up
    response = end("u1", session_id, lambda_context)
    # Then the end is recorded once, u2 (only) is told, and both may join again at once
    body = response_json(response)
    assert response["statusCode"] == 200 and body["session_id"] == session_id
    assert abs(body["ended_at"] - time.time()) < 5 and body["duration_seconds"] >= 0
    meta = table.get_item(Key={"PK": keys.session(session_id), "SK": keys.META})["Item"]
    assert (int(meta["ended_at"]), meta["ended_by"]) == (body["ended_at"], "u1")
    assert posted == [
        ("c-u2", {"type": "call.ended", "session_id": session_id, "ended_by": "u1", "ended_at": body["ended_at"]})
    ]
    assert (points_of(table, "u1"), points_of(table, "u2")) == points_before == (2, 2)  # hanging up costs nothing
    for user in ("u1", "u2"):
        assert Calls(Table(TABLE_NAME)).ticket(user) is None
        assert join(user, {}, lambda_context)["statusCode"] == 202
    # Ending it again, by either participant, is a conflict with a stable code; others are not let in
    again = end("u2", session_id, lambda_context)
    assert again["statusCode"] == 409 and response_json(again)["error"] == "call_ended"
    stranger = end("u3", session_id, lambda_context)
    assert stranger["statusCode"] == 403 and response_json(stranger)["error"] == "not_a_participant"
    for bad in ("nope", "..%2F..", "x" * 65):
        missing = end("u1", bad, lambda_context)
        assert missing["statusCode"] == 404 and response_json(missing)["error"] == "session_not_found"


def test_match_leaving_after_a_match_hangs_up(table, topic, lambda_context, posted) -> None:  # type: ignore[no-untyped-def]
    session_id = paired(table, lambda_context, "u1", "u2")
    connect(table, "u1", "c-u1")
    posted.clear()
    # When u2 leaves with DELETE /match/ticket after the match
    response = match.handler(http_event("DELETE", "/match/ticket", sub="u2"), lambda_context)
    body = response_json(response)
    # Then the call is over for both, and u1 is told
    assert response["statusCode"] == 200 and body["status"] == "left" and body["call"]["session_id"] == session_id
    assert [f["type"] for _, f in posted] == ["call.ended"]
    assert Calls(Table(TABLE_NAME)).ticket("u1") is None
    refused = end("u1", session_id, lambda_context)
    assert refused["statusCode"] == 409 and response_json(refused)["error"] == "call_ended"
    # u1 leaving afterwards finds no ticket left
    assert match.handler(http_event("DELETE", "/match/ticket", sub="u1"), lambda_context)["statusCode"] == 404


def test_match_call_history_lists_my_calls_newest_first_in_pages(
    table, topic, lambda_context, posted, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Given u1's three calls, started a minute apart (the last with u4 still live)
    clock = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    calls = []
    for peer in ("u2", "u3", "u4"):
        session_id = paired(table, lambda_context, "u1", peer)
        calls.append(session_id)
        clock[0] += 45
        if peer != "u4":
            assert end(peer, session_id, lambda_context)["statusCode"] == 200
        clock[0] += 15
    # When u1 reads the history two at a time
    first = response_json(history("u1", lambda_context, limit="2"))
    second = response_json(history("u1", lambda_context, limit="2", cursor=first["next_cursor"]))
    # Then the calls come newest first with peer, start, end and duration
    start = 1_800_000_000

    def entry(index: int, peer: str, ended: int | None) -> dict[str, Any]:
        begun = start + 60 * index
        return {
            "session_id": calls[index], "peer_id": peer, "started_at": begun,
            "ended_at": None if ended is None else begun + ended, "duration_seconds": ended,
        }  # fmt: skip

    assert first["items"] == [entry(2, "u4", None), entry(1, "u3", 45)]
    assert second == {"items": [entry(0, "u2", 45)], "next_cursor": None}
    # The peer sees the same call from their side; nobody sees anyone else's calls
    assert response_json(history("u3", lambda_context))["items"][0]["peer_id"] == "u1"
    assert response_json(history("u9", lambda_context)) == {"items": [], "next_cursor": None}
    bad = history("u1", lambda_context, cursor="garbage")
    assert bad["statusCode"] == 400 and response_json(bad)["error"] == "invalid_cursor"
    assert history("u1", lambda_context, limit="0")["statusCode"] == 400
