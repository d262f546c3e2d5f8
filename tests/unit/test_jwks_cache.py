"""parley.adapters.jwks: the user pool's key set, fetched once, refetched for an unknown key at most once a minute."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from parley.adapters import jwks
from parley.errors import Unauthorized

URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test/.well-known/jwks.json"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(kid: str | None) -> dict[str, Any]:
    key: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    return {**key, "kid": kid} if kid else key


class Published:
    """The server side: the documents it answers in turn (an exception is raised), and what it was asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, dict[str, str], Any, int]] = []
        self.now = 1000.0
        monkeypatch.setattr("urllib.request.urlopen", self.urlopen)
        monkeypatch.setattr("time.monotonic", lambda: self.now)

    def urlopen(self, request: Any, timeout: Any = None) -> Any:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        requests = self.requests

        class Response:
            def __enter__(self) -> Response:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def read(self, size: int = -1) -> bytes:
                requests.append((request.full_url, dict(request.header_items()), timeout, size))
                return json.dumps(answer).encode()

        return Response()


def refusal(keys: jwks.KeySet, kid: str) -> tuple[str, str]:
    with pytest.raises(Unauthorized) as refused:
        keys.key(kid)
    return refused.value.message, refused.value.code


def test_jwks_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError) as refused:
        jwks.KeySet("ftp://example.com/jwks.json")
    assert str(refused.value) == "JWKS URL must be http(s), not 'ftp'"
    assert jwks.KeySet("http://localhost:4566/pool/.well-known/jwks.json").fetches == 0


def test_jwks_first_key_fetches_the_set_once_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a pool publishing key k1 (and a key without an id, which is left out)
    server = Published(monkeypatch, {"keys": [jwk("k1"), jwk(None)]})
    keys = jwks.KeySet(URL)
    # When two keys are asked for, Then the set is fetched once, asking for JSON, bounded in time and size
    assert keys.key("k1").public_numbers() == PRIVATE.public_key().public_numbers()
    assert keys.key("k1") is keys.key("k1")
    assert keys.fetches == 1
    assert server.requests == [(URL, {"Accept": "application/json"}, 5, 256 * 1024)]


def test_jwks_unknown_key_refetches_only_once_the_minute_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Published(monkeypatch, {"keys": [jwk("k1")]}, {"keys": [jwk("k2")]})
    keys = jwks.KeySet(URL)
    keys.key("k1")
    # Within the minute an unknown key is refused without a fetch
    server.now += 59.9
    assert refusal(keys, "k2") == ("unknown signing key", "invalid_token")
    assert keys.fetches == 1
    # At the minute the set is fetched again and the rotated key is found
    server.now += 0.1
    assert keys.key("k2") is not None
    assert keys.fetches == 2


def test_jwks_unreachable_set_is_refused_unless_keys_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Published(monkeypatch, OSError("down"), {"keys": [jwk("k1")]}, ValueError("bad json"))
    keys = jwks.KeySet(URL)
    # Nothing cached: the request is refused as unavailable
    assert refusal(keys, "k1") == ("signing keys unavailable", "jwks_unavailable")
    assert keys.fetches == 0
    keys.key("k1")
    # Keys cached: a failed refetch keeps them, and an unknown key is refused as such
    server.now += 60
    assert refusal(keys, "k9") == ("unknown signing key", "invalid_token")
    assert keys.key("k1") is not None and keys.fetches == 1


def test_jwks_one_key_set_per_url_until_reset() -> None:
    jwks.reset()
    first = jwks.key_set(URL)
    assert jwks.key_set(URL) is first
    assert jwks.key_set(URL + "?v=2") is not first
    jwks.reset()
    assert jwks.key_set(URL) is not first
    jwks.reset()
