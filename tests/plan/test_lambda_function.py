"""Plan checks of modules/lambda_function."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession


def test_lambda_function_defaults_arm64_python312_512mb_30s_from_s3(plans: PlanSession) -> None:
    case = plans.case("lambda_function", "defaults")
    fn = case.one("aws_lambda_function")
    assert fn["runtime"] == "python3.12" and fn["architectures"] == ["arm64"]
    assert (fn["memory_size"], fn["timeout"]) == (512, 30)
    assert (fn["s3_bucket"], fn["s3_key"]) == ("parley-dev-artifacts", "lambda/api.zip")
    assert fn["source_code_hash"] == "47DEQpj8HBSa+/TEmW+YUrrWVqL4dKxrB3qH1i5tLq8="
    assert fn["tracing_config"] == [{"mode": "Active"}]
    log_group = case.one("aws_cloudwatch_log_group")
    assert log_group["name"] == "/aws/lambda/parley-dev-api" and log_group["retention_in_days"] == 14
    assert case.count("aws_lambda_permission") == 0
    assert case.count("aws_iam_role_policy") == 1  # runtime only: no statements given


def test_lambda_function_role_is_least_privilege(plans: PlanSession) -> None:
    case = plans.case("lambda_function", "custom")
    role = case.one("aws_iam_role")
    trust = json.loads(role["assume_role_policy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    policies = {v["values"]["name"]: v for v in case.of_type("aws_iam_role_policy").values()}
    assert set(policies) == {"parley-dev-worker-runtime", "parley-dev-worker-policy"}
    policy = json.loads(policies["parley-dev-worker-policy"]["values"]["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"TableRw"}
    assert by_sid["TableRw"]["Resource"] == ["arn:aws:dynamodb:eu-west-1:123456789012:table/parley-dev-main"]
    assert all(r != "*" for s in policy["Statement"] for r in s["Resource"])


def test_lambda_function_custom_runtime_env_and_permissions(plans: PlanSession) -> None:
    case = plans.case("lambda_function", "custom")
    fn = case.one("aws_lambda_function")
    assert (fn["memory_size"], fn["timeout"], fn["reserved_concurrent_executions"]) == (1024, 120, 5)
    assert fn["environment"][0]["variables"]["TABLE_NAME"] == "parley-dev-main"
    permission = case.one("aws_lambda_permission")
    assert (permission["statement_id"], permission["principal"]) == ("AllowHttpApi", "apigateway.amazonaws.com")
    assert permission["source_arn"].startswith("arn:aws:execute-api:")
    assert case.one("aws_cloudwatch_log_group")["retention_in_days"] == 30


def test_lambda_function_rejects_bad_memory_retention_and_empty_statements(plans: PlanSession) -> None:
    assert "memory_mb must be between 128 and 10240" in plans.rejection("lambda_function", "reject_memory")
    assert "log_retention_days must be a value CloudWatch accepts" in plans.rejection(
        "lambda_function", "reject_retention"
    )
    assert "needs at least one action" in plans.rejection("lambda_function", "reject_empty_statement")
