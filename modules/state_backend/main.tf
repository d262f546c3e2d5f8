# Terraform state storage for one environment: a versioned, encrypted, private
# bucket that only accepts TLS (modules/private_bucket), and a lock table with
# point-in-time recovery unless the backend locks with S3 lock files only.

module "bucket" {
  source = "../private_bucket"

  name               = var.bucket_name
  force_destroy      = var.force_destroy
  encryption         = var.kms_key_arn == null ? {} : { sse_algorithm = "aws:kms", kms_key_arn = var.kms_key_arn }
  versioning_enabled = true # every state version is kept (rollback of a bad apply)
  tls_only_enabled   = var.tls_only_enabled
}

resource "aws_dynamodb_table" "lock" {
  count = var.lock_table_name == null ? 0 : 1

  name         = var.lock_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}

# The lock table became optional (S3 lock files).
moved {
  from = aws_dynamodb_table.lock
  to   = aws_dynamodb_table.lock[0]
}

# Earlier versions made the bucket's resources here.
moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_versioning.this
  to   = module.bucket.aws_s3_bucket_versioning.this[0]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
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
  from = aws_s3_bucket_policy.this
  to   = module.bucket.aws_s3_bucket_policy.this
}
