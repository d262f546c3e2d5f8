# One private S3 bucket: public access blocked, object ownership set, default
# encryption, an optional TLS-only bucket policy (plus the caller's own
# statements) and optional versioning. Every bucket of the project is made
# here; lifecycle rules, CORS and logging stay with the module that knows what
# the objects are.

# Known offline, so bucket policies are readable in plans.
data "aws_partition" "current" {}

locals {
  arn = "arn:${data.aws_partition.current.partition}:s3:::${var.name}"

  tls_only_statement = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = [local.arn, "${local.arn}/*"]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
  caller_statements = [for sid, s in var.policy_statements : {
    Sid       = sid
    Effect    = "Allow"
    Principal = { Service = s.service }
    Action    = s.actions
    Resource  = [for path in s.paths : path == "" ? local.arn : "${local.arn}/${path}"]
    Condition = length(s.source_arns) > 0 ? { StringEquals = { "AWS:SourceArn" = s.source_arns } } : null
  }]
  statements = concat(
    [for s in local.caller_statements : { for k, v in s : k => v if v != null }],
    var.tls_only_enabled ? [local.tls_only_statement] : [],
  )
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_19:false positive: aws_s3_bucket_server_side_encryption_configuration.this encrypts every object (algorithm from var.encryption)
  #checkov:skip=CKV_AWS_18:access logging is the caller's choice (a log bucket is itself a bucket made here); CloudTrail records API calls
  #checkov:skip=CKV_AWS_144:cross-region replication is the caller's choice, not a default of a private bucket
  #checkov:skip=CKV_AWS_145:encryption.sse_algorithm = "aws:kms" (with kms_key_arn) selects KMS; SSE-S3 otherwise
  #checkov:skip=CKV_AWS_21:versioning_enabled turns versioning on where objects must survive (state, prod uploads)
  #checkov:skip=CKV2_AWS_61:lifecycle rules belong to the caller, which knows how long its objects live
  #checkov:skip=CKV2_AWS_62:event notifications are the caller's choice; nothing in the project reacts to uploads
  bucket        = var.name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  #checkov:skip=CKV2_AWS_65:object_ownership is BucketOwnerEnforced unless the caller needs ACL delivery (CloudFront standard logs)
  bucket = aws_s3_bucket.this.bucket
  rule {
    object_ownership = var.object_ownership
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.encryption.sse_algorithm
      kms_master_key_id = var.encryption.kms_key_arn
    }
    bucket_key_enabled = var.encryption.sse_algorithm == "aws:kms"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.versioning_enabled ? 1 : 0

  bucket = aws_s3_bucket.this.bucket
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = length(local.statements) > 0 ? 1 : 0

  bucket     = aws_s3_bucket.this.bucket
  policy     = jsonencode({ Version = "2012-10-17", Statement = local.statements })
  depends_on = [aws_s3_bucket_public_access_block.this]
}
