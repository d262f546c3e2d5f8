"""The classes of client input that once reached a 500: each answers 400 with a stable code and changes nothing.

One test per class (tests/fuzz/ generates the rest); the shared parsing in
parley/domain/validation.py and parley/handlers/http.py is where each is refused.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from parley.domain import realtime
from parley.handlers import api, ws
from tests.conftest import FakeLambdaContext
from tests.unit.api_helpers import add_profile, call, create_bucket, set_api_env
from tests.unit.conftest import http_event, response_json
from tests.unit.ws_support import FakeManagementApi, install_management, ws_event

NESTED_BODY = '{"name":' + "[" * 30_000 + "]" * 30_000 + "}"


def items(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda i: (i["PK"], i["SK"]))


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, table: Any) -> Any:
    set_api_env(monkeypatch)
    create_bucket()
    add_profile(table, "alice")
    return table


def raw_call(event: dict[str, Any]) -> tuple[int, Any]:
    event["routeKey"] = "$default"
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], response_json(response)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("!!not base64!!", "invalid_json"),
        (base64.b64encode(b"\xff\xfe{").decode(), "invalid_json"),
        ("e30", "invalid_json"),  # "{}" without its padding
    ],
    ids=["not-base64", "not-utf8", "unpadded"],
)
def test_client_input_base64_bodies_that_do_not_decode_are_400(api_env: Any, body: str, code: str) -> None:
    before = items(api_env)
    event = http_event("POST", "/rooms", body, sub="alice")
    event["isBase64Encoded"] = True
    status, out = raw_call(event)
    assert (status, out["error"]) == (400, code)
    assert items(api_env) == before


def test_client_input_deeply_nested_json_body_is_400(api_env: Any) -> None:
    assert len(NESTED_BODY) < 64 * 1024
    before = items(api_env)
    status, out, _ = call("POST", "/rooms", NESTED_BODY)
    assert (status, out["error"]) == (400, "invalid_json")
    assert items(api_env) == before


@pytest.mark.parametrize(
    "limit", ["\u0661\u0662", "\uff15", "1" * 5000, "0" * 4000 + "5"], ids=["arabic", "fullwidth", "long", "zeros"]
)
def test_client_input_numeric_query_parameters_are_ascii_and_short(api_env: Any, limit: str) -> None:
    status, out, _ = call("GET", "/rooms", query={"limit": limit})
    assert (status, out["error"]) == (400, "invalid_limit")


@pytest.mark.parametrize("due_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"])
def test_client_input_calendar_edge_dates_are_400(api_env: Any, due_at: str) -> None:
    status, out, _ = call("POST", "/reminders", {"due_at": due_at, "text": "hi"})
    assert (status, out["error"]) == (400, "invalid_field")


@pytest.mark.parametrize("zone", ["America", "Europe", "Etc", "America/Argentina", "zone.tab", "UTC/"])
def test_client_input_time_zone_folders_are_not_zones(api_env: Any, zone: str) -> None:
    before = items(api_env)
    status, out, _ = call(
        "POST", "/reminders", {"due_at": "2099-01-01T00:00:00Z", "text": "hi", "timezone": zone, "recurrence": "daily"}
    )
    assert (status, out["error"]) == (400, "invalid_field")
    status, out, _ = call("PUT", "/me/settings", {"time_zone": zone})
    assert (status, out["error"]) == (400, "invalid_field")
    assert items(api_env) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/rooms", {"name": "a\ud800b"}),
        ("PATCH", "/me", {"bio": "\udfff"}),
        ("POST", "/reminders", {"due_at": "2099-01-01T00:00:00Z", "text": "x\ud83d"}),
        ("POST", "/rooms", {"name": "ok", "\ud800": 1}),
    ],
)
def test_client_input_lone_surrogates_are_400(api_env: Any, method: str, path: str, body: dict[str, Any]) -> None:
    before = items(api_env)
    status, out, _ = call(method, path, json.dumps(body))  # json.dumps writes them as \ud800 escapes
    assert (status, out["error"]) == (400, "invalid_json")
    assert items(api_env) == before


@pytest.mark.parametrize("value", ["12\n", "\u0661\u0662\u0663"])
def test_client_input_ids_are_full_ascii_matches(api_env: Any, value: str) -> None:
    status, out, _ = call("POST", f"/notifications/{'1' * 13}-{value}/read")
    assert (status, out["error"]) == (404, "not_found")
    status, out, _ = call("POST", "/notifications/" + "\u0661" * 13 + "-abc/read")
    assert (status, out["error"]) == (404, "not_found")


# --- WebSocket frames ---------------------------------------------------------------------------------------


@pytest.fixture
def management(monkeypatch: pytest.MonkeyPatch, table: Any) -> FakeManagementApi:
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "https://ws.example.test/prod")
    return install_management(monkeypatch)


@pytest.mark.parametrize(
    "frame",
    [
        '{"action":"send","room":"r1","text":' + "[" * 30_000 + "]" * 30_000 + "}",
        '{"action":"send","room":"r1","text":"\\ud800"}',
        '{"action":"ping","ref":"\\udc00"}',
    ],
    ids=["deep", "surrogate-text", "surrogate-ref"],
)
def test_client_input_ws_frames_deep_or_with_surrogates_are_error_frames(
    management: FakeManagementApi, table: Any, frame: str
) -> None:
    assert len(frame) < realtime.MAX_FRAME_BYTES
    before = items(table)
    result = ws.handler(ws_event("$default", "c1", frame), FakeLambdaContext())
    assert result == {"statusCode": 200}
    assert management.last("c1")["error"] == "invalid_json"
    assert items(table) == before


@pytest.mark.parametrize(
    "context_change",
    [{"connectionId": None}, {"authorizer": "not-an-object"}, {"connectionId": ["c1"]}],
    ids=["no-connection", "authorizer-string", "connection-list"],
)
def test_client_input_platform_fields_are_a_deliberate_logged_500(
    management: FakeManagementApi, table: Any, context_change: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    event = ws_event("$default", "c1", {"action": "ping"})
    for key, value in context_change.items():
        if value is None:
            event["requestContext"].pop(key)
        else:
            event["requestContext"][key] = value
    result = ws.handler(event, FakeLambdaContext())
    assert result == {"statusCode": 500}
    assert not management.frames  # nothing is posted to a connection the platform did not name
    assert "malformed platform event" in caplog.text


@pytest.mark.parametrize("authorizer", ["a-string", {"jwt": "x"}, {"jwt": {"claims": ["sub"]}}])
def test_client_input_http_authorizer_of_the_wrong_type_is_a_logged_500(
    api_env: Any, authorizer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = http_event("GET", "/me", sub="alice")
    event["requestContext"]["authorizer"] = authorizer
    status, out = raw_call(event)
    assert (status, out) == (500, {"error": "internal", "message": "internal error"})
    assert "malformed platform event" in caplog.text
