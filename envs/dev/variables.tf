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

variable "monitoring" {
  description = "Alarms on or off (on in prod), the e-mail addresses alerts go to, and ERROR metric filters on function logs."
  type = object({
    alarms_enabled               = optional(bool, false)
    alert_emails                 = optional(list(string), [])
    error_metric_filters_enabled = optional(bool, false)
  })
  default = {}
}

variable "site" {
  description = "The web client's static site: on/off, price class, optional custom domain (aliases + us-east-1 certificate ARN or Route 53 zone id), access logs and sign-in at the edge."
  type = object({
    enabled     = optional(bool, false)
    price_class = optional(string, "PriceClass_100")
    domain = optional(object({
      aliases         = list(string)
      certificate_arn = optional(string)
      route53_zone_id = optional(string)
    }))
    access_logs_enabled = optional(bool, false)
    edge_auth_enabled   = optional(bool, false)
  })
  default = {}
}

variable "websocket" {
  description = "WebSocket settings (management_endpoint: the emulator's root URL locally; unset on AWS)."
  type = object({
    management_endpoint           = optional(string)
    anonymous_connections_enabled = optional(bool)
    stage_name                    = optional(string)
    throttling_rate_limit         = optional(number)
    throttling_burst_limit        = optional(number)
    fanout_concurrency            = optional(number)
    relay_cache_ttl_seconds       = optional(number)
    account_logging_role_enabled  = optional(bool)
  })
  default = {}
}
