"""VerifyAuthChallengeResponse trigger: constant-time comparison of the answer with the session's code,
refused once the code has expired."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.domain.otp import answer_matches
from parley.handlers.cognito_trigger import EventShapeError, logger, request_of, shape_rejected, user_not_found


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = request_of(event, "VerifyAuthChallengeResponse_")
        private = request.get("privateChallengeParameters")
        if not isinstance(private, dict):
            raise EventShapeError("request.privateChallengeParameters is not an object")
    except EventShapeError as error:
        shape_rejected("verify_auth_challenge_response", error)
        safe = event if isinstance(event, dict) else {}
        safe["response"] = {"answerCorrect": False}
        return safe
    expected = private.get("code")
    correct = answer_matches(
        expected if isinstance(expected, str) else None,
        request.get("challengeAnswer"),
        private.get("expires_at"),
        time.time(),
    )
    event["response"]["answerCorrect"] = correct and not user_not_found(request)
    logger.info("code checked", extra={"correct": event["response"]["answerCorrect"]})
    return event
