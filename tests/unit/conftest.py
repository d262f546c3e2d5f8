"""Unit tier: handlers and domain code in-process against moto's mock_aws.

The table is created from modules/dynamodb/schema.json, the file the Terraform
module reads, so the schema under test is the deployed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc import jwk
from moto import mock_aws

from parley import settings
from parley.adapters import aws
from tests.conftest import ROOT

EVENTS = ROOT / "tests" / "events"
TABLE_NAME = "parley-test-main"


def _read_moto_pool_key_once() -> None:
    """moto gives every user pool the same private key (a file of its own), and imports it again for each pool:
    about 0.2 CPU-s (the prime factors recovered from the private exponent, then the key checked), most of a
    Cognito test's setup. The key is imported once per process and shared, as the file is."""
    if getattr(jwk.RSAKey, "_parley_shared", None) is not None:
        return
    imported: dict[str, Any] = {}
    original = jwk.RSAKey.import_key

    def import_key(value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(value, dict):
            return original(value, *args, **kwargs)
        digest = json.dumps(value, sort_keys=True)
        if digest not in imported:
            imported[digest] = original(value)
        return imported[digest]

    jwk.RSAKey.import_key = import_key  # type: ignore[method-assign]
    jwk.RSAKey._parley_shared = imported  # type: ignore[attr-defined]


_read_moto_pool_key_once()


def table_definition(name: str = TABLE_NAME) -> dict[str, Any]:
    """create_table arguments from the module's schema.json."""
    schema = json.loads((ROOT / "modules" / "dynamodb" / "schema.json").read_text())
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": schema["hash_key"], "KeyType": "HASH"},
            {"AttributeName": schema["range_key"], "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in schema["attributes"].items()],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": spec["hash_key"], "KeyType": "HASH"},
                    {"AttributeName": spec["range_key"], "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": spec["projection_type"]},
            }
            for index, spec in schema["global_secondary_indexes"].items()
        ],
    }


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    """A recorded event from tests/events/<name>.json, with top-level overrides."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.update(overrides)
    return event


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment Terraform gives every function (extend per test with monkeypatch)."""
    values = {"TABLE_NAME": TABLE_NAME, "APP_STAGE": "parley-test", "LOG_LEVEL": "DEBUG"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings.load.cache_clear()
    yield values
    settings.load.cache_clear()


@pytest.fixture
def aws_mock(app_env: dict[str, str]) -> Iterator[None]:
    """moto's in-process AWS with fresh cached clients."""
    with mock_aws():
        yield


@pytest.fixture
def table(aws_mock: None) -> Any:
    """The app table, created from the deployed schema."""
    aws.client("dynamodb").create_table(**table_definition())
    return aws.table(TABLE_NAME)


def http_event(method: str, path: str, body: Any = None, *, sub: str | None = None, **extra: Any) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event; ``sub`` adds JWT authorizer claims."""
    event = load_event("http_api")
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if sub is not None:
        event["requestContext"]["authorizer"] = {
            "jwt": {"claims": {"sub": sub, "email": f"{sub}@example.com"}, "scopes": None}
        }
    event.update(extra)
    return event


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None
