"""The `$connect` authorizer against tokens from moto's Cognito and its JWKS served over local HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import requests
from moto.cognitoidp.models import cognitoidp_backends

from parley.adapters import aws, jwks
from parley.domain import tokens
from parley.errors import Unauthorized
from parley.handlers import ws_authorizer
from tests.conftest import serving
from tests.unit.conftest import load_event

REGION = "us-east-1"
ACCOUNT = "123456789012"


class JwksServer:
    """Serves one JWKS document on 127.0.0.1 and counts the fetches."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.hits = 0
        self.url = ""  # set while serving (the jwks_server fixture)
        body = json.dumps(document).encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.handler = Handler


class Pool:
    """A moto user pool with one app client and one confirmed user."""

    def __init__(self) -> None:
        idp = aws.client("cognito-idp")
        self.id = idp.create_user_pool(PoolName="parley-test")["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=self.id, Username="alice@example.com", MessageAction="SUPPRESS")
        idp.admin_set_user_password(
            UserPoolId=self.id, Username="alice@example.com", Password="Corr3ct-Horse!", Permanent=True
        )
        self.sub = next(
            a["Value"]
            for a in idp.admin_get_user(UserPoolId=self.id, Username="alice@example.com")["UserAttributes"]
            if a["Name"] == "sub"
        )
        tokens = idp.admin_initiate_auth(
            UserPoolId=self.id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": "Corr3ct-Horse!"},
        )["AuthenticationResult"]
        self.access_token, self.id_token = tokens["AccessToken"], tokens["IdToken"]
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{self.id}"

    def mint(self, *, client_id: str | None = None, expires_in: int = 3600) -> str:
        """A token signed by the pool's own key (moto's backend), with chosen claims."""
        backend = cognitoidp_backends[ACCOUNT][REGION].user_pools[self.id]
        token, _ = backend.create_jwt(client_id or self.client_id, "alice@example.com", "access", expires_in=expires_in)
        return str(token)


@pytest.fixture
def pool(aws_mock: None) -> Pool:
    return Pool()


@pytest.fixture
def jwks_server(pool: Pool) -> Iterator[JwksServer]:
    # The emulator's JWKS for the pool (moto answers at /<pool>/.well-known/jwks.json).
    document = requests.get(
        f"https://cognito-idp.{REGION}.amazonaws.com/{pool.id}/.well-known/jwks.json", timeout=5
    ).json()
    server = JwksServer(document)
    with serving(server.handler) as httpd:
        server.url = f"http://127.0.0.1:{httpd.server_port}/pool/.well-known/jwks.json"
        jwks.reset()
        yield server
        jwks.reset()


@pytest.fixture
def authorizer_env(pool: Pool, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch) -> Pool:
    monkeypatch.setenv("JWKS_URL", jwks_server.url)
    monkeypatch.setenv("JWT_ISSUER", pool.issuer)
    monkeypatch.setenv("JWT_AUDIENCE", f"{pool.client_id},another-client")
    ws_authorizer.load.cache_clear()
    return pool


def authorize(ctx: Any, token: str | None) -> dict[str, Any]:
    event = load_event("ws_authorizer")
    event["queryStringParameters"] = {} if token is None else {"token": token}
    return ws_authorizer.handler(event, ctx)


def effect(response: dict[str, Any]) -> str:
    return str(response["policyDocument"]["Statement"][0]["Effect"])


@pytest.mark.parametrize("kind", ["access", "id"])
def test_ws_authorizer_allows_a_good_cognito_token_with_sub_in_context(authorizer_env, lambda_context, kind) -> None:  # type: ignore[no-untyped-def]
    pool = authorizer_env
    response = authorize(lambda_context, pool.access_token if kind == "access" else pool.id_token)
    assert effect(response) == "Allow"
    assert response["principalId"] == pool.sub and response["context"]["sub"] == pool.sub
    statement = response["policyDocument"]["Statement"][0]
    assert (
        statement["Resource"] == load_event("ws_authorizer")["methodArn"]
        and statement["Action"] == "execute-api:Invoke"
    )


def test_ws_authorizer_fetches_the_jwks_once_and_caches_it(authorizer_env, jwks_server, lambda_context) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert effect(authorize(lambda_context, authorizer_env.access_token)) == "Allow"
    assert jwks_server.hits == 1


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong_audience", "tampered", "missing", "garbage", "unsigned"],
)
def test_ws_authorizer_denies_bad_tokens(authorizer_env, lambda_context, case) -> None:  # type: ignore[no-untyped-def]
    pool = authorizer_env
    token = {
        "expired": lambda: pool.mint(expires_in=-60),
        "wrong_audience": lambda: pool.mint(client_id="someone-elses-client"),
        "tampered": lambda: _tamper(pool.access_token),
        "missing": lambda: None,
        "garbage": lambda: "not.a.jwt",
        "unsigned": lambda: _unsigned(pool),
    }[case]()
    response = authorize(lambda_context, token)
    assert effect(response) == "Deny"
    assert "context" not in response


