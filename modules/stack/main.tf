# The whole app, composed from the modules. Each feature lives in its own file
# (auth.tf, api.tf, websocket.tf, calls.tf, schedules.tf, monitoring.tf); this
# file holds what they share: the table, the artifacts bucket and the packages.

locals {
  manifest = jsondecode(file("${var.artifacts_dir}/manifest.json")).functions

  # The code of each function, as the lambda_function module takes it.
  packages = {
    for name, artifact in local.manifest : name => {
      s3_bucket        = aws_s3_bucket.artifacts.id
      s3_key           = aws_s3_object.artifact[name].key
      source_code_hash = artifact.sha256
      handler          = artifact.handler
    }
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

  runtime = {
    for name, o in var.function_overrides : name => { for k, v in o : k => v if v != null }
  }
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
# Known offline, so bucket policies are readable in plans.
data "aws_partition" "current" {}

resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_21:artifacts are rebuilt byte-identically from source by build.py; versions add nothing
  #checkov:skip=CKV_AWS_144:rebuildable artifacts need no cross-region replica
  #checkov:skip=CKV_AWS_145:SSE-S3 encryption; the packages are the public code of this repository
  #checkov:skip=CKV_AWS_18:written only by terraform; CloudTrail records its API calls
  #checkov:skip=CKV2_AWS_61:objects are replaced in place by each apply; nothing to expire
  #checkov:skip=CKV2_AWS_62:nothing reacts to artifact uploads
  bucket        = "${var.name_prefix}-artifacts"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  count = var.emulator ? 0 : 1

  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.artifacts.bucket}", "arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.artifacts.bucket}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

resource "aws_s3_object" "artifact" {
  for_each = local.manifest

  bucket      = aws_s3_bucket.artifacts.id
  key         = "lambda/${each.key}.zip"
  source      = "${var.artifacts_dir}/${each.value.path}"
  source_hash = each.value.sha256
}
