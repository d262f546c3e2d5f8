"""adapters/cognito.py against a recording client: the exact Cognito requests, and each error code's AppError."""

from __future__ import annotations

import string
from typing import Any

import pytest
from botocore.exceptions import ClientError

from parley.adapters import cognito
from parley.adapters.cognito import Retry, Tokens
from parley.errors import AppError

RESULT = {"IdToken": "id", "AccessToken": "acc", "ExpiresIn": 300, "RefreshToken": "ref"}


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "text never matched"}}, "Call")


class FakeCognito:
    """Answers each call from ``answers`` (a value, or a ClientError to raise) and records the arguments."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            answer = self.answers.get(name)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeCognito:
    client = FakeCognito()
    monkeypatch.setattr(cognito, "_client", lambda: client)
    return client


def refusal(call: Any, *args: Any) -> tuple[type[AppError], str, str]:
    with pytest.raises(AppError) as refused:
        call(*args)
    return type(refused.value), refused.value.code, refused.value.message


def test_cognito_ensure_user_creates_a_confirmed_user_without_mail(fake: FakeCognito) -> None:
    attributes = [{"Name": "sub", "Value": "s-1"}, {"Name": "email", "Value": "a@x.io"}]
    fake.answers["admin_create_user"] = {"User": {"Attributes": attributes}}
    assert cognito.ensure_user("pool-1", "a@x.io") == {"sub": "s-1", "email": "a@x.io"}
    (create, created), (set_password, password_call) = fake.calls
    assert create == "admin_create_user" and created == {
        "UserPoolId": "pool-1",
        "Username": "a@x.io",
        "UserAttributes": [{"Name": "email", "Value": "a@x.io"}, {"Name": "email_verified", "Value": "true"}],
        "MessageAction": "SUPPRESS",
    }
    password = password_call.pop("Password")
    assert set_password == "admin_set_user_password"
    assert password_call == {"UserPoolId": "pool-1", "Username": "a@x.io", "Permanent": True}
    assert len(password) == 44 and password.endswith("aA1!")
    assert set(password[:40]) <= set(string.ascii_letters + string.digits)


def test_cognito_ensure_user_without_attributes_and_for_an_existing_user(fake: FakeCognito) -> None:
    fake.answers["admin_create_user"] = {"User": {}}
    assert cognito.ensure_user("pool-1", "a@x.io") == {}
    fake.answers["admin_create_user"] = client_error("UsernameExistsException")
    assert cognito.ensure_user("pool-1", "a@x.io") is None
    fake.answers["admin_create_user"] = client_error("NotAuthorizedException")
    assert refusal(cognito.ensure_user, "pool-1", "a@x.io")[1:] == ("sign_in_failed", "sign-in failed")


def test_cognito_random_passwords_differ() -> None:
    assert cognito._random_password() != cognito._random_password()


@pytest.mark.parametrize(
    ("mode", "flow", "parameters"),
    [
        ("custom_auth", "CUSTOM_AUTH", {"USERNAME": "a@x.io"}),
        ("native_email_otp", "USER_AUTH", {"USERNAME": "a@x.io", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    ],
)
def test_cognito_start_sign_in_uses_the_modes_flow(
    fake: FakeCognito, mode: str, flow: str, parameters: dict[str, str]
) -> None:
    fake.answers["initiate_auth"] = {"Session": "sess-1"}
    assert cognito.start_sign_in("client-1", "a@x.io", mode) == "sess-1"
    assert fake.calls == [("initiate_auth", {"ClientId": "client-1", "AuthFlow": flow, "AuthParameters": parameters})]


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("TooManyRequestsException", "too_many_requests", "too many sign-in attempts; try again later"),
        ("LimitExceededException", "too_many_requests", "too many sign-in attempts; try again later"),
        ("TooManyFailedAttemptsException", "too_many_requests", "too many sign-in attempts; try again later"),
        ("UserLambdaValidationException", "code_not_sent", "a code cannot be sent right now; try again later"),
        ("NotAuthorizedException", "sign_in_failed", "sign-in failed; start again"),
        ("UserNotFoundException", "sign_in_failed", "sign-in failed; start again"),
        ("CodeMismatchException", "sign_in_failed", "sign-in failed; start again"),
        ("ExpiredCodeException", "sign_in_failed", "sign-in failed; start again"),
    ],
)
def test_cognito_error_codes_become_stable_app_errors(fake: FakeCognito, code: str, error: str, message: str) -> None:
    fake.answers["initiate_auth"] = client_error(code)
    kind, got_code, got_message = refusal(cognito.start_sign_in, "c", "a@x.io", "custom_auth")
    assert (got_code, got_message) == (error, message)
    assert kind.__name__ == ("TooManyRequests" if error != "sign_in_failed" else "Unauthorized")


def test_cognito_unknown_errors_and_missing_sessions_are_not_hidden(fake: FakeCognito) -> None:
    fake.answers["initiate_auth"] = client_error("InternalErrorException")
    with pytest.raises(ClientError):
        cognito.start_sign_in("c", "a@x.io", "custom_auth")
    for answer in ({}, None, {"Session": ""}):
        fake.answers["initiate_auth"] = answer
        with pytest.raises(RuntimeError, match="no challenge session"):
            cognito.start_sign_in("c", "a@x.io", "custom_auth")


@pytest.mark.parametrize(
    ("mode", "name", "responses"),
    [
        ("custom_auth", "CUSTOM_CHALLENGE", {"USERNAME": "a@x.io", "ANSWER": "123456"}),
        ("native_email_otp", "EMAIL_OTP", {"USERNAME": "a@x.io", "EMAIL_OTP_CODE": "123456"}),
    ],
)
def test_cognito_answer_returns_tokens(fake: FakeCognito, mode: str, name: str, responses: dict[str, str]) -> None:
    fake.answers["respond_to_auth_challenge"] = {"AuthenticationResult": RESULT}
    assert cognito.answer("client-1", "a@x.io", "sess-1", "123456", mode) == Tokens("id", "acc", 300, "ref")
    assert fake.calls == [
        (
            "respond_to_auth_challenge",
            {"ClientId": "client-1", "ChallengeName": name, "Session": "sess-1", "ChallengeResponses": responses},
        )
    ]


def test_cognito_answer_retries_with_the_next_session_or_refuses(fake: FakeCognito) -> None:
    fake.answers["respond_to_auth_challenge"] = {"Session": "sess-2"}
    assert cognito.answer("c", "a@x.io", "sess-1", "1", "custom_auth") == Retry("sess-2")
    fake.answers["respond_to_auth_challenge"] = client_error("CodeMismatchException")
    assert cognito.answer("c", "a@x.io", "sess-1", "1", "native_email_otp") == Retry("sess-1")
    expired = "the code or session is no longer valid (expired, used, or too many tries); start again"
    assert refusal(cognito.answer, "c", "a@x.io", "sess-1", "1", "custom_auth")[1:] == ("sign_in_failed", expired)
    for answer in ({}, None):
        fake.answers["respond_to_auth_challenge"] = answer
        assert refusal(cognito.answer, "c", "a@x.io", "sess-1", "1", "custom_auth")[1:] == ("sign_in_failed", expired)


def test_cognito_refresh_returns_new_tokens_or_refuses(fake: FakeCognito) -> None:
    fake.answers["initiate_auth"] = {"AuthenticationResult": {"IdToken": "id", "AccessToken": "acc"}}
    assert cognito.refresh("client-1", "ref") == Tokens("id", "acc", 3600, None)
    assert fake.calls == [
        (
            "initiate_auth",
            {"ClientId": "client-1", "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": "ref"}},
        )
    ]
    fake.answers["initiate_auth"] = client_error("NotAuthorizedException")
    assert refusal(cognito.refresh, "c", "ref")[1:] == (
        "invalid_refresh_token",
        "the refresh token is invalid, expired or revoked",
    )


def test_cognito_tokens_body_is_a_bearer_token_with_refresh_only_when_given() -> None:
    assert Tokens("i", "a", 60, "r").body() == {
        "id_token": "i",
        "access_token": "a",
        "expires_in": 60,
        "token_type": "Bearer",
        "refresh_token": "r",
    }
    assert "refresh_token" not in Tokens("i", "a", 60).body()


def test_cognito_adapter_calls_the_user_pool_service(aws_mock: None) -> None:
    assert cognito._client().meta.service_model.service_name == "cognito-idp"