def _unsigned(pool: Pool) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {
        "iss": pool.issuer,
        "sub": pool.sub,
        "client_id": pool.client_id,
        "token_use": "access",
        "exp": 9999999999,
    }
    return f"{part({'alg': 'none', 'kid': 'dummy'})}.{part(claims)}."


def test_ws_authorizer_denies_a_token_from_another_issuer(authorizer_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JWT_ISSUER", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")
    ws_authorizer.load.cache_clear()
    assert effect(authorize(lambda_context, authorizer_env.access_token)) == "Deny"


def test_ws_authorizer_denies_a_token_use_it_does_not_accept(authorizer_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JWT_TOKEN_USE", "access")
    ws_authorizer.load.cache_clear()
    assert effect(authorize(lambda_context, authorizer_env.id_token)) == "Deny"
    assert effect(authorize(lambda_context, authorizer_env.access_token)) == "Allow"


def test_ws_authorizer_denies_when_the_jwks_is_unreachable(authorizer_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JWKS_URL", "http://127.0.0.1:9/none/.well-known/jwks.json")
    ws_authorizer.load.cache_clear()
    assert effect(authorize(lambda_context, authorizer_env.access_token)) == "Deny"


def test_ws_authorizer_anonymous_connections_are_off_by_default_and_opt_in(
    authorizer_env, lambda_context, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    assert effect(authorize(lambda_context, None)) == "Deny"
    monkeypatch.setenv("WS_ANONYMOUS_ENABLED", "true")
    ws_authorizer.load.cache_clear()
    response = authorize(lambda_context, None)
    assert effect(response) == "Allow" and response["context"]["anonymous"] == "true"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("expired", "token_expired"),
        ("wrong_audience", "wrong_audience"),
        ("tampered", "invalid_token"),
        ("other_issuer", "wrong_issuer"),
    ],
)
def test_ws_authorizer_refuses_each_bad_token_for_its_own_reason(authorizer_env, jwks_server, case, code) -> None:  # type: ignore[no-untyped-def]
    pool = authorizer_env
    token = {
        "expired": lambda: pool.mint(expires_in=-60),
        "wrong_audience": lambda: pool.mint(client_id="someone-elses-client"),
        "tampered": lambda: _tamper(pool.access_token),
        "other_issuer": lambda: pool.access_token,
    }[case]()
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" if case == "other_issuer" else pool.issuer
    with pytest.raises(Unauthorized) as refused:
        tokens.verify(token, jwks.key_set(jwks_server.url).key, issuer=issuer, audiences=[pool.client_id])
    assert refused.value.code == code


def test_ws_authorizer_refetches_the_jwks_for_an_unknown_key_at_most_once_a_minute(authorizer_env, jwks_server) -> None:  # type: ignore[no-untyped-def]
    keys = jwks.key_set(jwks_server.url)
    keys.key("dummy")  # moto's key id
    with pytest.raises(Unauthorized):
        keys.key("rotated-away")
    with pytest.raises(Unauthorized):
        keys.key("rotated-away")
    assert jwks_server.hits == 1  # fetched within the minute: no refetch


def test_ws_authorizer_refetches_the_jwks_for_an_unknown_key_once_the_interval_passed(
    authorizer_env, jwks_server, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    keys = jwks.key_set(jwks_server.url)
    keys.key("dummy")
    monkeypatch.setattr(jwks, "REFRESH_INTERVAL_SECONDS", 0)
    with pytest.raises(Unauthorized):
        keys.key("rotated-away")
    assert jwks_server.hits == 2
