variable "name_prefix" {
  description = "Prefix of the stack's names, \"<app>-<env>\": the key may encrypt only log groups whose name holds \"<name_prefix>-\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "account_id" {
  description = "The AWS account the key and the log groups are in (the stack reads it from its table's ARN)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "deletion_window_days" {
  description = "Days KMS waits before deleting the key once it is destroyed (7-30); logs it encrypted stay unreadable after that."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}
