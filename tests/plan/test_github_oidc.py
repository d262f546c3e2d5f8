"""Plan checks of modules/github_oidc."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plan.deploy_requests import Stack, is_shared, requests_of
from tests.plan.harness import ROOT, PlanSession
from tests.plan.iam import ACCOUNT, Policy, Request
from tools import hcl

REPO = "repo:my-org/parley"


def _trust_subjects(plans: PlanSession, case: str, env: str) -> list[str]:
    trust = plans.case("github_oidc", case).of_type("aws_iam_policy_document")
    (document,) = [v["values"] for a, v in trust.items() if a.endswith(f'trust["{env}"]')]
    (statement,) = document["statement"]
    (subjects,) = [c["values"] for c in statement["condition"] if c["variable"].endswith(":sub")]
    return sorted(subjects)


def _documents(plans: PlanSession, case: str, env: str) -> list[str]:
    """The deploy role's policy documents (one per part) of one env."""
    policies = plans.case("github_oidc", case).of_type("aws_iam_policy")
    return [v["values"]["policy"] for a, v in policies.items() if f'.deploy["{env}-' in a]


def _policy(plans: PlanSession, case: str, env: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in Policy.of(*_documents(plans, case, env)).statements}


def _deploy(plans: PlanSession, env: str) -> Policy:
    return Policy.of(*_documents(plans, "stack_envs", env))


def _boundary(plans: PlanSession, env: str, case: str = "stack_envs") -> Policy:
    policies = plans.case("github_oidc", case).of_type("aws_iam_policy")
    (document,) = [v["values"]["policy"] for a, v in policies.items() if a.endswith(f'.boundary["{env}"]')]
    return Policy.of(document)


def _call(action: str, resource: str, context: dict[str, Any] | None = None) -> Request:
    """A request of a principal in the test account, to the region of its resource."""
    region = resource.split(":")[3] if resource.count(":") > 3 and resource.split(":")[3] else "us-east-1"
    return Request(
        action, resource, {"aws:PrincipalAccount": ACCOUNT, "aws:RequestedRegion": region, **(context or {})}
    )


def _tags(app: str, env: str, kind: str) -> dict[str, Any]:
    tags = {"App": app, "Env": env, "ManagedBy": "terraform"}
    if kind == "request":
        return {**{f"aws:RequestTag/{k}": v for k, v in tags.items()}, "aws:TagKeys": sorted(tags)}
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_github_oidc_creates_the_provider_for_github_tokens_with_sts_audience(plans: PlanSession) -> None:
    provider = plans.case("github_oidc", "two_envs").one("aws_iam_openid_connect_provider")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]


