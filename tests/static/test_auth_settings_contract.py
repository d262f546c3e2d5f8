"""The sign-in functions read exactly what modules/stack/auth.tf gives them."""

from __future__ import annotations

import re
from typing import Any

import hcl2

from parley.handlers.auth_create import AuthCreateSettings
from parley.handlers.public_auth import PublicAuthSettings
from parley.settings import BaseSettings
from tests.conftest import ROOT


def _stack(name: str) -> dict[str, Any]:
    with (ROOT / "modules" / "stack" / name).open() as handle:
        return hcl2.load(handle)  # type: ignore[no-any-return]


def _required(settings: type[BaseSettings]) -> set[str]:
    return {name for name, required in settings.env_names().items() if required}


def _common() -> set[str]:
    return set(_stack("main.tf")["locals"][0]["common_environment"])


def test_auth_settings_api_public_gets_every_required_variable() -> None:
    given = _common() | set(_stack("auth.tf")["locals"][0]["auth_public_environment"])
    assert _required(PublicAuthSettings) <= given
    # and nothing it is given goes unread
    assert set(_stack("auth.tf")["locals"][0]["auth_public_environment"]) <= set(PublicAuthSettings.env_names())


def test_auth_settings_code_sender_gets_every_required_variable() -> None:
    module = next(m['"auth_create_function"'] for m in _stack("auth.tf")["module"] if '"auth_create_function"' in m)
    given = _common() | set(re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=", module["environment"]))
    assert _required(AuthCreateSettings) <= given
    assert "AUTH_EMAIL_SENDER" in given


def _actions(statement: dict[str, Any]) -> list[str]:
    return [a.strip('"') for a in statement["actions"]]


def test_auth_settings_sign_in_functions_get_least_privilege() -> None:
    stack = _stack("auth.tf")
    public = stack["locals"][0]["auth_public_statements"]
    assert _actions(public["auth_create_users"]) == ["cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword"]
    assert public["auth_create_users"]["resources"] == ["${module.cognito.user_pool_arn}"]
    assert _actions(public["auth_create_profiles"]) == ["dynamodb:PutItem"]
    sender = next(m['"auth_create_function"'] for m in stack["module"] if '"auth_create_function"' in m)
    statements = sender["policy_statements"]
    assert _actions(statements["send_code"]) == ["ses:SendEmail"]
    assert statements["send_code"]["resources"] == ["${module.cognito.email_identity_arn}"]
    assert _actions(statements["send_limit"]) == ["dynamodb:GetItem", "dynamodb:PutItem"]
    for name in ('"auth_define_function"', '"auth_verify_function"'):
        module = next(m[name] for m in stack["module"] if name in m)
        assert "policy_statements" not in module, f"{name} needs no AWS access"
