"""POST /auth/login, /auth/verify and /auth/refresh on api_public, against moto's Cognito.

moto runs no Cognito triggers, so the custom-auth part of Cognito is played by
``TriggerDrivenCognito`` (tests/unit/auth_support.py), which calls the real
trigger handlers; users, tokens and refresh are moto's.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from parley.adapters import aws, cognito
from parley.domain import keys, limits, otp
from parley.handlers import api_public
from tests.unit.auth_support import SENDER_ENV, TriggerDrivenCognito, code_in, sent_messages
from tests.unit.conftest import http_event, response_json


@pytest.fixture
def engine(table: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> TriggerDrivenCognito:
    """A moto user pool and web client like the module's, with the triggers driven in-process."""
    idp = aws.client("cognito-idp")
    pool_id = idp.create_user_pool(
        PoolName="parley-test-users", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="parley-test-web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    aws.client("sesv2").create_email_identity(EmailIdentity="no-reply@example.com")
    for key, value in {**SENDER_ENV, "USER_POOL_ID": pool_id, "USER_POOL_CLIENT_ID": client_id}.items():
        monkeypatch.setenv(key, value)
    driven = TriggerDrivenCognito(idp, pool_id, lambda_context)
    monkeypatch.setattr(cognito, "_client", lambda: driven)
    return driven


def post(path: str, body: Any, context: Any) -> tuple[int, Any]:
    response = api_public.handler(http_event("POST", path, body), context)
    return response["statusCode"], response_json(response)


def login(email: str, context: Any) -> str:
    status, body = post("/auth/login", {"email": email}, context)
    assert status == 200, body
    return str(body["session"])


def test_public_auth_login_creates_a_new_user_and_mails_a_code(engine, table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # When a new address signs in
    status, body = post("/auth/login", {"email": " Ada@Example.com "}, lambda_context)
    # Then a session comes back and one code mail went to the normalised address
    assert status == 200
    assert set(body) == {"session", "delivery", "expires_in"} and body["expires_in"] == 180
    assert [m.destinations["ToAddresses"] for m in sent_messages()] == [["ada@example.com"]]
    # And the user exists, confirmed with a verified email, with a profile item
    user = engine.real.admin_get_user(UserPoolId=engine.user_pool_id, Username="ada@example.com")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true" and user["UserStatus"] == "CONFIRMED"
    profile = table.get_item(Key={"PK": keys.user(attributes["sub"]), "SK": keys.PROFILE})["Item"]
    assert profile["email"] == "ada@example.com"


def test_public_auth_verify_with_the_mailed_code_returns_tokens_and_refresh_works(engine, lambda_context) -> None:  # type: ignore[no-untyped-def]
    session = login("ada@example.com", lambda_context)
    code = code_in(sent_messages()[-1])
    # When the code from the mail is sent back
    status, tokens = post(
        "/auth/verify", {"email": "ada@example.com", "session": session, "code": code}, lambda_context
    )
    # Then the client gets id, access and refresh tokens
    assert status == 200, tokens
    assert {"id_token", "access_token", "refresh_token", "expires_in"} <= set(tokens)
    assert tokens["token_type"] == "Bearer"
    # And the refresh token gives new id and access tokens
    status, refreshed = post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}, lambda_context)
    assert status == 200, refreshed
    assert refreshed["access_token"] and "refresh_token" not in refreshed


def test_public_auth_second_login_of_a_known_user_keeps_the_profile(engine, table, lambda_context) -> None:  # type: ignore[no-untyped-def]
    login("ada@example.com", lambda_context)
    login("ada@example.com", lambda_context)
    assert len(engine.real.list_users(UserPoolId=engine.user_pool_id)["Users"]) == 1
    assert len(sent_messages()) == 2


def test_public_auth_wrong_code_answers_401_with_a_session_to_retry(engine, lambda_context) -> None:  # type: ignore[no-untyped-def]
    session = login("ada@example.com", lambda_context)
    code = code_in(sent_messages()[-1])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    status, body = post("/auth/verify", {"email": "ada@example.com", "session": session, "code": wrong}, lambda_context)
    assert status == 401 and body["error"] == "wrong_code" and body["session"] != session
    # The retry asks for the same code: no second mail
    status, tokens = post(
        "/auth/verify", {"email": "ada@example.com", "session": body["session"], "code": code}, lambda_context
    )
    assert status == 200 and tokens["access_token"]
    assert len(sent_messages()) == 1


