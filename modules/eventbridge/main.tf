# Scheduled and event-driven invocations of the app's functions: EventBridge
# Scheduler schedules in one group, classic EventBridge rules for app events,
# one execution role that may invoke only the targeted functions, one retry
# policy and one dead-letter queue for everything that cannot be delivered.

data "aws_partition" "current" {}

locals {
  group_name = "${var.name_prefix}-schedules"

  # Every function some schedule or rule targets (keys of var.functions).
  scheduled_functions = toset([for s in values(var.schedules) : s.function])
  targeted_functions  = setunion(local.scheduled_functions, [for r in values(var.rules) : r.function])

  flexible_window = var.flexible_time_window_minutes > 0 ? [var.flexible_time_window_minutes] : []
}

resource "aws_scheduler_schedule_group" "this" {
  name = local.group_name
}

# Undeliverable events and, when enabled, failed asynchronous function runs.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name_prefix}-schedules-dlq"
  message_retention_seconds = var.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Classic rules send failed events with the EventBridge service principal, so
# the queue must allow it (and only from this module's rules). Schedules use
# the execution role instead and need no queue policy.
resource "aws_sqs_queue_policy" "dead_letter" {
  count = length(var.rules) > 0 ? 1 : 0

  queue_url = aws_sqs_queue.dead_letter.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "RulesDeadLetter"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { ArnEquals = { "aws:SourceArn" = [for r in aws_cloudwatch_event_rule.rule : r.arn] } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_iam_role" "scheduler" {
  count = length(var.schedules) > 0 ? 1 : 0

  name                 = "${var.name_prefix}-scheduler"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "scheduler.amazonaws.com" }
      # Only schedules of this group may use the role (confused-deputy guard).
      Condition = { ArnLike = { "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:scheduler:*:*:schedule-group/${local.group_name}" } }
    }]
  })
}

# Two policies, so the invoke scope (ARNs given) is readable in a plan while
# the queue's ARN is still unknown.
resource "aws_iam_role_policy" "scheduler" {
  count = length(var.schedules) > 0 ? 1 : 0

  name = "${var.name_prefix}-scheduler-invoke"
  role = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeScheduledFunctions"
      Effect   = "Allow"
      Action   = "lambda:InvokeFunction"
      Resource = [for fn in sort(tolist(local.scheduled_functions)) : var.functions[fn]]
    }]
  })
}

resource "aws_iam_role_policy" "scheduler_dead_letter" {
  count = length(var.schedules) > 0 ? 1 : 0

  name = "${var.name_prefix}-scheduler-dead-letter"
  role = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DeadLetter"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = aws_sqs_queue.dead_letter.arn
    }]
  })
}

resource "aws_scheduler_schedule" "schedule" {
  #checkov:skip=CKV_AWS_297:schedule inputs are job names, not secrets; Scheduler encrypts them with an AWS-owned key and a CMK adds cost
  for_each = var.schedules

  name                         = "${var.name_prefix}-${each.key}"
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = each.value.description
  schedule_expression          = each.value.expression
  schedule_expression_timezone = each.value.timezone
  state                        = each.value.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode                      = var.flexible_time_window_minutes > 0 ? "FLEXIBLE" : "OFF"
    maximum_window_in_minutes = var.flexible_time_window_minutes > 0 ? var.flexible_time_window_minutes : null
  }

  target {
    arn      = var.functions[each.value.function]
    role_arn = aws_iam_role.scheduler[0].arn
    input    = each.value.input

    retry_policy {
      maximum_retry_attempts       = var.retry_policy.maximum_attempts
      maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_seconds
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letter.arn
    }
  }

  # The role's policy must exist before the first run.
  depends_on = [aws_iam_role_policy.scheduler, aws_iam_role_policy.scheduler_dead_letter]
}

resource "aws_cloudwatch_event_rule" "rule" {
  for_each = var.rules

  name           = "${var.name_prefix}-${each.key}"
  description    = each.value.description
  event_bus_name = each.value.event_bus_name
  event_pattern  = each.value.event_pattern
  state          = each.value.enabled ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "rule" {
  for_each = var.rules

  rule           = aws_cloudwatch_event_rule.rule[each.key].name
  event_bus_name = each.value.event_bus_name
  target_id      = "function"
  arn            = var.functions[each.value.function]

  retry_policy {
    maximum_retry_attempts       = var.retry_policy.maximum_attempts
    maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "rule" {
  for_each = var.rules

  statement_id  = "AllowEventBridgeRule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.functions[each.value.function]
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.rule[each.key].arn
}

# Schedules and rules invoke functions asynchronously: a run that raises is
# retried by Lambda (not by the scheduler), then sent to the same queue. The
# functions' roles need sqs:SendMessage on it (output dead_letter_queue_arn).
resource "aws_lambda_function_event_invoke_config" "this" {
  for_each = local.targeted_functions

  function_name                = var.functions[each.key]
  maximum_retry_attempts       = var.retry_policy.function_retry_attempts
  maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_seconds

  dynamic "destination_config" {
    for_each = var.dead_letter.function_failures_enabled ? [aws_sqs_queue.dead_letter.arn] : []
    content {
      on_failure {
        destination = destination_config.value
      }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "dead_letter" {
  count = var.dead_letter.alarm_enabled ? 1 : 0

  alarm_name          = "${var.name_prefix}-schedules-dlq-not-empty"
  alarm_description   = "A scheduled or event-driven invocation failed and was dead-lettered."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.dead_letter.alarm_actions
  ok_actions          = var.dead_letter.alarm_actions
}
