"""Sign-in at the edge: is a visitor's Cognito token valid, and where to send them if not.

Pure and standard-library only: the Lambda@Edge package carries no third-party
code. RS256 signatures are checked with Python integers (RSASSA-PKCS1-v1_5 with
SHA-256 is one modular exponentiation and a byte comparison).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

# DER prefix of a SHA-256 DigestInfo (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_CLOCK_SKEW_SECONDS = 30


class EdgeConfigError(ValueError):
    """The baked-in configuration is missing a field or malformed (a build problem)."""


@dataclass(frozen=True)
class EdgeConfig:
    """What the edge function knows about the user pool and the site."""

    region: str
    user_pool_id: str
    client_id: str
    hosted_ui_domain: str
    callback_path: str = "/auth/callback"
    cookie_name: str = "parley_id_token"
    scopes: tuple[str, ...] = ("openid", "email")
    public_paths: tuple[str, ...] = ()
    jwks: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> EdgeConfig:
        required = ("region", "user_pool_id", "client_id", "hosted_ui_domain")
        missing = [key for key in required if not isinstance(data.get(key), str) or not data[key]]
        if missing:
            raise EdgeConfigError(f"edge sign-in config lacks {', '.join(missing)}")
        callback = str(data.get("callback_path", "/auth/callback"))
        if not callback.startswith("/"):
            raise EdgeConfigError("edge sign-in config: callback_path must start with '/'")
        return cls(
            region=data["region"],
            user_pool_id=data["user_pool_id"],
            client_id=data["client_id"],
            hosted_ui_domain=data["hosted_ui_domain"].removeprefix("https://").rstrip("/"),
            callback_path=callback,
            cookie_name=str(data.get("cookie_name", "parley_id_token")),
            scopes=tuple(data.get("scopes", ("openid", "email"))),
            public_paths=tuple(data.get("public_paths", ())),
            jwks=data.get("jwks"),
        )


@dataclass(frozen=True)
class Claims:
    subject: str
    expires_at: int


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _int(segment: str) -> int:
    return int.from_bytes(_b64url(segment), "big")


def _rs256_valid(key: Mapping[str, Any], signed: bytes, signature: bytes) -> bool:
    modulus, exponent = _int(key["n"]), _int(key["e"])
    size = (modulus.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    recovered = pow(int.from_bytes(signature, "big"), exponent, modulus).to_bytes(size, "big")
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(signed).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    return hmac.compare_digest(recovered, expected)


def verify_token(token: str, config: EdgeConfig, jwks: Mapping[str, Any], now: int) -> Claims | None:
    """The token's claims when it is a valid, unexpired id or access token of this pool and client."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(signature_b64)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict) or header.get("alg") != "RS256":
        return None
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid") and k.get("kty") == "RSA"), None)
    try:
        if key is None or not _rs256_valid(key, f"{header_b64}.{payload_b64}".encode(), signature):
            return None
    except (KeyError, ValueError, binascii.Error):
        return None
    expires_at = payload.get("exp")
    if not isinstance(expires_at, int) or expires_at + _CLOCK_SKEW_SECONDS <= now:
        return None
    if payload.get("iss") != config.issuer:
        return None
    token_use = payload.get("token_use")
    audience = payload.get("aud") if token_use == "id" else payload.get("client_id") if token_use == "access" else None
    if audience != config.client_id:
        return None
    return Claims(subject=str(payload.get("sub", "")), expires_at=expires_at)


def parse_cookies(header_values: Iterable[str]) -> dict[str, list[str]]:
    """Cookie name -> values, from every Cookie header line."""
    cookies: dict[str, list[str]] = {}
    for line in header_values:
        for part in line.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies.setdefault(name, []).append(value.strip().strip('"'))
    return cookies


def candidate_tokens(cookies: Mapping[str, list[str]], config: EdgeConfig) -> list[str]:
    """Tokens worth checking: the site's own cookie, then Amplify's idToken cookies for this client."""
    amplify_prefix = f"CognitoIdentityServiceProvider.{config.client_id}."
    tokens = list(cookies.get(config.cookie_name, []))
    for name, values in sorted(cookies.items()):
        if name.startswith(amplify_prefix) and name.endswith(".idToken"):
            tokens += values
    return tokens


def is_public(uri: str, config: EdgeConfig) -> bool:
    """The callback (where the hosted UI sends visitors back) and configured prefixes need no token."""
    return uri == config.callback_path or any(uri.startswith(prefix) for prefix in config.public_paths)


def sign_in_url(config: EdgeConfig, host: str, uri: str, querystring: str) -> str:
    """The hosted UI login page, coming back to the callback with the original path as state."""
    original = uri + (f"?{querystring}" if querystring else "")
    query = urlencode(
        {
            "client_id": config.client_id,
            "response_type": "code",
            "scope": " ".join(config.scopes),
            "redirect_uri": f"https://{host}{config.callback_path}",
            "state": original,
        }
    )
    return f"https://{config.hosted_ui_domain}/login?{query}"
