# The whole app, composed from the modules. Each feature file (auth.tf, api.tf,
# websocket.tf, calls.tf, schedules.tf, monitoring.tf, site.tf) declares its
# resources and the functions it deploys, as a map local.<feature>_functions;
# this file holds what they share: the table, the artifacts and uploads
# buckets, the app secrets and the one module block that makes every function from those maps.
# Feature files may read this file and the features above them in that list,
# never the other way round (tests/static/test_stack_layout.py).

# Known offline, so bucket policies are readable in plans.
data "aws_partition" "current" {}

locals {
  manifest = jsondecode(file("${var.artifacts_dir}/manifest.json")).functions

  # The code of each function, as the lambda_function module takes it. Signed
  # code is a new object per signing job, so its key alone tells Lambda that
  # the code changed (the signed zip's hash is not build.py's).
  code_signing = var.compliance.code_signing.enabled
  packages = {
    for name, artifact in local.manifest : name => {
      s3_bucket        = module.artifacts_bucket.bucket_name
      s3_key           = local.code_signing ? aws_signer_signing_job.artifact[name].signed_object[0].s3[0].key : aws_s3_object.artifact[name].key
      source_code_hash = local.code_signing ? null : artifact.sha256
      handler          = artifact.handler
    } if contains(local.deployed_functions, name)
  }

  # Settings every function reads (parley.settings.BaseSettings).
  common_environment = {
    TABLE_NAME = module.table.table_name
    APP_STAGE  = var.name_prefix
    LOG_LEVEL  = "INFO"
  }

  table_read_write = {
    actions = [
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
    ]
    resources = [module.table.table_arn, module.table.index_arns]
  }
  table_read = {
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
    resources = [module.table.table_arn, module.table.index_arns]
  }

  # Function ARNs by name, for the few places where a reference to the function
  # would be a cycle (the Cognito triggers: the functions read the pool's ids).
  # Account and region come from the table's ARN: no credentials-needing lookup.
  table_arn_parts   = split(":", module.table.table_arn)
  lambda_arn_prefix = "arn:${data.aws_partition.current.partition}:lambda:${local.table_arn_parts[3]}:${local.table_arn_parts[4]}:function:${var.name_prefix}-"

  # Every function by its name in lambda_src/functions.toml, from the feature
  # maps. An entry holds a description and, when needed: runtime (memory_mb,
  # timeout_seconds), environment, statements (IAM, by key), routes (HTTP route
  # key -> JWT-authorized) and invoke_permissions (by statement id).
  # tests/static/test_stack_layout.py rejects other keys.
  function_specs = merge(local.auth_functions, local.api_functions, local.websocket_functions, local.calls_functions, local.schedules_functions)
  # Which are deployed: every packaged function but the edge check (static_site
  # deploys it) and those the sign-in mode leaves out. Known from variables
  # alone, so validations can name them before anything is planned.
  deployed_functions = sort(setsubtract(keys(local.manifest), concat(["edge_auth"], local.auth_unused_functions)))

  # App secret name -> its Secrets Manager name (known at plan time, unlike the
  # ARN), and for each reading function the secrets it reads.
  app_secret_names = { for name in keys(var.app_secrets) : name => "${var.name_prefix}/app/${name}" }
  app_secret_readers = {
    for fn in distinct(flatten([for s in values(var.app_secrets) : s.readers])) :
    fn => sort([for name, s in var.app_secrets : name if contains(s.readers, fn)])
  }

  runtime_overrides = {
    for name, o in var.function_overrides : name => { for k, v in o : k => v if v != null }
  }

  functions = {
    for key in local.deployed_functions : key => {
      name    = "${var.name_prefix}-${replace(key, "_", "-")}"
      runtime = merge({ description = local.function_specs[key].description }, lookup(local.function_specs[key], "runtime", {}), lookup(local.runtime_overrides, key, {}))
      environment = merge(
        local.common_environment,
        lookup(local.function_specs[key], "environment", {}),
        contains(keys(local.app_secret_readers), key) ? {
          APP_SECRETS = jsonencode({ for name in local.app_secret_readers[key] : name => local.app_secret_names[name] })
        } : {},
      )
      statements = merge(
        lookup(local.function_specs[key], "statements", {}),
        contains(keys(local.app_secret_readers), key) ? {
          app_secrets = {
            actions   = ["secretsmanager:GetSecretValue"]
            resources = [for name in local.app_secret_readers[key] : aws_secretsmanager_secret.app[name].arn]
          }
        } : {},
      )
      invoke_permissions = lookup(local.function_specs[key], "invoke_permissions", {})
      routes             = lookup(local.function_specs[key], "routes", {})
    }
  }

  # The key of every log group the stack makes (null: CloudWatch's own encryption).
  log_kms_key_arn = try(module.log_key[0].key_arn, null)

  # Every deployed function's name, by its key (monitoring watches them all).
  function_names = { for key, f in module.function : key => f.function_name }
}

module "table" {
  source = "../dynamodb"

  name                           = "${var.name_prefix}-main"
  point_in_time_recovery_enabled = var.data_protection_enabled
  deletion_protection_enabled    = var.data_protection_enabled
}

