"""Plan checks of modules/stack (the composition)."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from tests.plan.harness import ROOT, PlanSession


def test_stack_uploads_every_artifact_and_deploys_code_from_s3(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    objects = {v["values"]["key"]: v["values"] for v in case.of_type("aws_s3_object").values()}
    assert "lambda/api_public.zip" in objects
    assert objects["lambda/api_public.zip"]["source_hash"] == "47DEQpj8HBSa+/TEmW+YUrrWVqL4dKxrB3qH1i5tLq8="
    functions = {v["values"]["function_name"]: v["values"] for v in case.of_type("aws_lambda_function").values()}
    public = functions["parley-dev-api-public"]
    assert public["s3_key"] == "lambda/api_public.zip"
    # api_public's environment holds the user pool ids, unknown until apply: read the stage where all is known
    known = functions["parley-dev-auth-post-confirmation"]
    assert known["environment"][0]["variables"]["APP_STAGE"] == "parley-dev"


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


def _tls_only(bucket: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_stack_buckets_are_private_encrypted_and_tls_only_except_on_the_emulator(plans: PlanSession) -> None:
    dev = plans.case("stack", "dev")
    policies = {
        v["values"]["bucket"]: json.loads(v["values"]["policy"]) for v in dev.of_type("aws_s3_bucket_policy").values()
    }
    assert policies == {
        bucket: {"Version": "2012-10-17", "Statement": [_tls_only(bucket)]}
        for bucket in ("parley-dev-artifacts", "parley-dev-uploads")
    }
    blocks = {v["values"]["bucket"]: v["values"] for v in dev.of_type("aws_s3_bucket_public_access_block").values()}
    assert set(blocks) == {"parley-dev-artifacts", "parley-dev-uploads"}
    for block in blocks.values():
        assert [
            block[k]
            for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        ] == [True] * 4
    ownership = [
        v["values"]["rule"][0]["object_ownership"] for v in dev.of_type("aws_s3_bucket_ownership_controls").values()
    ]
    assert ownership == ["BucketOwnerEnforced"] * 2
    encryption = [
        v["values"]["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
        for v in dev.of_type("aws_s3_bucket_server_side_encryption_configuration").values()
    ]
    assert encryption == ["AES256"] * 2
    assert plans.case("stack", "emulator").count("aws_s3_bucket_policy") == 0


def test_stack_rejects_missing_manifest_and_bad_prefix(plans: PlanSession) -> None:
    assert "run 'make build' first" in plans.rejection("stack", "reject_missing_manifest")
    assert "name_prefix must be 3-30" in plans.rejection("stack", "reject_name_prefix")


def test_stack_rejects_an_event_age_lambda_would_refuse(plans: PlanSession) -> None:
    # 43200 s suits Scheduler's retry policy but not the functions' event-invoke configuration.
    assert "maximum_event_age_seconds must be between 60 and 21600" in plans.rejection("stack", "reject_event_age")
    invoke = plans.case("stack", "schedules").of_type("aws_lambda_function_event_invoke_config")
    assert {v["values"]["maximum_event_age_in_seconds"] for v in invoke.values()} == {1800}


def test_stack_deploys_one_function_per_map_entry(plans: PlanSession) -> None:
    functions = plans.case("stack", "dev").of_type("aws_lambda_function")
    keys = {address.split('module.function["')[1].split('"]')[0] for address in functions}
    assert keys == set(tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text())) - {"edge_auth"}
    for address, fn in functions.items():
        key = address.split('module.function["')[1].split('"]')[0]
        assert fn["values"]["function_name"] == "parley-dev-" + key.replace("_", "-")
        assert fn["values"]["handler"] == f"parley.handlers.{key}.handler"


def test_stack_every_role_carries_the_permissions_boundary(plans: PlanSession) -> None:
    boundary = "arn:aws:iam::123456789012:policy/parley-boundary-media"
    roles = {
        v["values"]["name"]: v["values"]["permissions_boundary"]
        for v in plans.case("stack", "compliance").of_type("aws_iam_role").values()
    }
    # Functions, scheduler, identity pool, API Gateway account logging and both media servers.
    expected = {"parley-media-api-role", "parley-media-scheduler", "parley-media-apigw-logs"}
    expected |= {"parley-media-livekit-role", "parley-media-turn-role", "parley-media-identity-authenticated"}
    assert expected <= set(roles)
    assert roles == dict.fromkeys(roles, boundary)
    unset = plans.case("stack", "media").of_type("aws_iam_role").values()
    assert all(v["values"].get("permissions_boundary") is None for v in unset)
    rejection = plans.rejection("stack", "reject_boundary_arn")
    assert "permissions_boundary_arn must be null or an IAM policy ARN" in rejection


def test_stack_log_encryption_creates_one_key_for_every_log_group(plans: PlanSession) -> None:
    case = plans.case("stack", "compliance")
    assert case.within("log_key[0]").one("aws_kms_alias")["name"] == "alias/parley-media-logs"
    groups = case.of_type("aws_cloudwatch_log_group")
    names = {v["values"]["name"] for v in groups.values()}
    assert {"/aws/lambda/parley-media-match", "/aws/apigateway/parley-media-http"} <= names
    assert "/aws/apigateway/parley-media-ws" in names
    assert all(v["after_unknown"].get("kms_key_id") is True for v in groups.values())
    assert plans.case("stack", "dev").within("log_key[0]").count("aws_kms_key") == 0


def test_stack_code_signing_signs_every_artifact_and_enforces_the_profile(plans: PlanSession) -> None:
    case = plans.case("stack", "compliance")
    profile = case.one("aws_signer_signing_profile")
    assert (profile["name"], profile["platform_id"]) == ("parley_media_functions", "AWSLambda-SHA384-ECDSA")
    assert profile["signature_validity_period"] == [{"type": "DAYS", "value": 365}]
    config = case.one("aws_lambda_code_signing_config")
    assert config["policies"] == [{"untrusted_artifact_on_deployment": "Enforce"}]
    functions = case.of_type("aws_lambda_function")
    jobs = {v["values"]["destination"][0]["s3"][0]["prefix"] for v in case.of_type("aws_signer_signing_job").values()}
    # One signing job per deployed function, each writing under signed/<function>/.
    assert len(jobs) == len(functions) and "signed/match/" in jobs
    for function in functions.values():
        # The signed object's key and the configuration's ARN exist only after apply.
        assert function["after_unknown"]["s3_key"] is True
        assert function["after_unknown"]["code_signing_config_arn"] is True
        assert function["values"].get("source_code_hash") is None
    versioning = case.within("artifacts_bucket").one("aws_s3_bucket_versioning")
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    # Off (the default): no profile, unsigned code pinned by build.py's hash.
    dev = plans.case("stack", "dev")
    assert dev.count("aws_signer_signing_profile") == 0 and dev.count("aws_lambda_code_signing_config") == 0
    assert all(v["values"]["source_code_hash"] for v in dev.of_type("aws_lambda_function").values())
    assert all(v["values"].get("code_signing_config_arn") is None for v in dev.of_type("aws_lambda_function").values())


def test_stack_rejects_bad_code_signing_settings(plans: PlanSession) -> None:
    rejection = plans.rejection("stack", "reject_compliance")
    assert "signature_validity_days must be between 1 and 3650" in rejection
    assert "untrusted_artifact_action must be Enforce or Warn" in rejection
