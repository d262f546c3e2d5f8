variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"; the bucket is \"<name_prefix>-uploads\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "cors_allowed_origins" {
  description = "Origins of the app allowed to PUT and GET objects through presigned URLs from a browser."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : o == "*" || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", o))])
    error_message = "cors_allowed_origins entries must be \"*\" or an origin like https://app.example.com (scheme, host, optional port, no path)."
  }
}

variable "encryption" {
  description = "Default encryption: AES256 (S3-managed keys) or aws:kms with an optional customer key ARN."
  type = object({
    sse_algorithm = optional(string, "AES256")
    kms_key_arn   = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["AES256", "aws:kms"], var.encryption.sse_algorithm)
    error_message = "encryption.sse_algorithm must be \"AES256\" or \"aws:kms\"."
  }
  validation {
    condition     = var.encryption.kms_key_arn == null || var.encryption.sse_algorithm == "aws:kms"
    error_message = "encryption.kms_key_arn needs encryption.sse_algorithm = \"aws:kms\"."
  }
}

variable "versioning_enabled" {
  description = "Keep previous versions of overwritten or deleted objects (on in prod)."
  type        = bool
  default     = false
  nullable    = false
}

variable "tls_only_enabled" {
  description = "Deny every request not made over TLS with a bucket policy (off only on the local emulator)."
  type        = bool
  default     = true
  nullable    = false
}

variable "lifecycle_rules" {
  description = "Expire objects after expire_after_days, CSV exports (exports/) after exports_expire_after_days, and abort incomplete multipart uploads after abort_incomplete_upload_days; enabled = false leaves the lifecycle configuration out."
  type = object({
    enabled                      = optional(bool, true)
    expire_after_days            = optional(number, 365)
    exports_expire_after_days    = optional(number, 1)
    abort_incomplete_upload_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for days in [var.lifecycle_rules.expire_after_days, var.lifecycle_rules.exports_expire_after_days, var.lifecycle_rules.abort_incomplete_upload_days] : days >= 1 && floor(days) == days])
    error_message = "lifecycle_rules.expire_after_days, exports_expire_after_days and abort_incomplete_upload_days must be whole numbers of days, at least 1."
  }
  validation {
    condition     = var.lifecycle_rules.exports_expire_after_days <= var.lifecycle_rules.expire_after_days
    error_message = "lifecycle_rules.exports_expire_after_days must not exceed expire_after_days."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy the bucket with its objects (dev and local; off where uploads must be retained)."
  type        = bool
  default     = false
  nullable    = false
}
