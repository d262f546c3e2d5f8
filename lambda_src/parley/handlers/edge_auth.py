"""Lambda@Edge viewer request: let signed-in visitors through, send the others to the hosted UI.

Lambda@Edge has no environment variables, so the settings are a JSON file that
build.py bakes into this function's package (``parley/baked_config.json``).
The package holds no third-party code (viewer-request packages are limited to
1 MB), hence standard-library logging here instead of Powertools.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path
from typing import Any

from parley.adapters.edge_jwks import fetch_jwks
from parley.domain.edge_auth import (
    EdgeConfig,
    EdgeConfigError,
    candidate_tokens,
    is_public,
    parse_cookies,
    sign_in_url,
    verify_token,
)

CONFIG_FILE = Path(__file__).resolve().parents[1] / "baked_config.json"

logger = logging.getLogger("parley.edge_auth")
logger.setLevel(logging.INFO)


@functools.cache
def load_config() -> EdgeConfig:
    """The baked config, read once per container."""
    path = CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EdgeConfigError(f"no usable baked config at {path.name}: build with --config edge_auth=FILE") from exc
    if not isinstance(data, dict):
        raise EdgeConfigError("the baked config must be a JSON object")
    return EdgeConfig.from_mapping(data)


@functools.cache
def signing_keys(issuer: str) -> dict[str, Any]:
    """The baked JWKS when there is one, else the pool's, fetched once per container."""
    config = load_config()
    if config.jwks is not None:
        return dict(config.jwks)
    return fetch_jwks(issuer)


def _header(name: str, value: str) -> list[dict[str, str]]:
    return [{"key": name, "value": value}]


def _redirect(location: str) -> dict[str, Any]:
    return {
        "status": "302",
        "statusDescription": "Found",
        "headers": {
            "location": _header("Location", location),
            "cache-control": _header("Cache-Control", "no-store"),
        },
    }


def _unavailable() -> dict[str, Any]:
    return {
        "status": "503",
        "statusDescription": "Service Unavailable",
        "headers": {"cache-control": _header("Cache-Control", "no-store")},
    }


def decide(request: dict[str, Any], config: EdgeConfig, jwks: dict[str, Any], now: int) -> dict[str, Any]:
    """The request itself (to pass it on) or a redirect response."""
    uri = str(request.get("uri", "/"))
    if is_public(uri, config):
        return request
    headers = request.get("headers", {})
    cookies = parse_cookies(h.get("value", "") for h in headers.get("cookie", []))
    for token in candidate_tokens(cookies, config):
        if verify_token(token, config, jwks, now) is not None:
            return request
    host = next((h.get("value", "") for h in headers.get("host", [])), "")
    return _redirect(sign_in_url(config, host, uri, str(request.get("querystring", ""))))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request: dict[str, Any] = event["Records"][0]["cf"]["request"]
    try:
        config = load_config()
        return decide(request, config, signing_keys(config.issuer), int(time.time()))
    except Exception:  # outermost guard: fail closed, never serve the site unchecked
        logger.exception("edge sign-in check failed")
        return _unavailable()
