variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "alarms_enabled" {
  description = "Create the alarms (on in prod); the topic, dashboard and metric filters exist either way."
  type        = bool
  default     = true
  nullable    = false
}

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must be non-empty e-mail addresses like ops@example.com."
  }
}

variable "alert_subscriptions" {
  description = "Other subscribers of the alert topic by name: protocol \"https\" (a chat or paging webhook, e.g. AWS Chatbot's https://global.sns-api.chatbot.amazonaws.com), \"lambda\" or \"sqs\", and the endpoint (URL or ARN)."
  type = map(object({
    protocol = string
    endpoint = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for s in values(var.alert_subscriptions) : contains(["https", "lambda", "sqs"], s.protocol)])
    error_message = "alert_subscriptions protocol must be \"https\", \"lambda\" or \"sqs\"."
  }
  validation {
    condition = alltrue([
      for s in values(var.alert_subscriptions) :
      s.protocol == "https" ? can(regex("^https://[^/\\s]+(/\\S*)?$", s.endpoint)) : can(regex("^arn:[a-z-]+:${s.protocol}:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_:.-]+$", s.endpoint))
    ])
    error_message = "alert_subscriptions endpoint must be an https:// URL for \"https\", or a Lambda function / SQS queue ARN for \"lambda\" / \"sqs\"."
  }
}

variable "watched" {
  description = "What to watch, each a map of a stable key to the resource's name or id: functions, HTTP and WebSocket API ids, tables, work queues (with their oldest-message age limit), dead-letter queues and EC2 instances."
  type = object({
    functions      = optional(map(string), {})
    http_apis      = optional(map(string), {})
    websocket_apis = optional(map(string), {})
    tables         = optional(map(string), {})
    work_queues = optional(map(object({
      queue_name      = string
      max_age_seconds = optional(number, 300)
    })), {})
    dead_letter_queues = optional(map(string), {})
    instances          = optional(map(string), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for q in values(var.watched.work_queues) : q.max_age_seconds >= 60 && q.max_age_seconds <= 1209600])
    error_message = "work_queues max_age_seconds must be between 60 and 1209600 (SQS keeps messages at most 14 days)."
  }

  validation {
    condition = alltrue([
      for k in concat(
        keys(var.watched.functions), keys(var.watched.http_apis), keys(var.watched.websocket_apis), keys(var.watched.tables),
        keys(var.watched.work_queues), keys(var.watched.dead_letter_queues), keys(var.watched.instances),
      ) : can(regex("^[a-z0-9][a-z0-9_-]{0,39}$", k))
    ])
    error_message = "watched keys must be 1-40 lowercase letters, digits, '_' or '-' (they become part of alarm names)."
  }
}

variable "thresholds" {
  description = "Alarm thresholds; each alarm fires when its metric is greater than the threshold (defaults are the seed values)."
  type = object({
    lambda_errors_per_minute                   = optional(number, 10)
    lambda_throttles_per_minute                = optional(number, 5)
    lambda_duration_p95_ms                     = optional(number, 10000)
    http_5xx_per_minute                        = optional(number, 10)
    http_4xx_per_5_minutes                     = optional(number, 100)
    websocket_integration_errors_per_5_minutes = optional(number, 5)
    dynamodb_throttles_per_minute              = optional(number, 5)
    dead_letter_messages                       = optional(number, 0)
    ec2_cpu_percent                            = optional(number, 80)
    log_error_lines_per_5_minutes              = optional(number, 10)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for k, v in var.thresholds : v != null && v >= 0 && floor(v) == v if k != "ec2_cpu_percent"
    ])
    error_message = "thresholds must be whole numbers >= 0 (counts, milliseconds)."
  }

  validation {
    condition     = var.thresholds.lambda_duration_p95_ms > 0 && var.thresholds.lambda_duration_p95_ms <= 900000
    error_message = "thresholds.lambda_duration_p95_ms must be between 1 and 900000 (the Lambda timeout limit)."
  }

  validation {
    condition     = var.thresholds.ec2_cpu_percent > 0 && var.thresholds.ec2_cpu_percent < 100
    error_message = "thresholds.ec2_cpu_percent must be a percentage between 0 and 100 (exclusive)."
  }
}

variable "error_metric_filters_enabled" {
  description = "Count log lines containing ERROR in every watched function's log group (and alarm on them when alarms are on)."
  type        = bool
  default     = false
  nullable    = false
}