def test_public_auth_three_wrong_codes_end_the_session(engine, lambda_context) -> None:  # type: ignore[no-untyped-def]
    session = login("ada@example.com", lambda_context)
    code = code_in(sent_messages()[-1])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    statuses = []
    for _ in range(otp.MAX_ATTEMPTS):
        status, body = post(
            "/auth/verify", {"email": "ada@example.com", "session": session, "code": wrong}, lambda_context
        )
        statuses.append((status, body["error"]))
        session = body.get("session", session)
    assert statuses == [(401, "wrong_code"), (401, "wrong_code"), (401, "sign_in_failed")]
    # Even the right code cannot revive it
    status, body = post("/auth/verify", {"email": "ada@example.com", "session": session, "code": code}, lambda_context)
    assert status == 401 and body["error"] == "sign_in_failed"


def test_public_auth_replayed_session_is_refused(app_env, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given Cognito, which accepts a sign-in session once and answers a replay as it documents
    for key, value in {"USER_POOL_ID": "us-east-1_Pool", "USER_POOL_CLIENT_ID": "client1"}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("cognito-idp", region_name="us-east-1")
    stub = Stubber(client)
    expected = {
        "ClientId": "client1",
        "ChallengeName": "CUSTOM_CHALLENGE",
        "Session": SESSION,
        "ChallengeResponses": {"USERNAME": "ada@example.com", "ANSWER": "123456"},
    }
    tokens = {"IdToken": "id", "AccessToken": "access", "RefreshToken": "refresh", "ExpiresIn": 3600}
    stub.add_response("respond_to_auth_challenge", {"AuthenticationResult": tokens}, expected)
    stub.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="NotAuthorizedException",
        service_message="Invalid session for the user, session can only be used once.",
        http_status_code=400,
        expected_params=expected,
    )
    monkeypatch.setattr(cognito, "_client", lambda: client)
    answer = {"email": "ada@example.com", "session": SESSION, "code": "123456"}
    with stub:
        # When the same answer is sent twice
        first = post("/auth/verify", answer, lambda_context)
        status, body = post("/auth/verify", answer, lambda_context)
    # Then the replay is a 401 sign_in_failed and shows nothing of Cognito's answer
    assert first[0] == 200
    assert (status, body["error"]) == (401, "sign_in_failed") and set(body) == {"error", "message"}
    assert "Cognito" not in body["message"] and "once" not in body["message"]
    stub.assert_no_pending_responses()


