# A customer-managed KMS key for the stack's CloudWatch log groups. The
# account administers it; CloudWatch Logs of this region may use it only for
# log groups named after the stack: the encryption context Logs sends names
# the log group (kms:EncryptionContext:aws:logs:arn).

# Known offline, so the key policy is readable in plans.
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  log_groups = "arn:${local.partition}:logs:${local.region}:${var.account_id}:log-group:*${var.name_prefix}-*"

  policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "LogsEncryptTheStackLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = local.log_groups } }
      },
    ]
  }
}

# The policy is part of the key (not a separate aws_kms_key_policy) so that
# Logs may use the key from the moment a log group names it.
resource "aws_kms_key" "this" {
  description             = "${var.name_prefix} log groups"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy                  = jsonencode(local.policy)
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-logs"
  target_key_id = aws_kms_key.this.key_id
}
