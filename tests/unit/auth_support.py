"""Test support for sign-in: the SES sender, sent mail, log capture, and a custom-auth driver.

moto's Cognito runs no Lambda triggers: InitiateAuth with CUSTOM_AUTH answers
nothing. ``TriggerDrivenCognito`` plays Cognito's part of the custom-auth state
machine instead, calling the real trigger handlers with real event shapes, and
takes users, tokens and refresh from moto's Cognito.
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from parley.handlers import auth_create, auth_define, auth_verify
from tests.unit.conftest import load_event

SENDER = "parley <no-reply@example.com>"
SENDER_ENV = {"AUTH_EMAIL_SENDER": SENDER, "AUTH_APP_NAME": "parley", "AUTH_CODE_VALID_MINUTES": "3"}
ENGINE_PASSWORD = "Engine-Pass-1!-not-a-user-secret"


def sent_messages() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def code_in(message: Any) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, "no 6-digit code in the mail"
    return found.group(1)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {record.__dict__}")


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every record the app's logger emits, with its extra fields, as text."""
    app_logger = logging.getLogger("parley")
    handler = _Collect()
    previous = app_logger.level
    app_logger.addHandler(handler)
    app_logger.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        app_logger.removeHandler(handler)
        app_logger.setLevel(previous)


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class TriggerDrivenCognito:
    """A cognito-idp client whose CUSTOM_AUTH flow runs the deployed trigger handlers; the rest is moto."""

    def __init__(self, real: Any, user_pool_id: str, context: Any) -> None:
        self.real = real
        self.user_pool_id = user_pool_id
        self.context = context
        self.sessions: dict[str, dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _attributes(self, username: str) -> tuple[dict[str, str], bool]:
        try:
            user = self.real.admin_get_user(UserPoolId=self.user_pool_id, Username=username)
        except ClientError:
            return {"email": username}, True
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        return attributes, False

    def _event(self, name: str, state: dict[str, Any], **request: Any) -> dict[str, Any]:
        event = load_event(name)
        event["userPoolId"] = self.user_pool_id
        event["request"]["userAttributes"] = dict(state["attributes"])
        event["request"]["userNotFound"] = state["not_found"]
        event["request"].update(request)
        return event

    def initiate_auth(self, **kwargs: Any) -> Any:
        if kwargs.get("AuthFlow") != "CUSTOM_AUTH":
            return self.real.initiate_auth(**kwargs)
        username = kwargs["AuthParameters"]["USERNAME"]
        attributes, not_found = self._attributes(username)
        state = {"username": username, "attributes": attributes, "not_found": not_found, "history": []}
        return self._next(state, kwargs["ClientId"])

    def _next(self, state: dict[str, Any], client_id: str) -> dict[str, Any]:
        define = auth_define.handler(
            self._event("cognito_define_auth_challenge", state, session=copy.deepcopy(state["history"])), self.context
        )["response"]
        if define.get("issueTokens"):
            self.real.admin_set_user_password(
                UserPoolId=self.user_pool_id, Username=state["username"], Password=ENGINE_PASSWORD, Permanent=True
            )
            return self.real.admin_initiate_auth(  # type: ignore[no-any-return]
                UserPoolId=self.user_pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": state["username"], "PASSWORD": ENGINE_PASSWORD},
            )
        if define.get("failAuthentication"):
            raise _error("NotAuthorizedException", "Incorrect username or password.", "RespondToAuthChallenge")
        try:
            created = auth_create.handler(
                self._event(
                    "cognito_create_auth_challenge",
                    state,
                    challengeName=define["challengeName"],
                    session=copy.deepcopy(state["history"]),
                ),
                self.context,
            )["response"]
        except auth_create.CodeNotSent:
            raise _error("UserLambdaValidationException", "CreateAuthChallenge failed", "InitiateAuth") from None
        state["challenge"] = created
        token = secrets.token_urlsafe(48)
        self.sessions[token] = state
        return {
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": token,
            "ChallengeParameters": created["publicChallengeParameters"],
        }

    def respond_to_auth_challenge(self, **kwargs: Any) -> Any:
        state = self.sessions.pop(kwargs["Session"], None)
        if state is None:
            raise _error("NotAuthorizedException", "Invalid session for the user.", "RespondToAuthChallenge")
        verify = auth_verify.handler(
            self._event(
                "cognito_verify_auth_challenge",
                state,
                privateChallengeParameters=state["challenge"]["privateChallengeParameters"],
                challengeAnswer=kwargs["ChallengeResponses"]["ANSWER"],
            ),
            self.context,
        )["response"]
        state["history"].append(
            {
                "challengeName": "CUSTOM_CHALLENGE",
                "challengeResult": verify["answerCorrect"],
                "challengeMetadata": state["challenge"]["challengeMetadata"],
            }
        )
        return self._next(state, kwargs["ClientId"])
