"""The sign-in functions read exactly what modules/stack/auth.tf gives them."""

from __future__ import annotations

from typing import Any

from parley.handlers.auth_create import AuthCreateSettings
from parley.handlers.public_auth import PublicAuthSettings
from parley.settings import BaseSettings
from tests.conftest import ROOT
from tools import hcl


def _stack(name: str) -> dict[str, Any]:
    return hcl.load(ROOT / "modules" / "stack" / name)


def _required(settings: type[BaseSettings]) -> set[str]:
    return {name for name, required in settings.env_names().items() if required}


def _common() -> set[str]:
    return set(_stack("main.tf")["locals"][0]["common_environment"])


def test_auth_settings_api_public_gets_every_required_variable() -> None:
    given = _common() | set(_stack("auth.tf")["locals"][0]["auth_public_environment"])
    assert _required(PublicAuthSettings) <= given
    # and nothing it is given goes unread
    assert set(_stack("auth.tf")["locals"][0]["auth_public_environment"]) <= set(PublicAuthSettings.env_names())


def _trigger_specs() -> dict[str, Any]:
    """The sign-in trigger functions' entries of the function map (modules/stack/auth.tf)."""
    return next(block["auth_trigger_specs"] for block in _stack("auth.tf")["locals"] if "auth_trigger_specs" in block)  # type: ignore[no-any-return]


def test_auth_settings_code_sender_gets_every_required_variable() -> None:
    given = _common() | set(_trigger_specs()["auth_create"]["environment"])
    assert _required(AuthCreateSettings) <= given
    assert "AUTH_EMAIL_SENDER" in given


def _actions(statement: dict[str, Any]) -> list[str]:
    return [a.strip('"') for a in statement["actions"]]


def test_auth_settings_sign_in_functions_get_least_privilege() -> None:
    stack = _stack("auth.tf")
    public = stack["locals"][0]["auth_sign_up_statements"]
    # api_public gets them only with e-mail sign-in (Google users are created by Cognito)
    assert stack["locals"][0]["auth_public_statements"] == "${local.auth_email ? local.auth_sign_up_statements : {}}"
    assert _actions(public["auth_create_users"]) == ["cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword"]
    assert public["auth_create_users"]["resources"] == ["${module.cognito.user_pool_arn}"]
    assert _actions(public["auth_create_profiles"]) == ["dynamodb:PutItem"]
    statements = _trigger_specs()["auth_create"]["statements"]
    assert _actions(statements["send_code"]) == ["ses:SendEmail"]
    assert statements["send_code"]["resources"] == ["${module.cognito.email_identity_arn}"]
    assert _actions(statements["send_limit"]) == ["dynamodb:GetItem", "dynamodb:PutItem"]
    for name in ("auth_define", "auth_verify"):
        assert "statements" not in _trigger_specs()[name], f"{name} needs no AWS access"
