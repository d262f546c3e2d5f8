"""Cognito user pools with their Lambda triggers: the functions' Cognito calls come here
(``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``), and so may a client's.

The emulator stores users and issues tokens but runs no trigger and has no
custom-auth flow, so this part runs them where Cognito would:

- ``InitiateAuth`` / ``AdminInitiateAuth`` with ``CUSTOM_AUTH``: the pool's
  DefineAuthChallenge, then CreateAuthChallenge; the answer carries the public
  challenge parameters and a session.
- ``RespondToAuthChallenge`` / ``AdminRespondToAuthChallenge``:
  VerifyAuthChallengeResponse, then DefineAuthChallenge with the session's
  history: another challenge (a new session), a failure, or tokens. Tokens are
  the emulator pool's own (tools/moto_server.py issues them), so the JWKS,
  ``REFRESH_TOKEN_AUTH`` and both authorizers accept them.
- ``ConfirmSignUp`` / ``AdminConfirmSignUp`` / ``ConfirmForgotPassword``: the
  emulator confirms, then PostConfirmation runs.

Sessions live ``AuthSessionValidity`` minutes (the client's setting). A
trigger that fails makes the call fail with ``UserLambdaValidationException``,
as Cognito does. Every other call is forwarded to the emulator unchanged.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botocore.exceptions import ClientError

from tools.runtime import log
from tools.runtime.config import REGION, PoolClient, UserPool
from tools.runtime.proxy import aws_error, aws_json, forward
from tools.runtime.stack import Stack

TOKENS_PATH = "/_parley/cognito/tokens"
CHALLENGE = "CUSTOM_CHALLENGE"
_CONFIRMATIONS = {
    "ConfirmSignUp": "PostConfirmation_ConfirmSignUp",
    "AdminConfirmSignUp": "PostConfirmation_ConfirmSignUp",
    "ConfirmForgotPassword": "PostConfirmation_ConfirmForgotPassword",
}


class CognitoError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _incorrect() -> CognitoError:
    return CognitoError("NotAuthorizedException", "Incorrect username or password.")


@dataclass
class AuthSession:
    pool: UserPool
    client: PoolClient
    username: str  # as the caller named the user
    user_name: str  # the pool's Username
    attributes: dict[str, str]
    user_not_found: bool
    client_metadata: dict[str, str]
    expires_at: float
    history: list[dict[str, Any]] = field(default_factory=list)
    private: dict[str, Any] = field(default_factory=dict)


class Cognito:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sessions: dict[str, AuthSession] = {}

    async def handle(self, request: web.Request, path: str) -> web.Response:
        body = await request.read()
        operation = request.headers.get("X-Amz-Target", "").rpartition(".")[2]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return await forward(self.stack, request, path, body)
        try:
            if operation in {"InitiateAuth", "AdminInitiateAuth"} and params.get("AuthFlow") == "CUSTOM_AUTH":
                return aws_json(await self.initiate(params, admin=operation.startswith("Admin")))
            if operation in {"RespondToAuthChallenge", "AdminRespondToAuthChallenge"} and (
                params.get("ChallengeName") == CHALLENGE or params.get("Session") in self.sessions
            ):
                return aws_json(await self.respond(params))
            response = await forward(self.stack, request, path, body)
            if operation in _CONFIRMATIONS and response.status == 200:
                await self.post_confirmation(params, _CONFIRMATIONS[operation])
            return response
        except CognitoError as error:
            return aws_error(error.status, error.code, str(error))

    # -- triggers -------------------------------------------------------------------------------

    async def trigger(
        self, pool: UserPool, key: str, *, source: str, user_name: str, client_id: str, request: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Run the pool's ``key`` trigger; its ``response``, or None when the pool has none."""
        function = pool.triggers.get(key)
        if function is None:
            return None
        event = {
            "version": "1",
            "region": REGION,
            "userPoolId": pool.pool_id,
            "userName": user_name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
            "triggerSource": source,
            "request": request,
            "response": {},
        }
        outcome = await self.stack.invoke(function, event)
        log.invocation(function, source, "ok" if outcome.ok else "error", outcome.duration_ms)
        if not outcome.ok:
            log.info(f"  {function} | {outcome.error_type}: {outcome.error_message}")
            raise CognitoError("UserLambdaValidationException", f"{key} failed with error {outcome.error_message}.")
        result = outcome.result if isinstance(outcome.result, dict) else {}
        response = result.get("response")
        if not isinstance(response, dict):
            raise CognitoError("InvalidLambdaResponseException", f"Unrecognizable lambda output from {key}")
        return response

    async def _user(self, pool: UserPool, username: str) -> tuple[str, dict[str, str], bool] | None:
        """(Username, attributes, enabled) of a user of the pool, or None when there is none."""
        try:
            user = await self.stack.aws("cognito-idp", "admin_get_user", UserPoolId=pool.pool_id, Username=username)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
                return None
            raise
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        attributes["cognito:user_status"] = str(user.get("UserStatus", ""))
        return str(user["Username"]), attributes, bool(user.get("Enabled", True))

    # -- custom auth ----------------------------------------------------------------------------

    def _client(self, params: dict[str, Any], admin: bool) -> tuple[UserPool, PoolClient]:
        found = self.stack.config.pool_of_client(str(params.get("ClientId", "")))
        if found is None or (admin and found[0].pool_id != params.get("UserPoolId")):
            raise CognitoError(
                "ResourceNotFoundException", f"User pool client {params.get('ClientId')} does not exist."
            )
        return found

    async def initiate(self, params: dict[str, Any], admin: bool) -> dict[str, Any]:
        self._expire()
        pool, client = self._client(params, admin)
        if not {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"} & set(client.auth_flows):
            raise CognitoError("InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client")
        if "DefineAuthChallenge" not in pool.triggers:
            raise CognitoError(
                "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."
            )
        username = str((params.get("AuthParameters") or {}).get("USERNAME") or "")
        if not username:
            raise CognitoError("InvalidParameterException", "Missing required parameter USERNAME")
        found = await self._user(pool, username)
        if found is None and not client.prevent_user_existence_errors:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        user_name, attributes, enabled = found or (username, {}, True)
        if not enabled:
            raise CognitoError("NotAuthorizedException", "User is disabled.")
        session = AuthSession(
            pool=pool, client=client, username=username, user_name=user_name, attributes=attributes,
            user_not_found=found is None, client_metadata=dict(params.get("ClientMetadata") or {}),
            expires_at=time.monotonic() + client.session_minutes * 60,
        )  # fmt: skip
        return await self._next_step(session)

    async def respond(self, params: dict[str, Any]) -> dict[str, Any]:
        self._expire()
        session = self.sessions.pop(str(params.get("Session", "")), None)
        if session is None or session.client.client_id != params.get("ClientId"):
            raise CognitoError("NotAuthorizedException", "Invalid session for the user, session is expired.")
        responses = params.get("ChallengeResponses") or {}
        if params.get("ChallengeName") != CHALLENGE:
            raise CognitoError("InvalidParameterException", f"ChallengeName must be {CHALLENGE} in this session")
        if "ANSWER" not in responses:
            raise CognitoError("InvalidParameterException", "Missing required parameter ANSWER")
        if str(responses.get("USERNAME", "")).lower() not in {session.username.lower(), session.user_name.lower()}:
            raise _incorrect()
        verdict = await self._auth_trigger(
            session,
            "VerifyAuthChallengeResponse",
            privateChallengeParameters=session.private,
            challengeAnswer=str(responses["ANSWER"]),
            clientMetadata=dict(params.get("ClientMetadata") or session.client_metadata),
        )
        correct = bool((verdict or {}).get("answerCorrect"))
        session.history[-1]["challengeResult"] = correct
        return await self._next_step(session)

    async def _next_step(self, session: AuthSession) -> dict[str, Any]:
        decision = await self._auth_trigger(session, "DefineAuthChallenge", session=session.history) or {}
        if decision.get("failAuthentication") or (decision.get("issueTokens") and session.user_not_found):
            raise _incorrect()
        if decision.get("issueTokens"):
            return {"ChallengeParameters": {}, "AuthenticationResult": await self._tokens(session)}
        challenge = decision.get("challengeName")
        if challenge != CHALLENGE:
            raise CognitoError(
                "InvalidLambdaResponseException", f"challengeName {challenge!r} is not supported locally"
            )
        created = (
            await self._auth_trigger(session, "CreateAuthChallenge", challengeName=CHALLENGE, session=session.history)
            or {}
        )
        session.private = dict(created.get("privateChallengeParameters") or {})
        session.history.append(
            {
                "challengeName": CHALLENGE,
                "challengeResult": False,
                "challengeMetadata": created.get("challengeMetadata"),
            }
        )
        token = secrets.token_urlsafe(96)
        self.sessions[token] = session
        public = {str(k): str(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
        return {
            "ChallengeName": CHALLENGE,
            "Session": token,
            "ChallengeParameters": {**public, "USERNAME": session.user_name},
        }

    async def _auth_trigger(self, auth: AuthSession, key: str, /, **request: Any) -> dict[str, Any] | None:
        """One of the custom-auth triggers, with what every one of them gets."""
        base = {
            "userAttributes": auth.attributes,
            "clientMetadata": auth.client_metadata,
            "userNotFound": auth.user_not_found,
        }
        return await self.trigger(
            auth.pool, key, source=f"{key}_Authentication", user_name=auth.user_name,
            client_id=auth.client.client_id, request=base | request,
        )  # fmt: skip

    async def _tokens(self, session: AuthSession) -> dict[str, Any]:
        request = {
            "UserPoolId": session.pool.pool_id,
            "ClientId": session.client.client_id,
            "Username": session.user_name,
        }
        async with self.stack.session.post(self.stack.emulator + TOKENS_PATH, json=request) as response:
            document = await response.json(content_type=None)
        if response.status != 200:
            raise CognitoError(str(document.get("__type", "InternalErrorException")), str(document.get("message", "")))
        return dict(document)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, s in self.sessions.items() if s.expires_at < now]:
            del self.sessions[token]

    # -- post confirmation ----------------------------------------------------------------------

    async def post_confirmation(self, params: dict[str, Any], source: str) -> None:
        if "UserPoolId" in params:
            pool = self.stack.config.pools.get(str(params["UserPoolId"]))
            client_id = ""
        else:
            found = self.stack.config.pool_of_client(str(params.get("ClientId", "")))
            pool, client_id = (found[0], found[1].client_id) if found else (None, "")
        if pool is None or "PostConfirmation" not in pool.triggers:
            return
        user = await self._user(pool, str(params.get("Username", "")))
        if user is None:
            return
        user_name, attributes, _ = user
        await self.trigger(
            pool, "PostConfirmation", source=source, user_name=user_name, client_id=client_id,
            request={"userAttributes": attributes, "clientMetadata": dict(params.get("ClientMetadata") or {})},
        )  # fmt: skip
