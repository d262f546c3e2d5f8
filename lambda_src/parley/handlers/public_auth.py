"""Public sign-in routes of api_public: POST /auth/login, /auth/verify and /auth/refresh.

- login: email -> a new user is created on the fly (confirmed, no mail), then
  a code sign-in starts and the code is mailed; the answer is the same for
  every valid address, known or not.
- verify: email + session + code -> tokens; a wrong code with tries left
  answers 401 ``wrong_code`` with a new session to retry with.
- refresh: refresh token -> new id and access tokens.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from parley.adapters import cognito
from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.domain import profile, signin
from parley.handlers.http import json_body, logger, new_router
from parley.settings import BaseSettings, env, load, parse_bool, settings_class

router = new_router()


def _parse_mode(value: str) -> str:
    if value not in {cognito.CUSTOM_AUTH, cognito.NATIVE_EMAIL_OTP}:
        raise ValueError(f"not a sign-in mode: {value!r}")
    return value


@settings_class
class PublicAuthSettings(BaseSettings):
    user_pool_id: str = env("USER_POOL_ID")
    client_id: str = env("USER_POOL_CLIENT_ID")
    sign_in_mode: str = env("AUTH_SIGN_IN_MODE", default=cognito.CUSTOM_AUTH, parse=_parse_mode)
    session_minutes: int = env("AUTH_SESSION_MINUTES", default=3, parse=int)
    auto_sign_up: bool = env("AUTH_AUTO_SIGN_UP", default=True, parse=parse_bool)


def _body() -> dict[str, Any]:
    return json_body(router)


@router.post("/auth/login")
def login() -> dict[str, Any]:
    address = signin.email(_body())
    settings = load(PublicAuthSettings)
    if settings.auto_sign_up:
        created = cognito.ensure_user(settings.user_pool_id, address)
        if created is not None and created.get("sub"):
            item = profile.new_profile(created["sub"], address, None, datetime.now(UTC).isoformat())
            Users(Table(settings.table_name)).create_profile(item)
            logger.info("user created at first sign-in")
    session = cognito.start_sign_in(settings.client_id, address, settings.sign_in_mode)
    return {"session": session, "delivery": "email", "expires_in": settings.session_minutes * 60}


@router.post("/auth/verify")
def verify() -> dict[str, Any] | Response[Any]:
    body = _body()
    address, session, code = signin.email(body), signin.session(body), signin.code(body)
    settings = load(PublicAuthSettings)
    result = cognito.answer(settings.client_id, address, session, code, settings.sign_in_mode)
    if isinstance(result, cognito.Retry):
        return Response(
            status_code=401,
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(
                {
                    "error": "wrong_code",
                    "message": "the code is wrong; try again with this session",
                    "session": result.session,
                }
            ),
        )
    return result.body()


@router.post("/auth/refresh")
def refresh() -> dict[str, Any]:
    token = signin.refresh_token(_body())
    settings = load(PublicAuthSettings)
    return cognito.refresh(settings.client_id, token).body()
