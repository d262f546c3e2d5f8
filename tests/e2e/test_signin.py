"""Sign-in through the runtime: e-mail codes from /_local/mail, real pool tokens, both authorizers, refresh."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.conftest import Deployed, Session


def _tampered(token: str) -> str:
    """The same token with one claim changed: the signature no longer matches."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_signin_two_users_get_pool_tokens_accepted_by_both_authorizers(
    deployed: Deployed, alice: Session, bob: Session
) -> None:
    assert alice.user_id != bob.user_id
    # The tokens are the emulator pool's: its JWKS verifies them and the issuer is the pool's.
    issuer = deployed.outputs["user_pool_issuer_url"]
    for user in (alice, bob):
        me = deployed.http.get("/me", headers={"Authorization": user.tokens["id_token"]})  # no "Bearer" works too
        assert me.status_code == 200 and me.json()["email"] == user.email
        claims = json.loads(base64.urlsafe_b64decode(user.tokens["id_token"].split(".")[1] + "=="))
        assert claims["iss"] == issuer and claims["aud"] == deployed.outputs["user_pool_client_id"]
        with deployed.connect(user) as socket:
            socket.send(json.dumps({"action": "ping", "ref": "p"}))
            assert json.loads(socket.recv(timeout=10))["type"] == "pong"


def test_signin_the_code_mail_and_log_line(deployed: Deployed) -> None:
    session, code = deployed.start_sign_in("carol@example.com")
    mail = deployed.mail("carol@example.com")[0]
    assert mail["to"] == ["carol@example.com"] and mail["subject"] and mail["sent_at"]
    assert code in mail["text"]
    assert code in deployed.runtime.process.log_file.read_text()  # the mail is printed in the runtime log
    assert len(session) >= 20


def test_signin_three_wrong_codes_fail_the_session(deployed: Deployed) -> None:
    email = "dave@example.com"
    session, code = deployed.start_sign_in(email)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(2):
        answer = deployed.http.post("/auth/verify", json={"email": email, "session": session, "code": wrong})
        assert answer.status_code == 401 and answer.json()["error"] == "wrong_code", (attempt, answer.text)
        session = answer.json()["session"]
    third = deployed.http.post("/auth/verify", json={"email": email, "session": session, "code": wrong})
    assert third.status_code == 401 and third.json()["error"] == "sign_in_failed", third.text
    # The session is gone: even the right code no longer works.
    late = deployed.http.post("/auth/verify", json={"email": email, "session": session, "code": code})
    assert late.status_code == 401 and late.json()["error"] == "sign_in_failed"


def test_signin_refresh_gives_new_tokens_the_authorizer_accepts(deployed: Deployed, alice: Session) -> None:
    refreshed = deployed.http.post("/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    tokens = refreshed.json()
    assert tokens["access_token"] != alice.tokens["access_token"]
    me = deployed.http.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == alice.user_id
    bad = deployed.http.post("/auth/refresh", json={"refresh_token": "not-a-refresh-token"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_refresh_token"


def test_signin_tampered_or_missing_token_is_refused_by_both_authorizers(deployed: Deployed, alice: Session) -> None:
    forged = _tampered(alice.tokens["access_token"])
    for headers in ({"Authorization": f"Bearer {forged}"}, {"Authorization": "Bearer x.y.z"}, {}):
        refused = deployed.http.get("/me", headers=headers)
        assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}, headers
    with pytest.raises(InvalidStatus) as denied:
        connect(f"{deployed.websocket_url}?token={forged}", open_timeout=30)
    assert denied.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as missing:
        connect(deployed.websocket_url, open_timeout=30)
    assert missing.value.response.status_code == 401


def test_signin_post_confirmation_trigger_creates_the_profile(deployed: Deployed) -> None:
    # A client that signs up through Cognito itself (here boto3 against the runtime's Cognito endpoint).
    cognito = boto3.client(
        "cognito-idp", endpoint_url=f"{deployed.runtime.endpoint}/_local/aws/cognito-idp", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    pool, client = deployed.outputs["user_pool_id"], deployed.outputs["user_pool_client_id"]
    cognito.sign_up(ClientId=client, Username="erin@example.com", Password="Passw0rd!long-enough",
                    UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])  # fmt: skip
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="erin@example.com")
    sub = next(
        a["Value"]
        for a in cognito.admin_get_user(UserPoolId=pool, Username="erin@example.com")["UserAttributes"]
        if a["Name"] == "sub"
    )
    # The trigger made the profile, so the first code sign-in finds it.
    erin = deployed.sign_in("erin@example.com")
    assert erin.user_id == sub
    profile = deployed.http.get("/me", headers=erin.headers).json()
    assert profile["email"] == "erin@example.com" and profile.get("created_at"), profile
