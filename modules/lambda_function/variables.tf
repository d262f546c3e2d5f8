variable "name" {
  description = "Function name, \"<name_prefix>-<function>\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, '-' or '_'."
  }
}

variable "package" {
  description = "Where the code is: the artifacts bucket and key, the base64 SHA-256 from build/lambda/manifest.json (null for a signed package, whose key changes with each signing), and the handler."
  type = object({
    s3_bucket        = string
    s3_key           = string
    source_code_hash = string
    handler          = string
  })
  nullable = false
}

variable "runtime" {
  description = "Memory, timeout, concurrency and tracing of the function."
  type = object({
    memory_mb            = optional(number, 512)
    timeout_seconds      = optional(number, 30)
    reserved_concurrency = optional(number, -1)
    tracing_enabled      = optional(bool, true)
    ephemeral_storage_mb = optional(number, 512)
    description          = optional(string, "")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.runtime.memory_mb >= 128 && var.runtime.memory_mb <= 10240
    error_message = "runtime.memory_mb must be between 128 and 10240."
  }
  validation {
    condition     = var.runtime.timeout_seconds >= 1 && var.runtime.timeout_seconds <= 900
    error_message = "runtime.timeout_seconds must be between 1 and 900."
  }
  validation {
    condition     = var.runtime.reserved_concurrency >= -1
    error_message = "runtime.reserved_concurrency must be -1 (unreserved) or a count >= 0."
  }
}

variable "environment" {
  description = "Environment variables of the function (settings, never secrets)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "policy_statements" {
  description = "Least-privilege IAM statements for the function's role, by a stable key; resources are ARNs, never \"*\" unless the action has no resource type."
  type = map(object({
    actions   = list(string)
    resources = list(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "every policy statement needs at least one action and one resource."
  }
}

variable "invoke_permissions" {
  description = "Services allowed to invoke the function, by statement id (e.g. AllowCognito-post-confirmation): the principal (e.g. cognito-idp.amazonaws.com) and the source ARN."
  type = map(object({
    principal  = string
    source_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for id in keys(var.invoke_permissions) : can(regex("^[A-Za-z0-9_-]{1,100}$", id))])
    error_message = "invoke_permissions keys are statement ids: 1-100 letters, digits, '-' or '_'."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of the function's role; null sets none."
  type        = string
  default     = null
}

variable "log_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the function's log group (modules/log_key); null keeps CloudWatch's own encryption."
  type        = string
  default     = null
}

variable "code_signing_config_arn" {
  description = "ARN of the Lambda code signing configuration the function's code must satisfy; null accepts unsigned code."
  type        = string
  default     = null
}
