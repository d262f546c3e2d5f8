variable "name_prefix" {
  description = "Application name; deploy roles are named <name_prefix>-deploy-<env> and each env's stack resources <name_prefix>-<env>-*."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "repository" {
  description = "GitHub repository allowed to assume the roles, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.repository))
    error_message = "repository must be owner/name, e.g. my-org/parley."
  }
}

variable "oidc_provider" {
  description = "Create the account's GitHub OIDC provider (create = true, once per account), or reuse the one at arn."
  type = object({
    create = optional(bool, true)
    arn    = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.oidc_provider.create || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider.arn))
    error_message = "oidc_provider.arn must be the ARN of an existing token.actions.githubusercontent.com provider when oidc_provider.create is false."
  }
}

variable "environments" {
  description = "One deploy role per environment, by env name: where its stack lives, its state backend, which workflow runs may assume it and the one Route 53 hosted zone (hosted_zone_id, null: none) its records go in."
  type = map(object({
    region                     = string
    state_bucket_name          = string
    lock_table_name            = optional(string)
    github_environment         = optional(string)
    branches                   = optional(list(string), [])
    pull_request_plans_enabled = optional(bool, false)
    hosted_zone_id             = optional(string)
  }))
  nullable = false

  validation {
    condition     = length(var.environments) > 0 && alltrue([for env in keys(var.environments) : can(regex("^[a-z][a-z0-9]{1,8}$", env)) && env != "deploy"])
    error_message = "environments needs at least one entry; keys must be 2-9 lowercase letters or digits, starting with a letter (not 'deploy')."
  }

  validation {
    condition     = alltrue([for e in values(var.environments) : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", e.region))])
    error_message = "environments[*].region must look like us-east-1."
  }

  validation {
    condition     = alltrue(flatten([for e in values(var.environments) : [for b in e.branches : can(regex("^[A-Za-z0-9._/-]+$", b)) && !strcontains(b, "*")]]))
    error_message = "environments[*].branches must be exact branch names (letters, digits, '.', '_', '-', '/'); wildcards are not allowed."
  }

  validation {
    condition     = alltrue([for e in values(var.environments) : e.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", coalesce(e.hosted_zone_id, "-")))])
    error_message = "environments[*].hosted_zone_id must be a Route 53 hosted zone id (Z followed by capital letters and digits, e.g. Z0123456789ABCDEFGHIJ) or null."
  }
}

variable "max_session_duration_seconds" {
  description = "Longest session a workflow run gets from a deploy role, in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration_seconds >= 3600 && var.max_session_duration_seconds <= 43200
    error_message = "max_session_duration_seconds must be between 3600 and 43200."
  }
}

variable "permissions_boundary_arn" {
  description = "Managed policy ARN set as the permissions boundary of every deploy role; null sets none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", coalesce(var.permissions_boundary_arn, "-")))
    error_message = "permissions_boundary_arn must be an IAM policy ARN or null."
  }
}
