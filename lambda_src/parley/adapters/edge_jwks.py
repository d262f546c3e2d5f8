"""Fetch a user pool's public signing keys over HTTPS with the standard library only (for the edge)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

_TIMEOUT_SECONDS = 2.0


def fetch_jwks(issuer: str) -> dict[str, Any]:
    """The JSON Web Key Set published at ``<issuer>/.well-known/jwks.json``."""
    url = f"{issuer}/.well-known/jwks.json"
    if not url.startswith("https://"):
        raise ValueError("the JWKS URL must use https")
    with urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310 - https only, checked above
        data: dict[str, Any] = json.loads(response.read())
    return data
