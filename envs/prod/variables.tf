variable "app" {
  description = "Application name, the first part of every resource name; S3 names are global, so make it unique to your organisation."
  type        = string
  default     = "parley"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.app))
    error_message = "app must be 2-21 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "env" {
  description = "Environment name (local, dev, prod or a stage of your own)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,8}$", var.env))
    error_message = "env must be 2-9 lowercase letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "artifacts_dir" {
  description = "Directory with build.py's manifest.json and zips, relative to this folder."
  type        = string
  default     = "../../build/lambda"
}

variable "emulator" {
  description = "Deploy to the local emulator (plain-HTTP buckets, no slow lifecycle rules); true only in envs/local."
  type        = bool
  default     = false
}

variable "data_protection_enabled" {
  description = "Deletion protection, PITR, versioning and retain-on-destroy for data (on in prod)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps function and API logs."
  type        = number
  default     = 14
}

variable "function_overrides" {
  description = "Per-function memory_mb and timeout_seconds, by function name."
  type = map(object({
    memory_mb       = optional(number)
    timeout_seconds = optional(number)
  }))
  default = {}
}

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the HTTP API and use upload URLs (a strict list in prod)."
  type        = list(string)
  default     = ["http://localhost:3000"]
}

variable "api_throttling" {
  description = "HTTP API default throttling: burst_limit requests and rate_limit requests per second."
  type = object({
    burst_limit = optional(number, 1000)
    rate_limit  = optional(number, 2000)
  })
  default = {}
}

variable "api_custom_domain" {
  description = "Optional custom domain of the HTTP API (domain_name, certificate_arn, zone_id)."
  type = object({
    domain_name     = string
    certificate_arn = optional(string)
    zone_id         = optional(string)
  })
  default = null
}

variable "uploads" {
  description = "Uploads: max_size_mb, expire_after_days, abort_incomplete_upload_days and an optional kms_key_arn."
  type = object({
    max_size_mb                  = optional(number, 10)
    expire_after_days            = optional(number, 365)
    abort_incomplete_upload_days = optional(number, 7)
    kms_key_arn                  = optional(string)
  })
  default = {}
}

variable "app_secrets" {
  description = "Named app secrets: description, readers (function names) and generate (random value) for each."
  type = map(object({
    description = string
    readers     = list(string)
    generate    = optional(bool, false)
  }))
  default = {}
}
