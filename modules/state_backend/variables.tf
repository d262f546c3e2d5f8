variable "bucket_name" {
  description = "Name of the S3 bucket that holds Terraform state (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, '.' or '-'."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table that holds state locks (hash key LockID), or null for a backend that locks with S3 lock files only (use_lockfile = true)."
  type        = string
  default     = null

  validation {
    condition     = var.lock_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", coalesce(var.lock_table_name, "-")))
    error_message = "lock_table_name must be 3-255 letters, digits, '_', '-' or '.'."
  }
}

variable "force_destroy" {
  description = "Let destroy delete a non-empty state bucket (only for throwaway environments such as the local emulator)."
  type        = bool
  default     = false
}

variable "tls_only_enabled" {
  description = "Deny every request that does not use TLS; turn off only on the local emulator, which serves plain HTTP."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the bucket and table; null uses AWS-managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}
