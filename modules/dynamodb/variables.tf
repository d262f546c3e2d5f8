variable "name" {
  description = "Table name, usually \"<name_prefix>-main\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "point_in_time_recovery_enabled" {
  description = "Keep continuous backups for 35 days (on in prod)."
  type        = bool
  default     = false
}

variable "deletion_protection_enabled" {
  description = "Refuse DeleteTable until this is turned off (on in prod)."
  type        = bool
  default     = false
}

variable "stream_view_type" {
  description = "What the table stream carries (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES), or null for no stream."
  type        = string
  default     = "NEW_AND_OLD_IMAGES"

  validation {
    condition     = var.stream_view_type == null || contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], coalesce(var.stream_view_type, "-"))
    error_message = "stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or null."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for encryption at rest; null uses the AWS-managed key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}
