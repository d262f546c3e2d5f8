"""The Lambda@Edge sign-in check: valid cookies pass, anything else goes to the hosted UI."""

from __future__ import annotations

import base64
import copy
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from parley.adapters.edge_jwks import fetch_jwks
from parley.domain.edge_auth import (
    Claims,
    EdgeConfig,
    EdgeConfigError,
    candidate_tokens,
    is_public,
    parse_cookies,
    sign_in_url,
    verify_token,
)
from parley.handlers import edge_auth
from tests.unit.conftest import load_event

CONFIG = {
    "region": "eu-west-1",
    "user_pool_id": "eu-west-1_AbCdEf123",
    "client_id": "4example0client0id",
    "hosted_ui_domain": "parley-prod.auth.eu-west-1.amazoncognito.com",
}
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def keys() -> tuple[Any, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": "key-1", "alg": "RS256", "use": "sig", "n": _b64(numbers.n), "e": _b64(numbers.e)}
    return private, {"keys": [jwk]}


@pytest.fixture
def baked(tmp_path: Path, keys: tuple[Any, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A baked config file, as build.py writes it into the package."""
    path = tmp_path / "baked_config.json"
    path.write_text(json.dumps({**CONFIG, "jwks": keys[1]}))
    monkeypatch.setattr(edge_auth, "CONFIG_FILE", path)
    edge_auth.load_config.cache_clear()
    edge_auth.signing_keys.cache_clear()
    yield path
    edge_auth.load_config.cache_clear()
    edge_auth.signing_keys.cache_clear()


def _token(private: Any, **overrides: Any) -> str:
    claims = {
        "sub": "user-1",
        "iss": ISSUER,
        "aud": CONFIG["client_id"],
        "token_use": "id",
        "exp": int(time.time()) + 3600,
    }
    claims.update(overrides)
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, private, algorithm="RS256", headers={"kid": "key-1"}
    )


def _event(cookie: str | None = None, uri: str = "/rooms/42") -> dict[str, Any]:
    event = copy.deepcopy(load_event("cloudfront_viewer_request"))
    request = event["Records"][0]["cf"]["request"]
    request["uri"] = uri
    if cookie is not None:
        request["headers"]["cookie"] = [{"key": "Cookie", "value": cookie}]
    return event


def _assert_redirected_to_sign_in(result: dict[str, Any]) -> None:
    assert result["status"] == "302"
    location = urlsplit(result["headers"]["location"][0]["value"])
    assert (location.scheme, location.netloc, location.path) == ("https", CONFIG["hosted_ui_domain"], "/login")
    query = parse_qs(location.query)
    assert query["client_id"] == [CONFIG["client_id"]]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["https://app.example.com/auth/callback"]
    assert query["state"] == ["/rooms/42?tab=calls"]
    assert result["headers"]["cache-control"][0]["value"] == "no-store"


def test_edge_auth_valid_cookie_passes_the_request_unchanged(baked: Path, keys: tuple[Any, dict[str, Any]]) -> None:
    # Given a visitor with a valid id token in the site's cookie
    event = _event(f"theme=dark; parley_id_token={_token(keys[0])}")
    request = copy.deepcopy(event["Records"][0]["cf"]["request"])
    # When the viewer request is checked
    result = edge_auth.handler(event, None)
    # Then CloudFront gets the request back untouched
    assert result == request


def test_edge_auth_valid_amplify_cookie_passes(baked: Path, keys: tuple[Any, dict[str, Any]]) -> None:
    name = f"CognitoIdentityServiceProvider.{CONFIG['client_id']}.user-1.idToken"
    result = edge_auth.handler(_event(f"{name}={_token(keys[0])}"), None)
    assert result.get("uri") == "/rooms/42"


def test_edge_auth_valid_access_token_passes(baked: Path, keys: tuple[Any, dict[str, Any]]) -> None:
    token = _token(keys[0], token_use="access", aud=None, client_id=CONFIG["client_id"])
    assert edge_auth.handler(_event(f"parley_id_token={token}"), None).get("uri") == "/rooms/42"


def test_edge_auth_missing_cookie_redirects_to_hosted_ui(baked: Path) -> None:
    _assert_redirected_to_sign_in(edge_auth.handler(_event(), None))
    _assert_redirected_to_sign_in(edge_auth.handler(_event("theme=dark"), None))


def test_edge_auth_expired_token_redirects(baked: Path, keys: tuple[Any, dict[str, Any]]) -> None:
    token = _token(keys[0], exp=int(time.time()) - 3600)
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={token}"), None))


def test_edge_auth_tampered_token_redirects(baked: Path, keys: tuple[Any, dict[str, Any]]) -> None:
    # Given a valid token whose payload was swapped for another user's
    header, _, signature = _token(keys[0]).split(".")
    _, forged_payload, _ = _token(keys[0], sub="someone-else").split(".")
    forged = f"{header}.{forged_payload}.{signature}"
    # Then the signature no longer matches
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={forged}"), None))


def test_edge_auth_token_signed_by_another_key_redirects(baked: Path) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={_token(stranger)}"), None))


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"},
        {"aud": "another-client"},
        {"token_use": "refresh"},
    ],
    ids=["other-pool", "other-client", "wrong-token-use"],
)
def test_edge_auth_token_for_another_pool_or_client_redirects(
    baked: Path, keys: tuple[Any, dict[str, Any]], overrides: dict[str, Any]
) -> None:
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={_token(keys[0], **overrides)}"), None))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "a.b", "....", "e30.e30.AAAA"])
def test_edge_auth_garbage_cookie_redirects(baked: Path, garbage: str) -> None:
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={garbage}"), None))


def test_edge_auth_hmac_token_is_refused(baked: Path) -> None:
    # alg confusion: an HS256 token keyed with public data must never pass
    token = jwt.encode(
        {"iss": ISSUER, "aud": CONFIG["client_id"], "token_use": "id", "exp": int(time.time()) + 60}, "k" * 32
    )
    _assert_redirected_to_sign_in(edge_auth.handler(_event(f"parley_id_token={token}"), None))


def test_edge_auth_callback_path_needs_no_token(baked: Path) -> None:
    result = edge_auth.handler(_event(uri="/auth/callback"), None)
    assert result.get("uri") == "/auth/callback"


def test_edge_auth_without_baked_config_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a package built without a config
    monkeypatch.setattr(edge_auth, "CONFIG_FILE", tmp_path / "missing.json")
    edge_auth.load_config.cache_clear()
    edge_auth.signing_keys.cache_clear()
    try:
        result = edge_auth.handler(_event(), None)
    finally:
        edge_auth.load_config.cache_clear()
        edge_auth.signing_keys.cache_clear()
    # Then nobody gets through
    assert result["status"] == "503"


def test_edge_auth_config_names_missing_fields() -> None:
    with pytest.raises(EdgeConfigError, match="client_id, hosted_ui_domain"):
        EdgeConfig.from_mapping({"region": "eu-west-1", "user_pool_id": "p"})


def test_edge_auth_verify_token_returns_claims(keys: tuple[Any, dict[str, Any]]) -> None:
    config = EdgeConfig.from_mapping(CONFIG)
    claims = verify_token(_token(keys[0]), config, keys[1], int(time.time()))
    assert claims is not None and claims.subject == "user-1"


class _Published:
    """What urlopen answers: the key set document, as a context manager."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def __enter__(self) -> _Published:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self) -> bytes:
        return json.dumps(self.document).encode()


def test_edge_jwks_is_read_over_https_from_the_issuers_well_known_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a pool's issuer that publishes one key
    document = {"keys": [{"kid": "k1", "kty": "RSA"}]}
    opened: list[tuple[str, Any]] = []

    def urlopen(url: str, timeout: Any = None) -> _Published:
        opened.append((url, timeout))
        return _Published(document)

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    # When the edge fetches it, Then it reads <issuer>/.well-known/jwks.json with a 2 s timeout
    assert fetch_jwks(ISSUER) == document
    assert opened == [(f"{ISSUER}/.well-known/jwks.json", 2.0)]


def test_edge_jwks_refuses_an_issuer_that_is_not_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: pytest.fail("nothing is fetched"))
    with pytest.raises(ValueError, match=r"^the JWKS URL must use https$"):
        fetch_jwks("http://cognito-idp.eu-west-1.amazonaws.com/pool")


def test_edge_auth_config_defaults_and_normalised_hosted_ui_domain() -> None:
    # Given the four required fields, the domain written as a URL with a trailing slash
    config = EdgeConfig.from_mapping({**CONFIG, "hosted_ui_domain": "https://login.example.com/"})
    # Then the rest takes its defaults and the domain is a bare host name
    assert config == EdgeConfig(
        "eu-west-1", "eu-west-1_AbCdEf123", "4example0client0id", "login.example.com",
        "/auth/callback", "parley_id_token", ("openid", "email"), (),
    )  # fmt: skip
    assert config.issuer == ISSUER and config.jwks is None
    custom = EdgeConfig.from_mapping(
        {
            **CONFIG,
            "callback_path": "/cb",
            "cookie_name": "c",
            "scopes": ["openid"],
            "public_paths": ["/p/"],
            "jwks": {},
        }
    )
    assert (custom.callback_path, custom.cookie_name, custom.scopes, custom.public_paths) == (
        "/cb",
        "c",
        ("openid",),
        ("/p/",),
    )
    assert custom.jwks == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "edge sign-in config lacks region, user_pool_id, client_id, hosted_ui_domain"),
        ({**CONFIG, "region": ""}, "edge sign-in config lacks region"),
        ({**CONFIG, "user_pool_id": 5}, "edge sign-in config lacks user_pool_id"),
        ({**CONFIG, "callback_path": "auth/callback"}, "edge sign-in config: callback_path must start with '/'"),
    ],
)
def test_edge_auth_config_refusals_name_the_fault(data: dict[str, Any], message: str) -> None:
    with pytest.raises(EdgeConfigError) as refused:
        EdgeConfig.from_mapping(data)
    assert str(refused.value) == message


