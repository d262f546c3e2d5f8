variable "name" {
  description = "Name of the bucket (globally unique), e.g. \"<name_prefix>-uploads\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy the bucket with its objects (rebuildable content, throwaway environments)."
  type        = bool
  default     = false
  nullable    = false
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

variable "object_ownership" {
  description = "Object ownership: BucketOwnerEnforced (ACLs off, the default) or BucketOwnerPreferred where a service delivers through an ACL grant (CloudFront standard logs)."
  type        = string
  default     = "BucketOwnerEnforced"
  nullable    = false

  validation {
    condition     = contains(["BucketOwnerEnforced", "BucketOwnerPreferred"], var.object_ownership)
    error_message = "object_ownership must be \"BucketOwnerEnforced\" or \"BucketOwnerPreferred\"."
  }
}

variable "versioning_enabled" {
  description = "Keep previous versions of overwritten or deleted objects."
  type        = bool
  default     = false
  nullable    = false
}

variable "tls_only_enabled" {
  description = "Deny every request not made over TLS with a bucket policy (off only on the local emulator, which serves plain HTTP)."
  type        = bool
  default     = true
  nullable    = false
}

variable "policy_statements" {
  description = "Allow statements for AWS services, by statement id: the service principal, the actions, the object paths they apply to (\"\" is the bucket itself, \"*\" every object) and the source ARNs they are limited to."
  type = map(object({
    service     = string
    actions     = list(string)
    paths       = list(string)
    source_arns = optional(list(string), [])
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for sid in keys(var.policy_statements) : can(regex("^[A-Za-z0-9]{1,64}$", sid))])
    error_message = "policy_statements keys are statement ids: 1-64 letters or digits."
  }
  validation {
    condition     = alltrue([for s in values(var.policy_statements) : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s.service)) && length(s.actions) > 0 && length(s.paths) > 0])
    error_message = "each policy statement needs a service principal such as cloudfront.amazonaws.com, at least one action and at least one path."
  }
}
