"""WebSocket `$connect` REQUEST authorizer: a Cognito JWT in ``?token=`` -> Allow with ``sub``, else Deny."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import jwks
from parley.domain import tokens
from parley.errors import AppError
from parley.settings import BaseSettings, env, load, parse_bool, parse_list, settings_class

logger = Logger(service="parley")

ANONYMOUS = "anonymous"


@settings_class
class AuthorizerSettings(BaseSettings):
    jwks_url: str = env("JWKS_URL")
    jwt_issuer: str = env("JWT_ISSUER")
    jwt_audience: tuple[str, ...] = env("JWT_AUDIENCE", parse=parse_list)
    token_uses: tuple[str, ...] = env("JWT_TOKEN_USE", default=("access", "id"), parse=parse_list)
    anonymous_enabled: bool = env("WS_ANONYMOUS_ENABLED", default=False, parse=parse_bool)


def policy(effect: str, principal: str, resource: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }
    if context:
        response["context"] = context
    return response


def authorize(event: dict[str, Any], settings: AuthorizerSettings) -> dict[str, Any]:
    resource = event.get("methodArn", "*")
    token = (event.get("queryStringParameters") or {}).get("token")
    if not token:
        if settings.anonymous_enabled:
            return policy("Allow", ANONYMOUS, resource, {"sub": "", "anonymous": "true"})
        logger.info("connection refused", extra={"reason": "missing_token"})
        return policy("Deny", ANONYMOUS, resource)
    try:
        claims = tokens.verify(
            token,
            jwks.key_set(settings.jwks_url).key,
            issuer=settings.jwt_issuer,
            audiences=settings.jwt_audience,
            token_uses=settings.token_uses,
        )
    except AppError as error:
        logger.info("connection refused", extra={"reason": error.code})
        return policy("Deny", ANONYMOUS, resource)
    sub = str(claims["sub"])
    return policy("Allow", sub, resource, {"sub": sub, "anonymous": "false", "token_use": str(claims["token_use"])})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return authorize(event, load(AuthorizerSettings))
    except Exception:  # outermost guard: an authorizer that fails must refuse, not crash
        logger.exception("authorizer failed")
        return policy("Deny", ANONYMOUS, event.get("methodArn", "*"))
