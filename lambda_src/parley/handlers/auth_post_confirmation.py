"""PostConfirmation trigger: creates the user's profile item, once (conditional put)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.domain.profile import new_profile
from parley.domain.validation import USER_ID, is_text
from parley.handlers.cognito_trigger import EventShapeError, logger, request_of, shape_rejected
from parley.settings import BaseSettings, load


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = request_of(event, "PostConfirmation_")
        attributes = request["userAttributes"]
        user_id, email = attributes.get("sub"), attributes.get("email")
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            raise EventShapeError("userAttributes.sub is not a user id")
        if not isinstance(email, str) or "@" not in email or not is_text(email):
            raise EventShapeError("userAttributes has no email")
    except EventShapeError as error:
        # Never block a confirmation on our side: the problem is logged for the operator.
        shape_rejected("post_confirmation", error)
        return event
    if event.get("triggerSource") != "PostConfirmation_ConfirmSignUp":
        return event  # a password reset confirms nothing new
    name = attributes.get("name")
    item = new_profile(
        user_id, email, name if isinstance(name, str) and is_text(name) else None, datetime.now(UTC).isoformat()
    )
    created = Users(Table(load(BaseSettings).table_name)).create_profile(item)
    logger.info("profile ensured", extra={"profile_created": created})
    return event
