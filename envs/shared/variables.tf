# The environment's own inputs; the stack's are in main.tf, next to the stack.

variable "app" {
  description = "Application name, the first part of every resource name; S3 names are global, so make it unique to your organisation."
  type        = string
  default     = "parley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.app))
    error_message = "app must be 2-21 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "env" {
  description = "Environment name (local, dev, prod or a stage of your own)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,8}$", var.env))
    error_message = "env must be 2-9 lowercase letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "artifacts_dir" {
  description = "Directory with build.py's manifest.json and zips, relative to the environment's folder."
  type        = string
  default     = "../../build/lambda"
  nullable    = false
}
