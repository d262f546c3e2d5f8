"""The call_token function: a LiveKit access token and TURN credentials for a call's participants."""

from __future__ import annotations

import time
from typing import Any

import jwt
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import secrets
from parley.adapters.sessions import Sessions
from parley.adapters.table import Table
from parley.domain import calls
from parley.domain.validation import ID_PATTERN
from parley.errors import NotFound
from parley.handlers.http import caller_id, logger, make_resolver, optional_json_body
from parley.settings import BaseSettings, env, load, settings_class

app = make_resolver()


@settings_class
class CallTokenSettings(BaseSettings):
    livekit_secret_arn: str = env("LIVEKIT_SECRET_ARN")
    turn_secret_arn: str = env("TURN_SECRET_ARN")
    livekit_url: str = env("LIVEKIT_URL", default="")
    turn_host: str = env("TURN_HOST", default="")
    livekit_token_ttl_seconds: int = env("LIVEKIT_TOKEN_TTL_SECONDS", default=3600, parse=int)
    turn_credential_ttl_seconds: int = env("TURN_CREDENTIAL_TTL_SECONDS", default=3600, parse=int)


@app.post("/calls/<session_id>/token")
def token(session_id: str) -> dict[str, Any]:
    settings = load(CallTokenSettings)
    user_id = caller_id(app)
    name = calls.display_name(optional_json_body(app))
    now = int(time.time())

    session = (
        Sessions(Table(settings.table_name)).get(session_id, consistent=True)
        if ID_PATTERN.fullmatch(session_id)
        else None
    )
    if session is None:
        raise NotFound("no such call", code="session_not_found")
    calls.check_participant(session, user_id, now)

    # Neither credential outlives the session.
    livekit_ttl = calls.credential_ttl(session, settings.livekit_token_ttl_seconds, now)
    turn_ttl = calls.credential_ttl(session, settings.turn_credential_ttl_seconds, now)
    livekit = secrets.json_object(settings.livekit_secret_arn)
    claims = calls.livekit_claims(livekit["api_key"], user_id, session_id, now=now, ttl_seconds=livekit_ttl, name=name)
    access_token = jwt.encode(claims, livekit["api_secret"], algorithm="HS256")
    turn = calls.turn_credentials(secrets.text(settings.turn_secret_arn), user_id, now, turn_ttl)
    logger.info("call token issued", extra={"session_id": session_id})
    return {
        "session_id": session_id,
        "livekit": {"url": settings.livekit_url or None, "token": access_token, "expires_at": claims["exp"]},
        "turn": turn,
        "ice_servers": calls.ice_servers(settings.turn_host, turn["username"], turn["password"]),
    }


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
