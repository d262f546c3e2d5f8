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
variable "emulator_endpoint" {
  description = "Root URL of the local emulator; the tooling sets it (TF_VAR_emulator_endpoint) for envs/local."
  type        = string
  default     = null
}
variable "local_gateway_endpoint" {
  description = "Root URL of the local runtime's HTTP and WebSocket gateway; the tooling sets it (TF_VAR_local_gateway_endpoint) for envs/local."
  type        = string
  default     = null
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
variable "websocket" {
  description = "WebSocket settings (management_endpoint: an override, normally unset; locally local_gateway_endpoint sets it)."
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
variable "reminders" {
  description = "Reminder delivery: shard count, schedule expression, per-run bound, attempts, SES sender and push endpoint (see docs/scheduling.md)."
  type = object({
    shard_count         = optional(number)
    schedule_expression = optional(string)
    enabled             = optional(bool)
    max_per_run         = optional(number)
    max_attempts        = optional(number)
    email_from          = optional(string)
    push_endpoint       = optional(string)
  })
  default = {}
}
variable "points_reset" {
  description = "Daily points reset: schedule expression, time zone and days covered (see docs/scheduling.md)."
  type = object({
    schedule_expression = optional(string)
    timezone            = optional(string)
    enabled             = optional(bool)
    lookback_days       = optional(number)
  })
  default = {}
}
variable "schedule_retry" {
  description = "Retries of scheduled invocations before dead-lettering, and optional alarm actions for the dead-letter queue."
  type = object({
    maximum_attempts          = optional(number)
    maximum_event_age_seconds = optional(number)
    alarm_actions             = optional(list(string))
  })
  default = {}
}
variable "auth" {
  description = "Sign-in settings (see docs/auth.md): code delivery mode, sender, pool tier and threat protection, MFA, token lifetimes, sign-up at first login, Google sign-in, identity pool."
  type = object({
    sign_in_mode           = optional(string, "custom_auth")
    email_from_address     = optional(string, "no-reply@example.com")
    email_from_name        = optional(string, "parley")
    email_identity_domain  = optional(string)
    email_identity_arn     = optional(string)
    user_pool_tier         = optional(string, "ESSENTIALS")
    threat_protection_mode = optional(string, "OFF")
    mfa                    = optional(string, "OPTIONAL")
    access_token_minutes   = optional(number, 60)
    id_token_minutes       = optional(number, 60)
    refresh_token_days     = optional(number, 30)
    auto_sign_up           = optional(bool, true)
    google = optional(object({
      enabled       = optional(bool, false)
      client_id     = optional(string)
      domain_prefix = optional(string)
      callback_urls = optional(list(string), [])
      logout_urls   = optional(list(string), [])
    }), {})
    identity_pool_enabled = optional(bool, true)
    uploads_bucket_arn    = optional(string)
  })
  default = {}
}
variable "google_client_secret" {
  description = "Google OAuth client secret when auth.google.enabled; set TF_VAR_google_client_secret from a secret store, never in tfvars."
  type        = string
  default     = null
  sensitive   = true
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
variable "calls" {
  description = "Matchmaking and call settings (pools, daily points, lifetimes); see modules/stack/calls.tf."
  type = object({
    pools                       = optional(list(string), ["default"])
    daily_points                = optional(number, 5)
    ticket_ttl_seconds          = optional(number, 600)
    session_ttl_seconds         = optional(number, 86400)
    livekit_token_ttl_seconds   = optional(number, 3600)
    turn_credential_ttl_seconds = optional(number, 3600)
    max_receive_count           = optional(number, 5)
  })
  default = {}
}
variable "media_servers_enabled" {
  description = "Run the LiveKit and TURN servers on EC2; the API works without them."
  type        = bool
  default     = false
}
variable "media_servers" {
  description = "Media server settings; ami_id null looks up the latest Amazon Linux 2023 arm64 AMI in the public SSM parameter."
  type = object({
    ami_id                   = optional(string)
    availability_zones       = optional(list(string), [])
    vpc_cidr_block           = optional(string, "10.40.0.0/16")
    livekit_instance_type    = optional(string, "t4g.medium")
    turn_instance_type       = optional(string, "t4g.small")
    livekit_domain           = optional(string, "")
    rtc_port_mode            = optional(string, "range")
    turn_realm               = optional(string, "parley")
    self_healing_enabled     = optional(bool, false)
    cloudwatch_agent_enabled = optional(bool, false)
  })
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
