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
    instance_type            = optional(string, "t4g.small")
    root_volume_gb           = optional(number, 16)
    self_healing_enabled     = optional(bool, false)
    cloudwatch_agent_enabled = optional(bool, false)
    permissions_boundary_arn = optional(string)
  })
  nullable = false
}

variable "turn" {
  description = "coturn settings: the Secrets Manager ARN of the shared secret (read at boot), the realm, the relay port range, an optional domain whose certificate Caddy obtains for TURN over TLS, and the container images."
  type = object({
    secret_arn     = string
    realm          = string
    relay_min_port = optional(number, 49152)
    relay_max_port = optional(number, 65535)
    domain         = optional(string, "")
    image          = optional(string, "coturn/coturn:4.6.3")
    caddy_image    = optional(string, "caddy:2.8")
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:[a-z-]+:secretsmanager:", var.turn.secret_arn))
    error_message = "turn.secret_arn must be a Secrets Manager secret ARN."
  }
  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", var.turn.realm))
    error_message = "turn.realm must be a lowercase domain-like name, e.g. turn.example.com."
  }
  validation {
    condition     = var.turn.relay_min_port >= 1024 && var.turn.relay_min_port < var.turn.relay_max_port && var.turn.relay_max_port <= 65535
    error_message = "turn.relay_min_port and turn.relay_max_port must satisfy 1024 <= min < max <= 65535."
  }
  validation {
    condition     = var.turn.domain == "" || (length(var.turn.domain) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.turn.domain)))
    error_message = "turn.domain must be empty or a lowercase DNS name like turn.example.com (its A record points at public_ip)."
  }
}
