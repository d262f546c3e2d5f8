variable "calls" {
  description = "Matchmaking and call settings: pools users may join, FIFO message groups per pool (1 keeps each pool in strict order), daily points a profile starts with, ticket/session/credential lifetimes and dead-letter receives."
  type = object({
    pools                       = optional(list(string), ["default"])
    pool_shards                 = optional(number, 1)
    daily_points                = optional(number, 5)
    ticket_ttl_seconds          = optional(number, 600)
    session_ttl_seconds         = optional(number, 86400)
    livekit_token_ttl_seconds   = optional(number, 3600)
    turn_credential_ttl_seconds = optional(number, 3600)
    max_receive_count           = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = length(var.calls.pools) > 0 && alltrue([for p in var.calls.pools : can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", p))])
    error_message = "calls.pools must list 1 or more pool names of 1-32 lowercase letters, digits, '_' or '-'."
  }
  validation {
    condition     = var.calls.pool_shards >= 1 && var.calls.pool_shards <= 64 && floor(var.calls.pool_shards) == var.calls.pool_shards
    error_message = "calls.pool_shards must be a whole number from 1 (strict order per pool) to 64."
  }
  validation {
    condition     = var.calls.daily_points >= 1 && var.calls.daily_points <= 1000
    error_message = "calls.daily_points must be between 1 and 1000."
  }
  validation {
    condition     = var.calls.ticket_ttl_seconds >= 60 && var.calls.ticket_ttl_seconds <= 3600
    error_message = "calls.ticket_ttl_seconds must be between 60 and 3600."
  }
  validation {
    condition     = alltrue([for s in [var.calls.session_ttl_seconds, var.calls.livekit_token_ttl_seconds, var.calls.turn_credential_ttl_seconds] : s >= 300 && s <= 86400])
    error_message = "calls.session_ttl_seconds, livekit_token_ttl_seconds and turn_credential_ttl_seconds must be between 300 and 86400."
  }
}

variable "media_servers_enabled" {
  description = "Run the LiveKit and TURN servers on EC2 (off in dev to save cost; the API keeps working without them)."
  type        = bool
  default     = false
  nullable    = false
}

variable "media_servers" {
  description = "The media servers: AMI id (Amazon Linux 2023, arm64 for the default types), availability zones, VPC CIDR, instance types, LiveKit domain and UDP mode, TURN realm and domain (for TURN over TLS), self-healing and CloudWatch agent."
  type = object({
    ami_id                   = optional(string)
    availability_zones       = optional(list(string), [])
    vpc_cidr_block           = optional(string, "10.40.0.0/16")
    livekit_instance_type    = optional(string, "t4g.medium")
    turn_instance_type       = optional(string, "t4g.small")
    livekit_domain           = optional(string, "")
    rtc_port_mode            = optional(string, "range")
    turn_realm               = optional(string, "parley")
    turn_domain              = optional(string, "")
    self_healing_enabled     = optional(bool, false)
    cloudwatch_agent_enabled = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.media_servers.ami_id == null || can(regex("^ami-[0-9a-f]{8,17}$", coalesce(var.media_servers.ami_id, "-")))
    error_message = "media_servers.ami_id must be null or an AMI id like ami-0123456789abcdef0."
  }
  validation {
    condition     = contains(["range", "single"], var.media_servers.rtc_port_mode)
    error_message = "media_servers.rtc_port_mode must be \"range\" or \"single\"."
  }
  # Checked at plan time (it reads two variables).
  validation {
    condition     = !var.media_servers_enabled || (var.media_servers.ami_id != null && length(var.media_servers.availability_zones) >= 2)
    error_message = "media_servers_enabled needs media_servers.ami_id and at least two media_servers.availability_zones."
  }
}
