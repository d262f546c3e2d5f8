# The uploads bucket: private, encrypted, TLS-only (modules/private_bucket),
# CORS for the app's origins, objects written only through presigned URLs the
# API hands out, and a lifecycle that expires them: CSV exports (exports/) after
# a day, since their download link lives 5 minutes, everything else later.

module "bucket" {
  source = "../private_bucket"

  name               = "${var.name_prefix}-uploads"
  force_destroy      = var.force_destroy
  encryption         = var.encryption
  versioning_enabled = var.versioning_enabled
  tls_only_enabled   = var.tls_only_enabled
}

resource "aws_s3_bucket_cors_configuration" "this" {
  count = length(var.cors_allowed_origins) > 0 ? 1 : 0

  bucket = module.bucket.bucket_name
  cors_rule {
    allowed_methods = ["GET", "PUT", "HEAD"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["content-type", "content-length"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.lifecycle_rules.enabled ? 1 : 0

  bucket = module.bucket.bucket_name

  rule {
    id     = "expire-objects"
    status = "Enabled"
    filter {}
    expiration {
      days = var.lifecycle_rules.expire_after_days
    }
    dynamic "noncurrent_version_expiration" {
      for_each = var.versioning_enabled ? [1] : []
      content {
        noncurrent_days = var.lifecycle_rules.expire_after_days
      }
    }
  }

  rule {
    id     = "expire-exports"
    status = "Enabled"
    filter {
      prefix = "exports/"
    }
    expiration {
      days = var.lifecycle_rules.exports_expire_after_days
    }
    dynamic "noncurrent_version_expiration" {
      for_each = var.versioning_enabled ? [1] : []
      content {
        noncurrent_days = var.lifecycle_rules.exports_expire_after_days
      }
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.lifecycle_rules.abort_incomplete_upload_days
    }
  }

  # Versioning must be on before rules about noncurrent versions apply.
  depends_on = [module.bucket]
}

# Earlier versions made the bucket's resources here.
moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_versioning.this
  to   = module.bucket.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_policy.this
  to   = module.bucket.aws_s3_bucket_policy.this
}
