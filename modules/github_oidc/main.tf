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

  # Services the stack passes its roles to: functions (also at the edge),
  # schedules, the API Gateway account logging role, the identity pool and the
  # media servers' instance profiles.
  role_services = [
    "lambda.amazonaws.com", "edgelambda.amazonaws.com", "scheduler.amazonaws.com", "apigateway.amazonaws.com",
    "cognito-identity.amazonaws.com", "ec2.amazonaws.com",
  ]

  # The boundary every role the deploy role creates must carry. Its ARN names
  # the caller's account with a policy variable, so plans stay readable offline.
  boundary_names = { for env in keys(var.environments) : env => "${var.name_prefix}-boundary-${env}" }
  boundary_arns = {
    for env, name in local.boundary_names : env => "arn:${local.partition}:iam::$${aws:PrincipalAccount}:policy/${name}"
  }

  # Tag-scoped services: a resource is the env's when it carries the envs'
  # default tags App = <name_prefix> and Env = <env>; new ones must be created
  # with them, and only these tag keys may be set.
  tag_keys = ["App", "Env", "ManagedBy", "Name"]
  request_tags = {
    for env in keys(var.environments) : env => [
      { test = "StringEquals", variable = "aws:RequestTag/App", values = [var.name_prefix] },
      { test = "StringEquals", variable = "aws:RequestTag/Env", values = [env] },
      { test = "ForAllValues:StringEquals", variable = "aws:TagKeys", values = local.tag_keys },
    ]
  }
  resource_tags = {
    for env in keys(var.environments) : env => [
      { test = "StringEquals", variable = "aws:ResourceTag/App", values = [var.name_prefix] },
      { test = "StringEquals", variable = "aws:ResourceTag/Env", values = [env] },
    ]
  }

  # Statements of each env's deploy policy. Names of the stack's resources all
  # start with <name_prefix>-<env> (secrets <name_prefix>-<env>/...), so most
  # writes are scoped to that prefix; services whose ids are generated (KMS,
  # Cognito, EC2, Auto Scaling, ACM, CloudFront, API Gateway, SES) by the env's
  # App/Env tags. CloudFront and its certificates and edge functions live in us-east-1.
  statements = {
    for env, e in var.environments : env => merge({
      StateObjects = {
        actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources = ["arn:${local.partition}:s3:::${e.state_bucket_name}/*"]
      }
      StateBucket = {
        actions   = ["s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
        resources = ["arn:${local.partition}:s3:::${e.state_bucket_name}"]
      }
      # S3 lock files (use_lockfile) are state objects too: StateObjects covers them.
      StateLock = e.lock_table_name == null ? null : {
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
          "kms:ListAliases", "kms:ListResourceTags", "lambda:GetCodeSigningConfig", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
          "lambda:GetFunctionConcurrency", "lambda:GetFunctionEventInvokeConfig", "lambda:GetPolicy",
          "lambda:GetEventSourceMapping", "lambda:ListVersionsByFunction", "lambda:ListEventSourceMappings",
          "lambda:ListTags", "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "logs:ListTagsForResource",
          "logs:ListTagsLogGroup", "route53:GetChange", "route53:GetHostedZone", "route53:ListHostedZones",
          "route53:ListResourceRecordSets", "scheduler:GetSchedule", "scheduler:GetScheduleGroup",
          "scheduler:ListTagsForResource", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
          "ses:GetEmailIdentity", "signer:DescribeSigningJob", "signer:GetSigningProfile", "signer:ListTagsForResource", "sns:GetTopicAttributes", "sns:GetSubscriptionAttributes",
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
          "arn:${local.partition}:lambda:us-east-1:*:function:${var.name_prefix}-${env}-*",
        ])
      }
      FunctionTriggers = {
        # Event source mappings have generated ids: held to the env's functions.
        actions    = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
        resources  = ["*"]
        conditions = [{ test = "ArnLike", variable = "lambda:FunctionArn", values = ["arn:${local.partition}:lambda:${e.region}:*:function:${var.name_prefix}-${env}-*"] }]
      }
      # Code signing (the stack's compliance.code_signing): the env's AWS
      # Signer profile <name_prefix>_<env>_* (signer names take no '-'), the
      # jobs it signs the artifacts with, and the code signing configuration,
      # whose id is generated: held to the env's tags.
      SigningProfiles = {
        actions = [
          "signer:PutSigningProfile", "signer:CancelSigningProfile", "signer:StartSigningJob", "signer:TagResource",
          "signer:UntagResource",
        ]
        resources = ["arn:${local.partition}:signer:${e.region}:*:/signing-profiles/${replace("${var.name_prefix}-${env}", "-", "_")}_*"]
      }
      NewCodeSigningConfigs = {
        actions    = ["lambda:CreateCodeSigningConfig"]
        resources  = ["*"]
        conditions = concat(local.request_tags[env], [{ test = "StringEquals", variable = "aws:RequestedRegion", values = [e.region] }])
      }
      CodeSigningConfigs = {
        actions    = ["lambda:UpdateCodeSigningConfig", "lambda:DeleteCodeSigningConfig", "lambda:TagResource", "lambda:UntagResource"]
        resources  = ["arn:${local.partition}:lambda:${e.region}:*:code-signing-config:*"]
        conditions = local.resource_tags[env]
      }
      FunctionTriggerTags = {
        actions    = ["lambda:TagResource", "lambda:UntagResource"]
        resources  = ["arn:${local.partition}:lambda:${e.region}:*:event-source-mapping:*"]
        conditions = local.resource_tags[env]
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
        # <name_prefix>-<env>/livekit, /turn and /app/<name>, plus the random suffix of the ARN.
        actions   = ["secretsmanager:*"]
        resources = ["arn:${local.partition}:secretsmanager:${e.region}:*:secret:${var.name_prefix}-${env}/*"]
      }
      Schedules = {
        actions = ["scheduler:*", "events:*"]
        resources = [
          "arn:${local.partition}:scheduler:${e.region}:*:schedule/${var.name_prefix}-${env}-*/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:scheduler:${e.region}:*:schedule-group/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:events:${e.region}:*:rule/${var.name_prefix}-${env}-*",
        ]
      }
      Monitoring = {
        actions = ["cloudwatch:*"]
        resources = [
          "arn:${local.partition}:cloudwatch:${e.region}:*:alarm:${var.name_prefix}-${env}-*",
          "arn:${local.partition}:cloudwatch::*:dashboard/${var.name_prefix}-${env}",
        ]
      }
      RolesWithBoundary = {
        # A role it creates or whose policies it writes must carry the env's
        # boundary, so no role can ever hold more than the boundary allows.
        actions = [
          "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
        ]
        resources  = ["arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*"]
        conditions = [{ test = "StringEquals", variable = "iam:PermissionsBoundary", values = [local.boundary_arns[env]] }]
      }
      ManagedPolicies = {
        actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
        resources = ["arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*"]
        conditions = [
          { test = "ArnEquals", variable = "iam:PolicyARN", values = local.attachable_policies },
          { test = "StringEquals", variable = "iam:PermissionsBoundary", values = [local.boundary_arns[env]] },
        ]
      }
      Roles = {
        # Only the stack's own roles: a deploy role (<name_prefix>-deploy-<env>)
        # never matches, so it cannot widen itself.
        actions = [
          "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
          "iam:TagRole", "iam:UntagRole", "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile",
          "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile",
          "iam:UntagInstanceProfile",
        ]
        resources = [
          "arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*",
          "arn:${local.partition}:iam::*:instance-profile/${var.name_prefix}-${env}-*",
        ]
      }
      PassRoles = {
        actions    = ["iam:PassRole"]
        resources  = ["arn:${local.partition}:iam::*:role/${var.name_prefix}-${env}-*"]
        conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = local.role_services }]
      }
      ServiceLinkedRoles = {
        actions    = ["iam:CreateServiceLinkedRole"]
        resources  = ["arn:${local.partition}:iam::*:role/aws-service-role/*"]
        conditions = [{ test = "StringEquals", variable = "iam:AWSServiceName", values = local.service_linked_roles }]
      }
      Unscoped = {
        # Calls that accept no resource ARN, held to the env's region and us-east-1.
        actions = [
          "secretsmanager:GetRandomPassword",
          # API access logs: API Gateway sets up the delivery to the log group.
          "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        ]
        resources  = ["*"]
        conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = distinct([e.region, "us-east-1"]) }]
      }
      NewKeys = {
        # Creating a key with tags also needs kms:TagResource on every key of the
        # account; the ForeignKey* denials keep it off keys that are not the env's.
        actions    = ["kms:CreateKey", "kms:TagResource"]
        resources  = ["*"]
        conditions = local.request_tags[env]
      }
      Keys = {
        # Key management, not cryptography: the deploy role never decrypts.
        actions = [
          "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:PutKeyPolicy", "kms:EnableKeyRotation",
          "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
          "kms:EnableKey", "kms:DisableKey", "kms:UntagResource",
        ]
        resources  = ["arn:${local.partition}:kms:${e.region}:*:key/*"]
        conditions = local.resource_tags[env]
      }
      KeyAliases = {
        actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
        resources = ["arn:${local.partition}:kms:${e.region}:*:alias/${var.name_prefix}-${env}-*"]
      }
      NewUserPools = {
        actions    = ["cognito-idp:CreateUserPool", "cognito-identity:CreateIdentityPool"]
        resources  = ["*"]
        conditions = concat(local.request_tags[env], [{ test = "StringEquals", variable = "aws:RequestedRegion", values = [e.region] }])
      }
      UserPools = {
        actions = ["cognito-idp:*", "cognito-identity:*"]
        resources = [
          "arn:${local.partition}:cognito-idp:${e.region}:*:userpool/*",
          "arn:${local.partition}:cognito-identity:${e.region}:*:identitypool/*",
        ]
        conditions = local.resource_tags[env]
      }
      IdentityPoolRoles = {
        # SetIdentityPoolRoles takes no resource ARN; PassRoles limits the roles to the env's.
        actions    = ["cognito-identity:SetIdentityPoolRoles"]
        resources  = ["*"]
        conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = [e.region] }]
      }
      NewApis = {
        actions = ["apigateway:POST"]
        resources = [
          "arn:${local.partition}:apigateway:${e.region}::/apis",
          "arn:${local.partition}:apigateway:${e.region}::/domainnames",
        ]
        conditions = local.request_tags[env]
      }
      Apis = {
        # An API's routes, integrations, authorizers and stages are judged by the API's tags.
        actions = ["apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
        resources = [
          "arn:${local.partition}:apigateway:${e.region}::/apis/*",
          "arn:${local.partition}:apigateway:${e.region}::/domainnames/*",
        ]
        conditions = local.resource_tags[env]
      }
      ApiAccount = {
        # The account-wide CloudWatch role of API Gateway (one per account and region).
        actions   = ["apigateway:PATCH"]
        resources = ["arn:${local.partition}:apigateway:${e.region}::/account"]
      }
      NewEmailIdentities = {
        actions    = ["ses:CreateEmailIdentity"]
        resources  = ["arn:${local.partition}:ses:${e.region}:*:identity/*"]
        conditions = local.request_tags[env]
      }
      EmailIdentities = {
        actions    = ["ses:*"]
        resources  = ["arn:${local.partition}:ses:${e.region}:*:identity/*"]
        conditions = local.resource_tags[env]
      }
      NewCertificates = {
        actions   = ["acm:RequestCertificate", "acm:AddTagsToCertificate"]
        resources = ["*"]
        conditions = concat(local.request_tags[env], [
          { test = "StringEquals", variable = "aws:RequestedRegion", values = distinct([e.region, "us-east-1"]) },
        ])
      }
      Certificates = {
        actions = ["acm:*"]
        resources = distinct([
          "arn:${local.partition}:acm:${e.region}:*:certificate/*",
          "arn:${local.partition}:acm:us-east-1:*:certificate/*",
        ])
        conditions = local.resource_tags[env]
      }
      NewDistributions = {
        # CreateDistribution accepts no tag condition; the tags it is created
        # with must be the env's, and they make it the env's.
        actions   = ["cloudfront:CreateDistribution"]
        resources = ["arn:${local.partition}:cloudfront::*:distribution/*"]
      }
      DistributionTags = {
        actions    = ["cloudfront:TagResource"]
        resources  = ["arn:${local.partition}:cloudfront::*:distribution/*"]
        conditions = local.request_tags[env]
      }
      Distributions = {
        actions = [
          "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution", "cloudfront:CreateInvalidation",
          "cloudfront:UntagResource",
        ]
        resources  = ["arn:${local.partition}:cloudfront::*:distribution/*"]
        conditions = local.resource_tags[env]
      }
      EdgeSettings = {
        # Origin access controls and response headers policies carry no tags
        # and generated ids: nothing narrower than the resource type exists.
        actions = [
          "cloudfront:CreateOriginAccessControl", "cloudfront:UpdateOriginAccessControl",
          "cloudfront:DeleteOriginAccessControl", "cloudfront:CreateResponseHeadersPolicy",
          "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy",
        ]
        resources = [
          "arn:${local.partition}:cloudfront::*:origin-access-control/*",
          "arn:${local.partition}:cloudfront::*:response-headers-policy/*",
        ]
      }
      MediaServerCreate = {
        actions = [
          "ec2:RunInstances", "ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateSecurityGroup",
          "ec2:CreateInternetGateway", "ec2:CreateRouteTable", "ec2:AllocateAddress", "ec2:CreateLaunchTemplate",
          "autoscaling:CreateAutoScalingGroup",
        ]
        resources  = ["arn:${local.partition}:ec2:${e.region}:*:*", "arn:${local.partition}:autoscaling:${e.region}:*:autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-${env}-*"]
        conditions = local.request_tags[env]
      }
      MediaServerLaunch = {
        # What a new instance uses without creating it: the AMI, the subnet,
        # the security group and the launch template (judged by tags when owned).
        actions   = ["ec2:RunInstances"]
        resources = ["arn:${local.partition}:ec2:${e.region}::image/*"]
      }
      MediaServerTagOnCreate = {
        actions    = ["ec2:CreateTags"]
        resources  = ["arn:${local.partition}:ec2:${e.region}:*:*"]
        conditions = [{ test = "Null", variable = "ec2:CreateAction", values = ["false"] }]
      }
      MediaServers = {
        actions = ["ec2:*", "autoscaling:*"]
        resources = [
          "arn:${local.partition}:ec2:${e.region}:*:*",
          "arn:${local.partition}:autoscaling:${e.region}:*:autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-${env}-*",
        ]
        conditions = local.resource_tags[env]
      }
      Parameters = {
        # The public Amazon Linux AMI parameters the media servers boot from.
        actions   = ["ssm:GetParameter", "ssm:GetParameters"]
        resources = ["arn:${local.partition}:ssm:${e.region}::parameter/aws/service/*"]
      }
      }, e.hosted_zone_id == null ? {} : {
      Records = {
        # Certificate validation and alias records, in the one hosted zone given.
        actions   = ["route53:ChangeResourceRecordSets"]
        resources = ["arn:${local.partition}:route53:::hostedzone/${e.hosted_zone_id}"]
      }
    })
  }

  # A role's inline policies hold at most 10,240 characters and a managed
  # policy 6,144, so the deploy policy is three managed policies, by statement id.
  policy_parts = {
    stack = [
      "StateObjects", "StateBucket", "StateLock", "Describe", "Table", "Functions", "FunctionTriggers",
      "FunctionTriggerTags", "Logs", "Buckets", "Messaging", "Secrets", "Schedules", "Monitoring", "Unscoped",
      "Parameters", "EdgeSettings",
    ]
    access = [
      "RolesWithBoundary", "ManagedPolicies", "Roles", "PassRoles", "ServiceLinkedRoles", "NewKeys", "Keys",
      "KeyAliases", "NewUserPools", "UserPools", "IdentityPoolRoles", "KeepTheBoundary", "KeepRoleBoundaries",
      "KeepDeployRoles", "ForeignKeyAppTags", "ForeignKeyEnvTags", "ForeignEc2Tags", "SigningProfiles",
      "NewCodeSigningConfigs", "CodeSigningConfigs",
    ]
    services = [
      "NewApis", "Apis", "ApiAccount", "NewEmailIdentities", "EmailIdentities", "NewCertificates", "Certificates",
      "NewDistributions", "DistributionTags", "Distributions", "MediaServerCreate", "MediaServerLaunch",
      "MediaServerTagOnCreate", "MediaServers", "Records", "ForeignAppTags", "ForeignEnvTags",
    ]
  }
  deploy_policies = {
    for pair in setproduct(keys(var.environments), keys(local.policy_parts)) : "${pair[0]}-${pair[1]}" => {
      env   = pair[0]
      part  = pair[1]
      allow = { for sid, s in local.statements[pair[0]] : sid => s if s != null && contains(local.policy_parts[pair[1]], sid) }
      deny  = { for sid, s in local.denials[pair[0]] : sid => s if contains(local.policy_parts[pair[1]], sid) }
    }
  }

  # Denials no Allow above can lift.
  denials = {
    for env in keys(var.environments) : env => {
      KeepTheBoundary = {
        # The boundary itself: no new version, no deletion, no new default.
        actions = [
          "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
          "iam:TagPolicy", "iam:UntagPolicy",
        ]
        resources = ["arn:${local.partition}:iam::*:policy/${local.boundary_names[env]}"]
      }
      KeepRoleBoundaries = {
        actions   = ["iam:DeleteRolePermissionsBoundary"]
        resources = ["*"]
      }
      KeepDeployRoles = {
        actions = [
          "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*",
          "iam:Update*",
        ]
        resources = [
          "arn:${local.partition}:iam::*:role/${var.name_prefix}-deploy-*",
          "arn:${local.partition}:iam::*:policy/${var.name_prefix}-deploy-*",
        ]
      }
      # Re-tagging a key of another app or env (or an untagged one) would make
      # it the env's. Creating a key with tags is judged on no key ARN, so
      # these never stop the env's own new keys.
      ForeignKeyAppTags = {
        actions    = ["kms:TagResource", "kms:UntagResource"]
        resources  = ["arn:${local.partition}:kms:*:*:key/*"]
        conditions = [{ test = "StringNotEquals", variable = "aws:ResourceTag/App", values = [var.name_prefix] }]
      }
      ForeignKeyEnvTags = {
        actions    = ["kms:TagResource", "kms:UntagResource"]
        resources  = ["arn:${local.partition}:kms:*:*:key/*"]
        conditions = [{ test = "StringNotEquals", variable = "aws:ResourceTag/Env", values = [env] }]
      }
      # Other tag-scoped resources: never re-tag one that another app or env owns.
      ForeignAppTags = {
        actions   = local.tagging_actions
        resources = local.tagged_resources
        conditions = [
          { test = "Null", variable = "aws:ResourceTag/App", values = ["false"] },
          { test = "StringNotEquals", variable = "aws:ResourceTag/App", values = [var.name_prefix] },
        ]
      }
      ForeignEnvTags = {
        actions   = local.tagging_actions
        resources = local.tagged_resources
        conditions = [
          { test = "Null", variable = "aws:ResourceTag/Env", values = ["false"] },
          { test = "StringNotEquals", variable = "aws:ResourceTag/Env", values = [env] },
        ]
      }
      # EC2 tags a new resource in the call that creates it (ec2:CreateAction);
      # any other tag change needs a resource that is already the env's.
      ForeignEc2Tags = {
        actions   = ["ec2:CreateTags", "ec2:DeleteTags"]
        resources = ["*"]
        conditions = [
          { test = "Null", variable = "ec2:CreateAction", values = ["true"] },
          { test = "StringNotEquals", variable = "aws:ResourceTag/Env", values = [env] },
        ]
      }
    }
  }

  tagging_actions = [
    "cognito-idp:TagResource", "cognito-idp:UntagResource",
    "cognito-identity:TagResource", "cognito-identity:UntagResource", "ses:TagResource", "ses:UntagResource",
    "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate", "cloudfront:TagResource", "cloudfront:UntagResource",
    "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags", "lambda:TagResource", "lambda:UntagResource",
  ]
  # The resources ForeignAppTags and ForeignEnvTags guard.
  tagged_resources = [for pattern in [
    "cognito-idp:*:*:userpool/*", "cognito-identity:*:*:identitypool/*", "ses:*:*:identity/*",
    "acm:*:*:certificate/*", "cloudfront::*:distribution/*", "autoscaling:*:*:autoScalingGroup:*",
    "lambda:*:*:event-source-mapping:*", "lambda:*:*:code-signing-config:*",
  ] : "arn:${local.partition}:${pattern}"]

  # What the stack's function and instance roles may ever do, whatever their
  # own policies say: data-plane access to the env's resources, nothing that
  # administers IAM, keys, functions or policies.
  boundary_statements = {
    for env, e in var.environments : env => {
      Data = {
        actions = [
          "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
          "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
          "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        ]
        resources = ["arn:${local.partition}:dynamodb:*:*:table/${var.name_prefix}-${env}-*"]
      }
      Files = {
        actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:AbortMultipartUpload"]
        resources = ["arn:${local.partition}:s3:::${var.name_prefix}-${env}-*"]
      }
      Queues = {
        actions = [
          "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sns:Publish",
        ]
        resources = [
          "arn:${local.partition}:sqs:*:*:${var.name_prefix}-${env}-*",
          "arn:${local.partition}:sns:*:*:${var.name_prefix}-${env}-*",
        ]
      }
      Secrets = {
        actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        resources = ["arn:${local.partition}:secretsmanager:*:*:secret:${var.name_prefix}-${env}/*"]
      }
      Invoke = {
        actions   = ["lambda:InvokeFunction"]
        resources = ["arn:${local.partition}:lambda:*:*:function:${var.name_prefix}-${env}-*"]
      }
      Logs = {
        actions = [
          "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:PutRetentionPolicy",
          "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
        ]
        resources = [
          "arn:${local.partition}:logs:*:*:log-group:*${var.name_prefix}-${env}-*",
          "arn:${local.partition}:logs:*:*:log-group:API-Gateway-Execution-Logs_*",
        ]
      }
      Connections = {
        # Posting to WebSocket connections: API ids are generated.
        actions   = ["execute-api:ManageConnections", "execute-api:Invoke"]
        resources = ["arn:${local.partition}:execute-api:${e.region}:*:*"]
      }
      Mail = {
        actions   = ["ses:SendEmail", "ses:SendRawEmail"]
        resources = ["arn:${local.partition}:ses:*:*:identity/*"]
      }
      Users = {
        actions = [
          "cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminGetUser",
          "cognito-idp:AdminInitiateAuth", "cognito-idp:AdminRespondToAuthChallenge",
        ]
        resources  = ["arn:${local.partition}:cognito-idp:${e.region}:*:userpool/*"]
        conditions = local.resource_tags[env]
      }
      Crypto = {
        # Only through the services holding the env's data.
        actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*"]
        resources = ["arn:${local.partition}:kms:*:*:key/*"]
        conditions = [{ test = "StringLike", variable = "kms:ViaService", values = [
          for service in ["dynamodb", "s3", "sns", "sqs", "secretsmanager"] : "${service}.*.amazonaws.com"
        ] }]
      }
      Telemetry = {
        # Tracing, metrics, own address and Session Manager (actions that take no resource ARN).
        actions = [
          "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
          "cloudwatch:PutMetricData", "ec2:DescribeAddresses", "ec2:DescribeVolumes", "ec2:DescribeTags",
          "ssm:UpdateInstanceInformation", "ssm:ListAssociations", "ssm:ListInstanceAssociations",
          "ssm:DescribeAssociation", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest",
          "ssm:GetDeployablePatchSnapshotForInstance", "ssm:PutInventory", "ssm:PutComplianceItems",
          "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
          "ssm:GetParameter", "ssm:GetParameters", "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
          "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
          "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
        ]
        resources = ["*"]
      }
      OwnAddress = {
        # A media server re-attaches its own Elastic IP after a replacement.
        actions    = ["ec2:AssociateAddress"]
        resources  = ["arn:${local.partition}:ec2:${e.region}:*:*"]
        conditions = local.resource_tags[env]
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
  for_each = local.deploy_policies

  dynamic "statement" {
    for_each = each.value.allow
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

  dynamic "statement" {
    for_each = each.value.deny
    content {
      sid       = statement.key
      effect    = "Deny"
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

data "aws_iam_policy_document" "boundary" {
  for_each = var.environments

  dynamic "statement" {
    for_each = local.boundary_statements[each.key]
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

# The permissions boundary of every role the env's stack creates.
resource "aws_iam_policy" "boundary" {
  for_each = var.environments

  name        = local.boundary_names[each.key]
  description = "Permissions boundary of the ${var.name_prefix} ${each.key} stack's roles (set by its deploy role)."
  policy      = data.aws_iam_policy_document.boundary[each.key].json
}

resource "aws_iam_role" "this" {
  for_each = var.environments

  name                 = "${var.name_prefix}-deploy-${each.key}"
  description          = "GitHub Actions deploys of ${var.name_prefix} ${each.key} from ${var.repository}."
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = var.max_session_duration_seconds
  permissions_boundary = var.permissions_boundary_arn
}

resource "aws_iam_policy" "deploy" {
  for_each = local.deploy_policies

  name        = "${var.name_prefix}-deploy-${each.key}"
  description = "What the ${var.name_prefix} ${each.value.env} deploy role may do (${each.value.part} part)."
  policy      = data.aws_iam_policy_document.deploy[each.key].json

  lifecycle {
    precondition {
      condition = length(setsubtract(
        concat(keys(local.statements[each.value.env]), keys(local.denials[each.value.env])),
        flatten(values(local.policy_parts)),
      )) == 0
      error_message = "Every statement of the deploy policy must be listed in local.policy_parts."
    }
  }
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = local.deploy_policies

  role       = aws_iam_role.this[each.value.env].name
  policy_arn = aws_iam_policy.deploy[each.key].arn
}
