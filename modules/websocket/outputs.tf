output "api_id" {
  description = "ID of the WebSocket API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_execution_arn" {
  description = "Execution ARN of the WebSocket API (prefix of its invoke and management ARNs)."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage clients connect to."
  value       = aws_apigatewayv2_stage.this.name
}

output "websocket_url" {
  description = "URL clients connect to: wss://{api}.execute-api.{region}.amazonaws.com/{stage} (add ?token=<Cognito JWT>)."
  value       = local.websocket_url
}

output "management_endpoint" {
  description = "Endpoint of the connection management API: https://{api}.execute-api.{region}.amazonaws.com/{stage}."
  value       = local.management_endpoint
}

output "manage_connections_arn" {
  description = "The resource ARN that grants execute-api:ManageConnections on this API's stage only."
  value       = local.manage_connections_arn
}

output "route_keys" {
  description = "Every route key of the API, sorted."
  value       = sort(local.route_keys)
}

output "access_log_group_name" {
  description = "CloudWatch log group of the stage's access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "fanout_queue_arn" {
  description = "ARN of the queue of fan-out batches."
  value       = aws_sqs_queue.fanout.arn
}

output "fanout_queue_name" {
  description = "Name of the queue of big rooms' fan-out batches (the ws function sends to it)."
  value       = aws_sqs_queue.fanout.name
}

output "fanout_dlq_arn" {
  description = "ARN of the fan-out dead-letter queue."
  value       = aws_sqs_queue.fanout_dlq.arn
}

output "fanout_dlq_name" {
  description = "Name of the fan-out dead-letter queue: batches whose connections kept failing (the worker sends them there after its last attempt)."
  value       = aws_sqs_queue.fanout_dlq.name
}
