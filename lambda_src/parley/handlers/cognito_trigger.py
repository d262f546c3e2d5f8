"""Shared parsing of Cognito trigger events: shape checks that never throw opaque errors.

A trigger that receives an unexpected shape answers the safe way (fail the
sign-in, reject the answer, leave the confirmation alone) and logs why, with no
user data and never a code.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from parley.domain.otp import Attempt

logger = Logger(service="parley")


class EventShapeError(ValueError):
    """The event is not the Cognito trigger event this function handles."""


def request_of(event: Any, trigger_prefix: str) -> dict[str, Any]:
    """The ``request`` of a Cognito trigger event whose triggerSource starts with ``trigger_prefix``."""
    if not isinstance(event, dict):
        raise EventShapeError("event is not an object")
    source = event.get("triggerSource")
    if not isinstance(source, str) or not source.startswith(trigger_prefix):
        raise EventShapeError(f"triggerSource is not {trigger_prefix}*")
    request = event.get("request")
    if not isinstance(request, dict):
        raise EventShapeError("request is not an object")
    attributes = request.get("userAttributes")
    if not isinstance(attributes, dict):
        raise EventShapeError("request.userAttributes is not an object")
    if not isinstance(event.get("response"), dict):
        event["response"] = {}
    return request


def user_not_found(request: dict[str, Any]) -> bool:
    return request.get("userNotFound") is True


def attempts_of(request: dict[str, Any]) -> list[Attempt]:
    """The session history of a custom-auth trigger request."""
    session = request.get("session", [])
    if not isinstance(session, list):
        raise EventShapeError("request.session is not a list")
    attempts = []
    for entry in session:
        if not isinstance(entry, dict) or not isinstance(entry.get("challengeName"), str):
            raise EventShapeError("request.session entry has no challengeName")
        metadata = entry.get("challengeMetadata")
        attempts.append(
            Attempt(
                challenge_name=entry["challengeName"],
                result=entry.get("challengeResult") is True,
                metadata=metadata if isinstance(metadata, str) else None,
            )
        )
    return attempts


def shape_rejected(trigger: str, error: EventShapeError) -> None:
    logger.warning("unexpected trigger event shape", extra={"trigger": trigger, "problem": str(error)})
