"""Plan checks of modules/private_bucket: the one way every bucket of the project is made."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _deny_plain_http(bucket: str) -> dict[str, object]:
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_private_bucket_defaults_block_public_access_enforce_ownership_encrypt_and_deny_plain_http(
    plans: PlanSession,
) -> None:
    case = plans.case("private_bucket", "defaults")
    bucket = case.one("aws_s3_bucket")
    assert (bucket["bucket"], bucket["force_destroy"]) == ("parley-dev-things", False)
    block = case.one("aws_s3_bucket_public_access_block")
    assert [
        block[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    ] == [True] * 4
    assert case.one("aws_s3_bucket_ownership_controls")["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
    rule = case.one("aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    assert rule["bucket_key_enabled"] is False
    assert json.loads(case.one("aws_s3_bucket_policy")["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [_deny_plain_http("parley-dev-things")],
    }
    assert case.count("aws_s3_bucket_versioning") == 0


def test_private_bucket_service_statement_kms_and_versioning(plans: PlanSession) -> None:
    case = plans.case("private_bucket", "service_reader")
    statements = json.loads(case.one("aws_s3_bucket_policy")["policy"])["Statement"]
    assert statements == [
        {
            "Sid": "CloudFrontReadsThroughOAC",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::parley-prod-site/*"],
            "Condition": {
                "StringEquals": {"AWS:SourceArn": ["arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"]}
            },
        },
        _deny_plain_http("parley-prod-site"),
    ]
    rule = case.one("aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}
    assert rule["bucket_key_enabled"] is True
    assert case.one("aws_s3_bucket_versioning")["versioning_configuration"][0]["status"] == "Enabled"
    assert case.one("aws_s3_bucket")["force_destroy"] is True


def test_private_bucket_on_the_emulator_has_no_policy_and_acl_delivery_when_asked(plans: PlanSession) -> None:
    case = plans.case("private_bucket", "emulator_logs")
    assert case.count("aws_s3_bucket_policy") == 0
    assert case.one("aws_s3_bucket_ownership_controls")["rule"][0]["object_ownership"] == "BucketOwnerPreferred"
    assert case.count("aws_s3_bucket_public_access_block") == 1


def test_private_bucket_rejects_bad_names_keys_and_statements(plans: PlanSession) -> None:
    assert "name must be 3-63 lowercase letters" in plans.rejection("private_bucket", "reject_name")
    assert "kms_key_arn needs encryption.sse_algorithm" in plans.rejection(
        "private_bucket", "reject_kms_without_algorithm"
    )
    message = plans.rejection("private_bucket", "reject_statement")
    assert "policy_statements keys are statement ids" in message
    assert "each policy statement needs a service principal" in message