# Lambda code goes through S3: functions are created in parallel and packages
# may exceed the 50 MB direct-upload limit. Artifacts are rebuildable, so the
# bucket is always removable.
module "artifacts_bucket" {
  source = "../private_bucket"

  name             = "${var.name_prefix}-artifacts"
  force_destroy    = true
  tls_only_enabled = !var.emulator
  # A signing job reads one version of an object.
  versioning_enabled = local.code_signing
}

resource "aws_s3_object" "artifact" {
  for_each = local.manifest

  bucket      = module.artifacts_bucket.bucket_name
  key         = "lambda/${each.key}.zip"
  source      = "${var.artifacts_dir}/${each.value.path}"
  source_hash = each.value.sha256
}

module "function" {
  source   = "../lambda_function"
  for_each = local.functions

  name               = each.value.name
  package            = local.packages[each.key]
  runtime            = each.value.runtime
  environment        = each.value.environment
  policy_statements  = each.value.statements
  invoke_permissions = each.value.invoke_permissions
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = local.log_kms_key_arn

  permissions_boundary_arn = var.permissions_boundary_arn
  code_signing_config_arn  = try(aws_lambda_code_signing_config.functions[0].arn, null)
}

# Lambda code signing (compliance.code_signing): the stack's AWS Signer profile
# signs every uploaded artifact at apply (a signing job writes the signed zip
# under signed/<function>/), and the functions accept only code it signed.
resource "aws_signer_signing_profile" "functions" {
  count = local.code_signing ? 1 : 0

  # Profile names allow letters, digits and '_' only.
  name        = "${replace(var.name_prefix, "-", "_")}_functions"
  platform_id = "AWSLambda-SHA384-ECDSA"

  signature_validity_period {
    value = var.compliance.code_signing.signature_validity_days
    type  = "DAYS"
  }
}

resource "aws_signer_signing_job" "artifact" {
  for_each = local.code_signing ? toset(local.deployed_functions) : toset([])

  profile_name               = aws_signer_signing_profile.functions[0].name
  ignore_signing_job_failure = false

  source {
    s3 {
      bucket  = module.artifacts_bucket.bucket_name
      key     = aws_s3_object.artifact[each.key].key
      version = aws_s3_object.artifact[each.key].version_id
    }
  }

  destination {
    s3 {
      bucket = module.artifacts_bucket.bucket_name
      prefix = "signed/${each.key}/"
    }
  }
}

resource "aws_lambda_code_signing_config" "functions" {
  count = local.code_signing ? 1 : 0

  description = "${var.name_prefix} functions: code signed by ${aws_signer_signing_profile.functions[0].name} only"

  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.functions[0].version_arn]
  }

  policies {
    untrusted_artifact_on_deployment = var.compliance.code_signing.untrusted_artifact_action
  }
}

# Log groups encrypted with a key of the stack's own (compliance.log_encryption_enabled).
module "log_key" {
  source = "../log_key"
  count  = var.compliance.log_encryption_enabled ? 1 : 0

  name_prefix = var.name_prefix
  account_id  = local.table_arn_parts[4]
}

# Uploads: written by clients through the API's presigned PUTs (api.tf) and
# with identity-pool credentials (auth.tf), both under users/<sub>/.
module "uploads" {
  source = "../storage"

  name_prefix          = var.name_prefix
  cors_allowed_origins = var.cors_allowed_origins
  encryption           = var.uploads.kms_key_arn == null ? {} : { sse_algorithm = "aws:kms", kms_key_arn = var.uploads.kms_key_arn }
  versioning_enabled   = var.data_protection_enabled
  tls_only_enabled     = !var.emulator
  force_destroy        = !var.data_protection_enabled
  # The emulator pays a long provider wait per lifecycle configuration.
  lifecycle_rules = {
    enabled                      = !var.emulator
    expire_after_days            = var.uploads.expire_after_days
    abort_incomplete_upload_days = var.uploads.abort_incomplete_upload_days
  }
}

# --- app secrets -------------------------------------------------------------

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV_AWS_149:encrypted with the aws/secretsmanager key; a CMK per environment adds cost and key policy for no new control
  #checkov:skip=CKV2_AWS_57:generated values rotate by bumping secret_string_wo_version; the rest are third-party keys rotated by their issuer
  for_each = var.app_secrets

  name                    = local.app_secret_names[each.key]
  description             = each.value.description
  recovery_window_in_days = var.data_protection_enabled ? 30 : 0
}

# Generated at apply time, once the secret exists (the empty substr of its ARN),
# so plans need no AWS call; look-alike characters are left out.
ephemeral "aws_secretsmanager_random_password" "app" {
  for_each = { for name, s in var.app_secrets : name => s if s.generate }

  password_length     = 48
  exclude_punctuation = true
  exclude_characters  = "${substr(aws_secretsmanager_secret.app[each.key].arn, 0, 0)}lIO0"
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each = { for name, s in var.app_secrets : name => s if s.generate }

  secret_id                = aws_secretsmanager_secret.app[each.key].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.app[each.key].random_password
  secret_string_wo_version = 1
}