def test_edge_auth_verify_token_expiry_allows_thirty_seconds_of_clock_skew(keys: tuple[Any, dict[str, Any]]) -> None:
    config = EdgeConfig.from_mapping(CONFIG)
    token = _token(keys[0], exp=1_000_000)
    assert verify_token(token, config, keys[1], 1_000_029) == Claims("user-1", 1_000_000)
    assert verify_token(token, config, keys[1], 1_000_030) is None
    assert verify_token(_token(keys[0], exp="1000000"), config, keys[1], 999_000) is None


def test_edge_auth_verify_token_needs_the_matching_rsa_key(keys: tuple[Any, dict[str, Any]]) -> None:
    config, now = EdgeConfig.from_mapping(CONFIG), int(time.time())
    token, (jwk,) = _token(keys[0], sub=None), keys[1]["keys"]
    assert verify_token(token, config, keys[1], now) == Claims(
        "", int(jwt.decode(token, options={"verify_signature": False})["exp"])
    )
    assert verify_token(token, config, {"keys": [{**jwk, "kid": "key-2"}]}, now) is None
    assert verify_token(token, config, {"keys": [{**jwk, "kty": "EC"}]}, now) is None
    assert verify_token(token, config, {"keys": [{**jwk, "n": jwk["n"][:-4]}]}, now) is None
    assert verify_token(token, config, {"keys": [{"kid": "key-1", "kty": "RSA"}]}, now) is None
    assert verify_token(token, config, {}, now) is None
    header, payload, _ = token.split(".")
    assert verify_token(f"{header}.{payload}.{token.split('.')[2][:-8]}", config, keys[1], now) is None
    assert verify_token(_token(keys[0], token_use="access", aud=None, client_id="other"), config, keys[1], now) is None
    assert (
        verify_token(_token(keys[0], token_use="id", aud=None, client_id=CONFIG["client_id"]), config, keys[1], now)
        is None
    )


