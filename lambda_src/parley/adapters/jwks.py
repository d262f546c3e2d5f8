"""The JSON Web Key Set of the user pool, fetched once per container and cached.

The URL is a setting: Cognito's ``https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json``
on AWS, the emulator's ``{endpoint}/{pool}/.well-known/jwks.json`` locally. An unknown
key id (Cognito rotated its keys) refetches the set, at most once per minute.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

import jwt

from parley.errors import Unauthorized

REFRESH_INTERVAL_SECONDS = 60
TIMEOUT_SECONDS = 5
MAX_BYTES = 256 * 1024


class KeySet:
    """A cached JWKS at one URL."""

    def __init__(self, url: str) -> None:
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in {"https", "http"}:
            raise ValueError(f"JWKS URL must be http(s), not {scheme!r}")
        self.url = url
        self.fetches = 0
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def _fetch(self) -> None:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            document = json.loads(response.read(MAX_BYTES))
        self.fetches += 1
        self._fetched_at = time.monotonic()
        key_set = jwt.PyJWKSet.from_dict(document)
        self._keys = {key.key_id: key.key for key in key_set.keys if key.key_id}

    def key(self, kid: str) -> Any:
        """The public key for ``kid``, or Unauthorized when the pool has no such key."""
        with self._lock:
            stale = self._fetched_at is None or (
                kid not in self._keys and time.monotonic() - self._fetched_at >= REFRESH_INTERVAL_SECONDS
            )
            if stale:
                try:
                    self._fetch()
                except (OSError, ValueError, jwt.PyJWTError):
                    if not self._keys:
                        raise Unauthorized("signing keys unavailable", code="jwks_unavailable") from None
            if kid not in self._keys:
                raise Unauthorized("unknown signing key", code="invalid_token")
            return self._keys[kid]


_SETS: dict[str, KeySet] = {}


def key_set(url: str) -> KeySet:
    """The one cached KeySet of ``url`` in this container."""
    if url not in _SETS:
        _SETS[url] = KeySet(url)
    return _SETS[url]


def reset() -> None:
    _SETS.clear()
