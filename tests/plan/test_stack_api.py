"""Plan checks of the REST API wiring in modules/stack and the environments."""

from __future__ import annotations

import json

import pytest

from tests.plan.harness import PlanSession, index_plan


def _functions(plans: PlanSession, case: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        v["values"]["function_name"]: v["values"]
        for v in plans.case("stack", case).of_type("aws_lambda_function").values()
    }


def test_stack_api_routes_target_the_right_functions(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    routes = {v["values"]["route_key"]: v["values"] for v in case.of_type("aws_apigatewayv2_route").values()}
    assert routes["GET /me"]["authorization_type"] == "JWT"
    assert routes["GET /rooms/{id}/messages"]["authorization_type"] == "JWT"
    assert routes["POST /devices"]["authorization_type"] == "JWT"
    assert routes["GET /health"]["authorization_type"] == "NONE"
    assert routes["GET /public/rooms/{id}"]["authorization_type"] == "NONE"
    integrations = {a: v for a, v in case.of_type("aws_apigatewayv2_integration").items() if ".module.http_api." in a}
    uris = {v["values"]["integration_uri"] for v in integrations.values() if v["values"].get("integration_uri")}
    # Invoke ARNs are unknown until the functions exist: one integration per function.
    assert {a.rsplit("[", 1)[1].strip('"]') for a in integrations} == {"api", "api_public", "match", "call_token"}
    assert not uris
    assert routes["POST /auth/login"]["authorization_type"] == "NONE"


def test_stack_api_function_gets_bucket_limits_and_least_privilege(plans: PlanSession) -> None:
    api = _functions(plans, "prod")["parley-prod-api"]
    env = api["environment"][0]["variables"]
    assert env["UPLOAD_MAX_BYTES"] == str(10 * 1024 * 1024)
    assert env["TABLE_NAME"] == "parley-prod-main"
    assert env["UPLOADS_BUCKET"] == "parley-prod-uploads"
    assert json.loads(env["APP_SECRETS"]) == {
        "maps_api_key": "parley-prod/app/maps_api_key",
        "webhook_salt": "parley-prod/app/webhook_salt",
    }
    roles = plans.case("stack", "prod").of_type("aws_iam_role_policy")
    assert any(a.endswith('module.function["api"].aws_iam_role_policy.this[0]') for a in roles)


def test_stack_app_secrets_reach_every_reader_and_no_other_function(plans: PlanSession) -> None:
    case = plans.case("stack", "app_secrets")
    functions = _functions(plans, "app_secrets")
    # Functions whose whole environment is known at plan time (the others name ARNs made at apply).
    known = {
        name: fn["environment"][0]["variables"]
        for name, fn in functions.items()
        if "variables" in (fn.get("environment") or [{}])[0]
    }
    assert json.loads(known["parley-stage-api"]["APP_SECRETS"]) == {"maps_api_key": "parley-stage/app/maps_api_key"}
    assert json.loads(known["parley-stage-points-reset"]["APP_SECRETS"]) == {
        "maps_api_key": "parley-stage/app/maps_api_key",
        "webhook_salt": "parley-stage/app/webhook_salt",
    }
    readers = {"parley-stage-api", "parley-stage-points-reset"}
    assert {name for name, env in known.items() if "APP_SECRETS" in env} == readers
    assert {"parley-stage-auth-define", "parley-stage-auth-post-confirmation"} <= set(known)
    # Each reader's role gets a policy of its own statements (secret ARNs exist only after apply).
    policies = {v["values"]["name"] for v in case.of_type("aws_iam_role_policy").values()}
    assert {f"{name}-policy" for name in readers} <= policies
    # Only the generated secret gets a write-only value, planned without any AWS call.
    versions = [a for a in case.of_type("aws_secretsmanager_secret_version") if ".app[" in a]
    assert [a.rsplit("[", 1)[1] for a in versions] == ['"webhook_salt"]']


def test_stack_rejects_a_secret_reader_that_is_not_deployed(plans: PlanSession) -> None:
    message = plans.rejection("stack", "reject_at_plan_secret_reader")
    assert "app_secrets readers must be functions this stack deploys" in message
    assert "auth_post_confirmation, call_token" in message and "auth_define" not in message.split(":")[-1]


def test_stack_app_secrets_are_created_without_values(plans: PlanSession) -> None:
    case = plans.case("stack", "prod")
    secrets = {v["values"]["name"] for v in case.of_type("aws_secretsmanager_secret").values()}
    assert {"parley-prod/app/maps_api_key", "parley-prod/app/webhook_salt"} <= secrets
    # App secret values are set outside Terraform (only generated media secrets get a write-only version).
    assert not [a for a in case.of_type("aws_secretsmanager_secret_version") if ".app[" in a]
    assert not [a for a in plans.case("stack", "dev").of_type("aws_secretsmanager_secret") if ".app[" in a]


def _lifecycle_rules(resources: dict[str, dict]) -> dict[str, dict]:  # type: ignore[type-arg]
    (config,) = [v["values"] for v in resources.values() if v["type"] == "aws_s3_bucket_lifecycle_configuration"]
    return {rule["id"]: rule for rule in config["rule"]}


def test_stack_uploads_bucket_follows_env_toggles(plans: PlanSession) -> None:
    prod, emulator = plans.case("stack", "prod"), plans.case("stack", "emulator")
    assert prod.one("aws_s3_bucket_versioning")["versioning_configuration"][0]["status"] == "Enabled"
    assert plans.case("stack", "dev").count("aws_s3_bucket_versioning") == 0
    assert prod.count("aws_s3_bucket_lifecycle_configuration") == 1
    assert emulator.count("aws_s3_bucket_lifecycle_configuration") == 0


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_envs_exports_expire_after_a_day(plans: PlanSession, env: str) -> None:
    # An export's download link lives 5 minutes; the object goes the next day, other uploads after a year.
    rules = _lifecycle_rules(index_plan(plans.envs[env]))
    exports = rules["expire-exports"]
    assert exports["filter"] == [
        {"prefix": "exports/", "and": [], "object_size_greater_than": None, "object_size_less_than": None, "tag": []}
    ]
    assert exports["expiration"][0]["days"] == 1 and exports["status"] == "Enabled"
    assert rules["expire-objects"]["expiration"][0]["days"] == 365
    noncurrent = exports["noncurrent_version_expiration"]
    assert [n["noncurrent_days"] for n in noncurrent] == ([1] if env == "prod" else [])


def test_envs_prod_cors_is_a_strict_list(plans: PlanSession) -> None:
    apis = [
        v["values"]
        for v in index_plan(plans.envs["prod"]).values()
        if v["type"] == "aws_apigatewayv2_api" and v["values"]["protocol_type"] == "HTTP"
    ]
    assert apis and all("*" not in a["cors_configuration"][0]["allow_origins"] for a in apis)
    assert plans.envs["prod"]["variables"]["cors_allowed_origins"]["value"] == ["https://app.example.com"]


def test_envs_expose_the_api_url_and_uploads_bucket_for_clients(plans: PlanSession) -> None:
    outputs = plans.envs["local"]["configuration"]["root_module"]["outputs"]
    assert {"http_api_url", "uploads_bucket_name", "region"} <= set(outputs)
    planned = plans.envs["dev"]["planned_values"]["outputs"]
    assert planned["uploads_bucket_name"]["value"] == "parley-dev-uploads"


def test_stack_rejects_bad_upload_size_and_secret_readers(plans: PlanSession) -> None:
    assert "uploads.max_size_mb must be between 1 and 5120" in plans.rejection("stack", "reject_upload_size")
    assert "each app secret needs at least one reader" in plans.rejection("stack", "reject_secret_readers")
