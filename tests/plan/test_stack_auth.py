"""Plan checks of the sign-in wiring in modules/stack (auth.tf) and the environments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plan.harness import ModulePlan, PlanSession, index_plan


def _functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v["values"]["function_name"]: v["values"] for v in resources.values() if v["type"] == "aws_lambda_function"}


def test_stack_auth_custom_mode_deploys_the_four_trigger_functions(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    functions = _functions(case.resources)
    for name in ("auth-define", "auth-create", "auth-verify", "auth-post-confirmation"):
        fn = functions[f"parley-dev-{name}"]
        assert fn["timeout"] == 5, name
        assert fn["handler"] == f"parley.handlers.{name.replace('-', '_')}.handler"
    create_env = functions["parley-dev-auth-create"]["environment"][0]["variables"]
    assert create_env["AUTH_EMAIL_SENDER"] == "parley <no-reply@example.com>"
    assert create_env["AUTH_CODE_VALID_MINUTES"] == "3"
    # Cognito may invoke each of them, from the pool only (its ARN is known after apply), and nothing else
    permissions = {
        address.split('module.function["')[1].split('"]')[0]: v
        for address, v in case.of_type("aws_lambda_permission").items()
        if v["values"]["principal"] == "cognito-idp.amazonaws.com"
    }
    expected = {
        "auth_define": "AllowCognito-define-auth-challenge",
        "auth_create": "AllowCognito-create-auth-challenge",
        "auth_verify": "AllowCognito-verify-auth-challenge-response",
        "auth_post_confirmation": "AllowCognito-post-confirmation",
    }
    assert {key: p["values"]["statement_id"] for key, p in permissions.items()} == expected
    for permission in permissions.values():
        assert permission["values"]["action"] == "lambda:InvokeFunction"
        # the function's ARN and the pool's ARN are known after apply
        assert (
            permission["after_unknown"]["function_name"] is True and permission["after_unknown"]["source_arn"] is True
        )
    # The pool names the four triggers by ARN (the account is known after apply)
    (pool_plan,) = case.of_type("aws_cognito_user_pool").values()
    assert {k for k, v in pool_plan["after_unknown"]["lambda_config"][0].items() if v is True} >= {
        "define_auth_challenge",
        "create_auth_challenge",
        "verify_auth_challenge_response",
        "post_confirmation",
    }
    pool = case.one("aws_cognito_user_pool")
    assert pool["name"] == "parley-dev-users" and pool["deletion_protection"] == "INACTIVE"


def test_stack_auth_existing_identity_is_used_as_is(plans: PlanSession) -> None:
    case = plans.case("stack", "auth_existing_identity")
    assert case.count("aws_sesv2_email_identity") == 0
    pool = case.one("aws_cognito_user_pool")
    assert pool["email_configuration"][0]["source_arn"] == "arn:aws:ses:eu-west-1:123456789012:identity/example.org"
    sender = next(
        v
        for v in case.of_type("aws_lambda_function").values()
        if v["values"]["function_name"] == "parley-stage-auth-create"
    )
    assert sender["values"]["environment"][0]["variables"]["AUTH_EMAIL_SENDER"] == "parley <login@example.org>"


def test_stack_auth_api_public_environment_waits_for_the_pool(plans: PlanSession) -> None:
    # The pool ids are only known after apply, so api_public's environment is too
    case = plans.case("stack", "auth_native_google")
    public = next(
        v
        for v in case.of_type("aws_lambda_function").values()
        if v["values"]["function_name"] == "parley-stage-api-public"
    )
    assert public["after_unknown"]["environment"][0]["variables"] is True


def test_stack_auth_native_mode_deploys_only_post_confirmation(plans: PlanSession) -> None:
    case = plans.case("stack", "auth_native_google")
    names = set(_functions(case.resources))
    assert "parley-stage-auth-post-confirmation" in names
    assert not {"parley-stage-auth-define", "parley-stage-auth-create", "parley-stage-auth-verify"} & names
    assert case.one("aws_cognito_user_pool")["sign_in_policy"][0]["allowed_first_auth_factors"] == [
        "EMAIL_OTP",
        "PASSWORD",
    ]
    assert case.one("aws_cognito_user_pool_domain")["domain"] == "parley-stage"
    assert case.one("aws_sesv2_email_identity")["email_identity"] == "example.org"


def _routes(case: ModulePlan) -> dict[str, str]:
    routes = case.of_type("aws_apigatewayv2_route").values()
    return {v["values"]["route_key"]: v["values"]["authorization_type"] for v in routes}


def test_stack_auth_google_only_drops_the_code_sign_in(plans: PlanSession) -> None:
    case = plans.case("stack", "auth_google_only")
    names = set(_functions(case.resources))
    assert "parley-video-auth-post-confirmation" in names
    assert not {"parley-video-auth-define", "parley-video-auth-create", "parley-video-auth-verify"} & names
    routes = _routes(case)
    assert "POST /auth/login" not in routes and "POST /auth/verify" not in routes
    assert routes["POST /auth/refresh"] == "NONE" and routes["GET /me"] == "JWT"
    client = case.one("aws_cognito_user_pool_client")
    assert client["supported_identity_providers"] == ["Google"]


def test_stack_auth_email_modes_serve_the_code_sign_in_routes(plans: PlanSession) -> None:
    for name in ("dev", "auth_native_google"):
        routes = _routes(plans.case("stack", name))
        assert {"POST /auth/login", "POST /auth/verify", "POST /auth/refresh"} <= set(routes), name


def test_stack_auth_identity_pool_writes_the_stack_uploads_bucket_under_users(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    policy = next(
        json.loads(v["values"]["policy"])
        for v in case.of_type("aws_iam_role_policy").values()
        if v["values"]["name"] == "parley-dev-identity-uploads"
    )
    own = next(s for s in policy["Statement"] if s["Sid"] == "OwnUploads")
    assert own["Resource"] == "arn:aws:s3:::parley-dev-uploads/users/${aws:PrincipalTag/user}/*"


def test_stack_auth_emulator_has_no_identity_role_attachment(plans: PlanSession) -> None:
    assert plans.case("stack", "emulator").count("aws_cognito_identity_pool_roles_attachment") == 0
    assert plans.case("stack", "dev").count("aws_cognito_identity_pool_roles_attachment") == 1


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_envs_expose_what_a_client_needs_to_sign_in(plans: PlanSession, env: str) -> None:
    outputs = plans.envs[env]["planned_values"]["outputs"]
    for name in ("user_pool_id", "user_pool_client_id", "user_pool_issuer_url", "hosted_ui_domain", "identity_pool_id"):
        assert name in outputs, f"{env} has no output {name}"


def test_envs_prod_protects_and_watches_the_pool_and_dev_does_not(plans: PlanSession) -> None:
    pools = {
        env: next(v["values"] for v in index_plan(plans.envs[env]).values() if v["type"] == "aws_cognito_user_pool")
        for env in ("dev", "prod")
    }
    assert pools["prod"]["deletion_protection"] == "ACTIVE"
    assert pools["prod"]["user_pool_add_ons"][0]["advanced_security_mode"] == "ENFORCED"
    assert pools["prod"]["user_pool_tier"] == "PLUS"
    assert pools["dev"]["deletion_protection"] == "INACTIVE"
    assert pools["dev"]["user_pool_add_ons"][0]["advanced_security_mode"] == "OFF"


def test_stack_auth_prod_alarms_near_the_daily_new_account_cap(plans: PlanSession) -> None:
    prod, dev = index_plan(plans.envs["prod"]), index_plan(plans.envs["dev"])
    # The alarm reads the metric the function writes (parley/handlers/public_auth.py), at 80 % of the cap
    (alarm,) = [v["values"] for a, v in prod.items() if a.endswith("aws_cloudwatch_metric_alarm.new_accounts[0]")]
    assert (alarm["alarm_name"], alarm["namespace"], alarm["metric_name"]) == (
        "parley-prod-new-accounts-near-cap",
        "parley",
        "NewAccountsToday",
    )
    assert alarm["dimensions"] == {"service": "parley", "stage": "parley-prod"}
    assert (alarm["statistic"], alarm["threshold"], alarm["comparison_operator"]) == (
        "Maximum",
        800,
        "GreaterThanOrEqualToThreshold",
    )
    # Alarms are off in dev
    assert not [a for a in dev if "new_accounts" in a]
