"""Verifying Cognito JWTs (RS256): signature, issuer, expiry, audience and token use.

The signing key is looked up by the caller (adapters.jwks); this module decides
only whether a token is acceptable, and raises Unauthorized with a code when not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import jwt

from parley.errors import Unauthorized

ALGORITHMS = ["RS256"]


def verify(
    token: str,
    key_for: Callable[[str], Any],
    *,
    issuer: str,
    audiences: Iterable[str],
    token_uses: Iterable[str] = ("access", "id"),
    leeway_seconds: int = 0,
) -> dict[str, Any]:
    """The claims of a valid Cognito access or id token, or Unauthorized.

    ``key_for(kid)`` returns the public key of the token's key id. Access tokens
    carry the app client in ``client_id``, id tokens in ``aud``.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("malformed token", code="invalid_token") from None
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorized("unsupported token algorithm", code="invalid_token")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise Unauthorized("token has no key id", code="invalid_token")
    key = key_for(kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            issuer=issuer,
            leeway=leeway_seconds,
            options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired", code="token_expired") from None
    except jwt.InvalidIssuerError:
        raise Unauthorized("token from another issuer", code="wrong_issuer") from None
    except jwt.PyJWTError:
        raise Unauthorized("invalid token", code="invalid_token") from None
    token_use = claims.get("token_use")
    if token_use not in set(token_uses):
        raise Unauthorized("token of the wrong kind", code="wrong_token_use")
    client = claims.get("client_id") if token_use == "access" else claims.get("aud")
    allowed = set(audiences)
    clients = set(client) if isinstance(client, list) else {client}
    if not allowed or not (clients & allowed):
        raise Unauthorized("token for another app client", code="wrong_audience")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthorized("token has no subject", code="invalid_token")
    return claims
