"""Plan check of bootstrap/ with the GitHub Actions deploy role asked for, offline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.harness import PlanSession, index_plan
from tests.plan.iam import ACCOUNT, Policy, Request


@pytest.fixture(scope="module")
def bootstrap_plan(plans: PlanSession) -> dict[str, dict[str, Any]]:
    """bootstrap/ planned in the tier's batch with the deploy role asked for (harness.BOOTSTRAP_VARIABLES)."""
    return index_plan(plans.bootstrap)


def _one(plan: dict[str, dict[str, Any]], resource_type: str) -> dict[str, Any]:
    (found,) = [v["values"] for v in plan.values() if v["type"] == resource_type]
    return found


def test_bootstrap_creates_the_state_backend_and_the_env_deploy_role(bootstrap_plan: dict[str, dict[str, Any]]) -> None:
    assert _one(bootstrap_plan, "aws_s3_bucket")["bucket"] == "acme-dev-tfstate"
    assert (
        _one(bootstrap_plan, "aws_iam_openid_connect_provider")["url"] == "https://token.actions.githubusercontent.com"
    )
    assert _one(bootstrap_plan, "aws_iam_role")["name"] == "acme-deploy-dev"


def _policies(plan: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v["values"]["name"]: v["values"] for v in plan.values() if v["type"] == "aws_iam_policy"}


def _deploy_statements(plan: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    documents = [p["policy"] for name, p in _policies(plan).items() if name.startswith("acme-deploy-dev-")]
    assert len(documents) == 3
    return {s["Sid"]: s for s in Policy.of(*documents).statements}


def test_bootstrap_deploy_role_is_scoped_to_this_env_state_and_stack(bootstrap_plan: dict[str, dict[str, Any]]) -> None:
    statements = _deploy_statements(bootstrap_plan)
    assert statements["StateObjects"]["Resource"] == "arn:aws:s3:::acme-dev-tfstate/*"
    assert sorted(statements["StateObjects"]["Action"]) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert statements["StateLock"]["Resource"] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-tflock"
    assert sorted(statements["StateLock"]["Action"]) == [
        "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem",
    ]  # fmt: skip
    assert statements["Table"] == {
        "Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*",
        "Resource": "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-*",
    }  # fmt: skip
    assert statements["Secrets"]["Resource"] == "arn:aws:secretsmanager:eu-west-1:*:secret:acme-dev/*"
    assert statements["Monitoring"]["Resource"] == [
        "arn:aws:cloudwatch:eu-west-1:*:alarm:acme-dev-*",
        "arn:aws:cloudwatch::*:dashboard/acme-dev",
    ]
    assert statements["Records"] == {
        "Sid": "Records", "Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
        "Resource": "arn:aws:route53:::hostedzone/Z0ACME",
    }  # fmt: skip
    # Read-only everywhere, and nothing else on every resource without a condition.
    assert all(a.split(":")[1].startswith(("Describe", "Get", "List", "GET")) for a in statements["Describe"]["Action"])
    unconditioned = [s for s in statements.values() if s["Resource"] == "*" and "Condition" not in s]
    assert sorted(s["Sid"] for s in unconditioned) == ["Describe", "KeepRoleBoundaries"]


def test_bootstrap_creates_the_boundary_the_deploy_role_requires(bootstrap_plan: dict[str, dict[str, Any]]) -> None:
    boundary = _policies(bootstrap_plan)["acme-boundary-dev"]
    assert {s["Sid"] for s in Policy.of(boundary["policy"]).statements} >= {"Data", "Secrets", "Connections", "Logs"}
    deploy = Policy.of(*[p["policy"] for n, p in _policies(bootstrap_plan).items() if n.startswith("acme-deploy-")])
    role = f"arn:aws:iam::{ACCOUNT}:role/acme-dev-api-role"
    context = {"aws:PrincipalAccount": ACCOUNT}
    with_boundary = {**context, "iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/acme-boundary-dev"}
    assert deploy.allows(Request("iam:CreateRole", role, with_boundary))
    assert not deploy.allows(Request("iam:CreateRole", role, context))


def test_bootstrap_deploy_role_state_statements_allow_what_the_s3_backend_does(
    bootstrap_plan: dict[str, dict[str, Any]],
) -> None:
    statements = _deploy_statements(bootstrap_plan)
    # The S3 backend reads, writes and deletes state objects, lists the bucket and locks with one item per state.
    assert sorted(statements["StateObjects"]["Action"]) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert "s3:ListBucket" in statements["StateBucket"]["Action"]
    assert statements["StateBucket"]["Resource"] == "arn:aws:s3:::acme-dev-tfstate"
    assert sorted(statements["StateLock"]["Action"]) == [
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    ]
    assert all(statements[sid]["Effect"] == "Allow" for sid in ("StateObjects", "StateBucket", "StateLock"))


def test_bootstrap_deploy_role_actions_match_the_service_of_their_resources(
    bootstrap_plan: dict[str, dict[str, Any]],
) -> None:
    """An action on another service's ARN is either a typo or a grant that does nothing."""
    statements = list(_deploy_statements(bootstrap_plan).values())
    mismatched = []
    for statement in statements:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        services = {r.split(":")[2] for r in resources if r != "*"}
        mismatched += [f"{statement['Sid']}: {a}" for a in actions if services and a.split(":")[0] not in services]
    assert mismatched == []
