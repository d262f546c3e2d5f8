variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "worker_function_name" {
  description = "Name of the function that consumes the queue, or null to create the queue without an event source mapping."
  type        = string
  default     = null
}

variable "high_throughput_enabled" {
  description = "Give the topic its high-throughput mode (deduplication per message group, the regional throughput quota instead of the per-topic one); for publishers whose groups need no order between them."
  type        = bool
  default     = false
  nullable    = false
}

variable "queue" {
  description = "Delivery settings: receives before a message moves to the dead-letter queue, visibility timeout, retention and worker batch size."
  type = object({
    max_receive_count             = optional(number, 5)
    visibility_timeout_seconds    = optional(number, 60)
    message_retention_seconds     = optional(number, 3600)
    dlq_message_retention_seconds = optional(number, 1209600)
    batch_size                    = optional(number, 10)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.queue.max_receive_count >= 1 && var.queue.max_receive_count <= 1000
    error_message = "queue.max_receive_count must be between 1 and 1000."
  }
  validation {
    condition     = var.queue.visibility_timeout_seconds >= 0 && var.queue.visibility_timeout_seconds <= 43200
    error_message = "queue.visibility_timeout_seconds must be between 0 and 43200."
  }
  validation {
    condition     = alltrue([for s in [var.queue.message_retention_seconds, var.queue.dlq_message_retention_seconds] : s >= 60 && s <= 1209600])
    error_message = "queue.message_retention_seconds and queue.dlq_message_retention_seconds must be between 60 and 1209600."
  }
  validation {
    condition     = var.queue.batch_size >= 1 && var.queue.batch_size <= 10
    error_message = "queue.batch_size must be between 1 and 10 (the FIFO queue limit)."
  }
}

variable "kms_key_id" {
  description = "KMS key (id, ARN or alias) encrypting the topic and queues, or null for the AWS-managed SNS key and SQS-managed encryption."
  type        = string
  default     = null
}
