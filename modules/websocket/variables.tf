variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"; the API is \"<name_prefix>-ws\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "handler" {
  description = "The function serving $connect, $disconnect, $default and every action route: its name and invoke ARN."
  type = object({
    function_name = string
    invoke_arn    = string
  })
  nullable = false
}

variable "authorizer" {
  description = "The $connect REQUEST authorizer function (name and invoke ARN); anonymous_connections_enabled lets a connection without ?token= reach it."
  type = object({
    function_name                 = string
    invoke_arn                    = string
    anonymous_connections_enabled = optional(bool, false)
  })
  nullable = false
}

variable "actions" {
  description = "Route keys of the client actions (values of the frames' \"action\" field), each routed to the handler; anything else goes to $default."
  type        = set(string)
  default     = ["ping", "join", "leave", "send", "typing", "relay.open", "relay.join", "relay.send"]
  nullable    = false

  validation {
    condition     = alltrue([for a in var.actions : can(regex("^[a-z][a-z0-9._-]{0,63}$", a))])
    error_message = "actions must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter (the $ routes are always present)."
  }
}

variable "stage" {
  description = "The stage: its name (part of the URL) and default throttling (steady requests per second, burst)."
  type = object({
    name                     = optional(string, "live")
    throttling_rate_limit    = optional(number, 500)
    throttling_burst_limit   = optional(number, 1000)
    detailed_metrics_enabled = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.stage.name)) && var.stage.name != "$default"
    error_message = "stage.name must be 1-64 letters, digits, '-' or '_'."
  }
  validation {
    condition     = var.stage.throttling_rate_limit > 0 && var.stage.throttling_burst_limit > 0 && floor(var.stage.throttling_burst_limit) == var.stage.throttling_burst_limit
    error_message = "stage.throttling_rate_limit must be > 0 and stage.throttling_burst_limit a whole number > 0."
  }
}

variable "logging" {
  description = "Access logs (JSON, one line per connection event): retention, the customer-managed KMS key that encrypts them (null: CloudWatch's own), and whether to set the account-wide CloudWatch role API Gateway needs to write WebSocket logs."
  type = object({
    retention_days       = optional(number, 14)
    kms_key_arn          = optional(string)
    account_role_enabled = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logging.retention_days)
    error_message = "logging.retention_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of the API Gateway account logging role; null sets none."
  type        = string
  default     = null
}

variable "fanout_worker_function_name" {
  description = "Name of the function that posts the queued batches of big rooms' fan-out."
  type        = string
  nullable    = false
}

variable "fanout_queue" {
  description = "The queue of big rooms' fan-out batches: batches per worker invocation, visibility timeout (at least six times the worker's timeout), receives before a batch moves to the dead-letter queue, retention of both queues, and the KMS key encrypting them (null: SQS-managed encryption)."
  type = object({
    batch_size                    = optional(number, 10)
    visibility_timeout_seconds    = optional(number, 180)
    max_receive_count             = optional(number, 5)
    message_retention_seconds     = optional(number, 3600)
    dlq_message_retention_seconds = optional(number, 1209600)
    kms_key_id                    = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.fanout_queue.batch_size >= 1 && var.fanout_queue.batch_size <= 10
    error_message = "fanout_queue.batch_size must be between 1 and 10 batches per invocation."
  }
  validation {
    condition     = var.fanout_queue.visibility_timeout_seconds >= 0 && var.fanout_queue.visibility_timeout_seconds <= 43200
    error_message = "fanout_queue.visibility_timeout_seconds must be between 0 and 43200."
  }
  validation {
    condition     = var.fanout_queue.max_receive_count >= 1 && var.fanout_queue.max_receive_count <= 1000
    error_message = "fanout_queue.max_receive_count must be between 1 and 1000."
  }
  validation {
    condition     = alltrue([for s in [var.fanout_queue.message_retention_seconds, var.fanout_queue.dlq_message_retention_seconds] : s >= 60 && s <= 1209600])
    error_message = "fanout_queue.message_retention_seconds and fanout_queue.dlq_message_retention_seconds must be between 60 and 1209600."
  }
}
