variable "reminders" {
  description = "Reminder delivery: GSI1 shard count, schedule expression, per-run bound, attempts before failing, SES sender (empty = no e-mail) and Expo push endpoint."
  type = object({
    shard_count         = optional(number, 4)
    schedule_expression = optional(string, "rate(5 minutes)")
    enabled             = optional(bool, true)
    max_per_run         = optional(number, 200)
    max_attempts        = optional(number, 3)
    email_from          = optional(string, "")
    push_endpoint       = optional(string, "https://exp.host/--/api/v2/push/send")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.reminders.shard_count >= 1 && var.reminders.shard_count <= 64 && floor(var.reminders.shard_count) == var.reminders.shard_count
    error_message = "reminders.shard_count must be a whole number from 1 to 64."
  }
  validation {
    condition     = var.reminders.max_per_run >= 1 && var.reminders.max_per_run <= 5000
    error_message = "reminders.max_per_run must be between 1 and 5000."
  }
  validation {
    condition     = var.reminders.max_attempts >= 1 && var.reminders.max_attempts <= 20
    error_message = "reminders.max_attempts must be between 1 and 20."
  }
  validation {
    condition     = var.reminders.email_from == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", var.reminders.email_from))
    error_message = "reminders.email_from must be empty (no e-mail reminders) or an address such as reminders@example.com."
  }
  validation {
    condition     = can(regex("^(https://[^\\s]+|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/[^\\s]*)$", var.reminders.push_endpoint))
    error_message = "reminders.push_endpoint must be an https:// URL (plain http only on 127.0.0.1 or localhost)."
  }
}

variable "points_reset" {
  description = "Daily points reset: schedule expression and the IANA time zone both the schedule and the reset day use, and how many past days a run covers."
  type = object({
    schedule_expression = optional(string, "cron(0 0 * * ? *)")
    timezone            = optional(string, "UTC")
    enabled             = optional(bool, true)
    lookback_days       = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.points_reset.lookback_days >= 1 && var.points_reset.lookback_days <= 7
    error_message = "points_reset.lookback_days must be between 1 and 7 (spend markers expire after 8 days)."
  }
}

variable "schedule_retry" {
  description = "Retries of scheduled invocations before they are dead-lettered: delivery attempts, maximum event age, and an optional alarm target for the dead-letter queue."
  type = object({
    maximum_attempts          = optional(number, 3)
    maximum_event_age_seconds = optional(number, 3600)
    alarm_actions             = optional(list(string), [])
  })
  default  = {}
  nullable = false

  # The age bounds both Scheduler's retries (up to 86400 s) and the functions' own
  # asynchronous retries (Lambda event-invoke configuration, up to 21600 s).
  validation {
    condition     = var.schedule_retry.maximum_event_age_seconds >= 60 && var.schedule_retry.maximum_event_age_seconds <= 21600
    error_message = "schedule_retry.maximum_event_age_seconds must be between 60 and 21600 (Lambda's event-invoke limit, the lower of the two places it is used)."
  }
}