def test_edge_auth_cookies_from_every_header_line() -> None:
    lines = ['theme=dark; parley_id_token="a.b.c"', " parley_id_token=d.e.f ;novalue; =x; empty=", "k=v=w", 'x="XyX"']
    assert parse_cookies(lines) == {
        "theme": ["dark"], "parley_id_token": ["a.b.c", "d.e.f"], "empty": [""], "k": ["v=w"], "x": ["XyX"],
    }  # fmt: skip


def test_edge_auth_candidate_tokens_own_cookie_first_then_this_clients_amplify_id_tokens() -> None:
    config = EdgeConfig.from_mapping(CONFIG)
    amplify = f"CognitoIdentityServiceProvider.{CONFIG['client_id']}"
    cookies = {
        f"{amplify}.zed.idToken": ["z"],
        f"{amplify}.amy.idToken": ["a"],
        f"{amplify}.amy.accessToken": ["no-access"],
        "CognitoIdentityServiceProvider.other.amy.idToken": ["no-other-client"],
        "parley_id_token": ["own"],
    }
    assert candidate_tokens(cookies, config) == ["own", "a", "z"]
    assert candidate_tokens({}, config) == []


def test_edge_auth_public_paths_are_the_callback_and_the_configured_prefixes() -> None:
    config = EdgeConfig.from_mapping({**CONFIG, "public_paths": ["/assets/", "/favicon"]})
    uris = ("/auth/callback", "/auth/callback/x", "/assets/a.js", "/favicon.ico")
    assert [is_public(uri, config) for uri in uris] == [True, False, True, True]
    assert is_public("/rooms", config) is False


