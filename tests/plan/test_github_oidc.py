"""Plan checks of modules/github_oidc."""

from __future__ import annotations

import json
from typing import Any

from tests.plan.harness import PlanSession

REPO = "repo:my-org/parley"


def _trust_subjects(plans: PlanSession, case: str, env: str) -> list[str]:
    trust = plans.case("github_oidc", case).of_type("aws_iam_policy_document")
    (document,) = [v["values"] for a, v in trust.items() if a.endswith(f'trust["{env}"]')]
    (statement,) = document["statement"]
    (subjects,) = [c["values"] for c in statement["condition"] if c["variable"].endswith(":sub")]
    return sorted(subjects)


def _policy(plans: PlanSession, case: str, env: str) -> dict[str, dict[str, Any]]:
    policies = plans.case("github_oidc", case).of_type("aws_iam_role_policy")
    (policy,) = [v["values"]["policy"] for a, v in policies.items() if a.endswith(f'["{env}"]')]
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_github_oidc_creates_the_provider_for_github_tokens_with_sts_audience(plans: PlanSession) -> None:
    provider = plans.case("github_oidc", "two_envs").one("aws_iam_openid_connect_provider")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]


def test_github_oidc_one_role_per_env_named_apart_from_the_stack(plans: PlanSession) -> None:
    roles = plans.case("github_oidc", "two_envs").of_type("aws_iam_role")
    names = sorted(v["values"]["name"] for v in roles.values())
    assert names == ["parley-deploy-dev", "parley-deploy-prod"]
    # The stack's roles are parley-<env>-*: a deploy role must never match its own Roles statement.
    for env in ("dev", "prod"):
        (role_resources,) = [_as_list(_policy(plans, "two_envs", env)["Roles"]["Resource"])]
        assert all(not r.endswith(f"role/parley-deploy-{env}") and f"/parley-{env}-*" in r for r in role_resources)


def test_github_oidc_dev_trusts_its_environment_main_and_pull_requests_only(plans: PlanSession) -> None:
    assert _trust_subjects(plans, "two_envs", "dev") == sorted(
        [f"{REPO}:environment:dev", f"{REPO}:ref:refs/heads/main", f"{REPO}:pull_request"]
    )


def test_github_oidc_prod_trusts_only_its_github_environment(plans: PlanSession) -> None:
    assert _trust_subjects(plans, "two_envs", "prod") == [f"{REPO}:environment:production"]


def test_github_oidc_reuses_an_existing_provider_without_creating_one(plans: PlanSession) -> None:
    case = plans.case("github_oidc", "existing_provider")
    assert case.count("aws_iam_openid_connect_provider") == 0
    trust = json.loads(case.one("aws_iam_role")["assume_role_policy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"{REPO}:environment:staging"
    )


def test_github_oidc_policy_writes_only_to_the_env_prefix_state_and_region(plans: PlanSession) -> None:
    statements = _policy(plans, "two_envs", "prod")
    assert set(_as_list(statements["StateObjects"]["Resource"])) == {"arn:aws:s3:::parley-prod-tfstate/*"}
    assert _as_list(statements["StateLock"]["Resource"]) == ["arn:aws:dynamodb:eu-west-1:*:table/parley-prod-tflock"]
    for sid, statement in statements.items():
        resources = _as_list(statement["Resource"])
        if sid == "Describe":
            verbs = [a.split(":")[1] for a in _as_list(statement["Action"])]
            assert all(v.startswith(("Describe", "Get", "List", "GET")) for v in verbs)
            continue
        if "*" in resources:
            # Calls that take no ARN are held by a condition instead.
            assert statement.get("Condition"), f"{sid} writes to every resource without a condition"
            continue
        for resource in resources:
            assert "parley-dev" not in resource, f"{sid} reaches another env: {resource}"
            region = resource.split(":")[3]
            assert region in ("", "eu-west-1", "us-east-1"), f"{sid} reaches region {region}"


def test_github_oidc_policy_guards_iam_escalation_and_foreign_keys(plans: PlanSession) -> None:
    statements = _policy(plans, "two_envs", "prod")
    attachable = _as_list(statements["ManagedPolicies"]["Condition"]["ArnEquals"]["iam:PolicyARN"])
    assert "arn:aws:iam::aws:policy/AdministratorAccess" not in attachable
    assert all(":iam::aws:policy/" in arn for arn in attachable)
    keys = statements["Keys"]["Condition"]["StringEquals"]
    assert keys == {"aws:ResourceTag/App": "parley", "aws:ResourceTag/Env": "prod"}
    assert statements["Unscoped"]["Condition"]["StringEquals"]["aws:RequestedRegion"] == ["eu-west-1", "us-east-1"]
    policy = plans.case("github_oidc", "two_envs").of_type("aws_iam_role_policy")
    sizes = [len(v["values"]["policy"].replace(" ", "")) for v in policy.values()]
    assert max(sizes) < 10240, "an inline role policy holds at most 10,240 characters"


def test_github_oidc_rejects_bad_input(plans: PlanSession) -> None:
    assert "repository must be owner/name" in plans.rejection("github_oidc", "reject_repository")
    assert "oidc_provider.arn must be the ARN" in plans.rejection("github_oidc", "reject_missing_provider_arn")
    assert "wildcards are not allowed" in plans.rejection("github_oidc", "reject_wildcard_branch")
    assert "environments needs at least one entry" in plans.rejection("github_oidc", "reject_no_environments")
