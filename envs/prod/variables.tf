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