def test_edge_auth_sign_in_url_is_the_hosted_ui_login_with_the_original_path_as_state() -> None:
    config = EdgeConfig.from_mapping(CONFIG)
    assert sign_in_url(config, "app.example.com", "/rooms/42", "") == (
        "https://parley-prod.auth.eu-west-1.amazoncognito.com/login?client_id=4example0client0id&response_type=code"
        "&scope=openid+email&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback&state=%2Frooms%2F42"
    )
    assert sign_in_url(config, "h", "/a", "b=1").endswith("&state=%2Fa%3Fb%3D1")


def test_edge_auth_verify_token_refuses_a_signed_token_of_another_shape(keys: tuple[Any, dict[str, Any]]) -> None:
    # Given well-signed tokens whose header or payload is not an object, or whose use is neither id nor access
    config, now, private = EdgeConfig.from_mapping(CONFIG), int(time.time()), keys[0]
    list_payload = jwt.api_jws.encode(b"[1]", private, algorithm="RS256", headers={"kid": "key-1"})
    header = base64.urlsafe_b64encode(b"[1]").rstrip(b"=").decode()
    _, payload, signature = _token(private).split(".")
    refresh = _token(private, token_use="refresh", aud=None, client_id=CONFIG["client_id"])
    # Then none of them passes
    assert verify_token(list_payload, config, keys[1], now) is None
    assert verify_token(f"{header}.{payload}.{signature}", config, keys[1], now) is None
    assert verify_token(refresh, config, keys[1], now) is None


def test_edge_auth_config_keeps_the_hosted_ui_domain_but_its_trailing_slashes() -> None:
    config = EdgeConfig.from_mapping({**CONFIG, "hosted_ui_domain": "https://auth.example.X//"})
    assert config.hosted_ui_domain == "auth.example.X"
