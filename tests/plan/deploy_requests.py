"""The calls a deploy role makes to create each planned resource of an environment.

Every resource type of the planned stacks maps to the IAM requests terraform's
AWS provider sends to create (and tag) it: action, the resource's ARN built from
its planned attributes, and the condition context (request tags from the
planned ``tags_all``, resource tags of the parent it is created in). Where a
planned attribute is not known before apply (an API id, a bucket of a
sub-configuration), the request is made for every planned resource it may name.
An unmapped resource type fails loudly, so a new kind of resource in the stack
needs its requests here before a deploy role is trusted to create it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.plan.harness import index_plan
from tests.plan.iam import ACCOUNT, Request

GENERATED_ID = "a1b2c3d4e5"


@dataclass(frozen=True)
class Planned:
    address: str
    type: str
    values: dict[str, Any]

    def tags(self) -> dict[str, str]:
        return dict(self.values.get("tags_all") or {})


@dataclass
class Stack:
    """The planned resources of one environment root."""

    env: str
    app: str
    region: str
    resources: list[Planned]

    @classmethod
    def from_plan(cls, raw: dict[str, Any]) -> Stack:
        variables = raw["variables"]
        resources = [
            Planned(address, entry["type"], entry["values"])
            for address, entry in index_plan(raw).items()
            if not address.startswith("data.") and ".data." not in address
        ]
        return cls(variables["env"]["value"], variables["app"]["value"], variables["region"]["value"], resources)

    def of_type(self, resource_type: str) -> list[Planned]:
        return [r for r in self.resources if r.type == resource_type]

    @staticmethod
    def role_boundary(role: Planned) -> dict[str, str]:
        """The condition context of a call on a role: the boundary it is planned with, if any."""
        boundary = role.values.get("permissions_boundary")
        return {"iam:PermissionsBoundary": boundary} if boundary else {}

    def arn(self, service: str, resource: str, region: str | None = None, account: str = ACCOUNT) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{account}:{resource}"


def created(tags: dict[str, str]) -> dict[str, Any]:
    """Condition context of a call that creates a resource with these tags."""
    return {**{f"aws:RequestTag/{k}": v for k, v in tags.items()}, "aws:TagKeys": sorted(tags)}


def existing(tags: dict[str, str]) -> dict[str, Any]:
    """Condition context of a call on an existing resource with these tags."""
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}


def _bucket_arns(stack: Stack) -> list[str]:
    return [f"arn:aws:s3:::{b.values['bucket']}" for b in stack.of_type("aws_s3_bucket")]


def _function_arn(stack: Stack, name: str) -> str:
    region = "us-east-1" if name.endswith("-edge-auth") else None
    return stack.arn("lambda", f"function:{name}", region)


def _function_arns(stack: Stack) -> list[str]:
    return [_function_arn(stack, f.values["function_name"]) for f in stack.of_type("aws_lambda_function")]


def _role_arns(stack: Stack) -> list[str]:
    return [f"arn:aws:iam::{ACCOUNT}:role/{r.values['name']}" for r in stack.of_type("aws_iam_role")]


def _apis(stack: Stack) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"arn:aws:apigateway:{stack.region}::/apis/{GENERATED_ID}{i}", api.tags())
        for i, api in enumerate(stack.of_type("aws_apigatewayv2_api"))
    ]


def _one_tagged(stack: Stack, resource_type: str) -> dict[str, str]:
    """The tags every resource of a type carries (the env's default tags), when there may be several."""
    (tags,) = {json.dumps(found.tags(), sort_keys=True) for found in stack.of_type(resource_type)}
    return dict(json.loads(tags))


def _s3(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = f"arn:aws:s3:::{r.values['bucket']}"
    for action in ("s3:CreateBucket", "s3:PutBucketTagging", "s3:DeleteBucket"):
        yield Request(action, arn)


def _bucket_setting(action: str) -> Callable[[Stack, Planned], Iterator[Request]]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        bucket = r.values.get("bucket")
        for arn in [f"arn:aws:s3:::{bucket}"] if bucket else _bucket_arns(stack):
            yield Request(action, arn)

    return requests


def _s3_object(stack: Stack, r: Planned) -> Iterator[Request]:
    for arn in _bucket_arns(stack):
        yield Request("s3:PutObject", f"{arn}/{r.values['key']}")


def _secret(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = stack.arn("secretsmanager", f"secret:{r.values['name']}-AbCdEf")
    for action in ("secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DeleteSecret"):
        yield Request(action, arn, created(r.tags()))


def _secret_version(stack: Stack, r: Planned) -> Iterator[Request]:
    for secret in stack.of_type("aws_secretsmanager_secret"):
        yield Request(
            "secretsmanager:PutSecretValue", stack.arn("secretsmanager", f"secret:{secret.values['name']}-AbCdEf")
        )


def _log_group(stack: Stack, r: Planned) -> Iterator[Request]:
    region = "us-east-1" if r.values["name"].startswith("/aws/lambda/us-east-1.") else None
    arn = stack.arn("logs", f"log-group:{r.values['name']}", region)
    for action in ("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:DeleteLogGroup"):
        yield Request(action, arn)


def _metric_filter(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("logs:PutMetricFilter", stack.arn("logs", f"log-group:{r.values['log_group_name']}"))


def _trusted_services(role: Planned) -> list[str]:
    document = role.values.get("assume_role_policy")
    if not document:
        return []
    services = []
    for statement in json.loads(document)["Statement"]:
        principal = statement.get("Principal", {})
        for kind in ("Service", "Federated"):
            found = principal.get(kind, []) if isinstance(principal, dict) else []
            services += [found] if isinstance(found, str) else found
    return services


def _role(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = f"arn:aws:iam::{ACCOUNT}:role/{r.values['name']}"
    yield Request("iam:CreateRole", arn, {**created(r.tags()), **stack.role_boundary(r)})
    yield Request("iam:TagRole", arn, created(r.tags()))
    yield Request("iam:DeleteRole", arn)
    for service in _trusted_services(r):
        yield Request("iam:PassRole", arn, {"iam:PassedToService": service})


def _role_policy(stack: Stack, r: Planned) -> Iterator[Request]:
    for role in stack.of_type("aws_iam_role"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role.values['name']}"
        context = stack.role_boundary(role)
        yield Request("iam:PutRolePolicy", arn, context)
        yield Request("iam:DeleteRolePolicy", arn, context)


def _role_attachment(stack: Stack, r: Planned) -> Iterator[Request]:
    (role,) = [x for x in stack.of_type("aws_iam_role") if x.values["name"] == r.values["role"]]
    context = {"iam:PolicyARN": r.values["policy_arn"], **stack.role_boundary(role)}
    arn = f"arn:aws:iam::{ACCOUNT}:role/{r.values['role']}"
    yield Request("iam:AttachRolePolicy", arn, context)
    yield Request("iam:DetachRolePolicy", arn, context)


def _function(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = _function_arn(stack, r.values["function_name"])
    for action in ("lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:TagResource", "lambda:DeleteFunction"):
        yield Request(action, arn, created(r.tags()))


def _function_setting(action: str) -> Callable[[Stack, Planned], Iterator[Request]]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        name = r.values.get("function_name")
        for arn in [_function_arn(stack, name)] if name else _function_arns(stack):
            yield Request(action, arn)

    return requests


def _event_source(stack: Stack, r: Planned) -> Iterator[Request]:
    function = _function_arn(stack, r.values["function_name"])
    yield Request("lambda:CreateEventSourceMapping", "*", {"lambda:FunctionArn": function, **created(r.tags())})
    mapping = stack.arn("lambda", f"event-source-mapping:{GENERATED_ID}")
    yield Request("lambda:DeleteEventSourceMapping", mapping, {"lambda:FunctionArn": function})
    yield Request("lambda:TagResource", mapping, {**created(r.tags()), **existing(r.tags())})


def _signing_profile_arn(stack: Stack, name: str) -> str:
    return stack.arn("signer", f"/signing-profiles/{name}")


def _signing_profile(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = _signing_profile_arn(stack, r.values["name"])
    for action in ("signer:PutSigningProfile", "signer:TagResource", "signer:CancelSigningProfile"):
        yield Request(action, arn, created(r.tags()))


def _signing_job(stack: Stack, r: Planned) -> Iterator[Request]:
    """Signer reads the artifact's version and writes the signed zip with the caller's permissions."""
    yield Request("signer:StartSigningJob", _signing_profile_arn(stack, r.values["profile_name"]))
    (source,) = r.values["source"][0]["s3"]
    (destination,) = r.values["destination"][0]["s3"]
    yield Request("s3:GetObjectVersion", f"arn:aws:s3:::{source['bucket']}/{source['key']}")
    yield Request("s3:PutObject", f"arn:aws:s3:::{destination['bucket']}/{destination['prefix']}{GENERATED_ID}.zip")


def _code_signing_config(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("lambda:CreateCodeSigningConfig", "*", created(r.tags()))
    config = stack.arn("lambda", f"code-signing-config:csc-{GENERATED_ID}")
    for action in ("lambda:TagResource", "lambda:UpdateCodeSigningConfig", "lambda:DeleteCodeSigningConfig"):
        yield Request(action, config, existing(r.tags()))
    for function in _function_arns(stack):
        yield Request("lambda:PutFunctionCodeSigningConfig", function, {"lambda:CodeSigningConfigArn": config})


def _table(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = stack.arn("dynamodb", f"table/{r.values['name']}")
    for action in ("dynamodb:CreateTable", "dynamodb:UpdateTimeToLive", "dynamodb:TagResource", "dynamodb:DeleteTable"):
        yield Request(action, arn)


def _named(service: str, actions: tuple[str, ...], attribute: str = "name", kind: str = "") -> Callable[..., Any]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        arn = stack.arn(service, f"{kind}{r.values[attribute]}")
        for action in actions:
            yield Request(action, arn, created(r.tags()))

    return requests


def _subscription(stack: Stack, r: Planned) -> Iterator[Request]:
    for topic in stack.of_type("aws_sns_topic"):
        yield Request("sns:Subscribe", stack.arn("sns", topic.values["name"]))


def _schedule(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = stack.arn("scheduler", f"schedule/{r.values['group_name']}/{r.values['name']}")
    yield Request("scheduler:CreateSchedule", arn)
    yield Request("scheduler:DeleteSchedule", arn)


def _alarm(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = stack.arn("cloudwatch", f"alarm:{r.values['alarm_name']}")
    yield Request("cloudwatch:PutMetricAlarm", arn, created(r.tags()))
    yield Request("cloudwatch:TagResource", arn, created(r.tags()))


def _dashboard(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{r.values['dashboard_name']}")


def _key_arn(stack: Stack) -> str:
    return stack.arn("kms", f"key/{GENERATED_ID}")


def _key(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("kms:CreateKey", "*", created(r.tags()))
    yield Request("kms:TagResource", "*", created(r.tags()))
    for action in ("kms:EnableKeyRotation", "kms:ScheduleKeyDeletion"):
        yield Request(action, _key_arn(stack), existing(r.tags()))


def _key_policy(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("kms:PutKeyPolicy", _key_arn(stack), existing(_one_tagged(stack, "aws_kms_key")))


def _alias(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("kms:CreateAlias", stack.arn("kms", r.values["name"]))
    yield Request("kms:CreateAlias", _key_arn(stack), existing(_one_tagged(stack, "aws_kms_key")))


def _user_pool(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("cognito-idp:CreateUserPool", "*", created(r.tags()))
    pool = stack.arn("cognito-idp", f"userpool/{stack.region}_{GENERATED_ID}")
    for action in ("cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool"):
        yield Request(action, pool, existing(r.tags()))


def _in_user_pool(action: str) -> Callable[[Stack, Planned], Iterator[Request]]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        pool = stack.arn("cognito-idp", f"userpool/{stack.region}_{GENERATED_ID}")
        yield Request(action, pool, existing(_one_tagged(stack, "aws_cognito_user_pool")))

    return requests


def _identity_pool(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("cognito-identity:CreateIdentityPool", "*", created(r.tags()))
    pool = stack.arn("cognito-identity", f"identitypool/{stack.region}:{GENERATED_ID}")
    yield Request("cognito-identity:UpdateIdentityPool", pool, existing(r.tags()))


def _identity_principal_tags(stack: Stack, r: Planned) -> Iterator[Request]:
    pool = stack.arn("cognito-identity", f"identitypool/{stack.region}:{GENERATED_ID}")
    for action in ("SetPrincipalTagAttributeMap", "GetPrincipalTagAttributeMap"):
        yield Request(f"cognito-identity:{action}", pool, existing(_one_tagged(stack, "aws_cognito_identity_pool")))


def _identity_roles(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("cognito-identity:SetIdentityPoolRoles", "*")
    for arn in _role_arns(stack):
        if "-identity-" in arn:
            yield Request("iam:PassRole", arn, {"iam:PassedToService": "cognito-identity.amazonaws.com"})


def _email_identity(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = stack.arn("ses", f"identity/{r.values['email_identity']}")
    yield Request("ses:CreateEmailIdentity", arn, created(r.tags()))
    yield Request("ses:PutEmailIdentityMailFromAttributes", arn, existing(r.tags()))
    yield Request("ses:DeleteEmailIdentity", arn, existing(r.tags()))


def _api(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("apigateway:POST", f"arn:aws:apigateway:{stack.region}::/apis", created(r.tags()))
    for arn, tags in _apis(stack):
        if tags == r.tags():
            yield Request("apigateway:PATCH", arn, existing(tags))
            yield Request("apigateway:DELETE", arn, existing(tags))


def _api_child(collection: str) -> Callable[[Stack, Planned], Iterator[Request]]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        for arn, tags in _apis(stack):
            yield Request("apigateway:POST", f"{arn}/{collection}", existing(tags))
            yield Request("apigateway:PATCH", f"{arn}/{collection}/{GENERATED_ID}", existing(tags))

    return requests


def _api_account(stack: Stack, r: Planned) -> Iterator[Request]:
    yield Request("apigateway:PATCH", f"arn:aws:apigateway:{stack.region}::/account")
    for arn in _role_arns(stack):
        if arn.endswith("-apigw-logs"):
            yield Request("iam:PassRole", arn, {"iam:PassedToService": "apigateway.amazonaws.com"})


def _distribution(stack: Stack, r: Planned) -> Iterator[Request]:
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E{GENERATED_ID.upper()}"
    yield Request("cloudfront:CreateDistribution", arn)
    yield Request("cloudfront:TagResource", arn, created(r.tags()))
    yield Request("cloudfront:UpdateDistribution", arn, existing(r.tags()))
    yield Request("cloudfront:DeleteDistribution", arn, existing(r.tags()))


def _edge_setting(kind: str, action: str) -> Callable[[Stack, Planned], Iterator[Request]]:
    def requests(stack: Stack, r: Planned) -> Iterator[Request]:
        yield Request(action, f"arn:aws:cloudfront::{ACCOUNT}:{kind}/{GENERATED_ID}")

    return requests


REQUESTS: dict[str, Callable[[Stack, Planned], Iterator[Request]]] = {
    "aws_s3_bucket": _s3,
    "aws_s3_bucket_policy": _bucket_setting("s3:PutBucketPolicy"),
    "aws_s3_bucket_public_access_block": _bucket_setting("s3:PutBucketPublicAccessBlock"),
    "aws_s3_bucket_server_side_encryption_configuration": _bucket_setting("s3:PutEncryptionConfiguration"),
    "aws_s3_bucket_ownership_controls": _bucket_setting("s3:PutBucketOwnershipControls"),
    "aws_s3_bucket_cors_configuration": _bucket_setting("s3:PutBucketCORS"),
    "aws_s3_bucket_lifecycle_configuration": _bucket_setting("s3:PutLifecycleConfiguration"),
    "aws_s3_bucket_versioning": _bucket_setting("s3:PutBucketVersioning"),
    "aws_s3_object": _s3_object,
    "aws_secretsmanager_secret": _secret,
    "aws_secretsmanager_secret_version": _secret_version,
    "aws_cloudwatch_log_group": _log_group,
    "aws_cloudwatch_log_metric_filter": _metric_filter,
    "aws_iam_role": _role,
    "aws_iam_role_policy": _role_policy,
    "aws_iam_role_policy_attachment": _role_attachment,
    "aws_lambda_function": _function,
    "aws_lambda_permission": _function_setting("lambda:AddPermission"),
    "aws_lambda_function_event_invoke_config": _function_setting("lambda:PutFunctionEventInvokeConfig"),
    "aws_lambda_event_source_mapping": _event_source,
    "aws_lambda_code_signing_config": _code_signing_config,
    "aws_signer_signing_profile": _signing_profile,
    "aws_signer_signing_job": _signing_job,
    "aws_dynamodb_table": _table,
    "aws_sns_topic": _named("sns", ("sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource")),
    "aws_sns_topic_subscription": _subscription,
    "aws_sqs_queue": _named("sqs", ("sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:TagQueue")),
    "aws_scheduler_schedule_group": _named(
        "scheduler", ("scheduler:CreateScheduleGroup", "scheduler:TagResource"), kind="schedule-group/"
    ),
    "aws_scheduler_schedule": _schedule,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_cloudwatch_dashboard": _dashboard,
    "aws_kms_key": _key,
    "aws_kms_key_policy": _key_policy,
    "aws_kms_alias": _alias,
    "aws_cognito_user_pool": _user_pool,
    "aws_cognito_user_pool_client": _in_user_pool("cognito-idp:CreateUserPoolClient"),
    "aws_cognito_user_pool_domain": _in_user_pool("cognito-idp:CreateUserPoolDomain"),
    "aws_cognito_identity_provider": _in_user_pool("cognito-idp:CreateIdentityProvider"),
    "aws_cognito_identity_pool": _identity_pool,
    "aws_cognito_identity_pool_roles_attachment": _identity_roles,
    "aws_cognito_identity_pool_provider_principal_tag": _identity_principal_tags,
    "aws_sesv2_email_identity": _email_identity,
    "aws_apigatewayv2_api": _api,
    "aws_apigatewayv2_authorizer": _api_child("authorizers"),
    "aws_apigatewayv2_integration": _api_child("integrations"),
    "aws_apigatewayv2_route": _api_child("routes"),
    "aws_apigatewayv2_stage": _api_child("stages"),
    "aws_api_gateway_account": _api_account,
    "aws_cloudfront_distribution": _distribution,
    "aws_cloudfront_origin_access_control": _edge_setting(
        "origin-access-control", "cloudfront:CreateOriginAccessControl"
    ),
    "aws_cloudfront_response_headers_policy": _edge_setting(
        "response-headers-policy", "cloudfront:CreateResponseHeadersPolicy"
    ),
}

# Requests whose resource no name or tag can tie to one environment (account
# settings, calls that take no resource ARN, types that carry no tags).
SHARED = {
    ("apigateway:PATCH", "/account"),
    ("cognito-identity:SetIdentityPoolRoles", "*"),
    ("cloudfront:CreateDistribution", ":distribution/"),
    ("cloudfront:CreateOriginAccessControl", ":origin-access-control/"),
    ("cloudfront:CreateResponseHeadersPolicy", ":response-headers-policy/"),
}


def is_shared(request: Request) -> bool:
    return any(request.action == action and marker in request.resource for action, marker in SHARED)


def requests_of(stack: Stack) -> Iterator[tuple[Planned, Request]]:
    for resource in stack.resources:
        mapper = REQUESTS.get(resource.type)
        assert mapper, f"{resource.address}: no deploy requests known for {resource.type}; add them to REQUESTS"
        for request in mapper(stack, resource):
            # Every call is made by a principal of the env's account, to the region of its resource.
            context = {"aws:PrincipalAccount": ACCOUNT, "aws:RequestedRegion": _region(stack, request.resource)}
            yield resource, Request(request.action, request.resource, {**context, **request.context})


def _region(stack: Stack, arn: str) -> str:
    parts = arn.split(":")
    if len(parts) > 3 and parts[3]:
        return parts[3]
    return "us-east-1" if len(parts) > 2 and parts[2] in ("iam", "cloudfront", "route53") else stack.region
