variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "network" {
  description = "The VPC and its public subnets by availability zone (outputs of modules/network)."
  type = object({
    vpc_id     = string
    subnet_ids = map(string)
  })
  nullable = false
}

variable "instance" {
  description = "The machine: AMI id (Amazon Linux 2023), type, root volume size, Auto Scaling group of one for self-healing, CloudWatch agent, and the role's permissions boundary (an IAM policy ARN; null sets none)."
  type = object({
    ami_id                   = string
    instance_type            = optional(string, "t4g.medium")
    root_volume_gb           = optional(number, 16)
    self_healing_enabled     = optional(bool, false)
    cloudwatch_agent_enabled = optional(bool, false)
    permissions_boundary_arn = optional(string)
  })
  nullable = false
}

variable "livekit" {
  description = "LiveKit settings: the Secrets Manager ARN of the API key/secret JSON (read at boot), the WebRTC UDP mode (a port range or one muxed port), an optional domain served over TLS by Caddy, and the container images."
  type = object({
    secret_arn       = string
    rtc_port_mode    = optional(string, "range")
    port_range_start = optional(number, 50000)
    port_range_end   = optional(number, 60000)
    udp_port         = optional(number, 7882)
    domain           = optional(string, "")
    image            = optional(string, "livekit/livekit-server:v1.8.4")
    caddy_image      = optional(string, "caddy:2.8")
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:[a-z-]+:secretsmanager:", var.livekit.secret_arn))
    error_message = "livekit.secret_arn must be a Secrets Manager secret ARN."
  }
  validation {
    condition     = contains(["range", "single"], var.livekit.rtc_port_mode)
    error_message = "livekit.rtc_port_mode must be \"range\" (port_range_start-port_range_end) or \"single\" (one muxed udp_port)."
  }
  validation {
    condition     = var.livekit.port_range_start >= 1024 && var.livekit.port_range_start < var.livekit.port_range_end && var.livekit.port_range_end <= 65535
    error_message = "livekit.port_range_start and livekit.port_range_end must satisfy 1024 <= start < end <= 65535."
  }
  validation {
    condition     = var.livekit.udp_port >= 1024 && var.livekit.udp_port <= 65535 && !contains([7880, 7881], var.livekit.udp_port)
    error_message = "livekit.udp_port must be between 1024 and 65535 and differ from 7880 and 7881."
  }
  validation {
    condition     = var.livekit.domain == "" || can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.livekit.domain))
    error_message = "livekit.domain must be empty or a lowercase DNS name like livekit.example.com."
  }
}
