"""Helpers for the signed-in API tests: environment, callers and seeded items."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters import aws, files
from parley.domain import keys
from parley.handlers import api
from tests.conftest import FakeLambdaContext
from tests.unit.conftest import http_event, response_json

BUCKET = "parley-test-uploads"
API_ENV = {
    "UPLOADS_BUCKET": BUCKET,
    "UPLOAD_MAX_BYTES": str(1024 * 1024),
    "REMINDER_SHARD_COUNT": "4",
    "APP_SECRETS": "{}",
}


def set_api_env(monkeypatch: pytest.MonkeyPatch) -> None:
    files.reset()
    for key, value in API_ENV.items():
        monkeypatch.setenv(key, value)


def call(
    method: str, path: str, body: Any = None, *, sub: str | None = "alice", query: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, Any]]:
    """Invoke the api function; returns (status, JSON body or text, raw response)."""
    event = http_event(method, path, body, sub=sub)
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    event["routeKey"] = "$default"
    response = api.handler(event, FakeLambdaContext())
    content_type = response.get("headers", {}).get("Content-Type", "")
    body_out = response_json(response) if content_type.startswith("application/json") else response.get("body")
    return response["statusCode"], body_out, response


def add_profile(table: Any, user_id: str) -> None:
    table.put_item(
        Item={"PK": keys.user(user_id), "SK": keys.PROFILE, "id": user_id, "email": f"{user_id}@example.com"}
    )


def create_bucket() -> None:
    aws.client("s3").create_bucket(Bucket=BUCKET)
