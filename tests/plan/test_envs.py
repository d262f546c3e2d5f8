"""Plan checks of each environment root, offline."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plan.harness import PlanSession, boundary_arn, index_plan


def _tables(raw: dict[str, Any]) -> dict[str, Any]:
    return {v["values"]["name"]: v["values"] for v in index_plan(raw).values() if v["type"] == "aws_dynamodb_table"}


@pytest.mark.parametrize("env", ["local", "dev", "staging", "prod"])
def test_envs_plan_names_every_resource_after_the_env(plans: PlanSession, env: str) -> None:
    resources = index_plan(plans.envs[env])
    assert resources, f"{env} plans nothing"
    assert f"parley-{env}-main" in _tables(plans.envs[env])
    functions = [v["values"]["function_name"] for v in resources.values() if v["type"] == "aws_lambda_function"]
    assert functions and all(name.startswith(f"parley-{env}-") for name in functions)


def test_envs_prod_protects_data_and_dev_does_not(plans: PlanSession) -> None:
    assert _tables(plans.envs["prod"])["parley-prod-main"]["deletion_protection_enabled"] is True
    assert _tables(plans.envs["dev"])["parley-dev-main"]["deletion_protection_enabled"] is False


def test_envs_local_targets_the_emulator(plans: PlanSession) -> None:
    assert plans.envs["local"]["variables"]["emulator"]["value"] is True
    # Elsewhere the stack's default (false) applies: buckets refuse plain HTTP.
    assert plans.envs["dev"]["variables"]["emulator"]["value"] is None
    policies = {
        env: sorted(
            v["values"]["bucket"] for v in index_plan(plans.envs[env]).values() if v["type"] == "aws_s3_bucket_policy"
        )
        for env in ("local", "dev")
    }
    assert policies["local"] == ["parley-local-site"]  # CloudFront's read grant only, no TLS-only statement
    assert policies["dev"] == ["parley-dev-artifacts", "parley-dev-site", "parley-dev-uploads"]


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_envs_stack_defaults_reach_the_env(plans: PlanSession, env: str) -> None:
    """Inputs an env leaves unset take the stack's defaults (the env root restates none)."""
    resources = index_plan(plans.envs[env])
    http = next(
        v["values"]
        for v in resources.values()
        if v["type"] == "aws_apigatewayv2_stage" and v["values"]["name"] == "$default"
    )
    assert http["default_route_settings"][0]["throttling_burst_limit"] == 1000  # api_throttling default
    functions = {
        v["values"]["function_name"]: v["values"] for v in resources.values() if v["type"] == "aws_lambda_function"
    }
    assert (
        functions[f"parley-{env}-api"]["memory_size"] == 512 and functions[f"parley-{env}-reminders"]["timeout"] == 120
    )
    schedules = {v["values"]["name"]: v["values"] for v in resources.values() if v["type"] == "aws_scheduler_schedule"}
    assert schedules[f"parley-{env}-reminders"]["schedule_expression"] == "rate(5 minutes)"


def _of_type(plans: PlanSession, env: str, resource_type: str) -> list[dict[str, Any]]:
    return [v["values"] for v in index_plan(plans.envs[env]).values() if v["type"] == resource_type]


