"""CreateAuthChallenge trigger: a 6-digit code, mailed once per session through SES, reused on retries.

The code travels only in the private challenge parameters and the challenge
metadata (both hidden from the client) and is never logged.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import mailer
from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.domain.otp import CHALLENGE, SessionCode, code_for_session, email_text, new_code
from parley.handlers.cognito_trigger import (
    EventShapeError,
    attempts_of,
    logger,
    request_of,
    shape_rejected,
    user_not_found,
)
from parley.settings import BaseSettings, env, load, settings_class


@settings_class
class AuthCreateSettings(BaseSettings):
    sender: str = env("AUTH_EMAIL_SENDER")
    app_name: str = env("AUTH_APP_NAME", default="parley")
    code_valid_minutes: int = env("AUTH_CODE_VALID_MINUTES", default=3, parse=int)
    configuration_set: str = env("AUTH_SES_CONFIGURATION_SET", default="")


class CodeNotSent(RuntimeError):
    """The user reached the code send limit; Cognito fails the sign-in start."""


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = request_of(event, "CreateAuthChallenge_")
        if request.get("challengeName") != CHALLENGE:
            raise EventShapeError(f"challengeName is not {CHALLENGE}")
        attempts = attempts_of(request)
        attributes = request["userAttributes"]
        missing = user_not_found(request)
        if not missing and not (isinstance(attributes.get("email"), str) and isinstance(attributes.get("sub"), str)):
            raise EventShapeError("userAttributes has no email or sub")
    except EventShapeError as error:
        shape_rejected("create_auth_challenge", error)
        # A challenge nobody can answer: the next DefineAuthChallenge fails the session.
        safe = event if isinstance(event, dict) else {}
        safe["response"] = {
            "publicChallengeParameters": {},
            "privateChallengeParameters": {},
            "challengeMetadata": "INVALID",
        }
        return safe

    settings = load(AuthCreateSettings)
    now, valid_seconds = int(time.time()), settings.code_valid_minutes * 60
    if missing:
        # Same answer as for a real user, and no mail: nobody learns whether the address exists.
        chosen = SessionCode(new_code(), now + valid_seconds, fresh=False)
    else:
        chosen = code_for_session(attempts, now, valid_seconds)

    if chosen.fresh:
        if not Users(Table(settings.table_name)).reserve_send(attributes["sub"], now):
            logger.warning("code send limit reached")
            raise CodeNotSent("code send limit reached; try again later")
        subject, body = email_text(chosen.code, settings.app_name, settings.code_valid_minutes)
        mailer.send_text(settings.sender, attributes["email"], subject, body, settings.configuration_set or None)

    event["response"]["publicChallengeParameters"] = {"delivery": "EMAIL"}
    # The code and its expiry stay private; the verify trigger refuses the code after it.
    event["response"]["privateChallengeParameters"] = {"code": chosen.code, "expires_at": str(chosen.expires_at)}
    event["response"]["challengeMetadata"] = chosen.metadata()
    logger.info("code challenge created", extra={"try": len(attempts) + 1, "mailed": chosen.fresh})
    return event
