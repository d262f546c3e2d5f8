"""Plan checks of modules/log_key (the customer-managed key of the stack's log groups)."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession
from tests.plan.iam import ACCOUNT, Policy, Request

REGION = "eu-west-1"  # the plan harness's provider region


def _logs_using(log_group: str, action: str = "kms:GenerateDataKey") -> Request:
    context = {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}"}
    return Request(action, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1", context)


def test_log_key_rotates_and_is_named_after_the_stack(plans: PlanSession) -> None:
    case = plans.case("log_key", "default")
    key = case.one("aws_kms_key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert case.one("aws_kms_alias")["name"] == "alias/parley-prod-logs"


def test_log_key_lets_logs_encrypt_only_the_stack_log_groups(plans: PlanSession) -> None:
    policy_document = json.loads(plans.case("log_key", "default").one("aws_kms_key")["policy"])
    statements = {s["Sid"]: s for s in policy_document["Statement"]}
    assert statements["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    logs = statements["LogsEncryptTheStackLogGroups"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    policy = Policy.of({"Statement": [logs]})
    for group in ("/aws/lambda/parley-prod-api", "/aws/apigateway/parley-prod-ws", "/aws/apigateway/parley-prod-http"):
        for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"):
            assert policy.allows(_logs_using(group, action)), f"{action} for {group}"
    # Another env's or app's log group, or a request that names no log group, gets nothing.
    for group in ("/aws/lambda/parley-dev-api", "/aws/lambda/other-prod-api"):
        assert not policy.allows(_logs_using(group)), group
    assert not policy.allows(Request("kms:GenerateDataKey", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"))
    assert not policy.allows(_logs_using("/aws/lambda/parley-prod-api", "kms:ScheduleKeyDeletion"))


def test_log_key_rejects_bad_account_and_deletion_window(plans: PlanSession) -> None:
    rejection = plans.rejection("log_key", "reject_account")
    assert "account_id must be a 12-digit AWS account id" in rejection
    assert "deletion_window_days must be between 7 and 30" in rejection
