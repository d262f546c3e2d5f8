variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of every role the stack creates: the env's <app>-boundary-<env> that bootstrap/ makes for its deploy role, set by the tooling through TF_VAR_permissions_boundary_arn; null sets none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", coalesce(var.permissions_boundary_arn, "-")))
    error_message = "permissions_boundary_arn must be null or an IAM policy ARN such as arn:aws:iam::123456789012:policy/parley-boundary-prod."
  }
}

variable "compliance" {
  description = "Controls that cost money or a release step, on in prod: log groups encrypted with a customer-managed KMS key of the stack (modules/log_key), and Lambda code signing with the stack's AWS Signer profile (its signatures' validity in days; what Lambda does with unsigned code: Enforce refuses it, Warn logs it)."
  type = object({
    log_encryption_enabled = optional(bool, false)
    code_signing = optional(object({
      enabled                   = optional(bool, false)
      signature_validity_days   = optional(number, 1095)
      untrusted_artifact_action = optional(string, "Enforce")
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.compliance.code_signing.signature_validity_days >= 1 && var.compliance.code_signing.signature_validity_days <= 3650
    error_message = "compliance.code_signing.signature_validity_days must be between 1 and 3650."
  }
  validation {
    condition     = contains(["Enforce", "Warn"], var.compliance.code_signing.untrusted_artifact_action)
    error_message = "compliance.code_signing.untrusted_artifact_action must be Enforce or Warn."
  }
}
