output "schedule_group_name" {
  description = "Name of the Scheduler schedule group."
  value       = aws_scheduler_schedule_group.this.name
}

output "schedule_group_arn" {
  description = "ARN of the Scheduler schedule group."
  value       = aws_scheduler_schedule_group.this.arn
}

output "schedule_names" {
  description = "Deployed schedule name by schedule key."
  value       = { for k, s in aws_scheduler_schedule.schedule : k => s.name }
}

output "schedule_arns" {
  description = "Schedule ARN by schedule key."
  value       = { for k, s in aws_scheduler_schedule.schedule : k => s.arn }
}

output "rule_arns" {
  description = "EventBridge rule ARN by rule key."
  value       = { for k, r in aws_cloudwatch_event_rule.rule : k => r.arn }
}

output "scheduler_role_arn" {
  description = "ARN of the role schedules run as (null without schedules)."
  value       = try(aws_iam_role.scheduler[0].arn, null)
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue for undeliverable events and failed runs."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.name
}
