"""Cached boto3 factories: one client per service and endpoint per container.

boto3 honours ``AWS_ENDPOINT_URL`` itself, so the same code reaches the local
emulator or AWS. Tests call ``reset()`` between emulators.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


@functools.cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    return boto3.session.Session().client(service, endpoint_url=endpoint_url, config=_CONFIG)


@functools.cache
def resource(service: str) -> Any:
    return boto3.session.Session().resource(service, config=_CONFIG)


@functools.cache
def table(name: str) -> Any:
    """A DynamoDB Table resource."""
    return resource("dynamodb").Table(name)


def reset() -> None:
    for factory in (client, resource, table):
        factory.cache_clear()
