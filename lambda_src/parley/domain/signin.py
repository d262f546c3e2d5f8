"""Validation of the public sign-in requests: email, session, code and refresh token."""

from __future__ import annotations

import re
from typing import Any

from parley.domain.otp import is_code
from parley.errors import BadRequest

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MIN_SESSION_LENGTH = 20
MAX_SESSION_LENGTH = 4096
MAX_REFRESH_TOKEN_LENGTH = 8192

# RFC 5321 dot-atom local part (no leading, trailing or doubled dot) @ host names with a letter TLD.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?")
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]+")


def _string(body: dict[str, Any], name: str) -> str:
    if name not in body or body[name] is None:
        raise BadRequest(f"'{name}' is required", code="missing_field")
    value = body[name]
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string", code=f"invalid_{name}")
    return value


def email(body: dict[str, Any]) -> str:
    """The normalised (trimmed, lower-case) email address of the request."""
    value = _string(body, "email").strip().lower()
    local = value.split("@", 1)[0]
    if len(value) > MAX_EMAIL_LENGTH or len(local) > MAX_LOCAL_PART_LENGTH or not _EMAIL.fullmatch(value):
        raise BadRequest("'email' is not a valid email address", code="invalid_email")
    return value


def session(body: dict[str, Any]) -> str:
    value = _string(body, "session")
    if not MIN_SESSION_LENGTH <= len(value) <= MAX_SESSION_LENGTH or not _TOKEN.fullmatch(value):
        raise BadRequest("'session' is not a sign-in session", code="invalid_session")
    return value


def code(body: dict[str, Any]) -> str:
    value = _string(body, "code").strip()
    if not is_code(value):
        raise BadRequest("'code' must be the 6 digits of the mail", code="invalid_code")
    return value


def refresh_token(body: dict[str, Any]) -> str:
    value = _string(body, "refresh_token")
    if not 1 <= len(value) <= MAX_REFRESH_TOKEN_LENGTH or not _TOKEN.fullmatch(value):
        raise BadRequest("'refresh_token' is not a refresh token", code="invalid_refresh_token")
    return value
