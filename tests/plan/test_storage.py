"""Plan checks of modules/storage (the uploads bucket)."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession


def test_storage_bucket_is_private_and_encrypted(plans: PlanSession) -> None:
    case = plans.case("storage", "dev")
    assert case.one("aws_s3_bucket")["bucket"] == "parley-dev-uploads"
    block = case.one("aws_s3_bucket_public_access_block")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    sse = case.one("aws_s3_bucket_server_side_encryption_configuration")["rule"][0][
        "apply_server_side_encryption_by_default"
    ][0]
    assert sse["sse_algorithm"] == "AES256"
    kms = plans.case("storage", "prod").one("aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert kms["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert kms["apply_server_side_encryption_by_default"][0]["kms_master_key_id"].startswith("arn:aws:kms:")


def test_storage_versioning_follows_the_toggle(plans: PlanSession) -> None:
    assert plans.case("storage", "dev").count("aws_s3_bucket_versioning") == 0
    assert (
        plans.case("storage", "prod").one("aws_s3_bucket_versioning")["versioning_configuration"][0]["status"]
        == "Enabled"
    )


def test_storage_tls_only_policy_except_on_the_emulator(plans: PlanSession) -> None:
    policy = json.loads(plans.case("storage", "dev").one("aws_s3_bucket_policy")["policy"])
    assert policy["Statement"][0]["Effect"] == "Deny"
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert plans.case("storage", "emulator").count("aws_s3_bucket_policy") == 0


def test_storage_lifecycle_expires_and_aborts_and_can_be_switched_off(plans: PlanSession) -> None:
    rules = {r["id"]: r for r in plans.case("storage", "dev").one("aws_s3_bucket_lifecycle_configuration")["rule"]}
    assert rules["expire-objects"]["expiration"][0]["days"] == 365
    assert rules["abort-incomplete-uploads"]["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7
    prod = {r["id"]: r for r in plans.case("storage", "prod").one("aws_s3_bucket_lifecycle_configuration")["rule"]}
    assert prod["expire-objects"]["expiration"][0]["days"] == 90
    assert prod["expire-objects"]["noncurrent_version_expiration"][0]["noncurrent_days"] == 90
    assert plans.case("storage", "emulator").count("aws_s3_bucket_lifecycle_configuration") == 0


def test_storage_cors_only_for_the_given_origins(plans: PlanSession) -> None:
    cors = plans.case("storage", "dev").one("aws_s3_bucket_cors_configuration")["cors_rule"][0]
    assert cors["allowed_origins"] == ["https://app.example.com"]
    assert "PUT" in cors["allowed_methods"]
    assert plans.case("storage", "prod").count("aws_s3_bucket_cors_configuration") == 0


def test_storage_rejects_unknown_encryption(plans: PlanSession) -> None:
    assert "encryption.sse_algorithm must be" in plans.rejection("storage", "reject_sse")
    assert "kms_key_arn needs" in plans.rejection("storage", "reject_kms_key_without_kms")
