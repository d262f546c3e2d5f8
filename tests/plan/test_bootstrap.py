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
