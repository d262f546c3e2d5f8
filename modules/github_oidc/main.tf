# GitHub Actions to AWS without stored keys: the account's OIDC provider for
# token.actions.githubusercontent.com (optional, one per account) and one
# deploy role per environment that only this repository's chosen workflow
# runs can assume, with a policy scoped to what the stack manages.

# Known offline, so policies are readable in plans.
data "aws_partition" "current" {}

locals {
  partition   = data.aws_partition.current.partition
  issuer_host = "token.actions.githubusercontent.com"
  provider_arn = (
    var.oidc_provider.create ? aws_iam_openid_connect_provider.this[0].arn : var.oidc_provider.arn
  )

  # The OIDC subject GitHub puts in a run's token: environment:<name> for a job
  # that declares an environment, ref:<ref> for one that does not, and
  # pull_request for pull request runs (never issued to forks' runs).
  subjects = {
    for env, e in var.environments : env => concat(
      ["repo:${var.repository}:environment:${coalesce(e.github_environment, env)}"],
      [for branch in e.branches : "repo:${var.repository}:ref:refs/heads/${branch}"],
      e.pull_request_plans_enabled ? ["repo:${var.repository}:pull_request"] : [],
    )
  }

  # Managed policies the stack attaches to its own roles; no other may be attached.
  attachable_policies = [for name in [
    "AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy", "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
  ] : "arn:${local.partition}:iam::aws:policy/${name}"]

  # Service-linked roles the stack's services create on first use.
  service_linked_roles = [
    "replicator.lambda.amazonaws.com", "logger.cloudfront.amazonaws.com", "autoscaling.amazonaws.com",
    "ops.apigateway.amazonaws.com",
  ]

  # Statements of each env's deploy policy. Names of the stack's resources all
  # start with <name_prefix>-<env>-, so most writes are scoped to that prefix;
  # KMS keys are scoped by their App/Env tags (the envs' default_tags); services
  # whose ids are generated (API Gateway, Cognito, EC2, SES) by the env's region.
  # CloudFront and its certificates and edge functions live in us-east-1.
  statements = {
    for env, e in var.environments : env => {
      StateObjects = {
        actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources = ["arn:${local.partition}:s3:::${e.state_bucket_name}/*"]
      }
      StateBucket = {
        actions   = ["s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
        resources = ["arn:${local.partition}:s3:::${e.state_bucket_name}"]
      }
      StateLock = {
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"]
        resources = ["arn:${local.partition}:dynamodb:${e.region}:*:table/${e.lock_table_name}"]
      }
      Describe = {
        # Read-only calls terraform makes to refresh state; none returns secret
        # values, object contents or plaintext.
        actions = [
          "acm:DescribeCertificate", "acm:ListCertificates", "acm:ListTagsForCertificate", "apigateway:GET",
          "autoscaling:Describe*", "cloudfront:Get*", "cloudfront:List*", "cloudwatch:Describe*",
          "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource", "cognito-identity:DescribeIdentityPool",
          "cognito-identity:GetIdentityPoolRoles", "cognito-identity:ListTagsForResource", "cognito-idp:Describe*",
          "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:ListTagsForResource", "cognito-idp:ListUserPoolClients",
          "dynamodb:Describe*", "dynamodb:ListTagsOfResource", "ec2:Describe*", "events:Describe*",
          "events:ListTagsForResource", "events:ListTargetsByRule", "iam:GetRole", "iam:GetRolePolicy",
          "iam:GetInstanceProfile", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
          "iam:ListInstanceProfilesForRole", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
          "kms:ListAliases", "kms:ListResourceTags", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
          "lambda:GetFunctionConcurrency", "lambda:GetFunctionEventInvokeConfig", "lambda:GetPolicy",
          "lambda:GetEventSourceMapping", "lambda:ListVersionsByFunction", "lambda:ListEventSourceMappings",
          "lambda:ListTags", "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "logs:ListTagsForResource",
          "logs:ListTagsLogGroup", "route53:GetChange", "route53:GetHostedZone", "route53:ListHostedZones",
          "route53:ListResourceRecordSets", "scheduler:GetSchedule", "scheduler:GetScheduleGroup",
          "scheduler:ListTagsForResource", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
          "ses:GetEmailIdentity", "sns:GetTopicAttributes", "sns:GetSubscriptionAttributes",
          "sns:ListTagsForResource", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags",
          "sts:GetCallerIdentity",
        ]
        resources = ["*"]
      }
      Table = {
        actions   = ["dynamodb:*"]
        resources = ["arn:${local.partition}:dynamodb:${e.region}:*:table/${var.name_prefix}-${env}-*"]
      }
      Functions = {
        actions = ["lambda:*"]
        resources = distinct([
          "arn:${local.partition}:lambda:${e.region}:*:function:${var.name_prefix}-${env}-*",
          "arn:${local.partition}:lambda:${e.region}:*:event-source-mapping:*",
          "arn:${local.partition}:lambda:us-east-1:*:function:${var.name_prefix}-${env}-*",
        ])
      }
      Logs = {
        actions   = ["logs:*"]
        resources = ["arn:${local.partition}:logs:${e.region}:*:log-group:*${var.name_prefix}-${env}-*"]
      }
      Buckets = {
        actions = ["s3:*"]
        resources = [
          "arn:${local.partition}:s3:::${var.name_prefix}-${env}-*",
          "arn:${local.partition}:s3:::${var.name_prefix}-${env}-*/*",
        ]
      }
      Messaging = {
        actions = ["sns:*", "sqs:*"]
        resources = [
          "arn:${local.partition}:sns:${e.region}:*:${var.name_prefix}-${env}-*",
          "arn:${local.partition}:sqs:${e.region}:*:${var.name_prefix}-${env}-*",
        ]
      }
      Secrets = {
        actions   = ["secretsmanager:*"]
        resources = ["arn:${local.partition}:secretsmanager:${e.region}:*:secret:${var.name_prefix}-${env}-*"]
      }
      Schedules = {
        actions = ["scheduler:*", "events:*"]
        resources = [
          "arn:${local.partition}:scheduler:${e.region}:*:schedule/*/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:scheduler:${e.region}:*:schedule-group/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:events:${e.region}:*:rule/${var.name_prefix}-${env}-*",
        ]
      }
      Monitoring = {
        actions = ["cloudwatch:*"]
        resources = [
          "arn:${local.partition}:cloudwatch:${e.region}:*:alarm:${var.name_prefix}-${env}-*",
          "arn:${local.partition}:cloudwatch::*:dashboard/${var.name_prefix}-${env}-*",
        ]
      }
      Roles = {
        # Only the stack's own roles: a deploy role (<name_prefix>-deploy-<env>)
        # never matches, so it cannot widen itself.
        actions = [
          "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
          "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:CreateInstanceProfile",
          "iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
          "iam:TagInstanceProfile", "iam:UntagInstanceProfile",
        ]
        resources = [
          "arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:iam::*:instance-profile/${var.name_prefix}-${env}-*",
        ]
      }
      PassRoles = {
        actions   = ["iam:PassRole"]
        resources = ["arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*"]
      }
      ManagedPolicies = {
        actions    = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
        resources  = ["arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*"]
        conditions = [{ test = "ArnEquals", variable = "iam:PolicyARN", values = local.attachable_policies }]
      }
      ServiceLinkedRoles = {
        actions    = ["iam:CreateServiceLinkedRole"]
        resources  = ["arn:${local.partition}:iam::*:role/aws-service-role/*"]
        conditions = [{ test = "StringEquals", variable = "iam:AWSServiceName", values = local.service_linked_roles }]
      }
      Unscoped = {
        # Calls that accept no resource ARN, held to the env's region and us-east-1.
        actions = [
          "acm:RequestCertificate", "cognito-idp:CreateUserPool", "cognito-identity:CreateIdentityPool",
          "secretsmanager:GetRandomPassword",
          # API access logs: API Gateway sets up the delivery to the log group.
          "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        ]
        resources  = ["*"]
        conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = distinct([e.region, "us-east-1"]) }]
      }
      NewKeys = {
        actions   = ["kms:CreateKey", "kms:TagResource"]
        resources = ["*"]
        conditions = [
          { test = "StringEquals", variable = "aws:RequestTag/App", values = [var.name_prefix] },
          { test = "StringEquals", variable = "aws:RequestTag/Env", values = [env] },
        ]
      }
      Keys = {
        actions   = ["kms:*"]
        resources = ["arn:${local.partition}:kms:${e.region}:*:key/*"]
        conditions = [
          { test = "StringEquals", variable = "aws:ResourceTag/App", values = [var.name_prefix] },
          { test = "StringEquals", variable = "aws:ResourceTag/Env", values = [env] },
        ]
      }
      KeyAliases = {
        actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
        resources = ["arn:${local.partition}:kms:${e.region}:*:alias/${var.name_prefix}-${env}-*"]
      }
      Edge = {
        actions = ["cloudfront:*", "acm:*", "route53:ChangeResourceRecordSets"]
        resources = distinct([
          "arn:${local.partition}:cloudfront::*:*",
          "arn:${local.partition}:acm:${e.region}:*:certificate/*",
          "arn:${local.partition}:acm:us-east-1:*:certificate/*",
          "arn:${local.partition}:route53:::hostedzone/*",
        ])
      }
      Apis = {
        actions   = ["apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
        resources = ["arn:${local.partition}:apigateway:${e.region}::/*"]
      }
      UserPools = {
        actions = ["cognito-idp:*", "cognito-identity:*"]
        resources = [
          "arn:${local.partition}:cognito-idp:${e.region}:*:userpool/*",
          "arn:${local.partition}:cognito-identity:${e.region}:*:identitypool/*",
        ]
      }
      MediaServers = {
        actions = ["ec2:*", "autoscaling:*"]
        resources = [
          "arn:${local.partition}:ec2:${e.region}:*:*",
          "arn:${local.partition}:ec2:${e.region}::image/*",
          "arn:${local.partition}:autoscaling:${e.region}:*:autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-${env}-*",
        ]
      }
      Parameters = {
        # The public Amazon Linux AMI parameters the media servers boot from.
        actions   = ["ssm:GetParameter", "ssm:GetParameters"]
        resources = ["arn:${local.partition}:ssm:${e.region}::parameter/aws/service/*"]
      }
      Email = {
        actions   = ["ses:*"]
        resources = ["arn:${local.partition}:ses:${e.region}:*:identity/*"]
      }
    }
  }
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.oidc_provider.create ? 1 : 0

  url            = "https://${local.issuer_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's issuer through its own CA store; the list is still required by older accounts.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "trust" {
  for_each = var.environments

  statement {
    sid     = "GitHubActions"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = local.subjects[each.key]
    }
  }
}

data "aws_iam_policy_document" "deploy" {
  for_each = var.environments

  dynamic "statement" {
    for_each = local.statements[each.key]
    content {
      sid       = statement.key
      effect    = "Allow"
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = try(statement.value.conditions, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.environments

  name                 = "${var.name_prefix}-deploy-${each.key}"
  description          = "GitHub Actions deploys of ${var.name_prefix} ${each.key} from ${var.repository}."
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = var.max_session_duration_seconds
  permissions_boundary = var.permissions_boundary_arn
}

resource "aws_iam_role_policy" "this" {
  for_each = var.environments

  name   = "${var.name_prefix}-deploy-${each.key}"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.deploy[each.key].json
}
