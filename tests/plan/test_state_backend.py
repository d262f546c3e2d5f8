"""Plan checks of modules/state_backend."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession


def test_state_backend_bucket_is_versioned_encrypted_private_and_tls_only(plans: PlanSession) -> None:
    case = plans.case("state_backend", "aws")
    assert case.one("aws_s3_bucket")["force_destroy"] is False
    assert case.one("aws_s3_bucket_versioning")["versioning_configuration"][0]["status"] == "Enabled"
    sse = case.one("aws_s3_bucket_server_side_encryption_configuration")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    pab = case.one("aws_s3_bucket_public_access_block")
    assert all(
        pab[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    (statement,) = json.loads(case.one("aws_s3_bucket_policy")["policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_state_backend_lock_table_has_lockid_and_pitr(plans: PlanSession) -> None:
    table = plans.case("state_backend", "aws").one("aws_dynamodb_table")
    assert table["hash_key"] == "LockID" and table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"][0]["enabled"] is True


def test_state_backend_without_a_lock_table_for_s3_lock_files(plans: PlanSession) -> None:
    case = plans.case("state_backend", "lockfile")
    assert case.count("aws_dynamodb_table") == 0
    assert case.one("aws_s3_bucket")["bucket"] == "parley-staging-tfstate"
    assert case.one("aws_s3_bucket_versioning")["versioning_configuration"][0]["status"] == "Enabled"


def test_state_backend_emulator_mode_drops_tls_policy_and_allows_destroy(plans: PlanSession) -> None:
    case = plans.case("state_backend", "emulator")
    assert case.count("aws_s3_bucket_policy") == 0
    assert case.one("aws_s3_bucket")["force_destroy"] is True


def test_state_backend_rejects_invalid_bucket_name(plans: PlanSession) -> None:
    assert "bucket_name must be 3-63 lowercase" in plans.rejection("state_backend", "reject_bucket_name")
