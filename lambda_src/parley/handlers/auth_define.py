"""DefineAuthChallenge trigger: one CUSTOM_CHALLENGE per try, tokens on a right code, failure after 3 wrong
ones or once the code has expired."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.domain.otp import define_next
from parley.handlers.cognito_trigger import (
    EventShapeError,
    attempts_of,
    logger,
    request_of,
    shape_rejected,
    user_not_found,
)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = request_of(event, "DefineAuthChallenge_")
        decision = define_next(attempts_of(request), user_not_found(request), time.time())
    except EventShapeError as error:
        shape_rejected("define_auth_challenge", error)
        safe = event if isinstance(event, dict) else {}
        safe["response"] = {"issueTokens": False, "failAuthentication": True}
        return safe
    event["response"]["issueTokens"] = decision.issue_tokens
    event["response"]["failAuthentication"] = decision.fail_authentication
    if decision.challenge_name:
        event["response"]["challengeName"] = decision.challenge_name
    logger.info(
        "sign-in step decided",
        extra={
            "tries": len(request.get("session", [])),
            "issue_tokens": decision.issue_tokens,
            "fail": decision.fail_authentication,
        },
    )
    return event
