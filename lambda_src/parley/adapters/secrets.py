"""App secrets (third-party API keys) from Secrets Manager, cached per container."""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.utilities import parameters

from parley.errors import NotFound

CACHE_SECONDS = 300


def app_secret(secret_ids: Mapping[str, str], name: str) -> str:
    """The value of the app secret ``name`` this function may read (cached for 5 minutes)."""
    if name not in secret_ids:
        raise NotFound(f"no app secret {name!r} for this function")
    value: str = parameters.get_secret(secret_ids[name], max_age=CACHE_SECONDS)
    return value
