"""The Cognito custom-auth triggers and the post-confirmation trigger, with recorded event shapes."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from parley.adapters import aws
from parley.domain import keys, otp
from parley.handlers import auth_create, auth_define, auth_post_confirmation, auth_verify
from tests.unit.auth_support import SENDER_ENV, captured_logs, code_in, sent_messages
from tests.unit.conftest import load_event

SUB = "7f3c1a52-3e2b-4c8e-9a61-2b1d0c9e8f70"


def attempt(result: bool, code: str = "123456", expires_at: int | None = None) -> dict[str, Any]:
    metadata = f"CODE-{code}" if expires_at is None else f"CODE-{code}-{expires_at}"
    return {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": result, "challengeMetadata": metadata}


@pytest.fixture
def mail(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sender's SES identity exists and the code sender has its settings."""
    for key, value in SENDER_ENV.items():
        monkeypatch.setenv(key, value)
    aws.client("sesv2").create_email_identity(EmailIdentity="no-reply@example.com")


def define(session: list[dict[str, Any]], context: Any, **request: Any) -> dict[str, Any]:
    event = load_event("cognito_define_auth_challenge")
    event["request"]["session"] = session
    event["request"].update(request)
    return auth_define.handler(event, context)["response"]  # type: ignore[no-any-return]


# --- DefineAuthChallenge ----------------------------------------------------------


