# Matchmaking transport: tickets are published to an SNS FIFO topic (group =
# pool or one of its shards, dedup = ticket id) and delivered raw to an SQS
# FIFO queue that the worker function drains in order per group, reporting
# partial batch failures. Messages that keep failing move to a FIFO
# dead-letter queue.

locals {
  topic_name = "${var.name_prefix}-match.fifo"
  queue_name = "${var.name_prefix}-match.fifo"
  dlq_name   = "${var.name_prefix}-match-dlq.fifo"

  # The queue's ARN, built from the topic's (same account and region), so the
  # queue policy can be inline: a separate aws_sqs_queue_policy is slow to settle.
  topic_arn_parts = split(":", aws_sns_topic.this.arn)
  queue_arn       = "arn:${data.aws_partition.current.partition}:sqs:${local.topic_arn_parts[3]}:${local.topic_arn_parts[4]}:${local.queue_name}"
}

data "aws_partition" "current" {}

resource "aws_sns_topic" "this" {
  name                        = local.topic_name
  fifo_topic                  = true
  content_based_deduplication = true
  kms_master_key_id           = coalesce(var.kms_key_id, "alias/aws/sns")
  # Unset keeps the topic's own scope (Topic unless it was raised before).
  fifo_throughput_scope = var.high_throughput_enabled ? "MessageGroup" : null
}

resource "aws_sqs_queue" "dlq" {
  name                              = local.dlq_name
  fifo_queue                        = true
  message_retention_seconds         = var.queue.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.kms_key_id == null ? true : null
  kms_master_key_id                 = var.kms_key_id
  kms_data_key_reuse_period_seconds = var.kms_key_id == null ? null : 300
}

resource "aws_sqs_queue" "this" {
  name                              = local.queue_name
  fifo_queue                        = true
  deduplication_scope               = "messageGroup"
  fifo_throughput_limit             = "perMessageGroupId"
  visibility_timeout_seconds        = var.queue.visibility_timeout_seconds
  message_retention_seconds         = var.queue.message_retention_seconds
  sqs_managed_sse_enabled           = var.kms_key_id == null ? true : null
  kms_master_key_id                 = var.kms_key_id
  kms_data_key_reuse_period_seconds = var.kms_key_id == null ? null : 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.queue.max_receive_count
  })

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowMatchTopicOnly"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = local.queue_arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.this.arn } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = local.queue_arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "this" {
  topic_arn            = aws_sns_topic.this.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.this.arn
  raw_message_delivery = true
}

resource "aws_lambda_event_source_mapping" "this" {
  count = var.worker_function_name == null ? 0 : 1

  function_name           = var.worker_function_name
  event_source_arn        = aws_sqs_queue.this.arn
  batch_size              = var.queue.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}