def test_github_oidc_one_role_per_env_named_apart_from_the_stack(plans: PlanSession) -> None:
    case = plans.case("github_oidc", "two_envs")
    names = sorted(v["values"]["name"] for v in case.of_type("aws_iam_role").values())
    assert names == ["parley-deploy-dev", "parley-deploy-prod"]
    policies = sorted(v["values"]["name"] for v in case.of_type("aws_iam_policy").values())
    assert policies == sorted(
        [f"parley-deploy-{env}-{part}" for env in ("dev", "prod") for part in ("access", "services", "stack")]
        + ["parley-boundary-dev", "parley-boundary-prod"]
    )
    attached = sorted(v["values"]["role"] for v in case.of_type("aws_iam_role_policy_attachment").values())
    assert attached == ["parley-deploy-dev"] * 3 + ["parley-deploy-prod"] * 3
    # The stack's roles are parley-<env>-*: a deploy role may change none of its own rights.
    for env in ("dev", "prod"):
        policy = Policy.of(*_documents(plans, "two_envs", env))
        own_role = f"arn:aws:iam::{ACCOUNT}:role/parley-deploy-{env}"
        own_policy = f"arn:aws:iam::{ACCOUNT}:policy/parley-deploy-{env}-access"
        boundary = f"arn:aws:iam::{ACCOUNT}:policy/parley-boundary-{env}"
        for action, resource in [
            ("iam:PutRolePolicy", own_role),
            ("iam:AttachRolePolicy", own_role),
            ("iam:UpdateAssumeRolePolicy", own_role),
            ("iam:DeleteRolePermissionsBoundary", own_role),
            ("iam:CreatePolicyVersion", own_policy),
            ("iam:SetDefaultPolicyVersion", own_policy),
        ]:
            request = _call(
                action,
                resource,
                {
                    "iam:PermissionsBoundary": boundary,
                    "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                },
            )
            assert not policy.allows(request), f"{env}: {action} on {resource}"


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
    statements = {s: v for s, v in _policy(plans, "two_envs", "prod").items() if v["Effect"] == "Allow"}
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
    policies = plans.case("github_oidc", "two_envs").of_type("aws_iam_policy")
    sizes = [len(json.dumps(json.loads(v["values"]["policy"]), separators=(",", ":"))) for v in policies.values()]
    # A managed policy holds at most 6,144 characters; keep room for a 21-character app name.
    assert max(sizes) < 5800, sizes


def test_github_oidc_rejects_bad_input(plans: PlanSession) -> None:
    assert "repository must be owner/name" in plans.rejection("github_oidc", "reject_repository")
    assert "oidc_provider.arn must be the ARN" in plans.rejection("github_oidc", "reject_missing_provider_arn")
    assert "wildcards are not allowed" in plans.rejection("github_oidc", "reject_wildcard_branch")
    assert "environments needs at least one entry" in plans.rejection("github_oidc", "reject_no_environments")
    assert "hosted_zone_id must be a Route 53 hosted zone id" in plans.rejection("github_oidc", "reject_hosted_zone")


# --- the deploy role against the planned stacks ------------------------------


def _stack(plans: PlanSession, env: str) -> Stack:
    return Stack.from_plan(plans.envs[env])


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_github_oidc_deploy_role_creates_every_planned_resource(plans: PlanSession, env: str) -> None:
    stack = _stack(plans, env)
    # The fixture is bootstrap's view of the env: same app, env and region as the planned root.
    table = _as_list(_deploy(plans, env).sid("Table")["Resource"])
    assert table == [f"arn:aws:dynamodb:{stack.region}:*:table/{stack.app}-{stack.env}-*"]
    policy = _deploy(plans, env)
    refused = [
        f"{resource.address}: {request.action} {request.resource} (denied by {policy.denying(request)})"
        for resource, request in requests_of(stack)
        if not policy.allows(request)
    ]
    assert not refused, "\n".join(refused)
    assert len(stack.resources) > 150, "the planned stack is smaller than expected: did the plan change shape?"


@pytest.mark.parametrize(("env", "other"), [("dev", "prod"), ("prod", "dev")])
def test_github_oidc_deploy_role_reaches_no_other_env(plans: PlanSession, env: str, other: str) -> None:
    policy = _deploy(plans, env)
    reached = [
        f"{resource.address}: {request.action} {request.resource} via {policy.allowing(request)}"
        for resource, request in requests_of(_stack(plans, other))
        if not is_shared(request) and policy.allows(request)
    ]
    assert not reached, "\n".join(reached)
    shared = {(r.action, r.resource.split(":")[-1]) for _, r in requests_of(_stack(plans, other)) if is_shared(r)}
    # Account-wide settings and untaggable edge settings are all that both envs share.
    assert {action for action, _ in shared} <= {
        "apigateway:PATCH",
        "cognito-identity:SetIdentityPoolRoles",
        "cloudfront:CreateDistribution",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:CreateResponseHeadersPolicy",
    }


def test_github_oidc_stack_roles_need_the_boundary(plans: PlanSession) -> None:
    policy = _deploy(plans, "dev")
    role = f"arn:aws:iam::{ACCOUNT}:role/parley-dev-api-role"
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/parley-boundary-dev"
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"):
        assert policy.allows(_call(action, role, {"iam:PermissionsBoundary": boundary})), action
        assert not policy.allows(_call(action, role)), f"{action} without a boundary"
        for other in ("parley-boundary-prod", "AdministratorAccess", "parley-dev-anything"):
            assert not policy.allows(
                _call(action, role, {"iam:PermissionsBoundary": boundary.replace("parley-boundary-dev", other)})
            ), f"{action} with {other}"
    managed = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert policy.allows(
        _call("iam:AttachRolePolicy", role, {"iam:PermissionsBoundary": boundary, "iam:PolicyARN": managed})
    )
    assert not policy.allows(_call("iam:AttachRolePolicy", role, {"iam:PolicyARN": managed}))
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert not policy.allows(
        _call("iam:AttachRolePolicy", role, {"iam:PermissionsBoundary": boundary, "iam:PolicyARN": admin})
    )
    # The boundary can be neither removed from a role nor rewritten.
    assert not policy.allows(_call("iam:DeleteRolePermissionsBoundary", role, {"iam:PermissionsBoundary": boundary}))
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        assert not policy.allows(_call(action, boundary)), action
    # The boundary policy's name is not the stack's, so no Allow can match it anyway.
    assert not any(
        s["Effect"] == "Allow" and "parley-boundary-" in json.dumps(s.get("Resource")) for s in policy.statements
    )


def test_github_oidc_passes_only_stack_roles_to_their_services(plans: PlanSession) -> None:
    policy = _deploy(plans, "dev")
    role = f"arn:aws:iam::{ACCOUNT}:role/parley-dev-api-role"
    assert policy.allows(_call("iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}))
    assert not policy.allows(_call("iam:PassRole", role, {"iam:PassedToService": "glue.amazonaws.com"}))
    assert not policy.allows(_call("iam:PassRole", role))
    for name in ("parley-deploy-dev", "parley-prod-api-role", "OrganizationAccountAccessRole"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        assert not policy.allows(_call("iam:PassRole", arn, {"iam:PassedToService": "lambda.amazonaws.com"})), name


def test_github_oidc_keys_cannot_be_taken_by_retagging(plans: PlanSession) -> None:
    policy = _deploy(plans, "dev")
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ours, theirs = _tags("parley", "dev", "resource"), _tags("parley", "prod", "resource")
    claim = _tags("parley", "dev", "request")
    assert policy.allows(_call("kms:CreateKey", "*", claim))
    assert policy.allows(_call("kms:TagResource", "*", claim)), "tags in CreateKey"
    assert not policy.allows(_call("kms:CreateKey", "*"))
    assert not policy.allows(_call("kms:CreateKey", "*", {**claim, "aws:RequestTag/Env": "prod"}))
    extra = {**claim, "aws:RequestTag/Owner": "x", "aws:TagKeys": [*claim["aws:TagKeys"], "Owner"]}
    assert not policy.allows(_call("kms:CreateKey", "*", extra))
    # Another env's key, another app's key and an untagged key cannot be tagged as the env's.
    for foreign in (theirs, _tags("other", "dev", "resource"), {}):
        assert not policy.allows(_call("kms:TagResource", key, {**claim, **foreign})), foreign
        assert not policy.allows(_call("kms:PutKeyPolicy", key, foreign)), foreign
        assert not policy.allows(_call("kms:ScheduleKeyDeletion", key, foreign)), foreign
    assert policy.allows(_call("kms:PutKeyPolicy", key, ours))
    assert policy.allows(_call("kms:TagResource", key, {**claim, **ours}))
    # Key management only: the deploy role never decrypts.
    assert not policy.allows(_call("kms:Decrypt", key, ours))


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("cognito-idp:UpdateUserPool", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"),
        ("cognito-idp:CreateUserPoolClient", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"),
        ("cognito-identity:UpdateIdentityPool", "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/x"),
        ("apigateway:PATCH", "arn:aws:apigateway:us-east-1::/apis/abc123"),
        ("apigateway:POST", "arn:aws:apigateway:us-east-1::/apis/abc123/routes"),
        ("apigateway:DELETE", "arn:aws:apigateway:us-east-1::/domainnames/api.example.com"),
        ("ses:DeleteEmailIdentity", "arn:aws:ses:us-east-1:123456789012:identity/example.com"),
        ("acm:DeleteCertificate", "arn:aws:acm:us-east-1:123456789012:certificate/abc"),
        ("cloudfront:UpdateDistribution", "arn:aws:cloudfront::123456789012:distribution/EABC"),
        ("ec2:TerminateInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"),
        ("ec2:AuthorizeSecurityGroupIngress", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc"),
        (
            "autoscaling:UpdateAutoScalingGroup",
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:a-b:autoScalingGroupName/parley-dev-livekit",
        ),
    ],
)
def test_github_oidc_generated_ids_are_held_by_the_env_tags(plans: PlanSession, action: str, resource: str) -> None:
    policy = _deploy(plans, "dev")
    assert policy.allows(_call(action, resource, _tags("parley", "dev", "resource"))), "its own env"
    for tags in (_tags("parley", "prod", "resource"), _tags("other", "dev", "resource"), {}):
        assert not policy.allows(_call(action, resource, tags)), tags


def test_github_oidc_new_resources_must_carry_the_env_tags(plans: PlanSession) -> None:
    policy = _deploy(plans, "dev")
    claim, other = _tags("parley", "dev", "request"), _tags("parley", "prod", "request")
    for action, resource in [
        ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"),
        ("ec2:CreateVpc", f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/*"),
        ("cognito-idp:CreateUserPool", "*"),
        ("apigateway:POST", "arn:aws:apigateway:us-east-1::/apis"),
        ("ses:CreateEmailIdentity", f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"),
        ("acm:RequestCertificate", "*"),
    ]:
        assert policy.allows(_call(action, resource, claim)), action
        assert not policy.allows(_call(action, resource, other)), f"{action} tagged for prod"
        assert not policy.allows(_call(action, resource)), f"{action} untagged"
    # EC2 tags only in the call that creates the resource, or on the env's own resources.
    instance = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0abc"
    assert policy.allows(_call("ec2:CreateTags", instance, {"ec2:CreateAction": "RunInstances", **claim}))
    assert not policy.allows(_call("ec2:CreateTags", instance, claim))
    assert not policy.allows(_call("ec2:CreateTags", instance, {**claim, **_tags("parley", "prod", "resource")}))
    # A distribution of another env cannot be re-tagged as this env's.
    distribution = f"arn:aws:cloudfront::{ACCOUNT}:distribution/EABC"
    taken = {**claim, **_tags("parley", "prod", "resource")}
    assert not policy.allows(_call("cloudfront:TagResource", distribution, taken))


def test_github_oidc_records_only_in_the_env_hosted_zone(plans: PlanSession) -> None:
    dev, prod = _deploy(plans, "dev"), _deploy(plans, "prod")
    zone = "arn:aws:route53:::hostedzone/Z0123456789DEVZONE"
    assert dev.allows(_call("route53:ChangeResourceRecordSets", zone))
    assert not prod.allows(_call("route53:ChangeResourceRecordSets", zone))
    assert not dev.allows(_call("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZOTHER"))
    # Without a hosted zone, no record can be written anywhere.
    assert "Records" not in _policy(plans, "two_envs", "dev")


# --- the boundary of the stack's roles ---------------------------------------

MODULES = ROOT / "modules"

# Actions of the AWS managed policies the stack attaches (their published documents).
MANAGED_POLICY_ACTIONS = {
    "AmazonSSMManagedInstanceCore": [
        "ssm:DescribeAssociation",
        "ssm:GetDeployablePatchSnapshotForInstance",
        "ssm:GetDocument",
        "ssm:DescribeDocument",
        "ssm:GetManifest",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:ListAssociations",
        "ssm:ListInstanceAssociations",
        "ssm:PutInventory",
        "ssm:PutComplianceItems",
        "ssm:PutConfigurePackageResult",
        "ssm:UpdateAssociationStatus",
        "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
    ],
    "CloudWatchAgentServerPolicy": [
        "cloudwatch:PutMetricData",
        "ec2:DescribeVolumes",
        "ec2:DescribeTags",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
        "logs:DescribeLogGroups",
        "logs:CreateLogStream",
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "ssm:GetParameter",
    ],
    "AmazonAPIGatewayPushToCloudWatchLogs": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
    ],
}


def _identity_actions(node: Any) -> set[str]:
    """Actions of every identity-policy statement in a parsed HCL tree (no principals, not Deny)."""
    found: set[str] = set()
    if isinstance(node, dict):
        actions = node.get("actions", node.get("Action"))
        principal = "principals" in node or "Principal" in node
        deny = str(node.get("effect", node.get("Effect", "Allow"))).strip('"') == "Deny"
        if actions is not None and not principal and not deny:
            values = actions if isinstance(actions, list) else [actions]
            found |= {v.strip('"') for v in values if isinstance(v, str) and ":" in v and "${" not in v}
        for value in node.values():
            found |= _identity_actions(value)
    elif isinstance(node, list):
        for value in node:
            found |= _identity_actions(value)
    return found


def _stack_role_actions() -> set[str]:
    """Every action a role of the stack is given: its modules' identity statements and managed policies."""
    actions: set[str] = set()
    for path in sorted(MODULES.glob("*/*.tf")):
        if path.parent.name in ("github_oidc", "state_backend"):
            continue
        actions |= _identity_actions(hcl.load(path))
    actions -= {"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"}
    for managed in MANAGED_POLICY_ACTIONS.values():
        actions |= set(managed)
    return actions


def _resource_for(action: str, env: str) -> tuple[str, dict[str, Any]]:
    """A resource of the env that the action is used on by the stack's roles, and its context."""
    p = f"parley-{env}"
    service = action.split(":", maxsplit=1)[0]
    by_service = {
        "dynamodb": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{p}-main/index/GSI1",
        "s3": f"arn:aws:s3:::{p}-uploads/users/u-1/file.png" if "Object" in action else f"arn:aws:s3:::{p}-uploads",
        "sqs": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{p}-match.fifo",
        "sns": f"arn:aws:sns:us-east-1:{ACCOUNT}:{p}-match.fifo",
        "secretsmanager": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{p}/livekit-AbCdEf",
        "lambda": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{p}-points-reset",
        "logs": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/{p}-api:log-stream:x",
        "execute-api": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/live/POST/@connections/x",
        "ses": f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/no-reply@example.com",
        "cognito-idp": f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_abc",
        "kms": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc",
    }
    context: dict[str, Any] = _tags("parley", env, "resource")
    if action == "ec2:AssociateAddress":
        return f"arn:aws:ec2:us-east-1:{ACCOUNT}:elastic-ip/eipalloc-0abc", context
    if service == "kms":
        context["kms:ViaService"] = "sqs.us-east-1.amazonaws.com"
    return by_service.get(service, "*"), context


def test_github_oidc_boundary_allows_what_the_stack_roles_are_given(plans: PlanSession) -> None:
    actions = _stack_role_actions()
    # The scan finds the function, scheduler, identity-pool and instance-role statements.
    assert {
        "dynamodb:Query",
        "execute-api:ManageConnections",
        "lambda:InvokeFunction",
        "ec2:AssociateAddress",
    } <= actions
    for env in ("dev", "prod"):
        boundary = _boundary(plans, env)
        missing = []
        for action in sorted(actions):
            resource, context = _resource_for(action.replace("*", "Item"), env)
            if not boundary.allows(_call(action.replace("*", "Item"), resource, context)):
                missing.append(f"{action} on {resource}")
        assert not missing, f"{env} boundary refuses: {missing}"


ADMINISTRATIVE = [
    ("iam:CreateRole", "*"),
    ("iam:PutRolePolicy", "*"),
    ("iam:AttachRolePolicy", "*"),
    ("iam:PassRole", "*"),
    ("iam:CreateUser", "*"),
    ("iam:CreateAccessKey", "*"),
    ("iam:UpdateAssumeRolePolicy", "*"),
    ("sts:AssumeRole", "*"),
    ("organizations:LeaveOrganization", "*"),
    ("kms:PutKeyPolicy", "key"),
    ("kms:CreateGrant", "key"),
    ("lambda:AddPermission", "lambda"),
    ("lambda:UpdateFunctionCode", "lambda"),
    ("lambda:CreateFunction", "lambda"),
    ("s3:PutBucketPolicy", "s3"),
    ("s3:DeleteBucket", "s3"),
    ("sqs:SetQueueAttributes", "sqs"),
    ("sns:SetTopicAttributes", "sns"),
    ("dynamodb:DeleteTable", "dynamodb"),
    ("secretsmanager:PutResourcePolicy", "secretsmanager"),
    ("secretsmanager:PutSecretValue", "secretsmanager"),
    ("ssm:SendCommand", "*"),
    ("ec2:RunInstances", "*"),
    ("cognito-idp:AdminAddUserToGroup", "cognito-idp"),
    ("logs:DeleteLogGroup", "logs"),
]


@pytest.mark.parametrize(("action", "service"), ADMINISTRATIVE)
def test_github_oidc_boundary_allows_nothing_administrative(plans: PlanSession, action: str, service: str) -> None:
    boundary = _boundary(plans, "dev")
    resource, context = _resource_for(f"{service}:x", "dev") if service != "*" else ("*", {})
    context["kms:ViaService"] = "sqs.us-east-1.amazonaws.com"
    assert not boundary.allows(_call(action, resource, context)), f"{action} on {resource}"


def test_github_oidc_boundary_keeps_each_env_to_its_own_data(plans: PlanSession) -> None:
    boundary = _boundary(plans, "dev")
    for action in ("dynamodb:GetItem", "s3:GetObject", "secretsmanager:GetSecretValue", "sqs:SendMessage"):
        own, context = _resource_for(action, "dev")
        theirs, their_context = _resource_for(action, "prod")
        assert boundary.allows(_call(action, own, context)), action
        assert not boundary.allows(_call(action, theirs, their_context)), f"{action} on {theirs}"
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"
    assert not boundary.allows(_call("kms:Decrypt", key)), "decrypting outside the data services"


def test_github_oidc_lockfile_backend_gets_the_state_lock_files_and_no_table(plans: PlanSession) -> None:
    # use_lockfile: the lock is the object <key>.tflock next to the state, a state object like any other
    statements = _policy(plans, "lockfile_backend", "staging")
    assert "StateLock" not in statements
    policy = Policy.of(*_documents(plans, "lockfile_backend", "staging"))
    lock = "arn:aws:s3:::parley-staging-tfstate/parley/staging.tfstate.tflock"
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        context = {"aws:PrincipalAccount": ACCOUNT, "aws:RequestedRegion": "us-east-1"}
        assert policy.allows(Request(action, lock, context)), action
    assert not any("dynamodb:PutItem" in json.dumps(s) for s in statements.values())
