# Scheduled work: the reminders run (every 5 minutes) and the daily points
# reset, both invoked by EventBridge Scheduler with retries and a dead-letter
# queue (modules/eventbridge). Scheduling is explained in docs/scheduling.md.

locals {
  reminders_timeout_seconds = lookup(lookup(local.runtime_overrides, "reminders", {}), "timeout_seconds", 120)

  schedules_dead_letter = {
    actions   = ["sqs:SendMessage"]
    resources = [module.schedules.dead_letter_queue_arn]
  }

  schedules_functions = {
    reminders = {
      description = "Delivers due reminders (WebSocket, notification, e-mail, push)."
      runtime     = { timeout_seconds = 120 }
      environment = {
        REMINDER_SHARD_COUNT         = tostring(var.reminders.shard_count)
        REMINDER_MAX_PER_RUN         = tostring(var.reminders.max_per_run)
        REMINDER_MAX_ATTEMPTS        = tostring(var.reminders.max_attempts)
        REMINDER_CLAIM_LEASE_SECONDS = tostring(local.reminders_timeout_seconds + 60)
        REMINDER_EMAIL_FROM          = var.reminders.email_from
        PUSH_ENDPOINT                = var.reminders.push_endpoint
        WS_MANAGEMENT_ENDPOINT       = local.ws_management_endpoint
      }
      statements = merge(
        {
          table_read_write   = local.table_read_write
          manage_connections = local.ws_manage_connections
          dead_letter        = local.schedules_dead_letter
        },
        var.reminders.email_from == "" ? {} : {
          ses_send = {
            actions = ["ses:SendEmail", "ses:SendRawEmail"]
            resources = [
              "arn:${data.aws_partition.current.partition}:ses:*:*:identity/${var.reminders.email_from}",
              "arn:${data.aws_partition.current.partition}:ses:*:*:identity/${split("@", var.reminders.email_from)[1]}",
            ]
          }
        },
      )
    }
    points_reset = {
      description = "Gives back the call points spent on past days."
      runtime     = { timeout_seconds = 300 }
      environment = {
        POINTS_TIMEZONE      = var.points_reset.timezone
        POINTS_LOOKBACK_DAYS = tostring(var.points_reset.lookback_days)
      }
      statements = {
        table_read_write = local.table_read_write
        dead_letter      = local.schedules_dead_letter
        # A bounded run invokes itself to go on (named, not referenced: no cycle).
        continue_run = {
          actions   = ["lambda:InvokeFunction"]
          resources = ["arn:${data.aws_partition.current.partition}:lambda:*:*:function:${var.name_prefix}-points-reset"]
        }
      }
    }
  }
}

module "schedules" {
  source = "../eventbridge"

  name_prefix = var.name_prefix
  functions   = { for key in keys(local.schedules_functions) : key => module.function[key].function_arn }
  schedules = {
    reminders = {
      expression  = var.reminders.schedule_expression
      function    = "reminders"
      enabled     = var.reminders.enabled
      description = "Deliver due reminders."
      # Source metadata the function logs; Scheduler fills in the run's scheduled time. jsonencode writes
      # < and > as \u003c and \u003e, which Scheduler would not recognise as its context attribute: the input
      # keeps them literal.
      input = replace(replace(jsonencode({
        source         = "parley.schedules"
        schedule       = "${var.name_prefix}-reminders"
        scheduled_time = "<aws.scheduler.scheduled-time>"
      }), "\\u003c", "<"), "\\u003e", ">")
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
  permissions_boundary_arn = var.permissions_boundary_arn
}
