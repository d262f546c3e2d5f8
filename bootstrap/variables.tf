variable "env" {
  description = "Environment whose state backend this is."
  type        = string
}

variable "region" {
  description = "AWS region of the state bucket and lock table."
  type        = string
}

variable "state_bucket_name" {
  description = "State bucket name, from envs/<env>/backend.hcl."
  type        = string
}

variable "lock_table_name" {
  description = "Lock table name, from envs/<env>/backend.hcl (null: the backend locks with S3 lock files only, use_lockfile = true)."
  type        = string
  default     = null
}

variable "emulator" {
  description = "Target the local emulator (fake keys, path-style S3, removable bucket)."
  type        = bool
  default     = false
}

variable "github" {
  description = "GitHub Actions access for this env (null: none): the repository whose workflow runs may assume the env's deploy role, which runs, and the Route 53 hosted zone its stack writes records in (null: none)."
  type = object({
    repository                 = string
    app                        = optional(string, "parley")
    stack_region               = optional(string)
    create_oidc_provider       = optional(bool, true)
    github_environment         = optional(string)
    branches                   = optional(list(string), [])
    pull_request_plans_enabled = optional(bool, false)
    hosted_zone_id             = optional(string)
  })
  default = null
}
