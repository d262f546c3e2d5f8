"""Every route of the api function answers bad input with a 4xx JSON error, never a 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from parley.handlers import api
from tests.conftest import FakeLambdaContext
from tests.unit.api_helpers import add_profile, call, create_bucket, set_api_env
from tests.unit.conftest import http_event, response_json

BODY_ROUTES = [
    ("PATCH", "/me"),
    ("PUT", "/me/settings"),
    ("POST", "/rooms"),
    ("POST", "/rooms/r1/members"),
    ("POST", "/uploads"),
    ("POST", "/reminders"),
    ("POST", "/devices"),
]
ALL_ROUTES = [
    *BODY_ROUTES,
    ("GET", "/me"),
    ("GET", "/me/settings"),
    ("GET", "/rooms"),
    ("GET", "/rooms/r1"),
    ("DELETE", "/rooms/r1/members/me"),
    ("GET", "/rooms/r1/messages"),
    ("GET", "/export"),
    ("GET", "/reminders"),
    ("DELETE", "/reminders/x1"),
    ("GET", "/notifications"),
    ("POST", "/notifications/x1/read"),
    ("DELETE", "/devices/x1"),
]
BAD_BODIES = ["{not json", "[]", "null", "x" * 70_000]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)
    create_bucket()
    add_profile(table, "alice")
    status, _, _ = call("POST", "/rooms", {"name": "r"})
    assert status == 201


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda b: repr(b[:12]))
def test_api_malformed_bodies_are_4xx_json(method: str, path: str, body: str) -> None:
    status, out, _ = call(method, path, body)
    assert 400 <= status < 500, (method, path, body[:20], status)
    assert set(out) == {"error", "message"}


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_api_every_route_refuses_anonymous_callers(method: str, path: str) -> None:
    status, out, _ = call(method, path, {}, sub=None)
    assert status == 401 and out["error"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ALL_ROUTES if m != "GET" or "r1" in p])
def test_api_bad_query_strings_and_ids_never_500(method: str, path: str) -> None:
    status, _, _ = call(
        method, path.replace("r1", "..%2Fx").replace("x1", "%00"), {"x": 1}, query={"cursor": "!!", "limit": "x"}
    )
    assert 400 <= status < 500


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_api_bodies_that_are_not_utf8_are_4xx_json(method: str, path: str) -> None:
    # API Gateway passes such a body base64-encoded.
    event = http_event(method, path, base64.b64encode(b"\xff\xfe{").decode(), sub="alice")
    event.update(isBase64Encoded=True, routeKey="$default")
    response = api.handler(event, FakeLambdaContext())
    assert 400 <= response["statusCode"] < 500, (method, path, response)
    assert set(response_json(response)) == {"error", "message"}
