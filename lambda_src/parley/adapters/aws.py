"""Cached boto3 factories: one client per service and endpoint per container.

boto3 honours ``AWS_ENDPOINT_URL`` itself, so the same code reaches the local
emulator or AWS. Tests call ``reset()`` between emulators.

Every session shares one botocore data loader: the service models and the
endpoint rules (several megabytes of JSON) are parsed once per process, not
once per client, which shortens a cold start that creates several clients.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
_LOADER = botocore.loaders.create_loader()
_LOCK = threading.Lock()


def session() -> boto3.session.Session:
    """A fresh session (its own credentials and settings) over the process's shared model loader."""
    with _LOCK:
        core = botocore.session.get_session()
        core.register_component("data_loader", _LOADER)
        made = boto3.session.Session(botocore_session=core)
        # boto3 appends its own data folder to the loader's search paths on every session: keep one of each.
        _LOADER.search_paths[:] = list(dict.fromkeys(_LOADER.search_paths))
        return made


@functools.cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    return session().client(service, endpoint_url=endpoint_url, config=_CONFIG)


@functools.cache
def resource(service: str) -> Any:
    return session().resource(service, config=_CONFIG)


@functools.cache
def table(name: str) -> Any:
    """A DynamoDB Table resource."""
    return resource("dynamodb").Table(name)


def reset() -> None:
    for factory in (client, resource, table):
        factory.cache_clear()
