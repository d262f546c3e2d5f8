variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\", built once per environment."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "artifacts_dir" {
  description = "Directory holding build.py's manifest.json and zips, relative to the environment's folder."
  type        = string
  nullable    = false

  validation {
    condition     = fileexists("${var.artifacts_dir}/manifest.json")
    error_message = "No manifest.json in artifacts_dir: run 'make build' first."
  }
}

variable "emulator" {
  description = "The stack runs on the local emulator: buckets accept plain HTTP (no TLS-only deny) and slow lifecycle rules are left out."
  type        = bool
  default     = false
  nullable    = false
}

variable "emulator_endpoint" {
  description = "Root URL of the local emulator as the functions reach it (set by the tooling through TF_VAR_emulator_endpoint); null on AWS."
  type        = string
  default     = null

  validation {
    condition     = var.emulator_endpoint == null || can(regex("^https?://[^/\\s]+$", coalesce(var.emulator_endpoint, "-")))
    error_message = "emulator_endpoint must be null or a root URL such as http://127.0.0.1:4566."
  }
}

variable "local_gateway_endpoint" {
  description = "Root URL of the local runtime's gateway (HTTP and WebSocket APIs on 127.0.0.1) as the functions reach it, set by the tooling through TF_VAR_local_gateway_endpoint; null on AWS."
  type        = string
  default     = null

  validation {
    condition     = var.local_gateway_endpoint == null || can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]{2,5}$", coalesce(var.local_gateway_endpoint, "-")))
    error_message = "local_gateway_endpoint must be null or a local root URL such as http://127.0.0.1:4580."
  }
}

variable "data_protection_enabled" {
  description = "Protect data from deletion: table deletion protection and PITR, bucket versioning, retain on destroy (on in prod)."
  type        = bool
  default     = false
  nullable    = false
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps function and API logs."
  type        = number
  default     = 14
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "function_overrides" {
  description = "Per-function memory and timeout, by function name; unset fields keep the module defaults (512 MB, 30 s)."
  type = map(object({
    memory_mb       = optional(number)
    timeout_seconds = optional(number)
  }))
  default  = {}
  nullable = false
}
