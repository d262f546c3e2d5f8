"""Plan check of bootstrap/ with the GitHub Actions deploy role asked for, offline."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from tests.plan.harness import ROOT, _plan_json, index_plan, offline_override
from tools.tfenv import terraform_env

VARIABLES = [
    "env=dev",
    "region=eu-west-1",
    "state_bucket_name=acme-dev-tfstate",
    "lock_table_name=acme-dev-tflock",
    'github={ repository = "acme/parley", app = "acme", pull_request_plans_enabled = true }',
]


@pytest.fixture(scope="module")
def bootstrap_plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("bootstrap-plan")
    (workdir / "modules").symlink_to(ROOT / "modules")
    folder = workdir / "bootstrap"
    folder.mkdir()
    for item in (ROOT / "bootstrap").iterdir():
        if item.is_file():
            shutil.copyfile(item, folder / item.name)
    (folder / "zz_offline_override.tf").write_text(offline_override(folder))
    return index_plan(_plan_json(folder, terraform_env(None), VARIABLES))


def _one(plan: dict[str, dict[str, Any]], resource_type: str) -> dict[str, Any]:
    (found,) = [v["values"] for v in plan.values() if v["type"] == resource_type]
    return found


def test_bootstrap_creates_the_state_backend_and_the_env_deploy_role(bootstrap_plan: dict[str, dict[str, Any]]) -> None:
    assert _one(bootstrap_plan, "aws_s3_bucket")["bucket"] == "acme-dev-tfstate"
    assert (
        _one(bootstrap_plan, "aws_iam_openid_connect_provider")["url"] == "https://token.actions.githubusercontent.com"
    )
    assert _one(bootstrap_plan, "aws_iam_role")["name"] == "acme-deploy-dev"


def test_bootstrap_deploy_role_is_scoped_to_this_env_state_and_stack(bootstrap_plan: dict[str, dict[str, Any]]) -> None:
    statements = {s["Sid"]: s for s in json.loads(_one(bootstrap_plan, "aws_iam_role_policy")["policy"])["Statement"]}
    assert statements["StateObjects"]["Resource"] == "arn:aws:s3:::acme-dev-tfstate/*"
    assert statements["StateLock"]["Resource"] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-tflock"
    assert statements["Table"]["Resource"] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-*"


def test_bootstrap_deploy_role_state_statements_allow_what_the_s3_backend_does(
    bootstrap_plan: dict[str, dict[str, Any]],
) -> None:
    statements = {s["Sid"]: s for s in json.loads(_one(bootstrap_plan, "aws_iam_role_policy")["policy"])["Statement"]}
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
    assert all(s["Effect"] == "Allow" for s in statements.values())


def test_bootstrap_deploy_role_actions_match_the_service_of_their_resources(
    bootstrap_plan: dict[str, dict[str, Any]],
) -> None:
    """An action on another service's ARN is either a typo or a grant that does nothing."""
    statements = json.loads(_one(bootstrap_plan, "aws_iam_role_policy")["policy"])["Statement"]
    mismatched = []
    for statement in statements:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        services = {r.split(":")[2] for r in resources if r != "*"}
        mismatched += [f"{statement['Sid']}: {a}" for a in actions if services and a.split(":")[0] not in services]
    assert mismatched == []