def test_public_auth_expired_code_ends_the_sign_in(engine, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given a code mailed at sign-in, valid AUTH_CODE_VALID_MINUTES (3)
    session = login("ada@example.com", lambda_context)
    answer = {"email": "ada@example.com", "session": session, "code": code_in(sent_messages()[-1])}
    # When the right code arrives after its 3 minutes
    issued = time.time()
    monkeypatch.setattr(time, "time", lambda: issued + 3 * 60 + 1)
    status, body = post("/auth/verify", answer, lambda_context)
    # Then the triggers refuse it and end the session: start again
    assert (status, body["error"]) == (401, "sign_in_failed")


def test_public_auth_unknown_email_answers_like_a_known_one(engine, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given sign-up at first login switched off, and one known user
    monkeypatch.setenv("AUTH_AUTO_SIGN_UP", "false")
    engine.real.admin_create_user(UserPoolId=engine.user_pool_id, Username="ada@example.com", MessageAction="SUPPRESS")
    # When a known and an unknown address sign in
    known = api_public.handler(http_event("POST", "/auth/login", {"email": "ada@example.com"}), lambda_context)
    unknown = api_public.handler(http_event("POST", "/auth/login", {"email": "nobody@example.com"}), lambda_context)
    # Then both answers have the same status and shape
    assert known["statusCode"] == unknown["statusCode"] == 200
    assert set(response_json(known)) == set(response_json(unknown))
    assert len(response_json(known)["session"]) == len(response_json(unknown)["session"])
    # And no guess of the unknown user's code gets in, and nobody else got mail
    assert [m.destinations["ToAddresses"] for m in sent_messages()] == [["ada@example.com"]]
    session = response_json(unknown)["session"]
    status, body = post(
        "/auth/verify", {"email": "nobody@example.com", "session": session, "code": "000000"}, lambda_context
    )
    assert status == 401 and body["error"] == "wrong_code"


def test_public_auth_send_limit_answers_429(engine, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUTH_LOGINS_PER_ADDRESS", str(otp.MAX_SENDS_PER_WINDOW + 1))  # the mail limit comes first
    for _ in range(otp.MAX_SENDS_PER_WINDOW):
        login("ada@example.com", lambda_context)
    status, body = post("/auth/login", {"email": "ada@example.com"}, lambda_context)
    assert status == 429 and body["error"] == "code_not_sent"


SESSION = "A" * 40


@pytest.mark.parametrize(
    "case",
    [
        ("/auth/login", "{not json", 400, "invalid_json"),
        ("/auth/login", "[1, 2]", 400, "invalid_json"),
        ("/auth/login", {}, 400, "missing_field"),
        ("/auth/login", {"email": 42}, 400, "invalid_email"),
        ("/auth/login", {"email": "not-an-email"}, 400, "invalid_email"),
        ("/auth/login", {"email": "a@b"}, 400, "invalid_email"),
        ("/auth/login", {"email": "x" * 250 + "@example.com"}, 400, "invalid_email"),
        ("/auth/login", {"email": "x" * 65 + "@example.com"}, 400, "invalid_email"),
        ("/auth/login", {"email": "a..b@example.com"}, 400, "invalid_email"),
        ("/auth/login", {"email": ".ab@example.com"}, 400, "invalid_email"),
        ("/auth/login", {"email": "ab.@example.com"}, 400, "invalid_email"),
        ("/auth/login", {"email": "ab@example.123"}, 400, "invalid_email"),
        ("/auth/login", {"email": "ab@example.com", "x": "\ud800"}, 400, "invalid_json"),
        ("/auth/login", {"email": "a@example.com", "pad": "x" * 70_000}, 413, "payload_too_large"),
        ("/auth/verify", {"email": "a@example.com", "code": "123456"}, 400, "missing_field"),
        ("/auth/verify", {"email": "a@example.com", "session": "short", "code": "123456"}, 400, "invalid_session"),
        ("/auth/verify", {"email": "a@example.com", "session": "x" * 5000, "code": "123456"}, 400, "invalid_session"),
        ("/auth/verify", {"email": "a@example.com", "session": SESSION, "code": "12345"}, 400, "invalid_code"),
        ("/auth/verify", {"email": "a@example.com", "session": SESSION, "code": 123456}, 400, "invalid_code"),
        ("/auth/verify", {"email": "a@example.com", "session": SESSION, "code": "123456"}, 401, "sign_in_failed"),
        ("/auth/refresh", {}, 400, "missing_field"),
        ("/auth/refresh", {"refresh_token": "bad token!"}, 400, "invalid_refresh_token"),
        ("/auth/refresh", {"refresh_token": "eyJ.unknown.token"}, 401, "invalid_refresh_token"),
    ],
)
def test_public_auth_bad_input_is_a_stable_4xx_json_error(engine, lambda_context, case) -> None:  # type: ignore[no-untyped-def]
    path, body, status, error = case
    got_status, got = post(path, body, lambda_context)
    assert (got_status, got["error"]) == (status, error)
    assert set(got) == {"error", "message"} and "Traceback" not in got["message"]
    assert sent_messages() == []


def test_public_auth_an_address_cognito_refuses_is_a_400_and_creates_nothing(
    engine, table, lambda_context, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Given a pool that refuses an address our own check lets through
    def refuse(**kwargs: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "InvalidParameterException", "Message": "Invalid email address format."}},
            "AdminCreateUser",
        )

    monkeypatch.setattr(engine.real, "admin_create_user", refuse)
    # When it signs in
    status, body = post("/auth/login", {"email": "ada+x@example.com"}, lambda_context)
    # Then the answer is the address error, no mail went out and no profile was written
    assert (status, body["error"]) == (400, "invalid_email")
    assert sent_messages() == []
    assert not [i for i in table.scan()["Items"] if i["SK"] == keys.PROFILE]


def test_public_auth_native_mode_uses_cognito_email_otp(table, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given the native EMAIL_OTP mode
    for key, value in {
        "USER_POOL_ID": "us-east-1_Pool",
        "USER_POOL_CLIENT_ID": "client1",
        "AUTH_SIGN_IN_MODE": "native_email_otp",
        "AUTH_AUTO_SIGN_UP": "false",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("cognito-idp", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "EMAIL_OTP", "Session": SESSION, "ChallengeParameters": {}},
        {
            "ClientId": "client1",
            "AuthFlow": "USER_AUTH",
            "AuthParameters": {"USERNAME": "ada@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
        },
    )
    stub.add_client_error("respond_to_auth_challenge", service_error_code="CodeMismatchException", http_status_code=400)
    stub.add_response(
        "respond_to_auth_challenge",
        {
            "AuthenticationResult": {
                "IdToken": "id",
                "AccessToken": "access",
                "RefreshToken": "refresh",
                "ExpiresIn": 3600,
            }
        },
        {
            "ClientId": "client1",
            "ChallengeName": "EMAIL_OTP",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "ada@example.com", "EMAIL_OTP_CODE": "123456"},
        },
    )
    monkeypatch.setattr(cognito, "_client", lambda: client)
    with stub:
        # When the user signs in, gets the code wrong once, then right
        session = login("ada@example.com", lambda_context)
        status, body = post(
            "/auth/verify", {"email": "ada@example.com", "session": session, "code": "654321"}, lambda_context
        )
        assert (status, body["error"], body["session"]) == (401, "wrong_code", SESSION)
        status, tokens = post(
            "/auth/verify", {"email": "ada@example.com", "session": session, "code": "123456"}, lambda_context
        )
    # Then Cognito's own flow was used and the tokens come back
    assert tokens == {
        "id_token": "id",
        "access_token": "access",
        "refresh_token": "refresh",
        "expires_in": 3600,
        "token_type": "Bearer",
    }
    assert status == 200
    stub.assert_no_pending_responses()


# --- sign-in abuse limits -------------------------------------------------------------------------------------


def login_response(email: str, context: Any, source_ip: str = "203.0.113.7") -> dict[str, Any]:
    event = http_event("POST", "/auth/login", {"email": email})
    event["requestContext"]["http"]["sourceIp"] = source_ip
    return api_public.handler(event, context)  # type: ignore[no-any-return]


def test_public_auth_login_limit_per_address_is_429_with_retry_after_for_known_and_unknown_alike(
    engine, table, lambda_context, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Given a limit of 3 sign-ins per address and window, and one address that has a user already
    monkeypatch.setenv("AUTH_LOGINS_PER_ADDRESS", "3")
    login("known@example.com", lambda_context)
    refused = {}
    for address, used in (("known@example.com", 1), ("unknown@example.com", 0)):
        for _ in range(3 - used):
            assert login_response(address, lambda_context)["statusCode"] == 200
        # When the address signs in once more in the window
        response = login_response(address, lambda_context)
        refused[address] = (response["statusCode"], response_json(response), response["headers"]["Retry-After"])
    # Then both answers are the same 429 with the seconds left in the window
    (known, unknown) = refused.values()
    assert known[:2] == unknown[:2] == (429, {"error": "rate_limited", "message": known[1]["message"]})
    assert all(1 <= int(r[2]) <= 900 for r in refused.values())
    # And no mail was sent for the refused requests: 3 to each address
    assert (
        sorted(m.destinations["ToAddresses"][0] for m in sent_messages())
        == ["known@example.com"] * 3 + ["unknown@example.com"] * 3
    )


def test_public_auth_login_limit_per_source_ip_counts_every_address(engine, lambda_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUTH_LOGINS_PER_SOURCE_IP", "3")
    for n in range(3):
        assert login_response(f"user{n}@example.com", lambda_context)["statusCode"] == 200
    # One client trying a fourth address is refused; another client is not
    assert login_response("user3@example.com", lambda_context)["statusCode"] == 429
    assert login_response("user3@example.com", lambda_context, source_ip="198.51.100.9")["statusCode"] == 200


def test_public_auth_daily_new_account_cap_creates_no_user_and_reveals_nothing(
    engine, table, lambda_context, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    # Given a cap of one new account a day
    monkeypatch.setenv("AUTH_NEW_ACCOUNTS_PER_DAY", "1")
    first = login_response("first@example.com", lambda_context)
    assert '"NewAccountsToday":[1.0]' in capsys.readouterr().out  # the metric the alarm reads
    login("first@example.com", lambda_context)  # an address with a user takes no slot
    # When a second new address signs in
    second = login_response("second@example.com", lambda_context)
    # Then it gets the same answer as any address, but no user, no profile and no mail
    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert set(response_json(second)) == set(response_json(first)) == {"session", "delivery", "expires_in"}
    with pytest.raises(ClientError):
        engine.real.admin_get_user(UserPoolId=engine.user_pool_id, Username="second@example.com")
    assert [m.destinations["ToAddresses"] for m in sent_messages()] == [["first@example.com"]] * 2
    day = limits.day_of(int(time.time()))
    count = table.get_item(Key={"PK": keys.new_accounts(day), "SK": keys.COUNT})["Item"]
    assert count["accounts"] == 1 and count["TTL"] > time.time() + 86_400


def test_limits_window_and_retry_after() -> None:
    limit = limits.Limit(limits.ADDRESS, 5, 900)
    assert limit.window_start(1800 + 100) == 1800
    assert limit.retry_after(1800 + 100) == 800
    assert limit.retry_after(1800 + 899) == 1
    assert limits.refused(limit, 1800).retry_after_seconds == 900
