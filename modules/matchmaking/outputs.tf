output "topic_arn" {
  description = "ARN of the SNS FIFO topic tickets are published to (message group = pool or one of its shards, deduplication id = ticket id)."
  value       = aws_sns_topic.this.arn
}

output "queue_arn" {
  description = "ARN of the SQS FIFO queue the worker drains."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the SQS FIFO queue the worker drains."
  value       = aws_sqs_queue.this.id
}

output "dlq_arn" {
  description = "ARN of the FIFO dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the FIFO dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}

output "event_source_mapping_uuid" {
  description = "UUID of the queue -> worker event source mapping, or null without a worker."
  value       = try(aws_lambda_event_source_mapping.this[0].uuid, null)
}
