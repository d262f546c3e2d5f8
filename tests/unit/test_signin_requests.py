"""domain/signin.py: each field of the public sign-in requests, normalised or refused with its own code."""

from __future__ import annotations

from typing import Any

import pytest

from parley.domain import signin
from parley.errors import BadRequest

SESSION = "a" * 20


def refusal(parse: Any, body: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(BadRequest) as refused:
        parse(body)
    return refused.value.code, refused.value.message


def test_signin_email_is_trimmed_and_lower_case() -> None:
    assert signin.email({"email": "  Ann.Lee+x@Mail.Example.COM "}) == "ann.lee+x@mail.example.com"


@pytest.mark.parametrize(
    ("parse", "body", "code", "message"),
    [
        (signin.email, {}, "missing_field", "'email' is required"),
        (signin.email, {"email": None}, "missing_field", "'email' is required"),
        (signin.email, {"email": 5}, "invalid_email", "'email' must be a string"),
        (signin.email, {"email": "ann@localhost"}, "invalid_email", "'email' is not a valid email address"),
        (signin.email, {"email": "a" * 243 + "@example.com"}, "invalid_email", "'email' is not a valid email address"),
        (signin.session, {"session": "a" * 19}, "invalid_session", "'session' is not a sign-in session"),
        (signin.session, {"session": "a" * 4097}, "invalid_session", "'session' is not a sign-in session"),
        (signin.session, {"session": "a" * 19 + "!"}, "invalid_session", "'session' is not a sign-in session"),
        (signin.session, {"session": 1}, "invalid_session", "'session' must be a string"),
        (signin.code, {"code": "12345"}, "invalid_code", "'code' must be the 6 digits of the mail"),
        (signin.code, {}, "missing_field", "'code' is required"),
        (
            signin.refresh_token,
            {"refresh_token": ""},
            "invalid_refresh_token",
            "'refresh_token' is not a refresh token",
        ),
        (
            signin.refresh_token,
            {"refresh_token": "a" * 8193},
            "invalid_refresh_token",
            "'refresh_token' is not a refresh token",
        ),
        (
            signin.refresh_token,
            {"refresh_token": "a b"},
            "invalid_refresh_token",
            "'refresh_token' is not a refresh token",
        ),
    ],
)
def test_signin_refuses_each_bad_field_with_its_code(parse: Any, body: dict[str, Any], code: str, message: str) -> None:
    assert refusal(parse, body) == (code, message)


def test_signin_accepts_fields_on_their_limits() -> None:
    # RFC 5321: a local part of 64 characters at most, 254 in all
    longest = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    assert len(longest) == 254 and signin.email({"email": longest}) == longest
    assert signin.session({"session": SESSION}) == SESSION
    assert signin.session({"session": "a" * 4096}) == "a" * 4096
    assert signin.code({"code": " 012345 "}) == "012345"
    assert signin.refresh_token({"refresh_token": "x"}) == "x"
    assert signin.refresh_token({"refresh_token": "a.b~c+d/e=f-_" + "a" * 8179}) == "a.b~c+d/e=f-_" + "a" * 8179
