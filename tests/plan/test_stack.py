"""Plan checks of modules/stack (the composition)."""

from __future__ import annotations

from tests.plan.harness import PlanSession


def test_stack_uploads_every_artifact_and_deploys_code_from_s3(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    objects = {v["values"]["key"]: v["values"] for v in case.of_type("aws_s3_object").values()}
    assert "lambda/api_public.zip" in objects
    assert objects["lambda/api_public.zip"]["source_hash"] == "47DEQpj8HBSa+/TEmW+YUrrWVqL4dKxrB3qH1i5tLq8="
    functions = {v["values"]["function_name"]: v["values"] for v in case.of_type("aws_lambda_function").values()}
    public = functions["parley-dev-api-public"]
    assert public["s3_key"] == "lambda/api_public.zip"
    assert public["environment"][0]["variables"]["APP_STAGE"] == "parley-dev"


def test_stack_data_protection_follows_the_toggle(plans: PlanSession) -> None:
    dev = plans.case("stack", "dev").one("aws_dynamodb_table")
    prod = plans.case("stack", "prod").one("aws_dynamodb_table")
    assert dev["deletion_protection_enabled"] is False and dev["point_in_time_recovery"][0]["enabled"] is False
    assert prod["deletion_protection_enabled"] is True and prod["point_in_time_recovery"][0]["enabled"] is True


def test_stack_function_overrides_apply(plans: PlanSession) -> None:
    functions = {
        v["values"]["function_name"]: v["values"]
        for v in plans.case("stack", "prod").of_type("aws_lambda_function").values()
    }
    assert functions["parley-prod-api-public"]["memory_size"] == 256


def test_stack_artifacts_bucket_is_tls_only_except_on_the_emulator(plans: PlanSession) -> None:
    assert plans.case("stack", "dev").count("aws_s3_bucket_policy") == 1
    assert plans.case("stack", "emulator").count("aws_s3_bucket_policy") == 0


def test_stack_rejects_missing_manifest_and_bad_prefix(plans: PlanSession) -> None:
    assert "run 'make build' first" in plans.rejection("stack", "reject_missing_manifest")
    assert "name_prefix must be 3-30" in plans.rejection("stack", "reject_name_prefix")
