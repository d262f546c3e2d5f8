variable "name" {
  description = "Name of the server and prefix of its resources, \"<name_prefix>-<component>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}[a-z0-9]$", var.name))
    error_message = "name must be 3-42 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "network" {
  description = "Where the server runs: the VPC and its public subnets by availability zone (the single instance uses the first zone)."
  type = object({
    vpc_id     = string
    subnet_ids = map(string)
  })
  nullable = false

  validation {
    condition     = length(var.network.subnet_ids) >= 1
    error_message = "network.subnet_ids must name at least one subnet."
  }
}

variable "instance" {
  description = "The machine: AMI, type, root volume size, Auto Scaling group of one for self-healing, CloudWatch agent, an optional KMS key for the volume and the role's permissions boundary (an IAM policy ARN)."
  type = object({
    ami_id                   = string
    instance_type            = string
    root_volume_gb           = optional(number, 16)
    self_healing_enabled     = optional(bool, false)
    cloudwatch_agent_enabled = optional(bool, false)
    kms_key_id               = optional(string)
    permissions_boundary_arn = optional(string)
  })
  nullable = false

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.instance.ami_id))
    error_message = "instance.ami_id must be an AMI id like ami-0123456789abcdef0."
  }
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance.instance_type))
    error_message = "instance.instance_type must be an EC2 instance type like t4g.small."
  }
  validation {
    condition     = var.instance.root_volume_gb >= 8 && var.instance.root_volume_gb <= 1024
    error_message = "instance.root_volume_gb must be between 8 and 1024."
  }
}

variable "ingress" {
  description = "Inbound rules by a stable key: protocol (tcp or udp) and port range, open to the internet; nothing else is let in."
  type = map(object({
    protocol    = string
    from_port   = number
    to_port     = number
    description = string
  }))
  nullable = false

  validation {
    condition     = alltrue([for r in values(var.ingress) : contains(["tcp", "udp"], r.protocol) && r.from_port >= 1 && r.to_port <= 65535 && r.from_port <= r.to_port])
    error_message = "ingress rules need protocol tcp or udp and 1 <= from_port <= to_port <= 65535."
  }
  validation {
    condition     = alltrue([for r in values(var.ingress) : !(r.protocol == "tcp" && r.from_port <= 22 && r.to_port >= 22)])
    error_message = "ingress must not open TCP port 22: use SSM Session Manager instead of SSH."
  }
}

variable "user_data" {
  description = "Rendered cloud-init script the server runs at first boot."
  type        = string
  nullable    = false
}

variable "secret_arns" {
  description = "Secrets Manager ARNs the server may read at boot."
  type        = list(string)
  default     = []
  nullable    = false
}
