variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "functions" {
  description = "ARN of each Lambda function schedules and rules may target, by the key they name it with."
  type        = map(string)
  nullable    = false
}

variable "schedules" {
  description = "EventBridge Scheduler schedules by name: expression (rate(), cron() or at()), IANA time zone, target function key, JSON input and whether it is enabled."
  type = map(object({
    expression  = string
    timezone    = optional(string, "UTC")
    function    = string
    input       = optional(string, "{}")
    enabled     = optional(bool, true)
    description = optional(string, "")
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k in keys(var.schedules) : can(regex("^[a-z][a-z0-9_-]{0,39}$", k))])
    error_message = "schedule names must be 1-40 lowercase letters, digits, '-' or '_', starting with a letter."
  }
  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)|cron\\((\\S+ ){5}\\S+\\)|at\\(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\))$", s.expression))])
    error_message = "schedule expressions must be rate(<n> minute(s)|hour(s)|day(s)), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)."
  }
  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2})$", s.timezone))])
    error_message = "schedule timezones must be UTC or an IANA name such as Europe/Berlin."
  }
  validation {
    condition     = alltrue([for s in values(var.schedules) : can(tomap(jsondecode(s.input)))])
    error_message = "schedule input must be a JSON object, e.g. \"{}\"."
  }
  validation {
    condition     = alltrue([for s in values(var.schedules) : contains(keys(var.functions), s.function)])
    error_message = "every schedule's function must be a key of functions."
  }
}

variable "rules" {
  description = "Classic EventBridge rules by name: an event pattern (JSON) on an event bus, routed to a target function."
  type = map(object({
    event_pattern  = string
    function       = string
    event_bus_name = optional(string, "default")
    enabled        = optional(bool, true)
    description    = optional(string, "")
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k in keys(var.rules) : can(regex("^[a-z][a-z0-9_-]{0,39}$", k))])
    error_message = "rule names must be 1-40 lowercase letters, digits, '-' or '_', starting with a letter."
  }
  validation {
    condition     = alltrue([for r in values(var.rules) : try(length(keys(jsondecode(r.event_pattern))) > 0, false)])
    error_message = "rule event_pattern must be a non-empty JSON object, e.g. {\"source\": [\"parley.app\"]}."
  }
  validation {
    condition     = alltrue([for r in values(var.rules) : contains(keys(var.functions), r.function)])
    error_message = "every rule's function must be a key of functions."
  }
}

variable "retry_policy" {
  description = "Delivery retries shared by schedules and rules: attempts and maximum event age before the event goes to the dead-letter queue, and the function's own retries of a failed asynchronous run."
  type = object({
    maximum_attempts          = optional(number, 3)
    maximum_event_age_seconds = optional(number, 3600)
    function_retry_attempts   = optional(number, 2)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.retry_policy.maximum_attempts >= 0 && var.retry_policy.maximum_attempts <= 185 && floor(var.retry_policy.maximum_attempts) == var.retry_policy.maximum_attempts
    error_message = "retry_policy.maximum_attempts must be a whole number from 0 to 185."
  }
  # Used by the schedules' and rules' retry policies (up to 86400 s) and by the
  # functions' event-invoke configuration (up to 21600 s).
  validation {
    condition     = var.retry_policy.maximum_event_age_seconds >= 60 && var.retry_policy.maximum_event_age_seconds <= 21600
    error_message = "retry_policy.maximum_event_age_seconds must be between 60 and 21600 (Lambda's event-invoke limit, the lower of the two places it is used)."
  }
  validation {
    condition     = contains([0, 1, 2], var.retry_policy.function_retry_attempts)
    error_message = "retry_policy.function_retry_attempts must be 0, 1 or 2 (the Lambda limit for asynchronous runs)."
  }
}

variable "flexible_time_window_minutes" {
  description = "Let Scheduler start a schedule's run anywhere within this many minutes of its time (0 = off, runs exactly on time)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.flexible_time_window_minutes >= 0 && var.flexible_time_window_minutes <= 1440
    error_message = "flexible_time_window_minutes must be between 0 (off) and 1440."
  }
}

variable "dead_letter" {
  description = "The dead-letter queue: how long it keeps failed events, whether failed function runs land there too, and an optional alarm when it holds any message."
  type = object({
    message_retention_seconds = optional(number, 1209600)
    function_failures_enabled = optional(bool, true)
    alarm_enabled             = optional(bool, false)
    alarm_actions             = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.dead_letter.message_retention_seconds >= 60 && var.dead_letter.message_retention_seconds <= 1209600
    error_message = "dead_letter.message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
  validation {
    condition     = !var.dead_letter.alarm_enabled || length(var.dead_letter.alarm_actions) > 0
    error_message = "dead_letter.alarm_actions needs at least one ARN (e.g. an SNS topic) when alarm_enabled is true."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of the scheduler's role; null sets none."
  type        = string
  default     = null
}
