"""Property-based fuzzing of every HTTP route, WebSocket action and Cognito trigger, in-process against moto.

For every generated request: no 5xx; a refusal is ``{"error", "message"}``
and changes nothing in the table; and when bob sends it, nothing of alice's
changes and nothing of hers shows up in what bob gets back. The routes,
actions and triggers come from the Terraform that deploys them
(tests/fuzz/surface.py); the example count from tests/fuzz/profiles.py.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from moto import mock_aws

from parley import settings
from parley.adapters import aws, cognito, files, secrets
from parley.adapters.connections import Connections
from parley.adapters.table import Table
from parley.domain import keys
from tests.conftest import FakeLambdaContext
from tests.fuzz import profiles, strategies
from tests.fuzz.strategies import ALICE_CALL, ALICE_ROOM, BOB_ROOM, PUBLIC_ROOM, SECRET, HttpRequest
from tests.fuzz.surface import cognito_triggers, http_routes, websocket_actions
from tests.unit.api_helpers import API_ENV, BUCKET
from tests.unit.auth_support import SENDER_ENV, TriggerDrivenCognito
from tests.unit.conftest import TABLE_NAME, http_event, table_definition
from tests.unit.ws_support import FakeManagementApi, install_management, ws_event

assert profiles  # loads the example-count profile
pytestmark = pytest.mark.xdist_group("fuzz")  # one worker builds the module's world once

CONNECTIONS = {"alice": "c-alice", "bob": "c-bob"}
# Counters of refused attempts: counting a refused sign-in is what they are for (docs/auth.md).
COUNTERS = ("LIMIT#",)


@dataclass
class World:
    table: Any
    management: FakeManagementApi

    def items(self) -> list[dict[str, Any]]:
        found = self.table.scan()["Items"]
        return sorted((i for i in found if not str(i["PK"]).startswith(COUNTERS)), key=lambda i: (i["PK"], i["SK"]))

    def alices(self) -> list[dict[str, Any]]:
        """Everything of alice's: her partition, her private room and her call."""
        mine = {keys.user("alice"), keys.room(ALICE_ROOM), keys.session(ALICE_CALL)}
        return [i for i in self.items() if i["PK"] in mine]