def test_auth_define_first_step_issues_a_custom_challenge(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = define([], lambda_context)
    assert response == {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}


def test_auth_define_issues_tokens_after_a_right_answer(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = define([attempt(False), attempt(True)], lambda_context)
    assert response["issueTokens"] is True and response["failAuthentication"] is False


@pytest.mark.parametrize("wrong", [1, 2])
def test_auth_define_asks_again_while_tries_are_left(app_env, lambda_context, wrong: int) -> None:  # type: ignore[no-untyped-def]
    response = define([attempt(False)] * wrong, lambda_context)
    assert response["challengeName"] == "CUSTOM_CHALLENGE" and response["failAuthentication"] is False


def test_auth_define_fails_after_three_wrong_answers(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = define([attempt(False)] * 3, lambda_context)
    assert response["failAuthentication"] is True and response["issueTokens"] is False


def test_auth_define_fails_sessions_with_other_challenges(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    srp = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
    assert define([srp], lambda_context)["failAuthentication"] is True


def test_auth_define_never_issues_tokens_for_an_unknown_user(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given an address with no user (Cognito hides it with userNotFound) / Then it is challenged like any other
    assert define([], lambda_context, userNotFound=True)["challengeName"] == "CUSTOM_CHALLENGE"
    assert define([attempt(True)], lambda_context, userNotFound=True)["issueTokens"] is False


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.update(triggerSource="PreSignUp_SignUp"),
        lambda e: e.pop("request"),
        lambda e: e["request"].update(session="nope"),
        lambda e: e["request"].update(session=[{"challengeResult": True}]),
        lambda e: e["request"].update(userAttributes=None),
    ],
    ids=["wrong_trigger", "no_request", "session_not_list", "entry_without_name", "no_attributes"],
)
def test_auth_define_fails_unexpected_shapes_safely(app_env, lambda_context, mutate) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_define_auth_challenge")
    mutate(event)
    response = auth_define.handler(event, lambda_context)["response"]
    assert response == {"issueTokens": False, "failAuthentication": True}


# --- CreateAuthChallenge ----------------------------------------------------------


def create(session: list[dict[str, Any]], context: Any, **request: Any) -> dict[str, Any]:
    event = load_event("cognito_create_auth_challenge")
    event["request"]["session"] = session
    event["request"].update(request)
    return auth_create.handler(event, context)["response"]  # type: ignore[no-any-return]


def test_auth_create_mails_a_six_digit_code_on_the_first_attempt(mail, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # When the first challenge of a session is created
    before = int(time.time())
    response = create([], lambda_context)
    after = int(time.time())
    # Then one mail goes to the user with the code, which only the private side knows
    messages = sent_messages()
    assert len(messages) == 1
    assert messages[0].destinations["ToAddresses"] == ["ada@example.com"]
    code = code_in(messages[0])
    assert otp.is_code(code)
    # And it may be answered for AUTH_CODE_VALID_MINUTES (3): its expiry travels with it, privately
    expires_at = int(response["privateChallengeParameters"]["expires_at"])
    assert before + 180 <= expires_at <= after + 180
    assert response["privateChallengeParameters"] == {"code": code, "expires_at": str(expires_at)}
    assert response["challengeMetadata"] == f"CODE-{code}-{expires_at}"
    assert code not in str(response["publicChallengeParameters"])


def test_auth_create_reuses_the_code_on_retries_without_mailing_again(mail, lambda_context) -> None:  # type: ignore[no-untyped-def]
    first = create([], lambda_context)
    code = first["privateChallengeParameters"]["code"]
    expires_at = int(first["privateChallengeParameters"]["expires_at"])
    # When the user got the code wrong once and twice
    second = create([attempt(False, code, expires_at)], lambda_context)
    third = create([attempt(False, code, expires_at), attempt(False, code, expires_at)], lambda_context)
    # Then the same code, with the same expiry, is asked for and SES was called once
    assert second["privateChallengeParameters"] == first["privateChallengeParameters"]
    assert third["challengeMetadata"] == first["challengeMetadata"] == f"CODE-{code}-{expires_at}"
    assert len(sent_messages()) == 1


def test_auth_create_never_logs_the_code(mail, lambda_context) -> None:  # type: ignore[no-untyped-def]
    with captured_logs() as lines:
        response = create([], lambda_context)
        code = response["privateChallengeParameters"]["code"]
        create([attempt(False, code)], lambda_context)
        event = load_event("cognito_verify_auth_challenge")
        event["request"]["privateChallengeParameters"] = {"code": code}
        event["request"]["challengeAnswer"] = code
        auth_verify.handler(event, lambda_context)
    assert lines, "the handlers logged nothing: the check would prove nothing"
    assert not [line for line in lines if code in line]


def test_auth_create_sends_nothing_for_an_unknown_user(mail, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = create([], lambda_context, userNotFound=True, userAttributes={})
    assert response["publicChallengeParameters"] == {"delivery": "EMAIL"}
    assert sent_messages() == []


def test_auth_create_limits_code_mails_per_user(mail, table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a user who started MAX_SENDS_PER_WINDOW sign-ins
    before = int(time.time())
    for _ in range(otp.MAX_SENDS_PER_WINDOW):
        create([], lambda_context)
    after = int(time.time())
    # When one more starts / Then no mail goes out and the start fails clearly
    with pytest.raises(auth_create.CodeNotSent):
        create([], lambda_context)
    assert len(sent_messages()) == otp.MAX_SENDS_PER_WINDOW
    window = table.get_item(Key={"PK": keys.user(SUB), "SK": keys.OTP_SENDS})["Item"]
    assert window["sends"] == otp.MAX_SENDS_PER_WINDOW and before <= window["started_at"] <= after
    assert window["TTL"] == window["started_at"] + 15 * 60  # the window lasts 15 minutes, then TTL drops it


def test_auth_create_answers_unexpected_shapes_with_an_unanswerable_challenge(mail, lambda_context) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_create_auth_challenge")
    event["request"]["challengeName"] = "PASSWORD_VERIFIER"
    response = auth_create.handler(event, lambda_context)["response"]
    assert response["privateChallengeParameters"] == {}
    assert sent_messages() == []


# --- VerifyAuthChallengeResponse ----------------------------------------------------


def verify(answer: Any, context: Any, expected: str = "042917", **request: Any) -> bool:
    event = load_event("cognito_verify_auth_challenge")
    event["request"]["privateChallengeParameters"] = {"code": expected}
    event["request"]["challengeAnswer"] = answer
    event["request"].update(request)
    return auth_verify.handler(event, context)["response"]["answerCorrect"]  # type: ignore[no-any-return]


def test_auth_verify_accepts_the_right_code(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    assert verify("042917", lambda_context) is True
    assert verify(" 042917 ", lambda_context) is True


FULLWIDTH_CODE = "\uff10\uff14\uff12\uff19\uff11\uff17"


@pytest.mark.parametrize("answer", ["042918", "42917", "0429170", "", None, 42917, FULLWIDTH_CODE, "04291x"])
def test_auth_verify_rejects_wrong_or_malformed_answers(app_env, lambda_context, answer: Any) -> None:  # type: ignore[no-untyped-def]
    assert verify(answer, lambda_context) is False


def test_auth_verify_rejects_everything_for_an_unknown_user(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    assert verify("042917", lambda_context, userNotFound=True) is False


def test_auth_verify_compares_in_constant_time(app_env, lambda_context, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    compared: list[tuple[bytes, bytes]] = []
    real = otp.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(otp.hmac, "compare_digest", spy)
    assert verify("042917", lambda_context) is True
    assert compared == [(b"042917", b"042917")]


def test_auth_verify_refuses_the_right_code_once_it_expired(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time())
    assert verify("042917", lambda_context, privateChallengeParameters={"code": "042917", "expires_at": str(now + 60)})
    for expired in (now, now - 1):
        private = {"code": "042917", "expires_at": str(expired)}
        assert verify("042917", lambda_context, privateChallengeParameters=private) is False
    garbled = {"code": "042917", "expires_at": "soon"}
    assert verify("042917", lambda_context, privateChallengeParameters=garbled) is False


def test_auth_define_ends_the_session_once_its_code_expired(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time())
    # A wrong answer while the code is valid asks again; once it expired, the session fails
    assert define([attempt(False, expires_at=now + 60)], lambda_context)["challengeName"] == "CUSTOM_CHALLENGE"
    response = define([attempt(False, expires_at=now - 1)], lambda_context)
    assert response["failAuthentication"] is True and response["issueTokens"] is False


def test_auth_verify_rejects_events_without_private_parameters(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_verify_auth_challenge")
    del event["request"]["privateChallengeParameters"]
    assert auth_verify.handler(event, lambda_context)["response"] == {"answerCorrect": False}


# --- PostConfirmation ----------------------------------------------------------------


def test_auth_post_confirmation_creates_the_profile_once(table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_post_confirmation")
    # When the trigger runs twice (Cognito retries)
    assert auth_post_confirmation.handler(copy.deepcopy(event), lambda_context) == event
    table.update_item(
        Key={"PK": keys.user(SUB), "SK": keys.PROFILE},
        UpdateExpression="SET display_name = :n",
        ExpressionAttributeValues={":n": "Countess"},
    )
    auth_post_confirmation.handler(copy.deepcopy(event), lambda_context)
    # Then the profile exists, findable by email, and the second run changed nothing
    item = table.get_item(Key={"PK": keys.user(SUB), "SK": keys.PROFILE})["Item"]
    assert item["GSI1PK"] == "EMAIL#ada@example.com" and item["GSI1SK"] == keys.user(SUB)
    assert item["email"] == "ada@example.com" and item["display_name"] == "Countess"


def test_auth_post_confirmation_ignores_password_resets(table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_post_confirmation", triggerSource="PostConfirmation_ConfirmForgotPassword")
    auth_post_confirmation.handler(event, lambda_context)
    assert "Item" not in table.get_item(Key={"PK": keys.user(SUB), "SK": keys.PROFILE})


def test_auth_post_confirmation_returns_unexpected_shapes_untouched(table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_post_confirmation")
    del event["request"]["userAttributes"]["sub"]
    assert auth_post_confirmation.handler(copy.deepcopy(event), lambda_context) == event
    assert table.scan()["Count"] == 0
