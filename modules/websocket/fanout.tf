# Big rooms' fan-out: the ws function posts a room's first batch itself and
# queues the rest, one message per batch of connections, on a standard SQS
# queue that the worker function drains, reporting partial batch failures.
# Messages that keep failing move to a dead-letter queue.

locals {
  fanout_queue_name = "${var.name_prefix}-fanout"
  fanout_dlq_name   = "${var.name_prefix}-fanout-dlq"

  # The queue's ARN, built from the API's (same account and region), so its policy can be inline.
  api_arn_parts    = split(":", aws_apigatewayv2_api.this.execution_arn)
  fanout_queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${local.api_arn_parts[3]}:${local.api_arn_parts[4]}:${local.fanout_queue_name}"
}

resource "aws_sqs_queue" "fanout_dlq" {
  name                              = local.fanout_dlq_name
  message_retention_seconds         = var.fanout_queue.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.fanout_queue.kms_key_id == null ? true : null
  kms_master_key_id                 = var.fanout_queue.kms_key_id
  kms_data_key_reuse_period_seconds = var.fanout_queue.kms_key_id == null ? null : 300
}

resource "aws_sqs_queue" "fanout" {
  name                              = local.fanout_queue_name
  visibility_timeout_seconds        = var.fanout_queue.visibility_timeout_seconds
  message_retention_seconds         = var.fanout_queue.message_retention_seconds
  sqs_managed_sse_enabled           = var.fanout_queue.kms_key_id == null ? true : null
  kms_master_key_id                 = var.fanout_queue.kms_key_id
  kms_data_key_reuse_period_seconds = var.fanout_queue.kms_key_id == null ? null : 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.fanout_dlq.arn
    maxReceiveCount     = var.fanout_queue.max_receive_count
  })

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = local.fanout_queue_arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_lambda_event_source_mapping" "fanout" {
  function_name           = var.fanout_worker_function_name
  event_source_arn        = aws_sqs_queue.fanout.arn
  batch_size              = var.fanout_queue.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}