def seed(table: Any) -> None:
    now = 1_700_000_000
    put = table.put_item
    for user in ("alice", "bob", "carol"):
        put(Item={"PK": keys.user(user), "SK": keys.PROFILE, "user_id": user, "email": f"{user}@example.com"})
    rooms = {ALICE_ROOM: ("alice", False), BOB_ROOM: ("bob", False), PUBLIC_ROOM: ("alice", True)}
    for room, (owner, public) in rooms.items():
        name = f"{SECRET} room" if room == ALICE_ROOM else room
        put(
            Item={
                "PK": keys.room(room),
                "SK": keys.META,
                "name": name,
                "owner_id": owner,
                "public": public,
                "member_count": 1,
                "room_id": room,
            }
        )
        put(
            Item={
                "PK": keys.room(room),
                "SK": keys.member(owner),
                "GSI1PK": keys.user(owner),
                "GSI1SK": keys.room(room),
                "user_id": owner,
                "role": "owner",
                "room_id": room,
            }
        )
        put(
            Item={
                "PK": keys.room(room),
                "SK": keys.message(now * 1000, "m1"),
                "text": f"{SECRET} message" if room == ALICE_ROOM else "hello",
                "user_id": owner,
                "id": "m1",
                "ts": now * 1000,
            }
        )
    put(
        Item={
            "PK": keys.user("alice"),
            "SK": keys.reminder(strategies.ALICE_REMINDER),
            "text": SECRET,
            "reminder_id": strategies.ALICE_REMINDER,
            "status": "pending",
            "due_at": "2099-01-01T00:00:00Z",
        }
    )
    put(
        Item={
            "PK": keys.user("alice"),
            "SK": keys.device(strategies.ALICE_DEVICE),
            "token": SECRET,
            "device_id": strategies.ALICE_DEVICE,
            "platform": "ios",
        }
    )
    put(Item={"PK": keys.user("alice"), "SK": keys.notification(1_700_000_000_000, "alicenote"), "text": SECRET})
    put(
        Item={
            "PK": keys.session(ALICE_CALL),
            "SK": keys.META,
            "session_id": ALICE_CALL,
            "participants": ["alice", "carol"],
            "expires_at": 4_000_000_000,
        }
    )
    connections = Connections(Table(TABLE_NAME))
    for user, connection in CONNECTIONS.items():
        connections.put(connection, user)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One moto account for the module: the table, bucket, topic, secrets, user pool and management API."""
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        env = {
            "TABLE_NAME": TABLE_NAME,
            "APP_STAGE": "parley-fuzz",
            "LOG_LEVEL": "CRITICAL",
            **API_ENV,
            **SENDER_ENV,
            "MATCH_POOLS": "default,other",
            "DAILY_POINTS": "3",
            "TICKET_TTL_SECONDS": "600",
            "SESSION_TTL_SECONDS": "86400",
            "WS_MANAGEMENT_ENDPOINT": "https://ws.example.test/live",
            "POWERTOOLS_METRICS_NAMESPACE": "parley",
        }
        for name, value in env.items():
            mp.setenv(name, value)
        aws.reset()
        files.reset()
        secrets.reset()
        settings.load.cache_clear()
        aws.client("dynamodb").create_table(**table_definition())
        aws.client("s3").create_bucket(Bucket=BUCKET)
        mp.setenv(
            "MATCH_TOPIC_ARN",
            aws.client("sns").create_topic(
                Name="parley-fuzz.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
            )["TopicArn"],
        )
        sm = aws.client("secretsmanager")
        mp.setenv(
            "LIVEKIT_SECRET_ARN",
            sm.create_secret(
                Name="fuzz/livekit", SecretString=json.dumps({"api_key": "APIfuzz", "api_secret": "s" * 40})
            )["ARN"],
        )
        mp.setenv("TURN_SECRET_ARN", sm.create_secret(Name="fuzz/turn", SecretString="turn-secret")["ARN"])
        idp = aws.client("cognito-idp")
        pool = idp.create_user_pool(PoolName="fuzz", UsernameAttributes=["email"])["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        )["UserPoolClient"]["ClientId"]
        mp.setenv("USER_POOL_ID", pool)
        mp.setenv("USER_POOL_CLIENT_ID", client)
        aws.client("sesv2").create_email_identity(EmailIdentity=SENDER_ENV["AUTH_EMAIL_SENDER"])
        engine = TriggerDrivenCognito(idp, pool, FakeLambdaContext())
        mp.setattr(cognito, "_client", lambda: engine)
        management = install_management(mp)
        table = aws.table(TABLE_NAME)
        seed(table)
        yield World(table, management)
    aws.reset()
    settings.load.cache_clear()


def handler_of(function: str) -> Callable[[Any, Any], Any]:
    return importlib.import_module(f"parley.handlers.{function}").handler  # type: ignore[no-any-return]


def http_call(function: str, request: HttpRequest) -> dict[str, Any]:
    event = http_event(request.method, request.path, request.body, sub=request.caller)
    event["routeKey"] = "$default"
    event["isBase64Encoded"] = request.base64_encoded
    if request.query:
        event["queryStringParameters"] = request.query
        event["rawQueryString"] = urlencode(request.query)
    response: dict[str, Any] = handler_of(function)(event, FakeLambdaContext())
    return response


def check_error_shape(body: Any) -> None:
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
    extra = set(body) - {"error", "message"}
    assert not extra or (body["error"] == "wrong_code" and extra == {"session"}), body


@pytest.mark.parametrize("route", http_routes(), ids=lambda r: r.key)
def test_fuzz_http_route(world: World, route: Any) -> None:
    assert route.key in strategies.STRATEGIES, f"{route.key} has no strategy in tests/fuzz/strategies.py"

    @given(request=strategies.http_requests(route))
    def check(request: HttpRequest) -> None:
        before, alices = world.items(), world.alices()
        response = http_call(route.function, request)
        status, text = response["statusCode"], response.get("body") or ""
        note(f"{status} {text[:300]}")
        assert status < 500, (request, text[:300])
        if status >= 400:
            check_error_shape(json.loads(text))
            assert world.items() == before, "a refused request changed the table"
        if request.caller == "bob":
            assert world.alices() == alices, "bob changed alice's items"
            assert SECRET not in text, "bob was shown alice's items"

    check()


def frames_of(world: World, connection: str) -> list[dict[str, Any]]:
    return list(world.management.frames.get(connection, []))


@pytest.mark.parametrize("action", websocket_actions())
def test_fuzz_websocket_action(world: World, action: str) -> None:
    assert action in strategies.ACTION_FIELDS, f"{action} has no strategy in tests/fuzz/strategies.py"

    @given(frame=strategies.ws_frames(action), caller=st.sampled_from(["alice", "bob", "bob"]))
    def check(frame: str, caller: str) -> None:
        connection = CONNECTIONS[caller]
        world.management.frames.clear()
        before, alices = world.items(), world.alices()
        result = handler_of("ws")(ws_event("$default", connection, frame, sub=caller), FakeLambdaContext())
        replies = frames_of(world, connection)
        note(str(replies)[:300])
        assert result == {"statusCode": 200}
        errors = [f for f in replies if f.get("type") == "error"]
        for error in errors:
            assert error["error"] != "internal", error
            assert set(error) - {"ref"} == {"type", "error", "message"}, error
        if errors:
            assert world.items() == before, "a refused frame changed the table"
        if caller == "bob":
            assert world.alices() == alices, "bob changed alice's items"
            assert SECRET not in json.dumps(replies), "bob was sent alice's items"

    check()


@pytest.mark.parametrize("function", cognito_triggers())
def test_fuzz_cognito_trigger(world: World, function: str) -> None:
    @given(event=strategies.trigger_events(function))
    def check(event: Any) -> None:
        shaped = isinstance(event, dict) and event.get("triggerSource") == strategies.TRIGGER_SOURCES[function]
        before = world.items()
        result = handler_of(function)(event, FakeLambdaContext())  # a raise would fail the sign-in with a 5xx
        assert result is event or not isinstance(event, dict)
        if not shaped:
            assert world.items() == before, "an event of another trigger changed the table"

    check()
