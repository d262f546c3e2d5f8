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
  description = "Lock table name, from envs/<env>/backend.hcl."
  type        = string
}

variable "emulator" {
  description = "Target the local emulator (fake keys, path-style S3, removable bucket)."
  type        = bool
  default     = false
}
