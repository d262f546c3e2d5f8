variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the HTTP API and to use upload URLs; a strict list outside development."
  type        = list(string)
  default     = ["http://localhost:3000"]
  nullable    = false
}

variable "api_throttling" {
  description = "Default throttling of the HTTP API's $default stage: burst requests and steady requests per second."
  type = object({
    burst_limit = optional(number, 1000)
    rate_limit  = optional(number, 2000)
  })
  default  = {}
  nullable = false
}

variable "api_custom_domain" {
  description = "Optional custom domain of the HTTP API: the name, an existing ACM certificate ARN and the Route 53 zone (see modules/api)."
  type = object({
    domain_name     = string
    certificate_arn = optional(string)
    zone_id         = optional(string)
  })
  default = null
}

variable "uploads" {
  description = "Uploads: largest accepted file, lifecycle (expiry and incomplete-upload cleanup, in days) and an optional KMS key for the bucket."
  type = object({
    max_size_mb                  = optional(number, 10)
    expire_after_days            = optional(number, 365)
    abort_incomplete_upload_days = optional(number, 7)
    kms_key_arn                  = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.uploads.max_size_mb >= 1 && var.uploads.max_size_mb <= 5120
    error_message = "uploads.max_size_mb must be between 1 and 5120 (a single presigned PUT takes at most 5 GB)."
  }
}

variable "app_secrets" {
  description = "Named app secrets (e.g. third-party API keys) by name: a description, the functions that may read it (each gets the APP_SECRETS setting and read access to exactly its secrets), and whether to generate a random value (otherwise set the value outside Terraform)."
  type = map(object({
    description = string
    readers     = list(string)
    generate    = optional(bool, false)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name in keys(var.app_secrets) : can(regex("^[a-z][a-z0-9_]{0,39}$", name))])
    error_message = "app_secrets names must be 1-40 lowercase letters, digits or '_', starting with a letter."
  }
  validation {
    condition     = alltrue([for s in values(var.app_secrets) : length(s.readers) > 0 && alltrue([for r in s.readers : can(regex("^[a-z][a-z0-9_]*$", r))])])
    error_message = "each app secret needs at least one reader, a function name as in lambda_src/functions.toml (e.g. \"api\")."
  }
  # Checked at plan time (it reads the deployed functions).
  validation {
    condition     = alltrue([for s in values(var.app_secrets) : alltrue([for r in s.readers : contains(local.deployed_functions, r)])])
    error_message = "app_secrets readers must be functions this stack deploys: ${join(", ", local.deployed_functions)}."
  }
}
