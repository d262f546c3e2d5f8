"""Cognito user-pool calls behind the public sign-in routes.

Cognito's error codes (never their message text) become AppErrors with stable
codes. InitiateAuth / RespondToAuthChallenge / refresh are public APIs of the
web client; only user creation needs IAM rights.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.errors import AppError, BadRequest, TooManyRequests, Unauthorized

CUSTOM_AUTH = "custom_auth"
NATIVE_EMAIL_OTP = "native_email_otp"

_THROTTLED = {"TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"}


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id_token": self.id_token,
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        if self.refresh_token:
            out["refresh_token"] = self.refresh_token
        return out


@dataclass(frozen=True)
class Retry:
    """The code was wrong but the session has tries left: answer again with this session."""

    session: str


def _client() -> Any:
    return aws.client("cognito-idp")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _refused_address() -> BadRequest:
    """Cognito refused an address our own check let through (its rules for names and attributes differ)."""
    return BadRequest("'email' is not a valid email address", code="invalid_email")


def _translate(error: ClientError, unauthorized: AppError, invalid: AppError | None = None) -> AppError:
    """The AppError for a Cognito error code; ``invalid`` answers InvalidParameterException (else ``unauthorized``)."""
    code = _code(error)
    if code == "InvalidParameterException":
        return invalid or unauthorized
    if code in _THROTTLED:
        return TooManyRequests("too many sign-in attempts; try again later", code="too_many_requests")
    if code == "UserLambdaValidationException":
        # Raised by the code sender when it refuses to send (per-user send limit) or cannot.
        return TooManyRequests("a code cannot be sent right now; try again later", code="code_not_sent")
    if code in {"NotAuthorizedException", "UserNotFoundException", "CodeMismatchException", "ExpiredCodeException"}:
        return unauthorized
    raise error


def _random_password() -> str:
    """A throw-away password meeting any pool policy: users sign in with codes, never with it."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(40))
    return f"{core}aA1!"


def ensure_user(user_pool_id: str, email: str) -> dict[str, str] | None:
    """Create a confirmed user for a new email address (no mail sent); None when it already exists.

    The address counts as verified: no token is ever issued without the code
    mailed to it.
    """
    try:
        created = _client().admin_create_user(
            UserPoolId=user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    except ClientError as error:
        if _code(error) == "UsernameExistsException":
            return None
        raise _translate(error, Unauthorized("sign-in failed", code="sign_in_failed"), _refused_address()) from None
    _client().admin_set_user_password(
        UserPoolId=user_pool_id, Username=email, Password=_random_password(), Permanent=True
    )
    attributes = {a["Name"]: a["Value"] for a in created["User"].get("Attributes", [])}
    return attributes


def start_sign_in(client_id: str, email: str, mode: str) -> str:
    """Start a code sign-in; the session to send back with the code."""
    if mode == NATIVE_EMAIL_OTP:
        flow, parameters = "USER_AUTH", {"USERNAME": email, "PREFERRED_CHALLENGE": "EMAIL_OTP"}
    else:
        flow, parameters = "CUSTOM_AUTH", {"USERNAME": email}
    try:
        response = _client().initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=parameters)
    except ClientError as error:
        raise _translate(
            error, Unauthorized("sign-in failed; start again", code="sign_in_failed"), _refused_address()
        ) from None
    session = (response or {}).get("Session")
    if not session:
        raise RuntimeError("Cognito started no challenge session (are the auth triggers wired?)")
    return str(session)


def answer(client_id: str, email: str, session: str, code: str, mode: str) -> Tokens | Retry:
    """Answer the challenge with the code: tokens, or a new session for another try."""
    if mode == NATIVE_EMAIL_OTP:
        name, responses = "EMAIL_OTP", {"USERNAME": email, "EMAIL_OTP_CODE": code}
    else:
        name, responses = "CUSTOM_CHALLENGE", {"USERNAME": email, "ANSWER": code}
    expired = Unauthorized(
        "the code or session is no longer valid (expired, used, or too many tries); start again", code="sign_in_failed"
    )
    try:
        response = _client().respond_to_auth_challenge(
            ClientId=client_id, ChallengeName=name, Session=session, ChallengeResponses=responses
        )
    except ClientError as error:
        if mode == NATIVE_EMAIL_OTP and _code(error) == "CodeMismatchException":
            return Retry(session)
        raise _translate(error, expired) from None
    result = (response or {}).get("AuthenticationResult")
    if result:
        return _tokens(result)
    if (response or {}).get("Session"):
        return Retry(str(response["Session"]))
    raise expired


def refresh(client_id: str, refresh_token: str) -> Tokens:
    try:
        response = _client().initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )
    except ClientError as error:
        raise _translate(
            error, Unauthorized("the refresh token is invalid, expired or revoked", code="invalid_refresh_token")
        ) from None
    return _tokens(response["AuthenticationResult"])


def _tokens(result: dict[str, Any]) -> Tokens:
    return Tokens(
        id_token=result["IdToken"],
        access_token=result["AccessToken"],
        expires_in=int(result.get("ExpiresIn", 3600)),
        refresh_token=result.get("RefreshToken"),
    )
