"""parley.domain.tokens: which tokens verify() accepts, and the message and code of each refusal.

Tokens are signed here with a fresh RSA key, so each claim and header is chosen by the test.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from parley.domain import tokens
from parley.errors import Unauthorized

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
CLIENT = "web-client"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claims(**changes: Any) -> dict[str, Any]:
    base = {"sub": "alice", "iss": ISSUER, "exp": int(time.time()) + 600, "token_use": "access", "client_id": CLIENT}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(body: dict[str, Any], *, kid: Any = "k1", key: Any = KEY, algorithm: str = "RS256") -> str:
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def key_for(kid: str) -> Any:
    assert kid == "k1"
    return KEY.public_key()


def verify(token: str, **options: Any) -> dict[str, Any]:
    return tokens.verify(token, key_for, issuer=ISSUER, audiences=options.pop("audiences", [CLIENT]), **options)


def refusal(token: str, **options: Any) -> tuple[str, str]:
    with pytest.raises(Unauthorized) as refused:
        verify(token, **options)
    return refused.value.message, refused.value.code


def test_tokens_access_and_id_tokens_of_the_app_client_are_accepted_with_their_claims() -> None:
    # Given an access token (client in client_id) and an id token (client in aud, here as a list)
    access = signed(claims())
    id_token = signed(claims(token_use="id", client_id=None, aud=["other", CLIENT]))
    # When they are verified, Then their claims come back
    assert verify(access)["client_id"] == CLIENT
    assert verify(id_token)["aud"] == ["other", CLIENT]
    assert verify(access)["sub"] == "alice"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("not-a-jwt", ("malformed token", "invalid_token")),
        (signed(claims(), algorithm="HS256", key="s" * 32), ("unsupported token algorithm", "invalid_token")),
        (signed(claims(), kid=None), ("token has no key id", "invalid_token")),
        (signed(claims(exp=int(time.time()) - 60)), ("token expired", "token_expired")),
        (signed(claims(iss="https://elsewhere")), ("token from another issuer", "wrong_issuer")),
        (signed(claims(), key=OTHER_KEY), ("invalid token", "invalid_token")),
        (signed(claims(token_use=None)), ("invalid token", "invalid_token")),
        (signed(claims(sub=None)), ("invalid token", "invalid_token")),
        (signed(claims(token_use="refresh")), ("token of the wrong kind", "wrong_token_use")),
        (signed(claims(client_id="someone-else")), ("token for another app client", "wrong_audience")),
        (signed(claims(token_use="id")), ("token for another app client", "wrong_audience")),
        (signed(claims(sub="")), ("token has no subject", "invalid_token")),
        (signed(claims(sub=5)), ("invalid token", "invalid_token")),
    ],
    # the tokens are signed with a key made per process: name the cases so that xdist workers agree
    ids=[
        "not-a-jwt",
        "hmac",
        "no-kid",
        "expired",
        "other-issuer",
        "other-key",
        "no-token-use",
        "no-sub",
        "refresh",
        "other-client",
        "id-without-aud",
        "empty-sub",
        "number-sub",
    ],
)
def test_tokens_each_refusal_has_its_message_and_code(token: str, expected: tuple[str, str]) -> None:
    assert refusal(token) == expected


def test_tokens_a_token_kind_or_client_outside_the_allowed_ones_is_refused() -> None:
    token = signed(claims())
    assert refusal(token, token_uses=("id",)) == ("token of the wrong kind", "wrong_token_use")
    assert refusal(token, audiences=[]) == ("token for another app client", "wrong_audience")
    assert verify(signed(claims(token_use="id", client_id=None, aud=CLIENT)), token_uses=["id"])["aud"] == CLIENT


def test_tokens_expiry_has_no_leeway_unless_asked() -> None:
    # Given a token whose expiry is this very second
    token = signed(claims(exp=int(time.time())))
    # Then it is expired by default, and accepted with a leeway of a minute
    assert refusal(token) == ("token expired", "token_expired")
    assert verify(token, leeway_seconds=60)["sub"] == "alice"
