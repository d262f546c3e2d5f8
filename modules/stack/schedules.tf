# Scheduled work: the reminders run (every 5 minutes) and the daily points
# reset, both invoked by EventBridge Scheduler with retries and a dead-letter
# queue (modules/eventbridge). Scheduling is explained in docs/scheduling.md.

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
}

locals {
  # The API needs the same shard count to place new reminders (REMINDER_SHARD_COUNT).
  reminder_shard_count = var.reminders.shard_count
  # Spends must be recorded per day in the reset's time zone (POINTS_TIMEZONE).
  points_timezone = var.points_reset.timezone

  reminders_timeout_seconds = lookup(lookup(local.runtime, "reminders", {}), "timeout_seconds", 120)

  schedules_dead_letter = {
    actions   = ["sqs:SendMessage"]
    resources = [module.schedules.dead_letter_queue_arn]
  }
  reminders_email = var.reminders.email_from == "" ? {} : {
    ses_send = {
      actions = ["ses:SendEmail", "ses:SendRawEmail"]
      resources = [
        "arn:${data.aws_partition.current.partition}:ses:*:*:identity/${var.reminders.email_from}",
        "arn:${data.aws_partition.current.partition}:ses:*:*:identity/${split("@", var.reminders.email_from)[1]}",
      ]
    }
  }
}

module "reminders_function" {
  source = "../lambda_function"

  name    = "${var.name_prefix}-reminders"
  package = local.packages["reminders"]
  runtime = merge(
    { description = "Delivers due reminders (WebSocket, notification, e-mail, push).", timeout_seconds = 120 },
    lookup(local.runtime, "reminders", {}),
  )
  environment = merge(local.common_environment, {
    REMINDER_SHARD_COUNT         = tostring(var.reminders.shard_count)
    REMINDER_MAX_PER_RUN         = tostring(var.reminders.max_per_run)
    REMINDER_MAX_ATTEMPTS        = tostring(var.reminders.max_attempts)
    REMINDER_CLAIM_LEASE_SECONDS = tostring(local.reminders_timeout_seconds + 60)
    REMINDER_EMAIL_FROM          = var.reminders.email_from
    PUSH_ENDPOINT                = var.reminders.push_endpoint
    WS_MANAGEMENT_ENDPOINT       = local.ws_management_endpoint
  })
  log_retention_days = var.log_retention_days
  policy_statements = merge(local.reminders_email, {
    table_read_write   = local.table_read_write
    manage_connections = local.ws_manage_connections
    dead_letter        = local.schedules_dead_letter
  })
}

module "points_reset_function" {
  source = "../lambda_function"

  name    = "${var.name_prefix}-points-reset"
  package = local.packages["points_reset"]
  runtime = merge(
    { description = "Gives back the call points spent on past days.", timeout_seconds = 300 },
    lookup(local.runtime, "points_reset", {}),
  )
  environment = merge(local.common_environment, {
    POINTS_TIMEZONE      = var.points_reset.timezone
    POINTS_LOOKBACK_DAYS = tostring(var.points_reset.lookback_days)
  })
  log_retention_days = var.log_retention_days
  policy_statements = {
    table_read_write = local.table_read_write
    dead_letter      = local.schedules_dead_letter
    # A bounded run invokes itself to go on (named, not referenced: no cycle).
    continue_run = {
      actions   = ["lambda:InvokeFunction"]
      resources = ["arn:${data.aws_partition.current.partition}:lambda:*:*:function:${var.name_prefix}-points-reset"]
    }
  }
}

module "schedules" {
  source = "../eventbridge"

  name_prefix = var.name_prefix
  functions = {
    reminders    = module.reminders_function.function_arn
    points_reset = module.points_reset_function.function_arn
  }
  schedules = {
    reminders = {
      expression  = var.reminders.schedule_expression
      function    = "reminders"
      enabled     = var.reminders.enabled
      description = "Deliver due reminders."
    }
    points-reset = {
      expression  = var.points_reset.schedule_expression
      timezone    = var.points_reset.timezone
      function    = "points_reset"
      enabled     = var.points_reset.enabled
      description = "Give back the call points spent on past days."
    }
  }
  retry_policy = {
    maximum_attempts          = var.schedule_retry.maximum_attempts
    maximum_event_age_seconds = var.schedule_retry.maximum_event_age_seconds
  }
  dead_letter = {
    alarm_enabled = length(var.schedule_retry.alarm_actions) > 0
    alarm_actions = var.schedule_retry.alarm_actions
  }
}

output "schedules_function_names" {
  description = "Deployed function name of each scheduled function."
  value = {
    reminders    = module.reminders_function.function_name
    points_reset = module.points_reset_function.function_name
  }
}

output "schedule_group_name" {
  description = "Name of the Scheduler schedule group holding the app's schedules."
  value       = module.schedules.schedule_group_name
}

output "schedule_names" {
  description = "Deployed schedule name by schedule key (reminders, points-reset)."
  value       = module.schedules.schedule_names
}

output "schedules_dead_letter_queue_url" {
  description = "URL of the queue holding undeliverable scheduled events and failed scheduled runs."
  value       = module.schedules.dead_letter_queue_url
}

output "schedules_dead_letter_queue_arn" {
  description = "ARN of the schedules' dead-letter queue."
  value       = module.schedules.dead_letter_queue_arn
}
