"""Secrets Manager values, cached per container by Powertools (refetched after max_age)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from parley.adapters import aws
from parley.errors import NotFound

MAX_AGE_SECONDS = 300


@functools.cache
def _provider() -> SecretsProvider:
    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def text(secret_id: str) -> str:
    return str(_provider().get(secret_id, max_age=MAX_AGE_SECONDS))


def json_object(secret_id: str) -> dict[str, Any]:
    value = _provider().get(secret_id, max_age=MAX_AGE_SECONDS, transform="json")
    if not isinstance(value, dict):
        raise ValueError(f"secret {secret_id} is not a JSON object")
    return value


def app_secret(secret_ids: Mapping[str, str], name: str) -> str:
    """The value of the app secret ``name`` this function may read (cached for 5 minutes)."""
    if name not in secret_ids:
        raise NotFound(f"no app secret {name!r} for this function")
    return text(secret_ids[name])


def reset() -> None:
    _provider.cache_clear()