def test_envs_staging_is_prod_like_but_smaller(plans: PlanSession) -> None:
    staging = _tables(plans.envs["staging"])["parley-staging-main"]
    assert staging["deletion_protection_enabled"] is True and staging["point_in_time_recovery"][0]["enabled"] is True
    (pool,) = _of_type(plans, "staging", "aws_cognito_user_pool")
    assert pool["user_pool_tier"] == "PLUS" and pool["user_pool_add_ons"][0]["advanced_security_mode"] == "AUDIT"
    stage = next(v for v in _of_type(plans, "staging", "aws_apigatewayv2_stage") if v["name"] == "$default")
    assert stage["default_route_settings"][0]["throttling_burst_limit"] == 200
    assert _of_type(plans, "staging", "aws_instance") == []
    alarms = {env: len(_of_type(plans, env, "aws_cloudwatch_metric_alarm")) for env in ("staging", "prod")}
    assert alarms["staging"] > 0 and alarms["staging"] == alarms["prod"]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_envs_with_alarms_alert_someone(plans: PlanSession, env: str) -> None:
    # The shipped example address (docs/monitoring.md says to change it) makes the plan pass
    alerts = [
        v["values"]
        for address, v in index_plan(plans.envs[env]).items()
        if v["type"] == "aws_sns_topic_subscription" and ".module.monitoring." in address
    ]
    assert [(s["protocol"], s["endpoint"]) for s in alerts] == [("email", "change-me-oncall@example.com")]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_envs_declare_the_plydojo_secrets_as_empty_slots(plans: PlanSession, env: str) -> None:
    names = {f"parley-{env}/app/{n}" for n in ("openai_api_key", "jwt_secret", "stripe_api_key")}
    assert {s["name"] for s in _of_type(plans, env, "aws_secretsmanager_secret")} >= names
    # No value: no secret version of theirs is planned (only generated secrets get one, write-only)
    versions = [a for a, v in index_plan(plans.envs[env]).items() if v["type"] == "aws_secretsmanager_secret_version"]
    assert not [a for a in versions if "aws_secretsmanager_secret_version.app[" in a]
    api = next(f for f in _of_type(plans, env, "aws_lambda_function") if f["function_name"] == f"parley-{env}-api")
    readable = json.loads(api["environment"][0]["variables"]["APP_SECRETS"])
    assert readable == {n.rsplit("/", 1)[1]: n for n in names}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_envs_every_role_carries_the_boundary_the_tooling_sets(plans: PlanSession, env: str) -> None:
    roles = {
        v["values"]["name"]: v["values"].get("permissions_boundary")
        for v in index_plan(plans.envs[env]).values()
        if v["type"] == "aws_iam_role"
    }
    # Functions, the scheduler, the identity pool and the API Gateway account logging role.
    assert {f"parley-{env}-api-role", f"parley-{env}-scheduler", f"parley-{env}-apigw-logs"} <= set(roles)
    assert any(name.startswith(f"parley-{env}-identity-") for name in roles)
    assert roles == dict.fromkeys(roles, boundary_arn(env))


def test_envs_local_roles_carry_no_boundary(plans: PlanSession) -> None:
    roles = [v["values"] for v in index_plan(plans.envs["local"]).values() if v["type"] == "aws_iam_role"]
    assert roles and all(role.get("permissions_boundary") is None for role in roles)


def test_envs_prod_encrypts_every_log_group_with_its_key_and_dev_does_not(plans: PlanSession) -> None:
    groups = {
        env: {a: v for a, v in index_plan(plans.envs[env]).items() if v["type"] == "aws_cloudwatch_log_group"}
        for env in ("dev", "prod")
    }
    names = {v["values"]["name"] for v in groups["prod"].values()}
    assert {"/aws/lambda/parley-prod-api", "/aws/apigateway/parley-prod-http"} <= names
    assert "/aws/apigateway/parley-prod-ws" in names
    # The key's ARN is known only after apply: each prod group's kms_key_id is waiting for it.
    assert all(v["after_unknown"].get("kms_key_id") is True for v in groups["prod"].values())
    keys = [v["values"] for v in index_plan(plans.envs["prod"]).values() if v["type"] == "aws_kms_alias"]
    assert "alias/parley-prod-logs" in {k["name"] for k in keys}
    assert all(v["values"].get("kms_key_id") is None for v in groups["dev"].values())
    assert not any(v["after_unknown"].get("kms_key_id") for v in groups["dev"].values())


def test_envs_prod_deploys_only_signed_code_and_dev_unsigned(plans: PlanSession) -> None:
    resources = {env: index_plan(plans.envs[env]).values() for env in ("dev", "prod")}
    prod = [
        v
        for v in resources["prod"]
        if v["type"] == "aws_lambda_function" and "site" not in v["values"]["function_name"]
    ]
    assert prod and all(v["after_unknown"].get("code_signing_config_arn") is True for v in prod)
    assert [v["values"]["name"] for v in resources["prod"] if v["type"] == "aws_signer_signing_profile"] == [
        "parley_prod_functions"
    ]
    assert not [v for v in resources["dev"] if v["type"].startswith("aws_signer_")]
